"""The two roofs of this machine: matrix-multiply peak (GFLOP/s) and memory bandwidth (GB/s).

The roofline model (Williams, Waterman & Patterson 2009) bounds the speed of a kernel that performs
``I`` floating-point operations per byte it moves by ``min(peak, bandwidth * I)``. Both roofs are
*measured* here with PyTorch, at a fixed thread count, with :mod:`torch.utils.benchmark` (warm-up,
repeated blocks of runs, median and interquartile range):

* :func:`matmul_peak`: a large square float32 matrix product (sgemm), ``2 n^3`` FLOPs per run. This is
  the best rate the convolution kernels can hope for on this CPU.
* :func:`memory_bandwidth`: a large tensor copy (``2 * size`` bytes: read once, written once, the
  STREAM convention) or sum (``size`` bytes read). With arrays far larger than the last-level cache
  this is main-memory bandwidth; with small arrays it is cache bandwidth.

Each measurement takes about ``min_run_time`` seconds. Imports torch (on demand from ``mnetcalc``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from torch.utils import benchmark

from .validation import choice, positive_int, positive_number

#: Bytes per float32 number.
_FLOAT32 = 4

BANDWIDTH_KINDS = ("copy", "sum")


@dataclass(frozen=True)
class Throughput:
    """A measured rate: ``median`` (from the median time) and the rates at the quartile times."""

    what: str
    unit: str  # "GFLOP/s" or "GB/s"
    median: float
    low: float  # rate at the slower (75th percentile) time
    high: float  # rate at the faster (25th percentile) time
    seconds: float  # median time of one run
    runs: int  # timed runs behind the median
    threads: int

    def to_dict(self) -> dict:
        return asdict(self)

    def __str__(self) -> str:
        return (
            f"{self.what}: {self.median:.1f} {self.unit} "
            f"(IQR {self.low:.1f}-{self.high:.1f}, {self.runs} runs, {self.threads} threads)"
        )


def _threads(threads) -> int:
    return torch.get_num_threads() if threads is None else positive_int("threads", threads)


def _rate(what, unit, work, stmt, env, threads, min_run_time) -> Throughput:
    """Time ``stmt`` and turn the times into ``work`` (FLOPs or bytes) per second, in units of 1e9."""
    timer = benchmark.Timer(stmt=stmt, globals=env, num_threads=threads, label=what)
    timer.timeit(2)  # warm-up: first-touch page faults, allocator, library initialisation
    measured = timer.blocked_autorange(min_run_time=min_run_time)
    times = torch.tensor(measured.times, dtype=torch.float64)
    fast, slow = (float(torch.quantile(times, q)) for q in (0.25, 0.75))
    return Throughput(
        what=what,
        unit=unit,
        median=work / measured.median / 1e9,
        low=work / slow / 1e9,
        high=work / fast / 1e9,
        seconds=measured.median,
        runs=len(measured.times),
        threads=threads,
    )


def matmul_peak(size: int = 2048, threads: int | None = None, min_run_time: float = 1.0) -> Throughput:
    """GFLOP/s of a ``size`` x ``size`` float32 matrix product at ``threads`` threads (default: torch's)."""
    n = positive_int("size", size)
    threads = _threads(threads)
    min_run_time = positive_number("min_run_time", min_run_time)
    generator = torch.Generator().manual_seed(0)
    a = torch.randn(n, n, generator=generator)
    b = torch.randn(n, n, generator=generator)
    out = torch.empty(n, n)
    env = {"torch": torch, "a": a, "b": b, "out": out}
    return _rate(f"sgemm {n}x{n}", "GFLOP/s", 2 * n**3, "torch.mm(a, b, out=out)", env, threads, min_run_time)


def memory_bandwidth(
    megabytes: float = 256,
    kind: str = "copy",
    threads: int | None = None,
    min_run_time: float = 1.0,
) -> Throughput:
    """GB/s of copying (``kind="copy"``) or summing (``"sum"``) a float32 tensor of ``megabytes`` MiB.

    A copy moves ``2 * size`` bytes (each number read once and written once; the extra read a cache
    may do before writing, "write-allocate", is not counted), a sum moves ``size`` bytes.
    """
    size = positive_number("megabytes", megabytes)
    kind = choice("kind", kind, BANDWIDTH_KINDS)
    threads = _threads(threads)
    min_run_time = positive_number("min_run_time", min_run_time)
    count = max(1, int(size * 2**20) // _FLOAT32)
    src = torch.ones(count)
    if kind == "copy":
        env = {"src": src, "dst": torch.empty(count)}
        stmt, moved = "dst.copy_(src)", 2 * count * _FLOAT32
    else:
        env = {"src": src}
        stmt, moved = "src.sum()", count * _FLOAT32
    return _rate(f"{kind} {size:g} MiB", "GB/s", moved, stmt, env, threads, min_run_time)


def attainable(flop_intensity: float, peak: float, bandwidth: float) -> float:
    """The roofline: GFLOP/s attainable at ``flop_intensity`` FLOPs/byte under ``peak`` GFLOP/s and
    ``bandwidth`` GB/s."""
    return min(peak, bandwidth * flop_intensity)


def ridge_point(peak: float, bandwidth: float) -> float:
    """The intensity (FLOPs/byte) where the memory roof meets the compute roof: below it a kernel is
    memory-bound, above it compute-bound."""
    return peak / bandwidth

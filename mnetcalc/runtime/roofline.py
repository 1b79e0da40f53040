"""The two roofs of this machine: matrix-multiply peak (GFLOP/s) and memory bandwidth (GB/s).

The roofline model (Williams, Waterman & Patterson 2009) bounds the speed of a kernel that performs
``I`` floating-point operations per byte it moves by ``min(peak, bandwidth * I)``. Both roofs are
*measured* with PyTorch at a fixed thread count, with the timing of :mod:`mnetcalc.runtime.latency`
(warm-up, rounds of ``torch.utils.benchmark`` blocks), and both take the *best* block: a roof is the
most the machine can do, and the best block is the one least disturbed by other work.

* :func:`matmul_peak` (defined in :mod:`mnetcalc.runtime.latency`, re-exported here): a large
square float32
  matrix product (sgemm), ``2 n^3`` FLOPs per call. The best rate the convolution kernels can hope
  for.
* :func:`memory_bandwidth`: a large tensor copy (``2 * size`` bytes per call: each number read once
  and written once, the STREAM convention; the extra read a cache may do before a write,
  "write-allocate", is not counted) or sum (``size`` bytes read). With arrays far larger than the
  last-level cache this is main-memory bandwidth; with small ones it is cache bandwidth.

Imports torch (load it on demand: ``from mnetcalc import roofline``).
"""

from __future__ import annotations

from functools import partial

import torch

from ..validation import choice, positive_int, positive_number
from .latency import interleaved, matmul_peak

__all__ = ["BANDWIDTH_KINDS", "attainable", "matmul_peak", "memory_bandwidth", "ridge_point"]

BANDWIDTH_KINDS = ("copy", "sum")

#: Bytes per float32 number.
_FLOAT32 = 4


def memory_bandwidth(
    threads: int,
    megabytes: float = 256,
    kind: str = "copy",
    rounds: int = 3,
    round_time: float = 0.3,
    progress: bool = False,
) -> float:
    """GB/s (1e9 bytes per second, best block) of copying (``kind="copy"``) or summing (``"sum"``) a
    float32 tensor of ``megabytes`` MiB with ``threads`` threads."""
    threads = positive_int("threads", threads)
    size = positive_number("megabytes", megabytes)
    kind = choice("kind", kind, BANDWIDTH_KINDS)
    count = max(1, int(size * 2**20) // _FLOAT32)
    src = torch.ones(count)
    if kind == "copy":
        call, moved = partial(torch.Tensor.copy_, torch.empty(count), src), 2 * count * _FLOAT32
    else:
        call, moved = partial(torch.sum, src), count * _FLOAT32
    latency = interleaved(
        {kind: call},
        threads=threads,
        rounds=rounds,
        round_time=round_time,
        progress=progress,
        description=f"{kind} bandwidth",
    )[kind]
    return moved / latency.min / 1e9


def attainable(flop_intensity: float, peak: float, bandwidth: float) -> float:
    """The roofline: GFLOP/s attainable at ``flop_intensity`` FLOPs per byte under a compute roof of
    ``peak`` GFLOP/s and a memory roof of ``bandwidth`` GB/s."""
    return min(peak, bandwidth * flop_intensity)


def ridge_point(peak: float, bandwidth: float) -> float:
    """The intensity (FLOPs per byte) where the memory roof meets the compute roof: a kernel below
    it is memory-bound, above it compute-bound."""
    return peak / bandwidth

"""CPU latency of the PyTorch MobileNet: whole model and layer by layer, with the machine it ran on.

Timing uses ``torch.utils.benchmark.Timer`` (it fixes the thread count for the measurement and picks
how many calls go into each timed block). Every measurement starts with a few warm-up calls, and
timed rounds are spread over the whole measuring time; when several models are compared
(:func:`interleaved`) their rounds alternate, so that a change in the machine's load hits all of
them alike and their *ratios* stay meaningful even on a shared machine.

Results carry a :class:`~mnetcalc.latency_model.machine.MachineInfo` (CPU model, logical CPUs,
threads used, torch version, load average at the time) and the CPU time / wall time while timing,
so a number is never separated from where, and under what load, it was measured."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial

import torch
from torch import nn
from torch.utils import benchmark
from tqdm.auto import tqdm

from ..core.network import NetworkConfig, NetworkCost
from ..latency_model.machine import MachineInfo
from ..networks.mobilenet_v1 import MobileNetConfig
from ..validation import InvalidArgument, choice, positive_int
from .model import fold_batchnorm, frozen, optimize, torch_threads

# -- timing
# -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Latency:
    """Seconds per call: every timed block's per-call average, and robust summaries of them."""

    times: tuple[float, ...]
    #:  CPU time over wall time while timing: about the number of threads that were busy (less than
    #: the thread count when other processes took CPUs away, more if a library ran its own threads).
    cpu_per_wall: float | None = None

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def min(self) -> float:
        return min(self.times)

    @property
    def iqr(self) -> float:
        if len(self.times) < 2:
            return 0.0
        q1, _, q3 = statistics.quantiles(self.times, n=4, method="inclusive")
        return q3 - q1

    def gflops(self, mult_adds: int) -> float:
        """Achieved GFLOP/s at the median: 2 x mult-adds (a multiply and an add each) per second."""
        return 2 * mult_adds / self.median / 1e9

    def to_dict(self) -> dict:
        return {
            "median_s": self.median,
            "iqr_s": self.iqr,
            "min_s": self.min,
            "blocks": len(self.times),
            "cpu_per_wall": self.cpu_per_wall,
        }


def interleaved(
    candidates: Mapping[str, Callable[[], object]],
    *,
    threads: int,
    rounds: int = 5,
    round_time: float = 0.4,
    warmup: int = 3,
    progress: bool = True,
    description: str = "timing",
) -> dict[str, Latency]:
    """Time each ``candidate()`` (a call without arguments, e.g. ``partial(model, x)``); rounds
    alternate between candidates (A B C A B C ...), after ``warmup`` untimed calls of each.

    Each round is one ``blocked_autorange`` of at least ``round_time`` seconds per candidate; a
    candidate's :class:`Latency` pools the blocks of all its rounds.
    """
    rounds = positive_int("rounds", rounds)
    times: dict[str, list[float]] = {name: [] for name in candidates}
    busy = dict.fromkeys(candidates, 0.0)  # process CPU seconds and wall seconds while timing
    wall = dict.fromkeys(candidates, 0.0)
    with torch_threads(threads), torch.no_grad():
        for fn in candidates.values():
            for _ in range(warmup):
                fn()
        with tqdm(
            total=rounds * len(candidates), desc=description, disable=not progress, leave=False
        ) as steps:
            for _ in range(rounds):
                for name, fn in candidates.items():
                    timer = benchmark.Timer("fn()", globals={"fn": fn}, num_threads=threads)
                    cpu_start, wall_start = time.process_time(), time.perf_counter()
                    measurement = timer.blocked_autorange(min_run_time=round_time)
                    busy[name] += time.process_time() - cpu_start
                    wall[name] += time.perf_counter() - wall_start
                    times[name].extend(measurement.times)
                    steps.update()
    return {name: Latency(tuple(values), busy[name] / wall[name]) for name, values in times.items()}


#: The precisions whose matrix-multiply rate :func:`matmul_peaks` measures.
MATMUL_PRECISIONS = ("float32", "bfloat16", "int8")


def _matmul_call(precision: str, size: int) -> Callable:
    """One ``size`` x ``size`` product in ``precision``: ``torch.mm`` in float32 and bfloat16,
    ``torch._int_mm`` (int8 operands, int32 sums) in int8."""
    if precision == "int8":
        q = torch.randint(-128, 128, (size, size), dtype=torch.int8)
        return partial(torch._int_mm, q, q)
    dtype = {"float32": torch.float32, "bfloat16": torch.bfloat16}[precision]
    a, b = torch.randn(size, size).to(dtype), torch.randn(size, size).to(dtype)
    return partial(torch.mm, a, b)


def matmul_peaks(
    threads: int,
    precisions=MATMUL_PRECISIONS,
    *,
    size: int = 1024,
    rounds: int = 3,
    round_time: float = 0.3,
    progress: bool = False,
) -> dict[str, float]:
    """This machine's measured matrix-multiply rate in each of ``precisions``, in 1e9 operations
    per second (2 per multiply-add, best block), timed in one interleaved run: the roofs of the
    precision ladder."""
    calls = {
        precision: _matmul_call(choice("precision", precision, MATMUL_PRECISIONS), size)
        for precision in precisions
    }
    latency = interleaved(
        calls,
        threads=threads,
        rounds=rounds,
        round_time=round_time,
        progress=progress,
        description="matmul peak",
    )
    return {precision: 2 * size**3 / lat.min / 1e9 for precision, lat in latency.items()}


def matmul_peak(
    threads: int, size: int = 1024, rounds: int = 3, round_time: float = 0.3, progress: bool = False
) -> float:
    """This machine's measured float32 matrix-multiply throughput in GFLOP/s (:func:`matmul_peaks`
    of ``torch.mm`` alone): the practical peak that a convolution's arithmetic can hope for."""
    options = dict(size=size, rounds=rounds, round_time=round_time, progress=progress)
    return matmul_peaks(threads, ("float32",), **options)["float32"]


# -- one MobileNet configuration
# ------------------------------------------------------------------------

#:  How far the model is prepared for inference: "eager" (as built, eval mode) or "optimized"
#: (:func:`optimize`).
LEVELS = ("eager", "optimized")


@dataclass(frozen=True)
class BenchConfig:
    """What to time: a network (any configuration with a model, e.g. the one a
    :class:`~mnetcalc.train_config.TrainConfig` trains), the torch threads, images per call, and how
    far the model is prepared for inference (:data:`LEVELS`)."""

    network: NetworkConfig = MobileNetConfig()
    threads: int = 2
    batch: int = 1
    level: str = "eager"

    def __post_init__(self):
        if not isinstance(self.network, NetworkConfig):
            raise InvalidArgument(
                f"network must be a network configuration, got {self.network!r}", "network"
            )
        object.__setattr__(self, "threads", positive_int("threads", self.threads))
        object.__setattr__(self, "batch", positive_int("batch", self.batch))
        choice("level", self.level, LEVELS)

    def report(self) -> NetworkCost:
        return self.network.cost()

    def inputs(self) -> torch.Tensor:
        generator = torch.Generator().manual_seed(0)
        side, channels = self.network.resolution, self.network.in_channels
        return torch.randn(self.batch, channels, side, side, generator=generator)

    def eager_model(self) -> nn.Module:
        torch.manual_seed(0)
        return self.network.model().eval()

    def to_dict(self) -> dict:
        return {
            **self.network.to_dict(),
            "threads": self.threads,
            "batch": self.batch,
            "level": self.level,
        }


def prepared_model(config: BenchConfig) -> nn.Module:
    """The model at the config's level: eager (eval mode) or
    :func:`mnetcalc.runtime.model.optimize`-d."""
    model = config.eager_model()
    if config.level == "optimized":
        return optimize(model, config.network.resolution, threads=config.threads)
    return model


@dataclass(frozen=True)
class LatencyResult:
    """A whole-model timing, with the calculator's cost of the network timed (per image)."""

    config: BenchConfig
    latency: Latency
    cost: NetworkCost
    machine: MachineInfo
    #: Timed against the reference network (``bench --optimize``): its ``label``,
    #: ``reference_ms`` (p10, median, p90), the ``drift`` and this network's ``ratio`` to it.
    reference: dict | None = None

    @property
    def mult_adds(self) -> int:
        return self.cost.mult_adds

    @property
    def gflops(self) -> float:
        return self.latency.gflops(self.mult_adds * self.config.batch)

    def to_dict(self) -> dict:
        return {
            **self.config.to_dict(),
            "latency": self.latency.to_dict(),
            "mult_adds": self.mult_adds,
            "gflops": self.gflops,
            **({"reference": self.reference} if self.reference else {}),
            "machine": self.machine.to_dict(),
        }


def measure_latency(
    config: BenchConfig, *, rounds: int = 5, round_time: float = 0.4, progress: bool = True
) -> LatencyResult:
    """Whole-model latency of one configuration (median, IQR and min over all timed blocks)."""
    model = prepared_model(config)
    latency = interleaved(
        {config.level: partial(model, config.inputs())},
        threads=config.threads,
        rounds=rounds,
        round_time=round_time,
        progress=progress,
        description=f"{config.level} model",
    )
    machine = MachineInfo.current(config.threads)
    return LatencyResult(config, latency[config.level], config.report(), machine)


# -- layer by layer
# -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LayerTime:
    name: str
    type: str
    latency: Latency
    mult_adds: int
    time_share: float
    mult_adds_share: float

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "type": self.type,
            "median_s": self.latency.median,
            "time_share": self.time_share,
            "mult_adds": self.mult_adds,
            "mult_adds_share": self.mult_adds_share,
        }


@dataclass(frozen=True)
class LayerTimes:
    config: BenchConfig
    layers: tuple[LayerTime, ...]
    machine: MachineInfo
    whole_model: Latency | None = field(default=None)

    @property
    def layers_total(self) -> float:
        """Sum of the layers' median times (differs from the whole model's by call overheads)."""
        return sum(layer.latency.median for layer in self.layers)

    def to_dict(self) -> dict:
        return {
            **self.config.to_dict(),
            "layers": [layer.to_dict() for layer in self.layers],
            "layers_total_s": self.layers_total,
            "whole_model": self.whole_model.to_dict() if self.whole_model else None,
            "machine": self.machine.to_dict(),
        }


def layer_inputs(model: nn.Module, inputs: torch.Tensor) -> dict[str, torch.Tensor]:
    """What each top-level child of ``model`` receives in one forward pass (forward pre-hooks)."""
    seen: dict[str, torch.Tensor] = {}
    hooks = [
        child.register_forward_pre_hook(
            lambda module, args, name=name: seen.__setitem__(name, args[0])
        )
        for name, child in model.named_children()
    ]
    try:
        with torch.no_grad():
            model(inputs)
    finally:
        for hook in hooks:
            hook.remove()
    return seen


def layer_runners(config: BenchConfig) -> tuple[dict[str, Callable], dict[str, torch.Tensor]]:
    """Each layer as a callable at the config's level, and its recorded input.

    Optimized: the BatchNorm-folded, channels-last layer, traced, frozen and fused on its own input,
    as :func:`~mnetcalc.runtime.model.optimize` does for the whole model (whose graph has no layer
    boundaries left).
    """
    model = config.eager_model()
    inputs = config.inputs()
    if config.level == "optimized":
        model = fold_batchnorm(model).to(memory_format=torch.channels_last)
        inputs = inputs.contiguous(memory_format=torch.channels_last)
    recorded = layer_inputs(model, inputs)
    runners: dict[str, Callable] = {}
    with torch_threads(config.threads):  # fused kernels keep the thread count they were built with
        for name, child in model.named_children():
            if config.level == "optimized":
                child = frozen(child, recorded[name], onednn_fusion=True)
            runners[name] = child
    return runners, recorded


def measure_layers(
    config: BenchConfig,
    *,
    rounds: int = 3,
    round_time: float = 0.05,
    progress: bool = True,
    whole_model: bool = True,
) -> LayerTimes:
    """Each layer's median time on its recorded input, its share of the layers' total, beside its
    share of the mult-adds. Layers are timed one after another, round after round (interleaved)."""
    runners, recorded = layer_runners(config)
    calls = {name: partial(runner, recorded[name]) for name, runner in runners.items()}
    times = interleaved(
        calls,
        threads=config.threads,
        rounds=rounds,
        round_time=round_time,
        progress=progress,
        description="layers",
    )
    # A child of the model is one row of the report (MobileNet v1's conv1_dw) or a block of several
    # (V2's block1: rows block1/expand, block1/dw, ...): a child's row is the sum of its rows.
    report = config.report()
    rows_of: dict[str, list] = {}
    for row in report.layers:
        rows_of.setdefault(row.name.split("/")[0], []).append(row)
    total_time = sum(latency.median for latency in times.values())
    layers = tuple(
        LayerTime(
            name=name,
            type=rows[0].type if len(rows) == 1 else "block",
            latency=times[name],
            mult_adds=sum(row.mult_adds for row in rows),
            time_share=times[name].median / total_time,
            mult_adds_share=sum(row.mult_adds for row in rows) / report.mult_adds,
        )
        for name, rows in rows_of.items()
        if name in times
    )
    whole = (
        measure_latency(config, rounds=rounds, progress=progress).latency if whole_model else None
    )
    return LayerTimes(config, layers, MachineInfo.current(config.threads), whole)

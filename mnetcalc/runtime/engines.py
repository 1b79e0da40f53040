"""The inference engines compared on the same weights (:mod:`mnetcalc.runtime.runners` builds
them): every engine and precision checked against the plain model and timed in one interleaved run
(:func:`compare_model`, :func:`compare_config`, :func:`compare_engines`, :func:`measure_engine`),
the price of one more layer under each (:func:`layer_price`; :func:`onednn_partitions` counts the
fused kernels of an optimized graph), and a trained model down the precision ladder
(:func:`precision_ladder`).

Imports torch at import time; onnxruntime and openvino only when their engine is built.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import torch
from torch import nn

from ..validation import positive_int
from .model import torch_threads
from .precision import accuracy, bfloat16, fashion_mnist_tensors, int8, precision_models
from .runners import (
    FLOAT32_ENGINES,
    FLOAT32_TOLERANCE,
    Runner,
    agreement,
    engine_runners,
    openvino_precision,
    torch_runner,
)

# -- one comparison: every engine and the precision ladder, timed together
# -----------------------------------------------------------------------------------------------

#: Agreement asked of the reduced-precision paths, relative to max(1, max |plain output|): bf16
#: keeps 8 significant bits; int8 (on random weights and random calibration data) far fewer.
REDUCED_TOLERANCE = {"openvino": 5e-2, "bfloat16": 5e-2, "int8": 2.5e-1}

#: Random inputs that :func:`compare_config` calibrates int8 on, as :func:`compare_engines` does.
CALIBRATION_IMAGES = 16


def deployment_runners(
    model: nn.Module, resolution: int, *, threads: int, calibration: torch.Tensor
) -> dict[str, Runner]:
    """:func:`~mnetcalc.runtime.runners.engine_runners` (all
    :data:`~mnetcalc.runtime.runners.ENGINES`) plus ``optimize()``'s network in bfloat16 and
    int8 (:mod:`mnetcalc.runtime.precision`, int8 calibrated on ``calibration``, whose channel
    count is
    the model's input channels)."""

    channels = calibration.shape[1]
    runners = engine_runners(model, resolution, threads=threads, in_channels=channels)
    runners["bfloat16"] = torch_runner(
        bfloat16(model, resolution, threads=threads, in_channels=channels)
    )
    runners["int8"] = torch_runner(int8(model, calibration, threads=threads))
    return runners


@dataclass(frozen=True)
class EngineRow:
    engine: str
    latency: object  # mnetcalc.runtime.latency.Latency
    ratio: float  # median over the fastest float32 engine's median, same run
    error: float  # agreement with the plain model
    tolerance: float = FLOAT32_TOLERANCE  # the largest error that counts as agreement
    precision: str = "f32"  # what the engine computes in: f32, bf16 or int8

    @property
    def ok(self) -> bool:
        return self.error <= self.tolerance


@dataclass(frozen=True)
class EngineComparison:
    """Every engine and precision of :func:`deployment_runners` on one model's weights, checked
    against the plain model and timed in one interleaved run."""

    rows: tuple[EngineRow, ...]
    openvino_precision: str  # OpenVINO's default inference precision on this CPU
    calibration_images: int  # random inputs int8 was calibrated on

    @property
    def fastest_float32(self) -> str:
        """The float32 engine the ratios are taken against."""
        return min((row for row in self.rows if row.engine in FLOAT32_ENGINES), key=_median).engine

    @property
    def disagreeing(self) -> tuple[EngineRow, ...]:
        return tuple(row for row in self.rows if not row.ok)


def _median(row: EngineRow) -> float:
    return row.latency.median


#: What each engine of :func:`deployment_runners` computes in; "openvino" is looked up.
ROW_PRECISION = {"bfloat16": "bf16", "int8": "int8"}


def compare_model(
    model: nn.Module,
    x: torch.Tensor,
    calibration: torch.Tensor,
    *,
    threads: int,
    rounds: int = 6,
    round_time: float = 0.2,
    progress: bool = True,
    description: str = "engines",
    check: bool = True,
) -> EngineComparison:
    """``model`` under every engine and precision of :func:`deployment_runners` (int8 calibrated
    on ``calibration``), each output on the input batch ``x`` compared with the plain model's,
    then all timed on ``x`` in one interleaved run. ``check``: raise AssertionError before timing
    if an engine's error exceeds its tolerance
    (:data:`~mnetcalc.runtime.runners.FLOAT32_TOLERANCE`, or :data:`REDUCED_TOLERANCE`); otherwise
    the rows say which ones do."""
    resolution = x.shape[-1]
    runners = deployment_runners(model, resolution, threads=threads, calibration=calibration)
    agree = agreement(runners, x, tolerances=REDUCED_TOLERANCE)
    bad = [a for a in agree.values() if not a.ok]
    if check and bad:
        raise AssertionError(f"outputs differ from the plain model: {bad}")
    latency = time_runners(
        runners,
        x,
        threads=threads,
        rounds=rounds,
        round_time=round_time,
        progress=progress,
        description=description,
    )
    fastest = min(latency[name].median for name in FLOAT32_ENGINES)
    default = openvino_precision(runners["openvino"])
    precisions = {**ROW_PRECISION, "openvino": default}
    rows = tuple(
        EngineRow(
            name,
            lat,
            lat.median / fastest,
            agree[name].error,
            agree[name].tolerance,
            precisions.get(name, "f32"),
        )
        for name, lat in latency.items()
    )
    return EngineComparison(rows, default, len(calibration))


def random_inputs(
    batch: int, in_channels: int, resolution: int, generator: torch.Generator
) -> torch.Tensor:
    return torch.randn(batch, in_channels, resolution, resolution, generator=generator)


def compare_config(
    config,
    *,
    rounds: int = 6,
    round_time: float = 0.2,
    progress: bool = True,
    check: bool = False,
    description: str | None = None,
) -> EngineComparison:
    """:func:`compare_model` on a :class:`~mnetcalc.runtime.latency.BenchConfig`'s network (its
    eager
    weights, seed 0) at its threads, timed on its input batch; int8 calibrated on
    :data:`CALIBRATION_IMAGES` random inputs of the network's input shape. ``check``: as in
    :func:`compare_model`."""
    network = config.network
    generator = torch.Generator().manual_seed(1)
    calibration = random_inputs(
        CALIBRATION_IMAGES, network.in_channels, network.resolution, generator
    )
    return compare_model(
        config.eager_model(),
        config.inputs(),
        calibration,
        threads=config.threads,
        rounds=rounds,
        round_time=round_time,
        progress=progress,
        description=description or f"engines, {config.threads} thread(s)",
        check=check,
    )


def time_runners(runners: Mapping[str, Runner], x, **options) -> dict:
    """Each runner's latency on the input ``x``, all timed in one interleaved run
    (:func:`~mnetcalc.runtime.latency.interleaved`, which takes ``options``)."""
    from .latency import interleaved

    return interleaved({name: (lambda run=run: run(x)) for name, run in runners.items()}, **options)


def compare_engines(
    alpha: float,
    resolution: int,
    *,
    threads: int,
    rounds: int = 6,
    round_time: float = 0.2,
    progress: bool = True,
) -> tuple[list[EngineRow], str]:
    """MobileNet v1 (``alpha``, random weights, seed 0) at ``resolution``, batch 1: the rows of
    :func:`compare_config` on it, checked to agree with the plain model before timing, and
    OpenVINO's default precision."""
    from ..networks.mobilenet_v1 import MobileNetConfig
    from .latency import BenchConfig

    comparison = compare_config(
        BenchConfig(MobileNetConfig(alpha, resolution=resolution), threads=threads),
        rounds=rounds,
        round_time=round_time,
        progress=progress,
        check=True,
        description=f"{alpha:g}/{resolution}, {threads} thread(s)",
    )
    return list(comparison.rows), comparison.openvino_precision


def measure_engine(config, engine: str, *, rounds: int = 5, round_time: float = 0.4):
    """Whole-model latency of a :class:`~mnetcalc.runtime.latency.BenchConfig`'s network (eager
    weights)
    under one of :data:`~mnetcalc.runtime.runners.ENGINES`, like
    :func:`~mnetcalc.runtime.latency.measure_latency` for torch."""
    from ..latency_model.machine import MachineInfo
    from .latency import LatencyResult

    network = config.network
    run = engine_runners(
        config.eager_model(),
        network.resolution,
        threads=config.threads,
        engines=[engine],
        in_channels=network.in_channels,
    )[engine]
    x = config.inputs()
    latency = time_runners(
        {engine: run},
        x,
        threads=config.threads,
        rounds=rounds,
        round_time=round_time,
        description=engine,
    )[engine]
    return LatencyResult(config, latency, config.report(), MachineInfo.current(config.threads))


def onednn_partitions(graph: Callable, x: torch.Tensor) -> int:
    """How many oneDNN Graph partitions (fused kernels) one call of ``graph`` runs on ``x``, counted
    from ``torch.profiler``: for :func:`~mnetcalc.runtime.model.optimize`'s MobileNet v1, one per
    convolution with its bias and ReLU, except that each pointwise convolution shares a partition
    with the depthwise convolution after it (16 for the 28 layers with weights)."""
    from torch.profiler import ProfilerActivity, profile

    with torch.no_grad(), profile(activities=[ProfilerActivity.CPU]) as prof:
        graph(x)
    return sum(1 for event in prof.events() if event.name.startswith("LlgaPartition_"))


# -- the price of one more layer
# -----------------------------------------------------------------------------------------------

#: The engines whose price per layer :func:`layer_price` measures.
PRICED_ENGINES = ("plain", "optimized", "onnxruntime", "openvino_f32")


def layer_chain(layers: int, channels: int = 16) -> nn.Sequential:
    """``layers`` 1x1 convolutions + ReLU on ``channels`` channels: a network with so little
    arithmetic per layer that what a runtime spends between layers dominates its time."""
    layers = positive_int("layers", layers)
    parts = (part for _ in range(layers) for part in (nn.Conv2d(channels, channels, 1), nn.ReLU()))
    return nn.Sequential(*parts).eval()


def layer_price(
    *,
    threads: int,
    short: int = 8,
    long: int = 32,
    side: int = 4,
    rounds: int = 10,
    round_time: float = 0.2,
    progress: bool = False,
) -> dict[str, float]:
    """Seconds each engine of :data:`PRICED_ENGINES` spends per layer on a batch-1 input of
    ``side`` x ``side`` pixels: the time of a :func:`layer_chain` of ``long`` layers minus that of
    ``short`` layers, over ``long - short``; each chain's engines timed in one interleaved run."""
    if not 0 < short < long:
        raise ValueError(f"need 0 < short < long, got short={short}, long={long}")
    medians = {}
    for layers in (short, long):
        chain = layer_chain(layers)
        x = torch.randn(1, chain[0].in_channels, side, side)
        runners = engine_runners(
            chain, side, threads=threads, engines=PRICED_ENGINES, in_channels=x.shape[1]
        )
        timed = time_runners(
            runners,
            x,
            threads=threads,
            rounds=rounds,
            round_time=round_time,
            progress=progress,
            description=f"{layers} layers",
        )
        medians[layers] = {name: latency.median for name, latency in timed.items()}
    return {
        name: (medians[long][name] - medians[short][name]) / (long - short)
        for name in medians[short]
    }


# -- the precision ladder of a trained model


@dataclass(frozen=True)
class LadderRow:
    precision: str
    test_accuracy: float
    #: a mnetcalc.runtime.latency.Latency (None: the eager float model, not timed)
    latency: object | None


def precision_ladder(
    model: nn.Module,
    config,
    *,
    threads: int,
    data=None,
    calibration: int = 1000,
    rounds: int = 6,
    round_time: float = 0.2,
    progress: bool = True,
) -> list[LadderRow]:
    """A Fashion-MNIST model trained with ``config`` down the ladder: its eager form, then
    :func:`~mnetcalc.runtime.precision.precision_models` and OpenVINO at its default precision,
    each with its accuracy on the 10,000 test images and its batch-1 latency (one interleaved run).
    int8 is calibrated on ``calibration`` training images."""
    x_calibration, x_test, y_test = fashion_mnist_tensors(config, data, calibration)
    resolution = config.network.resolution
    runners = {
        name: torch_runner(m)
        for name, m in precision_models(model, resolution, x_calibration, threads=threads).items()
    }
    runners.update(
        engine_runners(
            model,
            resolution,
            threads=threads,
            engines=["openvino"],
            in_channels=config.network.in_channels,
        )
    )
    x = x_test[:1].contiguous()
    latency = time_runners(
        runners,
        x,
        threads=threads,
        rounds=rounds,
        round_time=round_time,
        progress=progress,
        description="precision ladder",
    )
    rows = [LadderRow("plain", accuracy(model.eval(), x_test, y_test), None)]
    with torch_threads(threads):
        rows += [
            LadderRow(name, accuracy(run, x_test, y_test), latency[name])
            for name, run in runners.items()
        ]
    return rows

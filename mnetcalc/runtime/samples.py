"""The calibration's samples: small networks of one to a few layers (a designed grid over kinds,
channels, map sizes, kernels and strides) and a few whole MobileNets (:data:`CALIBRATION_NETWORKS`),
each prepared as ``mnetcalc bench --optimize`` prepares a network (:func:`sample_runner`); and
:func:`label`, the name of a network in every timing and table."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial

import numpy as np
import torch

from ..core.layers import (
    AVGPOOL,
    MAXPOOL,
    Conv,
    DepthwiseConv,
    Fire,
    FullyConnected,
    InvertedResidual,
    LocalResponseNorm,
    Pool,
)
from ..core.network import NetworkConfig, spec_costs
from ..latency_model import UnfusedRows
from ..networks.registry import config_class
from .latency import BenchConfig, prepared_model
from .model import build, optimize


def label(config: NetworkConfig) -> str:
    """A network's name in timings and tables: ``mobilenet_v3 0.75/224``, followed by each other
    setting that is not the default (``mobilenet_v3 1/224 small``, ``... tf-slim``), so that no
    two networks share one."""
    data = config.to_dict()
    alpha = f" {data['alpha']:g}" if "alpha" in data else ""
    default = type(config)().to_dict()
    other = "".join(
        f" {value}"
        for key, value in data.items()
        if key not in ("network", "alpha", "resolution") and default.get(key) != value
    )
    return f"{data['network']}{alpha}/{data['resolution']}{other}"


@dataclass(frozen=True)
class Sample:
    """A small network to time: a spec on an ``in_channels`` x ``resolution`` x ``resolution``
    input."""

    name: str
    spec: tuple
    in_channels: int
    resolution: int
    #: A whole network (what the model predicts), not a sample of one to a few layers.
    whole: bool = False
    #: Its family (the registry's network name), for a whole network.
    family: str = ""
    #: The configuration of a whole network (built as ``bench`` builds it).
    config: NetworkConfig | None = field(default=None, compare=False)
    #: Timed as ``optimize()`` runs a network that oneDNN Graph cannot compile: without fusion.
    fused: bool = True

    def rows(self):
        rows = spec_costs(self.spec, resolution=self.resolution, in_channels=self.in_channels)
        return rows if self.fused else UnfusedRows(rows)

    @classmethod
    def of(cls, config: NetworkConfig, name: str | None = None) -> Sample:
        """A whole network configuration as a sample."""
        spec, family = tuple(config.spec()), config.to_dict()["network"]
        name = name or label(config)
        return cls(name, spec, config.in_channels, config.resolution, True, family, config)


def _conv(m, n, k, s, side) -> Sample:
    return Sample(f"conv {k}x{k}/{s} {m}->{n} @{side}", (("conv", Conv(n, k, s)),), m, side)


def _dw(c, s, side) -> Sample:
    return Sample(f"dw 3x3/{s} {c} @{side}", (("dw", DepthwiseConv(3, s)),), c, side)


def _pw(m, n, side) -> Sample:
    return Sample(f"pw {m}->{n} @{side}", (("pw", Conv(n, 1)),), m, side)


#: Whole networks among the calibration samples (the validation holds out every other
#: configuration).
CALIBRATION_NETWORKS = tuple(
    config_class(name)(alpha, resolution=resolution)
    for name, settings in (
        ("mobilenet_v1", ((0.25, 128), (0.25, 224), (0.5, 128), (0.5, 208))),
        ("mobilenet_v2", ((0.35, 96), (0.35, 176), (0.5, 128), (0.5, 192))),
    )
    for alpha, resolution in settings
) + tuple(
    # MobileNetV3's hard-swish and squeeze-and-excite gates have no one-layer sample; without
    # whole V3 networks in the fit, V3 1.0/224 and 0.5/224 (held out) came out 11 % too fast
    # (2026-12-04, benchmarks/README.md). Its held-out widths and resolutions stay unseen.
    config_class("mobilenet_v3")(alpha, resolution=resolution, variant=variant)
    for alpha, resolution, variant in (
        (0.75, 160, "large"),
        (0.35, 192, "large"),
        (0.75, 192, "small"),
        (1.0, 128, "small"),
    )
)
# MobileNetV4's attention (matmul, softmax), layer scale, lone BatchNorm and GELU (Hybrid-L) have
# no one-layer sample either: the smallest whole networks that run them, and Conv-S's UIB blocks,
# at a low resolution (36 to 70 M mult-adds each). Every other V4 width, resolution and variant
# stays held out (mnetcalc.runtime.heldout).
CALIBRATION_NETWORKS += tuple(
    config_class("mobilenet_v4")(alpha, resolution=96, variant=variant)
    for alpha, variant in ((1.0, "conv_small"), (0.5, "hybrid_medium"), (0.25, "hybrid_large"))
)


def _unfused(count) -> list[Sample]:
    """Convolutions timed without oneDNN Graph fusion, as ``optimize()`` runs MobileNetV4's
    hybrids (``mnetcalc.latency_model.runs_unfused``): 1x1 layers like their stages' (up to 2048
    channels, on maps of 6 to 56 pixels, and two classifier-head layers on 1x1 maps), depthwise
    3x3 and 5x5, and standard 3x3 convolutions (stems among them)."""
    pw = ((2048, 512, 6), (512, 2048, 6), (768, 192, 12), (192, 768, 12), (256, 1024, 12))
    pw += ((1024, 256, 12), (96, 384, 24), (384, 96, 24), (48, 192, 48), (640, 160, 16))
    pw += ((160, 640, 16), (1280, 1000, 1), (960, 1280, 1), (64, 128, 56))
    dw = ((512, 5, 1, 6), (2048, 5, 1, 6), (192, 3, 1, 12), (768, 5, 2, 24), (96, 3, 1, 24))
    dw += ((256, 5, 1, 12), (48, 3, 2, 48), (1024, 3, 1, 12))
    conv = ((3, 24, 2, 192), (24, 48, 2, 96), (32, 128, 2, 64), (48, 96, 1, 24))
    layers = [(f"pw {m}->{n}", ("pw", Conv(n, 1)), m, side) for m, n, side in pw[: count(len(pw))]]
    layers += [
        (f"dw {k}x{k}/{s} {c}", ("dw", DepthwiseConv(k, s)), c, side)
        for c, k, s, side in dw[: count(len(dw))]
    ]
    layers += [
        (f"conv 3x3/{s} {m}->{n}", ("conv", Conv(n, 3, s)), m, side)
        for m, n, s, side in conv[: count(len(conv))]
    ]
    return [
        Sample(f"unfused {name} @{side}", (layer,), channels, side, fused=False)
        for name, layer, channels, side in layers
    ]


def calibration_samples(quick: bool = False) -> list[Sample]:
    """The designed set: each kind over a grid of channels, map sides and strides (a seeded random
    subset of the grid, so that the channels and sides are not tied to each other), plus
    :data:`CALIBRATION_NETWORKS`. ``quick``: about half as many."""
    rng = np.random.default_rng(2026)
    count = (lambda n: max(3, n // 2)) if quick else (lambda n: n)
    sides = (7, 14, 28, 56, 112)
    # multiples of 16 and others (a kernel fills whole vector registers: 11 channels cost as 16)
    widths = (8, 11, 16, 24, 27, 32, 45, 48, 64, 88, 96, 128, 176, 192, 256, 360, 384, 512, 720)
    widths += (768, 1024)

    def pick(values, n):
        return [values[i] for i in rng.integers(0, len(values), n)]

    samples: list[Sample] = []
    # depthwise 3x3: channels x side x stride, bounded so that one call stays short
    for c, side, s in zip(
        pick(widths, count(34)), pick(sides, count(34)), pick((1, 1, 2), count(34)), strict=True
    ):
        while c * side * side > 1_600_000:
            side //= 2
        samples.append(_dw(c, s, side))
    # pointwise: in x out x side
    for m, n, side in zip(
        pick(widths, count(40)), pick(widths, count(40)), pick(sides, count(40)), strict=True
    ):
        while m * n * side * side > 120_000_000:
            side //= 2
        samples.append(_pw(m, n, max(side, 7)))
    # a depthwise layer and the 1x1 after it: two oneDNN partitions
    pairs = ((16, 32, 1, 56), (32, 64, 2, 56), (64, 128, 1, 28), (128, 128, 2, 28))
    pairs += ((256, 512, 1, 14), (512, 512, 1, 7), (48, 24, 1, 28), (192, 64, 2, 14))
    for c, n, s, side in pairs[: count(len(pairs))]:
        spec = (("dw", DepthwiseConv(3, s)), ("pw", Conv(n, 1)))
        samples.append(Sample(f"dw+pw 3x3/{s} {c}->{n} @{side}", spec, c, side))
    # a 1x1 layer and the 3x3 depthwise layer after it, which optimize() runs as one partition
    # (the depthwise layer of kind conv_dw_fused)
    for m, n, s, side in pairs[: count(len(pairs))]:
        spec = (("pw", Conv(n, 1)), ("dw", DepthwiseConv(3, s)))
        samples.append(Sample(f"pw+dw {m}->{n} 3x3/{s} @{side}", spec, m, side))
    # standard convolutions: stems (3 channels in), 3x3 and larger kernels inside a network
    stems = [(3, n, 3, 2, side) for n, side in ((8, 224), (16, 160), (32, 128), (64, 224))]
    inner = [
        (16, 32, 3, 1, 56),
        (32, 64, 3, 1, 28),
        (64, 64, 3, 1, 56),
        (128, 128, 3, 1, 28),
        (256, 256, 3, 1, 14),
        (512, 512, 3, 1, 14),
        (64, 128, 3, 2, 56),
        (24, 48, 5, 1, 28),
        (96, 192, 5, 1, 14),
        (3, 64, 7, 2, 224),
        (3, 48, 11, 4, 227),
        (64, 128, 5, 1, 14),
    ]
    convs = stems + inner
    for m, n, k, s, side in convs if not quick else convs[::2]:
        samples.append(_conv(m, n, k, s, side))
    # fully connected: after a global pool (MobileNets), or on a flattened map (VGG, AlexNet)
    for c, n in ((256, 100), (512, 1000), (1024, 1000), (1280, 1000), (2048, 500))[: count(5)]:
        spec = (("pool", Pool(AVGPOOL)), ("fc", FullyConnected(n)))
        samples.append(Sample(f"pool+fc {c}->{n} @7", spec, c, 7))
    fc_shapes = ((64, 4, 1024), (128, 6, 2048), (256, 6, 4096), (512, 3, 4096), (1024, 2, 1024))
    for c, side, n in fc_shapes[: count(5)]:
        samples.append(Sample(f"fc {c}x{side}x{side}->{n}", (("fc", FullyConnected(n)),), c, side))
    # pooling and local response normalisation
    for c, side in ((32, 112), (64, 56), (192, 28), (480, 14))[: count(4)]:
        samples.append(
            Sample(f"maxpool 3/2 {c} @{side}", (("pool", Pool(MAXPOOL, 3, 2)),), c, side)
        )
    for c, side in ((64, 56), (192, 28))[: count(2)]:
        samples.append(Sample(f"lrn {c} @{side}", (("lrn", LocalResponseNorm()),), c, side))
    # composite blocks: concatenation (fire modules) and residual sums (inverted residuals)
    for m, sq, ex, side in ((64, 16, 64, 56), (128, 32, 128, 28), (256, 48, 192, 14))[: count(3)]:
        samples.append(
            Sample(f"fire {m}:{sq}:{ex} @{side}", (("fire", Fire(sq, ex, ex)),), m, side)
        )
    for c, side in ((16, 56), (32, 28), (64, 14), (96, 14))[: count(4)]:
        spec = (("block", InvertedResidual(c, 1)),)
        samples.append(Sample(f"inverted residual {c} @{side}", spec, c, side))
    samples.extend(_unfused(count))
    samples.extend(Sample.of(config) for config in CALIBRATION_NETWORKS)
    return list({sample.name: sample for sample in samples}.values())  # each shape once


def sample_runner(sample: Sample, threads: int):
    """The sample prepared as ``mnetcalc bench --optimize`` prepares a network (seeded weights,
    :func:`~mnetcalc.runtime.model.optimize` at ``threads``), and a call of it on a seeded input; a
    whole network exactly as ``bench`` builds it (:func:`~mnetcalc.runtime.latency.prepared_model`
    on its configuration)."""
    if sample.config is not None:
        bench = BenchConfig(sample.config, threads=threads, batch=1, level="optimized")
        return partial(prepared_model(bench), bench.inputs())
    torch.manual_seed(0)
    model = build(sample.spec, in_channels=sample.in_channels, resolution=sample.resolution).eval()
    fast = optimize(
        model,
        sample.resolution,
        in_channels=sample.in_channels,
        threads=threads,
        onednn_fusion=sample.fused,
    )
    generator = torch.Generator().manual_seed(0)
    side = sample.resolution
    inputs = torch.randn(1, sample.in_channels, side, side, generator=generator)
    return partial(fast, inputs)


__all__ = ["CALIBRATION_NETWORKS", "Sample", "calibration_samples", "label", "sample_runner"]

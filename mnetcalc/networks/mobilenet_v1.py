"""MobileNet v1 as data: paper Table 1, the channel rule, and the variants.

This module is the single source of truth for the architecture. The cost calculator
(:mod:`mnetcalc.calculator`) and the PyTorch builder (:mod:`mnetcalc.runtime.model`) both read
:func:`mobilenet_v1_spec`, through :class:`MobileNetConfig`.

Table 1, as held here: a 3x3 standard convolution with 32 filters and stride 2 (the stem), 13
depthwise separable blocks (a 3x3 depthwise convolution carrying the block's stride, then a 1x1
pointwise convolution to the block's output channels), global average pooling, and a fully
connected classifier. Every convolution is followed by BatchNorm and ReLU.

The classifier has ``num_classes`` outputs, any number; ``num_classes = 0`` is the body alone
(:data:`BODY_ONLY`): the stem and the 13 blocks, without the average pool and the classifier, so
that the cost report counts the feature extractor that detection, embedding or attribute heads are
put on, and the PyTorch model returns its last feature map (N x C x H x W; pool it for a vector).

The printed Table 1 gives the last depthwise layer stride 2 on a 7x7 input; with "same" padding that
would make the map 4x4, while the table's next row and the 7x7 average pool say 7x7. The stride is 1
here (as in the paper's reference implementation)."""

from __future__ import annotations

from functools import partial

from ..core.channels import floor_channels
from ..core.layers import Conv, DepthwiseConv, FullyConnected, Pool
from ..core.network import NetworkConfig, NetworkCost, NetworkSpec
from ..validation import choice, non_negative_int, positive_int, positive_number

#: The stem: output channels and stride of the first, standard 3x3 convolution.
STEM = (32, 2)

#: The 13 depthwise separable blocks: (output channels, stride of the depthwise layer).
BLOCKS = (
    (64, 1),
    (128, 2),
    (128, 1),
    (256, 2),
    (256, 1),
    (512, 2),
    (512, 1),
    (512, 1),
    (512, 1),
    (512, 1),
    (512, 1),
    (1024, 2),
    (1024, 1),
)

#: Blocks removed by the shallow variant (paper Table 5): the five 14x14x512 blocks (1-based).
SHALLOW_REMOVED = (7, 8, 9, 10, 11)

#: Kernel side of the stem and depthwise convolutions.
KERNEL = 3

#: The channel rule never makes a layer narrower than this (unless it had fewer channels to begin
#: with).
MIN_CHANNELS = 8

#:  "separable": the MobileNet; "standard": every separable block replaced by one full 3x3
#: convolution (paper Table 4); "shallow": the blocks in SHALLOW_REMOVED dropped (paper Table 5).
VARIANTS = ("separable", "standard", "shallow")

#: ``num_classes`` of the body alone: no average pool, no classifier.
BODY_ONLY = 0

#: What a class count of 0 means, for error messages.
BODY_ONLY_MEANING = " (0: the body alone, without pool and classifier)"


def scale_channels(channels: int, alpha: float) -> int:
    """The width multiplier's channel rule: ``floor(alpha * channels)``, at least ``MIN_CHANNELS``.

    This is the rule of the paper's reference implementation (TF-slim's ``mobilenet_v1``:
    ``max(int(d * depth_multiplier), min_depth)`` with ``min_depth = 8``). A layer that has fewer
    than ``MIN_CHANNELS`` channels to begin with keeps at least its own count, so ``alpha = 1``
    never changes anything. The product is rounded to 9 decimals before the floor, so that ``0.29 *
    100`` counts as 29 and not 28.999999999999996.
    """
    channels, alpha = positive_int("channels", channels), positive_number("alpha", alpha)
    return floor_channels(channels, alpha, min(MIN_CHANNELS, channels))


def mobilenet_v1_spec(
    alpha: float = 1.0,
    *,
    num_classes: int = 1000,
    variant: str = "separable",
    stem_stride: int = 2,
) -> NetworkSpec:
    """MobileNet v1 as ``(name, layer)`` pairs: ``conv0``, ``conv{i}_dw``/``conv{i}_pw`` (or
    ``conv{i}`` in the standard variant), ``avgpool``, ``fc`` (neither when ``num_classes`` is
    :data:`BODY_ONLY`). Block numbers are kept when the shallow variant drops blocks, so a name
    always means the same layer of Table 1."""
    alpha = positive_number("alpha", alpha)
    num_classes = non_negative_int("num_classes", num_classes, BODY_ONLY_MEANING)
    variant = choice("variant", variant, VARIANTS)
    stem_stride = positive_int("stem_stride", stem_stride, MAX_STEM_STRIDE)

    stem_channels, _ = STEM
    spec: list = [("conv0", Conv(scale_channels(stem_channels, alpha), KERNEL, stem_stride))]
    for index, (channels, stride) in enumerate(BLOCKS, start=1):
        if variant == "shallow" and index in SHALLOW_REMOVED:
            continue
        out = scale_channels(channels, alpha)
        if variant == "standard":
            spec.append((f"conv{index}", Conv(out, KERNEL, stride)))
        else:
            spec.append((f"conv{index}_dw", DepthwiseConv(KERNEL, stride)))
            spec.append((f"conv{index}_pw", Conv(out, 1, 1)))
    if num_classes != BODY_ONLY:
        spec.append(("avgpool", Pool()))
        spec.append(("fc", FullyConnected(num_classes)))
    return tuple(spec)


#: The largest stride of the first convolution that is allowed (``stem_stride``).
MAX_STEM_STRIDE = 100

#: The first convolution's stride and the input's channels, as in the paper (ImageNet, RGB).
DEFAULT_STEM_STRIDE = 2
DEFAULT_IN_CHANNELS = 3


class MobileNetConfig(NetworkConfig):
    """One MobileNet v1: width multiplier ``alpha``, input ``resolution``, classes (``0``: the body
    alone, see :data:`BODY_ONLY`), ``variant`` (one of :data:`VARIANTS`), the stride of its first
    convolution and the input's channels. Values are checked and normalised (``"0.5"`` -> 0.5) at
    construction."""

    field_checks = {
        "alpha": positive_number,
        "resolution": positive_int,
        "num_classes": partial(non_negative_int, meaning=BODY_ONLY_MEANING),
        "variant": partial(choice, allowed=VARIANTS),
        "stem_stride": partial(positive_int, maximum=MAX_STEM_STRIDE),
        "in_channels": positive_int,
    }
    __slots__ = tuple(field_checks)
    network = "mobilenet_v1"
    quiet_defaults = {"stem_stride": DEFAULT_STEM_STRIDE, "in_channels": DEFAULT_IN_CHANNELS}

    def __init__(
        self,
        alpha: float = 1.0,
        *,
        resolution: int = 224,
        num_classes: int = 1000,
        variant: str = "separable",
        stem_stride: int = DEFAULT_STEM_STRIDE,
        in_channels: int = DEFAULT_IN_CHANNELS,
    ):
        self._set_checked(locals())

    def spec(self) -> NetworkSpec:
        return mobilenet_v1_spec(
            self.alpha,
            num_classes=self.num_classes,
            variant=self.variant,
            stem_stride=self.stem_stride,
        )

    @property
    def body_only(self) -> bool:
        """Is this the body alone (no pool, no classifier)?"""
        return self.num_classes == BODY_ONLY

    def body(self) -> MobileNetConfig:
        """The same network without its average pool and classifier."""
        return self.replace(num_classes=BODY_ONLY)


def mobilenet_v1_cost(alpha: float = 1.0, **options) -> NetworkCost:
    """Per-layer mult-adds and parameters of MobileNet v1 at width ``alpha``:
    ``MobileNetConfig(alpha, **options).cost()`` (options: ``resolution``, ``num_classes``,
    ``variant``, ``stem_stride``, ``in_channels``)."""
    return MobileNetConfig(alpha, **options).cost()


def mobilenet_v1_model(
    alpha: float = 1.0, *, dropout: float = 0.0, channels_last: bool = True, **options
):
    """MobileNet v1 as a PyTorch module (needs torch), from the same data the calculator costs:
    ``MobileNetConfig(alpha, **options).model(dropout=..., channels_last=...)`` (options:
    ``num_classes``, ``variant``, ``stem_stride``, ``in_channels``).

    Children are named like the calculator's rows: ``conv0``, ``conv{i}_dw``/``conv{i}_pw``
    (``conv{i}`` in the standard variant), ``avgpool``, ``fc`` (neither with ``num_classes=0``: the
    body alone, which returns its last feature map). Any input resolution works (global average
    pooling). Weights are stored channels-last unless ``channels_last=False`` (see
    :func:`mnetcalc.runtime.model.build`)."""
    return MobileNetConfig(alpha, **options).model(dropout=dropout, channels_last=channels_last)


#: MobileNet v1 (TF-slim, 2018-02-22): (alpha, resolution, MACs M, params M, top-1, top-5,
#: 8-bit top-1, 8-bit top-5).
SLIM_V1_CHECKPOINTS = (
    (1.0, 224, 569, 4.24, 70.9, 89.9, 69.7, 89.5),
    (1.0, 192, 418, 4.24, 70.0, 89.2, 69.0, 88.9),
    (1.0, 160, 291, 4.24, 68.0, 87.7, 67.3, 87.7),
    (1.0, 128, 186, 4.24, 65.2, 85.8, 64.0, 85.5),
    (0.75, 224, 317, 2.59, 68.4, 88.2, 67.9, 88.1),
    (0.75, 192, 233, 2.59, 67.2, 87.3, 66.2, 87.1),
    (0.75, 160, 162, 2.59, 65.3, 86.0, 63.9, 85.5),
    (0.75, 128, 104, 2.59, 62.1, 83.9, 59.8, 82.8),
    (0.5, 224, 150, 1.34, 63.3, 84.9, 62.2, 84.5),
    (0.5, 192, 110, 1.34, 61.7, 83.6, 60.4, 83.2),
    (0.5, 160, 77, 1.34, 59.1, 81.9, 57.7, 81.3),
    (0.5, 128, 49, 1.34, 56.3, 79.4, 54.9, 78.9),
    (0.25, 224, 41, 0.47, 49.8, 74.2, 48.2, 73.8),
    (0.25, 192, 34, 0.47, 47.7, 72.3, 45.8, 71.9),
    (0.25, 160, 21, 0.47, 45.5, 70.3, 43.5, 69.1),
    (0.25, 128, 14, 0.47, 41.5, 66.3, 39.9, 65.8),
)


def checkpoints():
    """TF-slim's released MobileNet v1 checkpoints (TensorFlow Models,
    ``research/slim/nets/mobilenet_v1.md``, 2018-02-22: float and 8-bit quantization-aware; their
    accuracies differ slightly from the paper's Tables 6-7, measured on earlier checkpoints), as
    :class:`~mnetcalc.latency_model.checkpoints.Checkpoint` records of this network."""
    from ..latency_model.checkpoints import Checkpoint

    records = []
    for alpha, res, macs, params, top1, top5, q_top1, q_top5 in SLIM_V1_CHECKPOINTS:
        options = (("alpha", alpha), ("resolution", res))
        name = f"mobilenet_v1_{alpha}_{res}"
        common = dict(mult_adds_m=macs, params_m=params)
        records.append(
            Checkpoint(name, "v1", "mobilenet_v1", options, top1=top1, top5=top5, **common)
        )
        records.append(
            Checkpoint(
                f"{name}_quant",
                "v1",
                "mobilenet_v1",
                options,
                quantized=True,
                top1=q_top1,
                top5=q_top5,
                **common,
            )
        )
    return tuple(records)

"""MobileNetV2 (Sandler et al. 2018, arXiv:1801.04381) as data, costed by the same engine.

Its Table 2, as held here (:data:`V2_BOTTLENECKS`): a 3x3 standard convolution with 32 filters and
stride 2; seventeen inverted residual blocks (:class:`~mnetcalc.core.layers.InvertedResidual`: 1x1
expansion by ``t``, 3x3 depthwise, linear 1x1 projection) in seven groups of ``n`` blocks with
expansion ``t``, ``c`` output channels and the group's stride ``s`` on its first block; a 1x1
convolution to 1280 channels; global average pooling; the classifier (a 1x1 convolution on a 1x1
map, costed as the fully connected layer it is). Every convolution is followed by BatchNorm and
ReLU6 except the projections (linear bottlenecks) and the classifier. A block adds its input to its
output when it has stride 1 and as many output as input channels.

The width multiplier follows the paper's reference implementation (TF-slim's ``mobilenet_v2``):
every layer's channels are ``make_divisible(alpha * c, 8)`` (:func:`make_divisible`), and the last
convolution keeps its 1280 channels when ``alpha`` < 1 (the paper: "we apply width multiplier to
all layers except the very last convolutional layer"; TF-slim's ``finegrain_classification_mode``,
with which its published checkpoints were built) and is scaled when ``alpha`` > 1. The expansion
layer has ``t`` times the block's input channels, which are multiples of 8 already.

Counting follows the v1 paper's convention, which V2's paper keeps: mult-adds of the convolutions
and of the classifier, weights only; the residual sums, BatchNorm and ReLU6 are free.
"""

from __future__ import annotations

import math

from ..core.channels import DIVISOR, make_divisible
from ..core.layers import RELU6, Conv, FullyConnected, InvertedResidual, Pool
from ..core.network import NetworkConfig, NetworkSpec
from ..validation import positive_int, positive_number

#: The stem: output channels and stride of the first, standard 3x3 convolution.
V2_STEM = (32, 2)

#: Sandler et al.'s Table 2: (expansion t, output channels c, repeats n, stride s) per group.
V2_BOTTLENECKS = (
    (1, 16, 1, 1),
    (6, 24, 2, 2),
    (6, 32, 3, 2),
    (6, 64, 4, 2),
    (6, 96, 3, 1),
    (6, 160, 3, 2),
    (6, 320, 1, 1),
)

#: Kernel side of the stem and the depthwise convolutions.
KERNEL = 3

#: Channels of the last convolution, before pooling.
V2_LAST_CHANNELS = 1280


def last_channels(alpha: float) -> int:
    """The last convolution's channels: 1280, scaled only for ``alpha`` > 1."""
    return make_divisible(V2_LAST_CHANNELS * alpha) if alpha > 1 else V2_LAST_CHANNELS


def mobilenet_v2_spec(alpha: float = 1.0, *, num_classes: int = 1000) -> NetworkSpec:
    """MobileNetV2 as ``(name, layer)`` pairs: ``conv0``, ``block1`` ... ``block17`` (each with
    parts ``expand``, ``dw``, ``project``; block 1 has no ``expand``), ``conv18``, ``avgpool``,
    ``fc``."""
    alpha = positive_number("alpha", alpha)
    num_classes = positive_int("num_classes", num_classes)
    stem_channels, stem_stride = V2_STEM
    stem = Conv(make_divisible(stem_channels * alpha), KERNEL, stem_stride, activation=RELU6)
    spec: list = [("conv0", stem)]
    for expansion, channels, repeats, stride in V2_BOTTLENECKS:
        out = make_divisible(channels * alpha)
        for i in range(repeats):
            block = InvertedResidual(out, stride if i == 0 else 1, expansion, KERNEL)
            spec.append((f"block{len(spec)}", block))
    spec.append((f"conv{len(spec)}", Conv(last_channels(alpha), 1, activation=RELU6)))
    spec.append(("avgpool", Pool()))
    spec.append(("fc", FullyConnected(num_classes)))
    return tuple(spec)


class MobileNetV2Config(NetworkConfig):
    """One MobileNetV2: width multiplier ``alpha``, input ``resolution``, classes (TF-slim's
    checkpoints have 1001: ImageNet's 1000 and a background class), input channels."""

    field_checks = {
        "alpha": positive_number,
        "resolution": positive_int,
        "num_classes": positive_int,
        "in_channels": positive_int,
    }
    __slots__ = tuple(field_checks)
    network = "mobilenet_v2"

    def __init__(
        self,
        alpha: float = 1.0,
        *,
        resolution: int = 224,
        num_classes: int = 1000,
        in_channels: int = 3,
    ):
        self._set_checked(locals())

    def spec(self) -> NetworkSpec:
        return mobilenet_v2_spec(self.alpha, num_classes=self.num_classes)


def mobilenet_v2_cost(alpha: float = 1.0, **options):
    """Per-layer mult-adds and parameters of MobileNetV2: ``MobileNetV2Config(alpha,
    **options).cost()``."""
    return MobileNetV2Config(alpha, **options).cost()


def mobilenet_v2_model(
    alpha: float = 1.0, *, dropout: float = 0.0, channels_last: bool = True, **options
):
    """MobileNetV2 as a PyTorch module (needs torch): ``MobileNetV2Config(alpha,
    **options).model(dropout=..., channels_last=...)``; children named like the cost rows."""
    return MobileNetV2Config(alpha, **options).model(dropout=dropout, channels_last=channels_last)


# -- what is printed about MobileNetV2 ------------------------------------------------------------
#
# MobileNetV2's printed numbers, as data, for the epilogue and the tests.
#
# Two sources:
#
# * Sandler et al. 2018 (arXiv:1801.04381), as quoted in the shared reference: 1.0 MobileNetV2-224
#   has 300 million multiply-adds and 3.4 million parameters, 1.4 MobileNetV2-224 585 million
#   and 6.9 million (:data:`V2_PAPER`).
# * TF-slim's table of its MobileNetV2 checkpoints (``research/slim/nets/mobilenet/README.md`` of
#   tensorflow/models, "Mobilenet V2 Imagenet Checkpoints"): MACs (M) and parameters (M) of 22
#   configurations, depth multiplier x resolution (:data:`SLIM_V2_TABLE`). The checkpoints classify
#   1001 classes (ImageNet's and a background class). Its MACs column is the exact count truncated
#   to whole millions (e.g. 300.8 is printed 300, 153.9 is 153), not rounded: :func:`truncated`.
#
# Numbers are kept as printed text, as in mnetcalc.paper.

#: Classes of TF-slim's checkpoints: ImageNet's 1000 and background.
SLIM_CLASSES = 1001

#: Sandler et al.'s headline numbers: (alpha, resolution) -> (printed mult-adds (M), params (M)).
V2_PAPER = {(1.0, 224): ("300", "3.4"), (1.4, 224): ("585", "6.9")}

#: TF-slim's README: (alpha, resolution) -> (printed MACs (M), printed parameters (M)).
SLIM_V2_TABLE = {
    (1.4, 224): ("582", "6.06"),
    (1.3, 224): ("509", "5.34"),
    (1.0, 224): ("300", "3.47"),
    (1.0, 192): ("221", "3.47"),
    (1.0, 160): ("154", "3.47"),
    (1.0, 128): ("99", "3.47"),
    (1.0, 96): ("56", "3.47"),
    (0.75, 224): ("209", "2.61"),
    (0.75, 192): ("153", "2.61"),
    (0.75, 160): ("107", "2.61"),
    (0.75, 128): ("69", "2.61"),
    (0.75, 96): ("39", "2.61"),
    (0.5, 224): ("97", "1.95"),
    (0.5, 192): ("71", "1.95"),
    (0.5, 160): ("50", "1.95"),
    (0.5, 128): ("32", "1.95"),
    (0.5, 96): ("18", "1.95"),
    (0.35, 224): ("59", "1.66"),
    (0.35, 192): ("43", "1.66"),
    (0.35, 160): ("30", "1.66"),
    (0.35, 128): ("20", "1.66"),
    (0.35, 96): ("11", "1.66"),
}


def truncated(count: float, printed: str) -> bool:
    """Is ``printed`` the count (in millions) with its decimals cut off?"""
    return math.floor(count) == int(printed)


#: MobileNetV2 (TF-slim): (alpha, resolution, MACs M, params M, top-1, top-5, Pixel 1 ms).
SLIM_V2_CHECKPOINTS = (
    (1.4, 224, 582, 6.06, 75.0, 92.5, 138.0),
    (1.3, 224, 509, 5.34, 74.4, 92.1, 123.0),
    (1.0, 224, 300, 3.47, 71.8, 91.0, 73.8),
    (1.0, 192, 221, 3.47, 70.7, 90.1, 55.1),
    (1.0, 160, 154, 3.47, 68.8, 89.0, 40.2),
    (1.0, 128, 99, 3.47, 65.3, 86.9, 27.6),
    (1.0, 96, 56, 3.47, 60.3, 83.2, 17.6),
    (0.75, 224, 209, 2.61, 69.8, 89.6, 55.8),
    (0.75, 192, 153, 2.61, 68.7, 88.9, 41.6),
    (0.75, 160, 107, 2.61, 66.4, 87.3, 30.4),
    (0.75, 128, 69, 2.61, 63.2, 85.3, 21.9),
    (0.75, 96, 39, 2.61, 58.8, 81.6, 14.2),
    (0.5, 224, 97, 1.95, 65.4, 86.4, 28.7),
    (0.5, 192, 71, 1.95, 63.9, 85.4, 21.1),
    (0.5, 160, 50, 1.95, 61.0, 83.2, 14.9),
    (0.5, 128, 32, 1.95, 57.7, 80.8, 9.9),
    (0.5, 96, 18, 1.95, 51.2, 75.8, 6.4),
    (0.35, 224, 59, 1.66, 60.3, 82.9, 19.7),
    (0.35, 192, 43, 1.66, 58.2, 81.2, 14.6),
    (0.35, 160, 30, 1.66, 55.7, 79.1, 10.5),
    (0.35, 128, 20, 1.66, 50.8, 75.0, 6.9),
    (0.35, 96, 11, 1.66, 45.5, 70.4, 4.5),
)


def checkpoints():
    """TF-slim's released MobileNetV2 checkpoints (TensorFlow Models,
    ``research/slim/nets/mobilenet/README.md``), as
    :class:`~mnetcalc.latency_model.checkpoints.Checkpoint` records of this network."""
    from ..latency_model.checkpoints import Checkpoint

    return tuple(
        Checkpoint(
            f"mobilenet_v2_{alpha}_{res}",
            "v2",
            "mobilenet_v2",
            (("alpha", alpha), ("resolution", res)),
            top1=top1,
            top5=top5,
            mult_adds_m=macs,
            params_m=params,
            pixel1_ms=pixel1,
        )
        for alpha, res, macs, params, top1, top5, pixel1 in SLIM_V2_CHECKPOINTS
    )


__all__ = [
    "SLIM_V2_CHECKPOINTS",
    "checkpoints",
    "SLIM_CLASSES",
    "SLIM_V2_TABLE",
    "V2_PAPER",
    "truncated",
    "DIVISOR",
    "KERNEL",
    "V2_BOTTLENECKS",
    "V2_LAST_CHANNELS",
    "V2_STEM",
    "MobileNetV2Config",
    "last_channels",
    "make_divisible",
    "mobilenet_v2_cost",
    "mobilenet_v2_model",
    "mobilenet_v2_spec",
]

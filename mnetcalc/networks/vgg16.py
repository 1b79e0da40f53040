"""**VGG16** (Simonyan & Zisserman 2014, configuration D): thirteen 3x3 convolutions (padding 1) in
  five stages of 64, 128, 256, 512, 512 channels, each stage closed by a 2x2/2 max pool, then fully
  connected layers of 4096, 4096 and 1000 units on the flattened 7x7x512 map.

Costed by the same engine as MobileNet (:mod:`mnetcalc.core.network`); see
:mod:`mnetcalc.networks._classic` for what the classic networks share.
"""

from __future__ import annotations

from ..core.layers import FullyConnected
from ..core.network import NetworkCost, NetworkSpec
from ..validation import positive_int
from ._classic import HIDDEN_FC, ClassicConfig, classic_conv, classic_maxpool

#: VGG16 (configuration D): (output channels, number of 3x3 convolutions) per stage.
VGG16_STAGES = ((64, 2), (128, 2), (256, 3), (512, 3), (512, 3))

#: What MobileNet's paper prints for this network: (table, row) -> label, top-1 accuracy (%),
#: mult-adds (M), parameters (M), and the step its mult-adds are rounded to
#: (:class:`mnetcalc.paper.PrintedRow` reads it).
MOBILENET_PAPER = {(8, 3): ("VGG 16", "71.5", "15300", "138", 100)}


def vgg16_spec(num_classes: int = 1000) -> NetworkSpec:
    """VGG16 as ``(name, layer)`` pairs: ``conv{stage}_{i}``, ``pool{stage}``, ``fc6``, ``fc7``,
    ``fc8``."""
    num_classes = positive_int("num_classes", num_classes)
    spec: list = []
    for stage, (channels, convs) in enumerate(VGG16_STAGES, start=1):
        spec += [
            (f"conv{stage}_{i}", classic_conv(channels, 3, padding=1)) for i in range(1, convs + 1)
        ]
        spec.append((f"pool{stage}", classic_maxpool(2, 2)))
    spec += [
        ("fc6", FullyConnected(HIDDEN_FC)),
        ("fc7", FullyConnected(HIDDEN_FC)),
        ("fc8", FullyConnected(num_classes)),
    ]
    return tuple(spec)


class VGG16Config(ClassicConfig):
    """VGG16 (configuration D) at an input ``resolution`` (its first FC layer grows with it)."""

    __slots__ = tuple(ClassicConfig.field_checks)
    network = "vgg16"

    def spec(self) -> NetworkSpec:
        return vgg16_spec(self.num_classes)


def vgg16_cost(resolution: int | None = None, **options) -> NetworkCost:
    """Per-layer mult-adds and parameters of VGG16: ``VGG16Config(resolution,
    **options).cost()``."""
    return VGG16Config(resolution=resolution, **options).cost()

"""**SqueezeNet v1.0** (Iandola et al. 2016, Table 1): a 7x7/2 convolution of 96 filters, eight fire
  modules with max pools after conv1, fire4 and fire8, and a 1x1 convolution to the classes before
  global average pooling. The input is 227x227, which gives Table 1's 111x111 first map.

Costed by the same engine as MobileNet (:mod:`mnetcalc.core.network`); see
:mod:`mnetcalc.networks._classic` for what the classic networks share.
"""

from __future__ import annotations

from ..core.layers import AVGPOOL, Fire, Pool
from ..core.network import NetworkCost, NetworkSpec
from ..validation import positive_int
from ._classic import ClassicConfig, classic_conv, classic_maxpool

#: SqueezeNet v1.0's fire modules: (squeeze 1x1, expand 1x1, expand 3x3) filters.
SQUEEZENET_FIRES = {
    2: (16, 64, 64),
    3: (16, 64, 64),
    4: (32, 128, 128),
    5: (32, 128, 128),
    6: (48, 192, 192),
    7: (48, 192, 192),
    8: (64, 256, 256),
    9: (64, 256, 256),
}

#: What MobileNet's paper prints for this network: (table, row) -> label, top-1 accuracy (%),
#: mult-adds (M), parameters (M), and the step its mult-adds are rounded to
#: (:class:`mnetcalc.paper.PrintedRow` reads it).
MOBILENET_PAPER = {(9, 2): ("Squeezenet", "57.5", "1700", "1.25", 100)}


def squeezenet_spec(num_classes: int = 1000) -> NetworkSpec:
    """SqueezeNet v1.0 as ``(name, layer)`` pairs: ``conv1``, ``pool1``, ``fire2`` ... ``fire9``,
    ``conv10``."""
    num_classes = positive_int("num_classes", num_classes)
    spec: list = [
        ("conv1", classic_conv(96, 7, 2)),
        ("pool1", classic_maxpool(3, 2, ceil_mode=True)),
    ]
    for index, widths in SQUEEZENET_FIRES.items():
        spec.append((f"fire{index}", Fire(*widths)))
        if index in (4, 8):
            spec.append((f"pool{index}", classic_maxpool(3, 2, ceil_mode=True)))
    spec += [("conv10", classic_conv(num_classes, 1)), ("avgpool", Pool(AVGPOOL))]
    return tuple(spec)


class SqueezeNetConfig(ClassicConfig):
    """SqueezeNet v1.0."""

    __slots__ = tuple(ClassicConfig.field_checks)
    network = "squeezenet"
    default_resolution = 227

    def spec(self) -> NetworkSpec:
        return squeezenet_spec(self.num_classes)


def squeezenet_cost(resolution: int | None = None, **options) -> NetworkCost:
    """Per-layer costs of SqueezeNet v1.0: ``SqueezeNetConfig(resolution=...,
    **options).cost()``."""
    return SqueezeNetConfig(resolution=resolution, **options).cost()

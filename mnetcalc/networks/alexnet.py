"""**AlexNet** (Krizhevsky, Sutskever & Hinton 2012): five convolutions (96 11x11/4 "valid", 256
  5x5, 384, 384, 256 3x3), three overlapping 3x3/2 max pools, fully connected 4096, 4096, 1000. The
  input is 227x227 (224 cannot give the paper's 55x55 map with an 11x11/4 valid convolution).
  Convolutions 2, 4 and 5 are split in two groups, as trained on two GPUs (``groups=2``); this
  halves their cost and is what the ~720 M mult-adds usually quoted for AlexNet count. ``groups=1``
  gives the same widths without the split.

Costed by the same engine as MobileNet (:mod:`mnetcalc.core.network`); see
:mod:`mnetcalc.networks._classic` for what the classic networks share.
"""

from __future__ import annotations

from ..core.layers import FullyConnected, LocalResponseNorm
from ..core.network import NetworkCost, NetworkSpec
from ..validation import InvalidArgument, positive_int
from ._classic import HIDDEN_FC, ClassicConfig, classic_conv, classic_maxpool

#: What MobileNet's paper prints for this network: (table, row) -> label, top-1 accuracy (%),
#: mult-adds (M), parameters (M), and the step its mult-adds are rounded to
#: (:class:`mnetcalc.paper.PrintedRow` reads it).
MOBILENET_PAPER = {(9, 3): ("AlexNet", "57.2", "720", "60", 10)}


def alexnet_groups(groups) -> int:
    """AlexNet's convolution groups: 2 (as trained on two GPUs) or 1."""
    groups = positive_int("groups", groups)
    if groups not in (1, 2):
        raise InvalidArgument(f"groups must be 1 or 2, got {groups!r}", "groups")
    return groups


def alexnet_spec(num_classes: int = 1000, *, groups: int = 2) -> NetworkSpec:
    """AlexNet as ``(name, layer)`` pairs; ``groups=2`` splits conv2, conv4 and conv5 as on two
    GPUs."""
    num_classes = positive_int("num_classes", num_classes)
    groups = alexnet_groups(groups)
    return (
        ("conv1", classic_conv(96, 11, 4)),
        ("lrn1", LocalResponseNorm(5)),
        ("pool1", classic_maxpool(3, 2, ceil_mode=True)),
        ("conv2", classic_conv(256, 5, padding=2, groups=groups)),
        ("lrn2", LocalResponseNorm(5)),
        ("pool2", classic_maxpool(3, 2, ceil_mode=True)),
        ("conv3", classic_conv(384, 3, padding=1)),
        ("conv4", classic_conv(384, 3, padding=1, groups=groups)),
        ("conv5", classic_conv(256, 3, padding=1, groups=groups)),
        ("pool5", classic_maxpool(3, 2, ceil_mode=True)),
        ("fc6", FullyConnected(HIDDEN_FC)),
        ("fc7", FullyConnected(HIDDEN_FC)),
        ("fc8", FullyConnected(num_classes)),
    )


class AlexNetConfig(ClassicConfig):
    """AlexNet; ``groups=2`` is the original two-GPU model, ``groups=1`` the unsplit one."""

    field_checks = {
        **ClassicConfig.field_checks,
        "groups": lambda _name, value: alexnet_groups(value),
    }
    # the fields in the order fields() and repr() give them; they are checked in field_checks' order
    __slots__ = ("resolution", "num_classes", "groups", "in_channels")
    network = "alexnet"
    default_resolution = 227

    def __init__(
        self,
        *,
        resolution: int | None = None,
        num_classes: int = 1000,
        in_channels: int = 3,
        groups: int = 2,
    ):
        self._set_checked(locals())

    def spec(self) -> NetworkSpec:
        return alexnet_spec(self.num_classes, groups=self.groups)


def alexnet_cost(resolution: int | None = None, **options) -> NetworkCost:
    """Per-layer costs of AlexNet: ``AlexNetConfig(resolution=...,
    **options).cost()``."""
    return AlexNetConfig(resolution=resolution, **options).cost()

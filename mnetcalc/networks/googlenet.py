"""**GoogLeNet** (Szegedy et al. 2014, "Going deeper with convolutions", Table 1): 7x7/2
  convolution, 3x3/2 max pool, 1x1 and 3x3 convolutions, nine Inception modules (3a-5b) with max
  pools between the stages, global average pooling and one fully connected layer. Pools round up
  (Caffe, as the authors' table's sizes 112 -> 56 -> 28 -> 14 -> 7 require). The two auxiliary
  classifiers used only in training are left out unless asked for (``aux_classifiers=True``).

Costed by the same engine as MobileNet (:mod:`mnetcalc.core.network`); see
:mod:`mnetcalc.networks._classic` for what the classic networks share.
"""

from __future__ import annotations

from functools import partial

from ..core.layers import AVGPOOL, FullyConnected, Inception, LayerCost, LocalResponseNorm, Pool
from ..core.network import NetworkCost, NetworkSpec, spec_costs
from ..validation import InvalidArgument, choice, flag, positive_int
from ._classic import ClassicConfig, classic_conv, classic_maxpool

#: The largest kernel side of the "5x5" branches that is allowed (``large_kernel``).
MAX_LARGE_KERNEL = 99

#: GoogLeNet's Inception modules, as the columns of Szegedy et al.'s Table 1:
#: #1x1, #3x3 reduce, #3x3, #5x5 reduce, #5x5, pool proj.
GOOGLENET_INCEPTIONS = {
    "3a": (64, 96, 128, 16, 32, 32),
    "3b": (128, 128, 192, 32, 96, 64),
    "4a": (192, 96, 208, 16, 48, 64),
    "4b": (160, 112, 224, 24, 64, 64),
    "4c": (128, 128, 256, 24, 64, 64),
    "4d": (112, 144, 288, 32, 64, 64),
    "4e": (256, 160, 320, 32, 128, 128),
    "5a": (256, 160, 320, 32, 128, 128),
    "5b": (384, 192, 384, 48, 128, 128),
}

#:  Szegedy et al.'s Table 1 as printed: row -> (params in thousands, ops in millions). Summed, the
#: params
#:  column gives the "6.8 M" that MobileNet's Table 8 quotes. :func:`googlenet_table_1_rows` says
#: which of our rows each printed row covers.
GOOGLENET_TABLE_1 = {
    "conv1": (2.7, 34),
    "conv2": (112, 360),
    "inception3a": (159, 128),
    "inception3b": (380, 304),
    "inception4a": (364, 73),
    "inception4b": (437, 88),
    "inception4c": (463, 100),
    "inception4d": (580, 119),
    "inception4e": (840, 170),
    "inception5a": (1072, 54),
    "inception5b": (1388, 71),
    "fc": (1000, 1),
}

#: The Inception modules after which GoogLeNet attaches its training-only auxiliary classifiers.
GOOGLENET_AUX_AFTER = ("inception4a", "inception4d")

#: What MobileNet's paper prints for this network: (table, row) -> label, top-1 accuracy (%),
#: mult-adds (M), parameters (M), and the step its mult-adds are rounded to
#: (:class:`mnetcalc.paper.PrintedRow` reads it).
MOBILENET_PAPER = {(8, 2): ("GoogleNet", "69.8", "1550", "6.8", 10)}


def googlenet_spec(num_classes: int = 1000, *, large_kernel: int = 5) -> NetworkSpec:
    """GoogLeNet (Inception v1) without its auxiliary classifiers, as ``(name, layer)`` pairs.

    ``large_kernel=3`` gives the variant of TF-slim and torchvision, whose "5x5" branches use 3x3
    filters."""
    num_classes = positive_int("num_classes", num_classes)
    large_kernel = positive_int("large_kernel", large_kernel, MAX_LARGE_KERNEL)
    spec: list = [
        ("conv1", classic_conv(64, 7, 2, padding=3)),
        ("pool1", classic_maxpool(3, 2, ceil_mode=True)),
        ("lrn1", LocalResponseNorm(5)),
        ("conv2_reduce", classic_conv(64, 1)),
        ("conv2", classic_conv(192, 3, padding=1)),
        ("lrn2", LocalResponseNorm(5)),
        ("pool2", classic_maxpool(3, 2, ceil_mode=True)),
    ]
    for module, widths in GOOGLENET_INCEPTIONS.items():
        spec.append((f"inception{module}", Inception(*widths, large_kernel=large_kernel)))
        if module in ("3b", "4e"):
            spec.append(
                (f"pool{3 if module == '3b' else 4}", classic_maxpool(3, 2, ceil_mode=True))
            )
    spec += [("avgpool", Pool(AVGPOOL)), ("fc", FullyConnected(num_classes))]
    return tuple(spec)


def googlenet_table_1_rows(report: NetworkCost, name: str) -> tuple[LayerCost, ...]:
    """The rows of a GoogLeNet report that one row of Szegedy et al.'s Table 1 covers (its
    "convolution 3x3/1" row is our ``conv2_reduce`` and ``conv2``; an Inception row is all of that
    module's rows)."""
    name = choice("name", name, GOOGLENET_TABLE_1)
    prefixes = ("conv2_reduce", "conv2") if name == "conv2" else (name,)
    return tuple(
        row
        for row in report.layers
        if any(row.name == p or row.name.startswith(p + "/") for p in prefixes)
    )


def googlenet_aux_spec(num_classes: int = 1000) -> NetworkSpec:
    """One auxiliary classifier: 5x5/3 average pool, 1x1 convolution to 128, FC 1024, FC to the
    classes."""
    return (
        ("avgpool", Pool(AVGPOOL, 5, 3, padding=0, ceil_mode=True)),
        ("conv", classic_conv(128, 1)),
        ("fc1", FullyConnected(1024)),
        ("fc2", FullyConnected(positive_int("num_classes", num_classes))),
    )


class GoogLeNetConfig(ClassicConfig):
    """GoogLeNet; ``large_kernel=3`` is the TF-slim/torchvision variant, ``aux_classifiers=True``
    adds the rows of the two training-only classifiers (``aux1/...`` on inception4a's output,
    ``aux2/...`` on inception4d's), which have no PyTorch model here."""

    field_checks = {
        **ClassicConfig.field_checks,
        "large_kernel": partial(positive_int, maximum=MAX_LARGE_KERNEL),
        "aux_classifiers": flag,
    }
    __slots__ = tuple(field_checks)
    network = "googlenet"
    quiet_defaults = {"in_channels": 3, "large_kernel": 5, "aux_classifiers": False}

    def __init__(
        self,
        *,
        resolution: int | None = None,
        num_classes: int = 1000,
        in_channels: int = 3,
        large_kernel: int = 5,
        aux_classifiers: bool = False,
    ):
        self._set_checked(locals())

    def spec(self) -> NetworkSpec:
        return googlenet_spec(self.num_classes, large_kernel=self.large_kernel)

    def rows(self) -> tuple[LayerCost, ...]:
        rows = super().rows()
        if not self.aux_classifiers:
            return rows
        extra: list[LayerCost] = []
        by_name = {row.name: row for row in rows}
        for index, after in enumerate(GOOGLENET_AUX_AFTER, start=1):
            source = by_name[after]
            spec = tuple(
                (f"aux{index}/{name}", layer)
                for name, layer in googlenet_aux_spec(self.num_classes)
            )
            extra += spec_costs(
                spec, resolution=source.output_size, in_channels=source.out_channels
            )
        return rows + tuple(extra)

    def model(self, *, dropout: float = 0.0, channels_last: bool = True):
        if self.aux_classifiers:
            raise InvalidArgument(
                "aux_classifiers=True has no model (the classifiers are training-only side "
                "branches); build GoogLeNet without them",
                "aux_classifiers",
            )
        return super().model(dropout=dropout, channels_last=channels_last)


def googlenet_cost(resolution: int | None = None, **options) -> NetworkCost:
    """Per-layer costs of GoogLeNet: ``GoogLeNetConfig(resolution=...,
    **options).cost()``."""
    return GoogLeNetConfig(resolution=resolution, **options).cost()

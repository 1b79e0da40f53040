"""The paper's printed numbers (Howard et al. 2017, Tables 2 and 4-14), as data, and the
configuration each row describes, so that the book can put every printed number next to an exact
count.

Numbers are kept as the printed text (``"4.2"``, ``"1.32"``): the number of printed decimals says
how precisely a count has to agree to reproduce it (:func:`reproduces`). A whole number that is
rounded further (Table 8's ``15300`` is 15.3 thousand million, to the nearest hundred million) says
so with a ``step``: the count must round to the printed number at that step. Mult-adds are in
millions, parameters in millions, accuracies in percent (ImageNet top-1).

The networks of Tables 8 and 9 that are not MobileNets are costed by their modules in
:mod:`mnetcalc.networks`. The applications of sections 4.3-4.7 (Tables 10-14 and the PlaNet figures
of section 4.4) are
:class:`AppliedRow` records: a MobileNet body with a head the paper does not always size, so that
:func:`head_sizes` searches the head sizes that would print each cost.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from importlib import import_module

from .core.network import NetworkConfig, NetworkCost
from .networks.registry import NETWORKS, config_class
from .validation import InvalidArgument

#: Configuration classes by network name.

#:  Paper Table 2 (1.0 MobileNet-224): layer type -> (printed % of mult-adds, printed % of
#: parameters).
TABLE_2 = {
    "conv_pw": ("94.86", "74.59"),
    "conv_dw": ("3.06", "1.06"),
    "conv": ("1.19", "0.02"),
    "fc": ("0.18", "24.33"),
}


@dataclass(frozen=True)
class PrintedRow:
    """One model row of a paper table: printed accuracy, mult-adds (M) and parameters (M), and what
    it is.

    ``network`` is a name in :data:`mnetcalc.networks.registry.NETWORKS`; ``config`` the keyword
    arguments that build its cost report. ``mult_adds_step`` / ``params_step``: the rounding
    step of a printed whole number whose trailing zeros are not significant (``None``: the last
    printed digit).
    """

    table: int
    label: str
    accuracy: str
    mult_adds: str
    params: str
    network: str = "mobilenet_v1"
    config: dict = field(default_factory=dict)
    mult_adds_step: int | None = None
    params_step: int | None = None

    def reproduces_mult_adds(self, count: float) -> bool:
        """Does ``count`` (millions) round to the printed mult-adds?"""
        return reproduces(count, self.mult_adds, self.mult_adds_step)

    def reproduces_params(self, count: float) -> bool:
        """Does ``count`` (millions) round to the printed parameters?"""
        return reproduces(count, self.params, self.params_step)

    def network_config(self, **overrides) -> NetworkConfig:
        """The configuration of this row's model (``overrides`` change it)."""
        return config_class(self.network)(**{**self.config, **overrides})

    def cost(self, **overrides) -> NetworkCost:
        """The exact cost report of this row's model (``overrides`` change its configuration)."""
        return self.network_config(**overrides).cost()


def _mobilenet(
    table, label, accuracy, mult_adds, params, alpha=1.0, resolution=224, variant="separable"
):
    config = {"alpha": alpha, "resolution": resolution, "variant": variant}
    return PrintedRow(table, label, accuracy, mult_adds, params, "mobilenet_v1", config)


TABLE_4 = (
    _mobilenet(4, "Conv MobileNet", "71.7", "4866", "29.3", variant="standard"),
    _mobilenet(4, "MobileNet", "70.6", "569", "4.2"),
)

TABLE_5 = (
    _mobilenet(5, "0.75 MobileNet", "68.4", "325", "2.6", alpha=0.75),
    _mobilenet(5, "Shallow MobileNet", "65.3", "307", "2.9", variant="shallow"),
)

TABLE_6 = (
    _mobilenet(6, "1.0 MobileNet-224", "70.6", "569", "4.2"),
    _mobilenet(6, "0.75 MobileNet-224", "68.4", "325", "2.6", alpha=0.75),
    _mobilenet(6, "0.5 MobileNet-224", "63.7", "149", "1.3", alpha=0.5),
    _mobilenet(6, "0.25 MobileNet-224", "50.6", "41", "0.5", alpha=0.25),
)

TABLE_7 = (
    _mobilenet(7, "1.0 MobileNet-224", "70.6", "569", "4.2"),
    _mobilenet(7, "1.0 MobileNet-192", "69.1", "418", "4.2", resolution=192),
    _mobilenet(7, "1.0 MobileNet-160", "67.2", "290", "4.2", resolution=160),
    _mobilenet(7, "1.0 MobileNet-128", "64.4", "186", "4.2", resolution=128),
)


def _other_networks(table: int) -> tuple[PrintedRow, ...]:
    """The rows of ``table`` that are not MobileNets, in the paper's order, as each network's module
    states them (its ``MOBILENET_PAPER``)."""
    found = []
    for name in NETWORKS:
        module = import_module(config_class(name).__module__)
        for (printed_in, position), row in getattr(module, "MOBILENET_PAPER", {}).items():
            if printed_in == table:
                *printed, step = row
                found.append((position, PrintedRow(table, *printed, name, mult_adds_step=step)))
    return tuple(row for _, row in sorted(found, key=lambda pair: pair[0]))


TABLE_8 = (_mobilenet(8, "1.0 MobileNet-224", "70.6", "569", "4.2"), *_other_networks(8))

TABLE_9 = (
    _mobilenet(9, "0.50 MobileNet-160", "60.2", "76", "1.32", alpha=0.5, resolution=160),
    *_other_networks(9),
)

#: Every model row of Tables 4-9, in the paper's order.
ROWS = TABLE_4 + TABLE_5 + TABLE_6 + TABLE_7 + TABLE_8 + TABLE_9

#: The comparisons of section 4.2 (the text beside Tables 8 and 9), as printed: (small model, big
#: model, what, printed factor or difference).
#: ``what`` is "params" or "mult_adds" (the big model's count over the small one's, "x
#: smaller/less") or "accuracy" (the small model's accuracy minus the big one's, in points).
CLAIMS = (
    ("1.0 MobileNet-224", "VGG 16", "params", "32"),
    ("1.0 MobileNet-224", "VGG 16", "mult_adds", "27"),
    ("1.0 MobileNet-224", "GoogleNet", "mult_adds", "2.5"),
    ("0.50 MobileNet-160", "AlexNet", "accuracy", "4"),
    ("0.50 MobileNet-160", "AlexNet", "params", "45"),
    ("0.50 MobileNet-160", "AlexNet", "mult_adds", "9.4"),
    ("0.50 MobileNet-160", "Squeezenet", "accuracy", "4"),
    ("0.50 MobileNet-160", "Squeezenet", "mult_adds", "22"),
)


def row(label: str, table: int | None = None) -> PrintedRow:
    """The printed row called ``label`` (in ``table``, or the first one of that name)."""
    for candidate in ROWS:
        if candidate.label == label and (table is None or candidate.table == table):
            return candidate
    where = "" if table is None else f" in Table {table}"
    raise InvalidArgument(f"no printed row labelled {label!r}{where}", "label")


def decimals(printed: str) -> int:
    """How many decimals a printed number has (``"1.32"`` -> 2, ``"569"`` -> 0)."""
    return max(0, -Decimal(printed).as_tuple().exponent)


def reproduces(count: float, printed: str, step: int | None = None) -> bool:
    """Does ``count`` (in the printed unit) round half-up to the printed number at its printed
    precision (or to the nearest multiple of ``step``, for a whole number with non-significant
    trailing zeros)?"""
    value = Decimal(repr(float(count)))
    if step is not None:
        return (value / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step == Decimal(
            printed
        )
    places = Decimal(1).scaleb(-decimals(printed))
    return value.quantize(places, rounding=ROUND_HALF_UP) == Decimal(printed)


# -- the applications: Tables 10-14 and section 4.4 ------------------------------------------------

#: Units of the printed costs.
MILLION = 10**6
BILLION = 10**9


@dataclass(frozen=True)
class AppliedRow:
    """One cost row of the applications (sections 4.3-4.7): printed metric, mult-adds and
    parameters, and what it is.

    ``config`` holds the MobileNet body's ``alpha`` and ``resolution`` (empty for a network that
    mnetcalc does not describe: Inception, FaceNet, the detectors' other backbones).
    ``num_classes`` is the head's size where the paper states it (Table 10: 120 dog breeds),
    ``None`` where it does not. ``mult_adds_unit``: Table 13 prints billions, the others millions
    (parameters are always in millions).
    """

    table: str
    label: str
    metric: str
    mult_adds: str
    params: str
    config: dict = field(default_factory=dict)
    num_classes: int | None = None
    mult_adds_unit: int = MILLION

    @property
    def costed(self) -> bool:
        """Is the row's network a MobileNet that mnetcalc can cost?"""
        return bool(self.config)

    def body(self):
        """The configuration of the row's MobileNet body (no pool, no classifier)."""
        from .networks.mobilenet_v1 import BODY_ONLY, MobileNetConfig

        return MobileNetConfig(**self.config, num_classes=BODY_ONLY)

    def cost(self, num_classes: int | None = None) -> NetworkCost:
        """The exact cost of the row's MobileNet with a ``num_classes`` head (default: the stated
        one; 0 or no stated size: the body alone)."""
        classes = self.num_classes if num_classes is None else num_classes
        return self.body().replace(num_classes=classes or 0).cost()

    def reproduces_mult_adds(self, count: int) -> bool:
        """Does ``count`` (mult-adds) round to the printed number?"""
        return reproduces(count / self.mult_adds_unit, self.mult_adds)

    def reproduces_params(self, count: int) -> bool:
        """Does ``count`` (parameters) round to the printed number?"""
        return reproduces(count / MILLION, self.params)

    def head_sizes(self, column: str) -> range:
        """The head sizes (0: none) for which ``column`` (``"mult_adds"`` or ``"params"``)
        reproduces its printed number; see :func:`head_sizes`."""
        unit = self.mult_adds_unit if column == "mult_adds" else MILLION
        return head_sizes(self.body().cost(), column, getattr(self, column), unit)


def _mobilenet_applied(table, label, metric, mult_adds, params, alpha, resolution, **more):
    return AppliedRow(
        table, label, metric, mult_adds, params, {"alpha": alpha, "resolution": resolution}, **more
    )


#: Section 4.3, Stanford Dogs (120 breeds): top-1 accuracy.
TABLE_10 = (
    AppliedRow("10", "Inception V3", "84", "5000", "23.2"),
    _mobilenet_applied("10", "1.0 MobileNet-224", "83.3", "569", "3.3", 1.0, 224, num_classes=120),
    _mobilenet_applied(
        "10", "0.75 MobileNet-224", "81.9", "325", "1.9", 0.75, 224, num_classes=120
    ),
    _mobilenet_applied("10", "1.0 MobileNet-192", "81.9", "418", "3.3", 1.0, 192, num_classes=120),
    _mobilenet_applied(
        "10", "0.75 MobileNet-192", "80.5", "239", "1.9", 0.75, 192, num_classes=120
    ),
)

#: Section 4.4, Table 11 (no costs): the fraction of Im2GPS's test photos located within each
#: distance of the truth, in percent: (scale, Im2GPS, PlaNet, PlaNet MobileNet).
TABLE_11 = (
    ("Continent (2500 km)", "51.9", "77.6", "79.3"),
    ("Country (750 km)", "35.4", "64.0", "60.3"),
    ("Region (200 km)", "32.1", "51.1", "45.2"),
    ("City (25 km)", "21.9", "31.7", "31.7"),
    ("Street (1 km)", "2.5", "11.0", "11.4"),
)

#: Section 4.4, the PlaNet costs of the text (no accuracy): the Inception V3 PlaNet, 52 M parameters
#: and 5.74 billion mult-adds; the MobileNet PlaNet, 13 M parameters, "3 million for the body and
#: 10 million for the final layer", and "0.58 Million mult-adds" (a billion: see the book). The
#: number of geographic cells, the head's size, is not given.
PLANET = (
    AppliedRow("4.4", "PlaNet (Inception V3)", "", "5.74", "52", mult_adds_unit=BILLION),
    _mobilenet_applied(
        "4.4", "PlaNet MobileNet", "", "0.58", "13", 1.0, 224, mult_adds_unit=BILLION
    ),
)

#: Section 4.4's split of the MobileNet PlaNet's 13 M parameters: (part, printed millions).
PLANET_SPLIT = (("body", "3"), ("final layer", "10"))

#: Section 4.5, face attributes (mean AP); the number of attributes is not given. The text calls
#: the baseline's parameters 75 million, the table 7.5.
TABLE_12 = (
    _mobilenet_applied("12", "1.0 MobileNet-224", "88.7", "568", "3.2", 1.0, 224),
    _mobilenet_applied("12", "0.5 MobileNet-224", "88.1", "149", "0.8", 0.5, 224),
    _mobilenet_applied("12", "0.25 MobileNet-224", "87.2", "45", "0.2", 0.25, 224),
    _mobilenet_applied("12", "1.0 MobileNet-128", "88.1", "185", "3.2", 1.0, 128),
    _mobilenet_applied("12", "0.5 MobileNet-128", "87.7", "48", "0.8", 0.5, 128),
    _mobilenet_applied("12", "0.25 MobileNet-128", "86.4", "15", "0.2", 0.25, 128),
    AppliedRow("12", "Baseline", "86.9", "1600", "7.5"),
)

#: Section 4.6, COCO detection (mAP); mult-adds in billions. The MobileNet rows are costed here as
#: their backbone alone (a square input of the framework's resolution): the paper does not describe
#: the detection heads.
TABLE_13 = (
    AppliedRow("13", "SSD 300 deeplab-VGG", "21.1", "34.9", "33.1", mult_adds_unit=BILLION),
    AppliedRow("13", "SSD 300 Inception V2", "22.0", "3.8", "13.7", mult_adds_unit=BILLION),
    _mobilenet_applied(
        "13", "SSD 300 MobileNet", "19.3", "1.2", "6.8", 1.0, 300, mult_adds_unit=BILLION
    ),
    AppliedRow("13", "Faster-RCNN 300 VGG", "22.9", "64.3", "138.5", mult_adds_unit=BILLION),
    AppliedRow(
        "13", "Faster-RCNN 300 Inception V2", "15.4", "118.2", "13.3", mult_adds_unit=BILLION
    ),
    _mobilenet_applied(
        "13", "Faster-RCNN 300 MobileNet", "16.4", "25.2", "6.1", 1.0, 300, mult_adds_unit=BILLION
    ),
    AppliedRow("13", "Faster-RCNN 600 VGG", "25.7", "149.6", "138.5", mult_adds_unit=BILLION),
    AppliedRow(
        "13", "Faster-RCNN 600 Inception V2", "21.9", "129.6", "13.3", mult_adds_unit=BILLION
    ),
    _mobilenet_applied(
        "13", "Faster-RCNN 600 Mobilenet", "19.8", "30.5", "6.1", 1.0, 600, mult_adds_unit=BILLION
    ),
)

#: Section 4.7, FaceNet distillation (accuracy at 1e-4 false accepts); the embedding size is not
#: given, and the label "0.75 MobileNet-128" is printed twice.
TABLE_14 = (
    AppliedRow("14", "FaceNet", "83", "1600", "7.5"),
    _mobilenet_applied("14", "1.0 MobileNet-160", "79.4", "286", "4.9", 1.0, 160),
    _mobilenet_applied("14", "1.0 MobileNet-128", "78.3", "185", "5.5", 1.0, 128),
    _mobilenet_applied("14", "0.75 MobileNet-128", "75.2", "166", "3.4", 0.75, 128),
    _mobilenet_applied("14", "0.75 MobileNet-128", "72.5", "108", "3.8", 0.75, 128),
)

#: Every cost row of the applications, in the paper's order (Table 11 prints no costs).
APPLIED_ROWS = TABLE_10 + PLANET + TABLE_12 + TABLE_13 + TABLE_14


def printed_bounds(printed: str, step: int | None = None) -> tuple[Fraction, Fraction]:
    """The counts (in the printed unit) that round half-up to ``printed``: ``[low, high)``."""
    half = Fraction(step if step is not None else Fraction(Decimal(1).scaleb(-decimals(printed))))
    half /= 2
    value = Fraction(Decimal(printed))
    return value - half, value + half


def head_sizes(body: NetworkCost, column: str, printed: str, unit: int = MILLION) -> range:
    """Head sizes ``k`` (0: no head) for which the body plus a fully connected layer of ``k``
    outputs on its pooled features reproduces ``printed`` in ``column`` (``"mult_adds"`` or
    ``"params"``, in ``unit``).

    Such a head costs ``c * k`` mult-adds and ``c * k`` weights, ``c`` the body's last channel
    count, so the sizes that round to the printed number form one range (possibly empty).
    """
    per_output = body.layers[-1].out_channels
    count = getattr(body, column)
    low, high = (bound * unit for bound in printed_bounds(printed))
    first = max(0, math.ceil((low - count) / per_output))
    stop = max(0, math.ceil((high - count) / per_output))  # first size that is too big
    return range(first, max(first, stop))


def common_sizes(*ranges: range) -> range:
    """The head sizes in every one of ``ranges`` (possibly none)."""
    first = max(r.start for r in ranges)
    return range(first, max(first, min(r.stop for r in ranges)))

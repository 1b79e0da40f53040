"""The paper's printed numbers (Howard et al. 2017, Tables 2 and 4-9), as data, and the
configuration each row describes, so that the book can put every printed number next to an exact
count.

Numbers are kept as the printed text (``"4.2"``, ``"1.32"``): the number of printed decimals says
how precisely a count has to agree to reproduce it (:func:`reproduces`). A whole number that is
rounded further (Table 8's ``15300`` is 15.3 thousand million, to the nearest hundred million) says
so with a ``step``: the count must round to the printed number at that step. Mult-adds are in
millions, parameters in millions, accuracies in percent (ImageNet top-1).

The networks of Tables 8 and 9 that are not MobileNets are costed by :mod:`mnetcalc.zoo`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from .architecture import MobileNetConfig
from .network import NetworkConfig, NetworkCost
from .zoo import NETWORKS

#: Configuration classes by network name.
CONFIGS = {MobileNetConfig.network: MobileNetConfig, **NETWORKS}

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

    ``network`` is ``"mobilenet_v1"`` or a name in :data:`mnetcalc.zoo.NETWORKS`; ``config`` the
    keyword arguments that build its cost report. ``mult_adds_step`` / ``params_step``: the rounding
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
        return CONFIGS[self.network](**{**self.config, **overrides})

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

TABLE_8 = (
    _mobilenet(8, "1.0 MobileNet-224", "70.6", "569", "4.2"),
    PrintedRow(8, "GoogleNet", "69.8", "1550", "6.8", "googlenet", mult_adds_step=10),
    PrintedRow(8, "VGG 16", "71.5", "15300", "138", "vgg16", mult_adds_step=100),
)

TABLE_9 = (
    _mobilenet(9, "0.50 MobileNet-160", "60.2", "76", "1.32", alpha=0.5, resolution=160),
    PrintedRow(9, "Squeezenet", "57.5", "1700", "1.25", "squeezenet", mult_adds_step=100),
    PrintedRow(9, "AlexNet", "57.2", "720", "60", "alexnet", mult_adds_step=10),
)

#: Every model row of Tables 4-9, in the paper's order.
ROWS = TABLE_4 + TABLE_5 + TABLE_6 + TABLE_7 + TABLE_8 + TABLE_9

#:  The comparisons of section 4.7, as printed: (small model, big model, what, printed factor or
#: difference).
#:  ``what`` is "params" or "mult_adds" (the big model's count over the small one's, "x
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
    raise KeyError(label)


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

"""The single-layer comparison of the paper's Table 3: one layer as a standard and as a depthwise
separable convolution, then the width and resolution multipliers."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, NamedTuple

from .core.formulas import separable_conv_cost, standard_conv_cost
from .networks.mobilenet_v1 import scale_channels
from .validation import positive_int, positive_number

if TYPE_CHECKING:
    from fractions import Fraction  # imported where used: the command line need not load it


def reduction_ratio(dk: int, n: int) -> Fraction:
    """The paper's separable / standard cost ratio ``1/N + 1/Dk^2``, exactly."""
    from fractions import Fraction

    dk, n = positive_int("dk", dk), positive_int("n", n)
    return Fraction(1, n) + Fraction(1, dk * dk)


class LayerComparison(NamedTuple):
    """One layer computed as a standard and as a depthwise separable convolution (paper Table 3)."""

    dk: int
    m: int
    n: int
    df: int
    standard: tuple[int, int]
    separable: tuple[int, int]

    @property
    def ratio(self) -> Fraction:
        """Separable over standard mult-adds, as an exact fraction."""
        from fractions import Fraction

        return Fraction(self.separable[0], self.standard[0])

    @property
    def formula_ratio(self) -> Fraction:
        """The paper's ``1/N + 1/Dk^2``, exactly (:func:`reduction_ratio`)."""
        return reduction_ratio(self.dk, self.n)

    def to_dict(self) -> dict:
        """Both costs and both ratios as a JSON object."""
        return {
            "standard": {"mult_adds": self.standard[0], "params": self.standard[1]},
            "separable": {"mult_adds": self.separable[0], "params": self.separable[1]},
            "ratio": float(self.ratio),
            "formula_ratio": float(self.formula_ratio),
        }


def scale_side(df: int, rho: float) -> int:
    """The resolution multiplier on a feature-map side: ``rho * df`` rounded to the nearest integer
    (at least 1)."""
    return max(1, math.floor(rho * df + 0.5))


def layer_comparison(
    dk: int, m: int, n: int, df: int, *, alpha: float = 1.0, rho: float = 1.0
) -> LayerComparison:
    """One layer (kernel ``dk``, ``m`` to ``n`` channels, output side ``df``) as a standard and as a
    depthwise separable convolution, after the width multiplier ``alpha`` (on ``m`` and ``n``, with
    the network's channel rule) and the resolution multiplier ``rho`` (on ``df``, rounded to the
    nearest integer)."""
    dk, m, n, df = (positive_int(k, v) for k, v in (("dk", dk), ("m", m), ("n", n), ("df", df)))
    alpha = positive_number("alpha", alpha)
    rho = positive_number("rho", rho)
    m, n, df = scale_channels(m, alpha), scale_channels(n, alpha), scale_side(df, rho)
    return LayerComparison(
        dk, m, n, df, standard_conv_cost(dk, m, n, df), separable_conv_cost(dk, m, n, df)
    )


def table3(
    dk: int = 3,
    m: int = 512,
    n: int = 512,
    df: int = 14,
    *,
    alpha: float = 0.75,
    rho: float = 0.714,
):
    """Paper Table 3: the modifications applied in turn, as ``(label, mult_adds, params)`` rows."""
    full = layer_comparison(dk, m, n, df)
    narrow = layer_comparison(dk, m, n, df, alpha=alpha)
    small = layer_comparison(dk, m, n, df, alpha=alpha, rho=rho)
    return [
        ("Convolution", *full.standard),
        ("Depthwise Separable Conv", *full.separable),
        (f"alpha = {alpha:g}", *narrow.separable),
        (f"rho = {rho:g}", *small.separable),
    ]

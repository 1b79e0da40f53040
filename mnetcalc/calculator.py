"""The analytical cost calculator: MobileNet v1 totals and the single-layer comparison (Table 3)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, NamedTuple

from .architecture import mobilenet_v1_spec, scale_channels
from .network import NetworkCost, cost_layers
from .validation import positive_int, positive_number

if TYPE_CHECKING:
    from fractions import Fraction  # imported where used: the command line's start-up need not pay for it


def mobilenet_v1(
    alpha: float = 1.0,
    resolution: int = 224,
    num_classes: int = 1000,
    variant: str = "separable",
    stem_stride: int = 2,
    in_channels: int = 3,
) -> NetworkCost:
    """Per-layer mult-adds and parameters of MobileNet v1 at width ``alpha`` and input ``resolution``."""
    spec = mobilenet_v1_spec(alpha, num_classes, variant, stem_stride)
    resolution = positive_int("resolution", resolution)
    in_channels = positive_int("in_channels", in_channels)
    meta = {
        "network": "mobilenet_v1",
        "alpha": float(alpha),
        "resolution": resolution,
        "num_classes": int(num_classes),
        "variant": variant,
    }
    if stem_stride != 2:
        meta["stem_stride"] = int(stem_stride)
    if in_channels != 3:
        meta["in_channels"] = in_channels
    return NetworkCost(cost_layers(spec, resolution, in_channels), meta)


def standard_conv_cost(dk: int, m: int, n: int, df: int) -> tuple[int, int]:
    """(mult-adds, weights) of a standard ``dk`` x ``dk`` convolution from ``m`` to ``n`` channels."""
    return dk * dk * m * n * df * df, dk * dk * m * n


def separable_conv_cost(dk: int, m: int, n: int, df: int) -> tuple[int, int]:
    """(mult-adds, weights) of a depthwise ``dk`` x ``dk`` convolution plus a 1x1 pointwise one."""
    return dk * dk * m * df * df + m * n * df * df, dk * dk * m + m * n


def reduction_ratio(dk: int, n: int) -> Fraction:
    """The paper's separable / standard cost ratio ``1/N + 1/Dk^2``, exactly."""
    from fractions import Fraction

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
        return reduction_ratio(self.dk, self.n)

    def to_dict(self) -> dict:
        return {
            "standard": {"mult_adds": self.standard[0], "params": self.standard[1]},
            "separable": {"mult_adds": self.separable[0], "params": self.separable[1]},
            "ratio": float(self.ratio),
            "formula_ratio": float(self.formula_ratio),
        }


def scale_side(df: int, rho: float) -> int:
    """The resolution multiplier on a feature-map side: ``rho * df`` rounded to the nearest integer (>= 1)."""
    return max(1, math.floor(rho * df + 0.5))


def layer_costs(dk: int, m: int, n: int, df: int, alpha: float = 1.0, rho: float = 1.0) -> LayerComparison:
    """Costs of one layer after the width multiplier ``alpha`` (on ``m`` and ``n``, with the network's
    channel rule) and the resolution multiplier ``rho`` (on ``df``, rounded to the nearest integer)."""
    dk, m, n, df = (positive_int(k, v) for k, v in (("dk", dk), ("m", m), ("n", n), ("df", df)))
    alpha = positive_number("alpha", alpha)
    rho = positive_number("rho", rho)
    m, n, df = scale_channels(m, alpha), scale_channels(n, alpha), scale_side(df, rho)
    return LayerComparison(dk, m, n, df, standard_conv_cost(dk, m, n, df), separable_conv_cost(dk, m, n, df))


def table3(dk: int = 3, m: int = 512, n: int = 512, df: int = 14, alpha: float = 0.75, rho: float = 0.714):
    """Paper Table 3: the modifications applied in turn, as ``(label, mult_adds, params)`` rows."""
    full = layer_costs(dk, m, n, df)
    narrow = layer_costs(dk, m, n, df, alpha=alpha)
    small = layer_costs(dk, m, n, df, alpha=alpha, rho=rho)
    return [
        ("Convolution", *full.standard),
        ("Depthwise Separable Conv", *full.separable),
        (f"alpha = {alpha:g}", *narrow.separable),
        (f"rho = {rho:g}", *small.separable),
    ]

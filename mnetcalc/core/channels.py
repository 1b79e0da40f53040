"""The width multiplier's channel rules, each written once.

Two rules are in use, both TF-slim's:

* :func:`floor_channels`, MobileNet v1's (``max(int(d * depth_multiplier), min_depth)``, also the
  SSD feature extractor's ``depth_fn``): the scaled count rounded down, at least a minimum;
* :func:`make_divisible`, MobileNetV2's and V3's (``_make_divisible``): the scaled count rounded to
  the nearest multiple of a divisor, at least the divisor, and one divisor more if rounding took
  away more than 10%.

Both round the product to 9 decimals first, so that ``0.29 * 100`` counts as 29, not
28.999999999999996, and ``0.35 * 32`` as 11.2, not 11.200000000000001.
"""

from __future__ import annotations

import math

#: MobileNetV2's and V3's divisor: every layer's channels are a multiple of it, and at least it.
DIVISOR = 8


def floor_channels(channels: float, alpha: float, min_channels: int) -> int:
    """``floor(alpha * channels)``, at least ``min_channels``."""
    return max(math.floor(round(alpha * channels, 9)), min_channels)


def make_divisible(value: float, divisor: int = DIVISOR) -> int:
    """``value`` rounded to the nearest multiple of ``divisor`` (halves up), at least ``divisor``,
    and one ``divisor`` more if rounding took away more than 10% of ``value``."""
    value = round(value, 9)
    rounded = max(divisor, int(value + divisor / 2) // divisor * divisor)
    if rounded < 0.9 * value:
        rounded += divisor
    return rounded


__all__ = ["DIVISOR", "floor_channels", "make_divisible"]

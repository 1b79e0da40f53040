"""The paper's cost formulas (eqs. 2-7), one function each: ``(mult-adds, weights)`` of one layer.
Sizes must be whole numbers >= 1 (:class:`~mnetcalc.validation.InvalidArgument` otherwise).

``Df`` is the side of the *output* feature map. The layer types of :mod:`mnetcalc.core.layers` call
these (as fvcore's handles call its ``conv_flop_count``); the single-layer comparison of
:mod:`mnetcalc.calculator` calls them too.
"""

from __future__ import annotations

from ..validation import InvalidArgument


def _checked(names: str, *sizes: int) -> tuple[int, ...]:
    """The sizes (named in order by the words of ``names``), each an ``int`` >= 1 (no upper bound:
    a layer inside a network may be wider than any single layer the command line takes)."""
    for value in sizes:
        if type(value) is not int or value < 1:
            break
    else:  # every size a plain int >= 1: the common case, checked without naming them
        return sizes
    for name, value in zip(names.split(), sizes, strict=True):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise InvalidArgument(f"{name} must be a positive integer, got {value!r}", name)
    return sizes


def standard_conv_cost(dk: int, m: int, n: int, df: int, groups: int = 1) -> tuple[int, int]:
    """A ``dk`` x ``dk`` convolution from ``m`` to ``n`` channels: ``Dk*Dk*M*N*Df*Df`` mult-adds and
    ``Dk*Dk*M*N`` weights; with ``groups``, each output channel sees ``m / groups`` inputs only."""
    dk, m, n, df, groups = _checked("dk m n df groups", dk, m, n, df, groups)
    weights = dk * dk * (m // groups) * n
    return weights * df * df, weights


def depthwise_conv_cost(dk: int, m: int, df: int) -> tuple[int, int]:
    """One ``dk`` x ``dk`` filter per input channel: ``Dk*Dk*M*Df*Df`` mult-adds, ``Dk*Dk*M``
    weights."""
    dk, m, df = _checked("dk m df", dk, m, df)
    return dk * dk * m * df * df, dk * dk * m


def pointwise_conv_cost(m: int, n: int, df: int) -> tuple[int, int]:
    """A 1x1 convolution (standard, ``Dk = 1``): ``M*N*Df*Df`` mult-adds, ``M*N`` weights."""
    return standard_conv_cost(1, m, n, df)


def separable_conv_cost(dk: int, m: int, n: int, df: int) -> tuple[int, int]:
    """A depthwise ``dk`` x ``dk`` convolution followed by a 1x1 pointwise one (paper eq. 5)."""
    dw_mult_adds, dw_weights = depthwise_conv_cost(dk, m, df)
    pw_mult_adds, pw_weights = pointwise_conv_cost(m, n, df)
    return dw_mult_adds + pw_mult_adds, dw_weights + pw_weights


def fully_connected_cost(m: int, n: int) -> tuple[int, int]:
    """A fully connected layer from ``m`` inputs to ``n`` outputs: ``M*N`` mult-adds and weights."""
    m, n = _checked("m n", m, n)
    return m * n, m * n

"""Deciding between two trained networks from a few paired seeds: a Student-t interval on the
mean difference and a verdict read from it. Standard library only.

A comparison trains network A and network B once per seed, with the same seed (the same training
subset and batch order) for both, and looks at the differences ``d_s = acc(A, s) - acc(B, s)``.
Their mean ± ``t * sd / sqrt(n)`` is a confidence interval for the difference one would see on
average over seeds (:func:`mean_interval`). :func:`decide` reads a verdict from the interval and
a margin, the smallest difference worth telling apart:

* the whole interval above 0: A is better; below 0: B is better;
* the whole interval within ``(-margin, margin)``: no difference as large as the margin;
* otherwise the seeds cannot decide.

A seed whose run went wrong (diverged: the loss blew up and the network ended far below its other
seeds) is not luck to be averaged but a failure to be reported: :func:`far_below` flags it, so that
a comparison can leave that seed out and say so.

The t distribution's quantile is computed from its closed-form distribution function for a whole
number of degrees of freedom (Abramowitz and Stegun 26.7.3 and 26.7.4), by bisection.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from .validation import InvalidArgument

#: The verdicts :func:`decide` returns.
A_BETTER = "A better"
B_BETTER = "B better"
EQUIVALENT = "no difference as large as the margin"
UNDECIDED = "cannot decide"


def t_two_sided_probability(t: float, df: int) -> float:
    """P(|T| <= t) for Student's t with ``df`` (a whole number >= 1) degrees of freedom."""
    if df < 1 or int(df) != df:
        raise InvalidArgument(f"degrees of freedom must be a whole number >= 1, got {df!r}")
    t = abs(t)
    theta = math.atan(t / math.sqrt(df))
    s, c2 = math.sin(theta), math.cos(theta) ** 2
    if df % 2 == 0:  # sin θ (1 + 1/2 cos²θ + 1·3/(2·4) cos⁴θ + ... up to cos^(df-2)θ)
        term, total = 1.0, 1.0
        for k in range(2, df, 2):
            term *= c2 * (k - 1) / k
            total += term
        return s * total
    if df == 1:
        return 2 * theta / math.pi
    # (2/π) (θ + sin θ cos θ (1 + 2/3 cos²θ + 2·4/(3·5) cos⁴θ + ... up to cos^(df-3)θ))
    term, total = 1.0, 1.0
    for k in range(3, df - 1, 2):
        term *= c2 * (k - 1) / k
        total += term
    return 2 / math.pi * (theta + s * math.sqrt(c2) * total)


def t_critical(df: int, level: float = 0.95) -> float:
    """The t with P(|T| <= t) = ``level``: the half-width of a ``level`` interval in standard
    errors (12.706 for one degree of freedom at 95%, 2.776 for four)."""
    if not 0 < level < 1:
        raise InvalidArgument(f"level must be between 0 and 1, got {level!r}")
    low, high = 0.0, 1.0
    while t_two_sided_probability(high, df) < level:
        high *= 2
    for _ in range(200):
        mid = (low + high) / 2
        if t_two_sided_probability(mid, df) < level:
            low = mid
        else:
            high = mid
        if high - low <= 1e-12 * high:
            break
    return (low + high) / 2


@dataclass(frozen=True)
class Interval:
    """A ``level`` confidence interval ``[low, high]`` around the mean of ``n`` differences, whose
    sample standard deviation is ``sd``."""

    mean: float
    low: float
    high: float
    sd: float
    n: int
    level: float

    @property
    def half_width(self) -> float:
        """Half the interval's width."""
        return (self.high - self.low) / 2


def mean_interval(values: Sequence[float], level: float = 0.95) -> Interval:
    """The Student-t interval of the mean of independent ``values`` (at least two): of one
    network's accuracies over seeds, or of a paired comparison's per-seed differences."""
    d = [float(x) for x in values]
    n = len(d)
    if n < 2:
        raise InvalidArgument(f"an interval needs at least two values, got {n}")
    mean = sum(d) / n
    sd = math.sqrt(sum((x - mean) ** 2 for x in d) / (n - 1))
    half = t_critical(n - 1, level) * sd / math.sqrt(n)
    return Interval(mean, mean - half, mean + half, sd, n, level)


def decide(interval: Interval, margin: float) -> str:
    """The verdict on "A minus B" that ``interval`` supports, with ``margin`` the smallest
    difference worth telling apart (see the module's docstring)."""
    if margin <= 0:
        raise InvalidArgument(f"margin must be positive, got {margin!r}")
    if interval.low > 0:
        return A_BETTER
    if interval.high < 0:
        return B_BETTER
    if -margin < interval.low and interval.high < margin:
        return EQUIVALENT
    return UNDECIDED


#: How a verdict stands to the paper's printed difference (:func:`agreement`).
SAME_DIRECTION = "same direction as the paper"
OPPOSITE_DIRECTION = "opposite direction"
NO_DIFFERENCE = "no difference as large as the margin"
TOO_CLOSE = "too close to call"


def agreement(verdict: str, paper_difference: float) -> str:
    """How a verdict on "A minus B" stands to the paper's printed difference (A minus B): decided
    in the paper's direction, decided in the opposite one, an effect as large as the margin ruled
    out, or too close to call. It compares directions only: a small run that measures something
    else (say, accuracy after one short epoch) can neither confirm nor refute the paper's sizes."""
    if verdict == UNDECIDED:
        return TOO_CLOSE
    if verdict == EQUIVALENT:
        return NO_DIFFERENCE
    paper_a_better = paper_difference > 0
    return SAME_DIRECTION if (verdict == A_BETTER) == paper_a_better else OPPOSITE_DIRECTION


def far_below(values: Sequence[float], tolerance: float) -> list[bool]:
    """Which of ``values`` (one network's accuracies over seeds) lie more than ``tolerance`` below
    their median: runs that failed (diverged) rather than varied. With three or more values one
    failed run cannot drag the median down with it; with two, the lower one is flagged when the
    gap exceeds twice the tolerance."""
    if tolerance <= 0:
        raise ValueError(f"tolerance must be positive, got {tolerance!r}")
    v = [float(x) for x in values]
    if not v:
        return []
    median = statistics.median(v)
    return [x < median - tolerance for x in v]

"""mnetcalc.stats: the t distribution against values computed by hand from its closed forms and
against printed tables, the paired interval and the verdicts on hand-made differences."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mnetcalc import stats


def test_two_sided_probability_by_hand():
    # df = 1 (Cauchy): P(|T| <= 1) = 2 atan(1) / pi = 1/2
    assert stats.t_two_sided_probability(1, 1) == pytest.approx(0.5)
    # df = 2: P(|T| <= t) = t / sqrt(t^2 + 2); at t = sqrt(2): 1 / sqrt(2)
    assert stats.t_two_sided_probability(math.sqrt(2), 2) == pytest.approx(1 / math.sqrt(2))
    # df = 3, t = sqrt(3): theta = pi/4, (2/pi)(pi/4 + 1/2) = 1/2 + 1/pi
    assert stats.t_two_sided_probability(math.sqrt(3), 3) == pytest.approx(0.5 + 1 / math.pi)
    # df = 4, t = 2: theta = pi/4, sin(pi/4)(1 + cos^2(pi/4)/2) = (sqrt(2)/2)(5/4)
    assert stats.t_two_sided_probability(2, 4) == pytest.approx(5 * math.sqrt(2) / 8)
    assert stats.t_two_sided_probability(0, 7) == 0
    assert stats.t_two_sided_probability(-1, 1) == pytest.approx(0.5)


def test_critical_values_by_hand():
    # df = 1: 2 theta / pi = 0.95 -> t = tan(0.95 pi / 2)
    assert stats.t_critical(1) == pytest.approx(math.tan(0.95 * math.pi / 2), rel=1e-9)
    # df = 2: t / sqrt(t^2 + 2) = L -> t = sqrt(2 L^2 / (1 - L^2))
    for level in (0.9, 0.95, 0.99):
        expected = math.sqrt(2 * level**2 / (1 - level**2))
        assert stats.t_critical(2, level) == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize(
    ("df", "printed"),  # two-sided 95% values as printed in the usual t tables
    [(3, 3.182), (4, 2.776), (5, 2.571), (9, 2.262), (29, 2.045)],
)
def test_critical_values_as_printed(df, printed):
    assert stats.t_critical(df) == pytest.approx(printed, abs=5e-4)


@given(st.integers(min_value=1, max_value=60), st.floats(min_value=0.5, max_value=0.995))
def test_critical_value_inverts_the_probability(df, level):
    assert stats.t_two_sided_probability(stats.t_critical(df, level), df) == pytest.approx(level)


def test_mean_interval_by_hand():
    # mean 2, sd 1, n 3: half-width t(2) / sqrt(3), t(2) = sqrt(2 * .9025 / .0975)
    interval = stats.mean_interval([1, 2, 3])
    half = math.sqrt(2 * 0.9025 / 0.0975) / math.sqrt(3)
    assert (interval.mean, interval.sd, interval.n) == (2, 1, 3)
    assert interval.low == pytest.approx(2 - half)
    assert interval.high == pytest.approx(2 + half)
    assert interval.half_width == pytest.approx(half)
    # two differences: sd sqrt(1/2), half-width tan(0.95 pi / 2) * sqrt(1/2) / sqrt(2)
    interval = stats.mean_interval([0.5, 1.5])
    assert interval.half_width == pytest.approx(math.tan(0.95 * math.pi / 2) / 2)


def test_mean_interval_needs_two():
    with pytest.raises(ValueError, match="at least two values"):
        stats.mean_interval([1.0])


def interval(low, high):
    return stats.Interval((low + high) / 2, low, high, sd=1.0, n=5, level=0.95)


def test_verdicts():
    assert stats.decide(interval(0.1, 2.0), margin=0.5) == stats.A_BETTER
    assert stats.decide(interval(-2.0, -0.1), margin=0.5) == stats.B_BETTER
    assert stats.decide(interval(-0.3, 0.4), margin=0.5) == stats.EQUIVALENT
    assert stats.decide(interval(-0.3, 0.6), margin=0.5) == stats.UNDECIDED
    assert stats.decide(interval(-1.0, 1.0), margin=0.5) == stats.UNDECIDED
    with pytest.raises(ValueError, match="margin"):
        stats.decide(interval(0.1, 0.2), margin=0)


def test_agreement_with_the_paper():
    assert stats.agreement(stats.A_BETTER, +1.1) == "same direction as the paper"
    assert stats.agreement(stats.B_BETTER, +1.1) == "opposite direction"
    assert stats.agreement(stats.B_BETTER, -3.0) == "same direction as the paper"
    assert stats.agreement(stats.EQUIVALENT, +1.1) == "no difference as large as the margin"
    assert stats.agreement(stats.UNDECIDED, +1.1) == "too close to call"


def test_far_below_flags_a_diverged_seed():
    # the case issue 20 found: two seeds near 72%, one that diverged to 52.6%
    assert stats.far_below([72.65, 72.45, 52.6], tolerance=10) == [False, False, True]
    # ordinary seed-to-seed spread is not flagged
    assert stats.far_below([77.93, 77.93, 72.42], tolerance=10) == [False, False, False]
    # a seed far *above* the others is not a failure
    assert stats.far_below([50.0, 51.0, 80.0], tolerance=10) == [False, False, False]
    # two values: median is their mean, the lower flagged only if the gap exceeds 2 * tolerance
    assert stats.far_below([80.0, 59.0], tolerance=10) == [False, True]
    assert stats.far_below([80.0, 61.0], tolerance=10) == [False, False]
    assert stats.far_below([], tolerance=10) == []
    with pytest.raises(ValueError, match="tolerance"):
        stats.far_below([1.0, 2.0], tolerance=0)


@given(st.lists(st.floats(0, 100), min_size=3, max_size=9), st.floats(0.1, 50))
def test_far_below_never_flags_a_majority(values, tolerance):
    # the median is never below itself: at most the values under it can be flagged
    assert sum(stats.far_below(values, tolerance)) <= len(values) // 2

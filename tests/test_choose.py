"""``mnetcalc.choose``: ranking, the Pareto front and the edge budgets, on checkpoints and latencies
made up for the test (so that what fits is known by hand), then on the published checkpoints."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mnetcalc import InvalidArgument
from mnetcalc.checkpoints import Checkpoint, published_checkpoints
from mnetcalc.choose import Budget, NothingFits, choose, pareto_front


def v1(name, alpha, res, top1, quantized=False):
    options = (("alpha", alpha), ("resolution", res))
    return Checkpoint(
        name, "v1", "mobilenet_v1", options, quantized=quantized, top1=top1,
        mult_adds_m=0, params_m=0,
    )  # fmt: skip


def by_mult_adds(report):
    """A made-up latency: 1 ms per 100 M mult-adds."""
    return report.mult_adds / 1e8


# Exact mult-adds of these configurations (tests/test_paper_tables.py holds them against Table 6-7):
# 1.0/224 568.7 M -> 5.69 ms, 0.5/160 76.5 M -> 0.77 ms, 0.25/128 13.6 M -> 0.14 ms.
POOL = [
    v1("big", 1.0, 224, 70.9),
    v1("mid", 0.5, 160, 59.1),
    v1("small", 0.25, 128, 41.5),
]


def test_ranked_by_top1_and_only_what_fits():
    ranked = choose(Budget(latency_ms=1.0), by_mult_adds, checkpoints=POOL)
    assert [c.checkpoint.name for c in ranked] == ["mid", "small"]


def test_everything_fits_a_generous_budget():
    ranked = choose(Budget(latency_ms=1e6, size_mb=1e6), by_mult_adds, checkpoints=POOL)
    assert [c.checkpoint.name for c in ranked] == ["big", "mid", "small"]
    # each is faster and less accurate than the one before: all on the front
    assert all(c.pareto for c in ranked)


def test_nothing_fits_names_the_nearest_miss():
    with pytest.raises(NothingFits) as raised:
        choose(Budget(latency_ms=0.1), by_mult_adds, checkpoints=POOL)
    assert raised.value.nearest.checkpoint.name == "small"
    message = str(raised.value)
    assert "small" in message and "--latency-ms 0.1" in message and "\n" not in message
    # 0.1357 ms against 0.1 ms: 36 % over
    assert "36 % over" in message


def test_ties_in_top1_go_to_the_faster_then_by_name():
    pool = [v1("b", 0.5, 224, 60.0), v1("a", 0.5, 224, 60.0), v1("c", 0.5, 128, 60.0)]
    ranked = choose(Budget(latency_ms=10), by_mult_adds, checkpoints=pool)
    assert [c.checkpoint.name for c in ranked] == ["c", "a", "b"]
    # c is as accurate and faster: a and b are dominated, and equal to each other
    assert [c.pareto for c in ranked] == [True, False, False]


def test_quantized_only_when_asked():
    pool = [v1("f", 0.25, 128, 41.5), v1("q", 0.25, 128, 39.9, quantized=True)]
    assert [
        c.checkpoint.name for c in choose(Budget(latency_ms=9), by_mult_adds, checkpoints=pool)
    ] == ["f"]
    both = choose(Budget(latency_ms=9), by_mult_adds, checkpoints=pool, quantized=True)
    assert {c.checkpoint.name for c in both} == {"f", "q"}


def test_int8_size_is_a_quarter_of_the_weights_plus_32_bit_biases():
    (choice,) = choose(Budget(latency_ms=9), by_mult_adds, checkpoints=[POOL[2]])
    report = POOL[2].config().cost()
    # BatchNorm folded: one bias per BatchNorm channel (scale and shift are 2 per channel)
    biases = report.bias_params + report.bn_params // 2
    assert choice.size_mb_float32 == pytest.approx(4 * (report.params + biases) / 1e6)
    assert choice.size_mb_int8 == pytest.approx((report.params + 4 * biases) / 1e6)


def test_size_budget_uses_the_released_precision():
    q = v1("q", 1.0, 224, 69.7, quantized=True)  # 4.2 M weights: about 4.3 MB in int8
    ranked = choose(Budget(size_mb=5), by_mult_adds, checkpoints=[POOL[0], q], quantized=True)
    assert [c.checkpoint.name for c in ranked] == ["q"]


@pytest.mark.parametrize(
    "budget",
    [dict(latency_ms=0), dict(latency_ms=-1), dict(size_mb=math.nan), dict(mult_adds_m="x")],
)
def test_bad_budget_is_refused_by_name(budget):
    (name,) = budget
    with pytest.raises(InvalidArgument, match=name):
        Budget(**budget)


def test_unknown_family_is_refused():
    with pytest.raises(InvalidArgument, match="family"):
        choose(Budget(latency_ms=5), by_mult_adds, families=["v9"])


@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5)), min_size=1, max_size=12))
def test_pareto_front_is_exactly_the_undominated(points):
    class C:  # the two fields pareto_front reads
        def __init__(self, i, top1, ms):
            self.checkpoint = type("K", (), {"name": str(i), "top1": top1})()
            self.latency_ms = ms

    choices = [C(i, a, t) for i, (a, t) in enumerate(points)]
    front = pareto_front(choices)

    def dominates(o, c):
        better = o.checkpoint.top1 > c.checkpoint.top1 or o.latency_ms < c.latency_ms
        return o.checkpoint.top1 >= c.checkpoint.top1 and o.latency_ms <= c.latency_ms and better

    for c in choices:
        assert (c.checkpoint.name in front) == (not any(dominates(o, c) for o in choices))


def test_published_checkpoints_rank_with_any_budget():
    ranked = choose(Budget(latency_ms=3), by_mult_adds)
    assert ranked and all(c.latency_ms <= 3 for c in ranked)
    tops = [c.checkpoint.top1 for c in ranked]
    assert tops == sorted(tops, reverse=True)
    assert len(published_checkpoints()) >= 16 * 2 + 22

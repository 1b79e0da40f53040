"""``mnetcalc.latency_model.choose``: ranking, the Pareto front and the edge budgets, on
checkpoints and latencies made up for the test (so that what fits is known by hand), then on the
published checkpoints; the interval's upper end against the budget, the margin (0: the median
alone), thread counts, the checkpoints trained on more data, and the command that times each
pick."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mnetcalc import InvalidArgument
from mnetcalc.latency_model import Estimate, shipped_calibration
from mnetcalc.latency_model.checkpoints import Checkpoint, published_checkpoints
from mnetcalc.latency_model.choose import (
    Budget,
    NothingFits,
    candidate,
    choose,
    option_words,
    pareto_front,
)


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


# -- the interval, the margin and the edge budgets -------------------------------------------------


def with_interval(report):
    """A made-up prediction: median 1 ms per 100 M mult-adds, interval 0.9 to 1.2 times it."""
    median = report.mult_adds / 1e8
    return Estimate(median, 0.9 * median, 1.2 * median, 1)


SMALL = POOL[2]  # v1 0.25/128
SMALL_MEDIAN = SMALL.config().cost().mult_adds / 1e8


def fitting(budget_ms, **options) -> list[str]:
    try:
        ranked = choose(Budget(latency_ms=budget_ms), with_interval, checkpoints=[SMALL], **options)
    except NothingFits:
        return []
    return [c.checkpoint.name for c in ranked]


def test_the_upper_end_of_the_interval_must_fit():
    high = 1.2 * SMALL_MEDIAN
    assert fitting(high) == ["small"]  # exactly at the budget: fits
    assert fitting(math.nextafter(high, 0)) == []  # just over: does not
    assert fitting(SMALL_MEDIAN) == []  # the median fits, the interval does not


def test_a_margin_replaces_the_interval():
    assert fitting(SMALL_MEDIAN, margin=0) == ["small"]  # margin 0: the median alone
    assert fitting(math.nextafter(SMALL_MEDIAN, 0), margin=0) == []
    assert fitting(1.5 * SMALL_MEDIAN, margin=0.5) == ["small"]
    assert fitting(math.nextafter(1.5 * SMALL_MEDIAN, 0), margin=0.5) == []
    (only,) = choose(Budget(latency_ms=1), with_interval, checkpoints=[SMALL], margin=0.25)
    assert only.margin_used == 0.25 and only.upper_ms == pytest.approx(1.25 * SMALL_MEDIAN)
    (own,) = choose(Budget(latency_ms=1), with_interval, checkpoints=[SMALL])
    assert own.margin_used == pytest.approx(0.2) and own.upper_ms == own.latency.high_ms


@pytest.mark.parametrize("margin", [-0.01, -1, math.nan, math.inf, "x", True, 11])
def test_a_bad_margin_is_refused_by_name(margin):
    with pytest.raises(InvalidArgument) as error:
        choose(Budget(latency_ms=1), with_interval, checkpoints=[SMALL], margin=margin)
    assert error.value.name == "margin"


def test_the_nearest_miss_is_measured_by_the_upper_end():
    with pytest.raises(NothingFits) as raised:
        choose(Budget(latency_ms=SMALL_MEDIAN), with_interval, checkpoints=[SMALL])
    assert "20 % over" in str(raised.value) and "margin 20 %" in str(raised.value)


def test_a_calibration_is_the_default_and_its_interval_counts():
    shipped = shipped_calibration()
    by_default = choose(Budget(latency_ms=3))  # conftest: the lookup finds the shipped one
    assert by_default == choose(Budget(latency_ms=3), shipped)
    for c in by_default:
        estimate = shipped.estimate(c.checkpoint.config().cost())
        assert c.latency == estimate and estimate.high_ms <= 3
    # at the exact upper end of the slowest pick's interval it still fits, just under it not
    slowest = max(by_default, key=lambda c: c.latency.high_ms)
    edge = choose(Budget(latency_ms=slowest.latency.high_ms), shipped)
    assert slowest.checkpoint.name in [c.checkpoint.name for c in edge]
    under = choose(Budget(latency_ms=math.nextafter(slowest.latency.high_ms, 0)), shipped)
    assert slowest.checkpoint.name not in [c.checkpoint.name for c in under]


def test_threads_pick_the_model_and_a_missing_count_is_refused():
    shipped = shipped_calibration()
    (first, *_) = choose(Budget(latency_ms=3), shipped, threads=2)
    assert first.latency.threads == 2 and first.command.endswith("--optimize --threads 2")
    with pytest.raises(InvalidArgument, match="only of 1, 2"):
        choose(Budget(latency_ms=3), shipped, threads=3)


def test_families_may_be_one_string():
    ranked = choose(Budget(latency_ms=1e6), by_mult_adds, families="v2")
    assert {c.checkpoint.family for c in ranked} == {"v2"}


class Trained(Checkpoint):
    """A checkpoint with the fields a MobileNetV4 release adds (``extra_data``, ``trainer``)."""

    __slots__ = ("extra_data", "trainer")

    def __init__(self, *args, extra_data=False, trainer="timm", **options):
        super().__init__(*args, **options)
        self._set(extra_data=extra_data, trainer=trainer)


def test_extra_data_checkpoints_can_be_left_out_and_the_trainer_is_named():
    options = (("alpha", 0.5), ("resolution", 160))
    more = Trained("more", "v1", "mobilenet_v1", options, top1=80, mult_adds_m=0, params_m=0,
                   extra_data=True)  # fmt: skip
    pool = [more, *POOL]
    every = choose(Budget(latency_ms=1e6), by_mult_adds, checkpoints=pool)
    assert [c.checkpoint.name for c in every][0] == "more" and every[0].trainer == "timm"
    assert every[1].trainer == "TF-slim"
    only_1k = choose(Budget(latency_ms=1e6), by_mult_adds, checkpoints=pool, extra_data=False)
    assert "more" not in [c.checkpoint.name for c in only_1k]


def test_each_choice_names_the_command_that_times_it():
    (pick,) = choose(Budget(latency_ms=1e6), with_interval, checkpoints=[SMALL])
    assert pick.command == (
        "mnetcalc bench --network mobilenet_v1 --alpha 0.25 --res 128 --optimize --threads 1"
    )
    assert option_words(SMALL) == ["--network", "mobilenet_v1", "--alpha", "0.25", "--res", "128"]


# -- what is costed: the activations' peak only when needed, each architecture once ---------------


def test_the_activations_peak_is_counted_only_where_it_is_needed(monkeypatch):
    from mnetcalc.latency_model import choose as module

    counted = []
    real = module.network_memory
    monkeypatch.setattr(module, "network_memory", lambda *a: counted.append(a) or real(*a))
    pool = [c for c in published_checkpoints() if c.family == "v1"]
    architectures = {(c.network, c.options) for c in pool}

    # a latency budget: only the picks' architectures (each once), for their memory column
    ranked = choose(Budget(latency_ms=1), by_mult_adds, checkpoints=pool, quantized=True)
    picked = {(c.checkpoint.network, c.checkpoint.options) for c in ranked}
    assert len(counted) == len(picked) < len(architectures)
    assert all(c.memory_mb > 0 for c in ranked)

    # nothing fits: only the nearest miss, whose message names its memory
    counted.clear()
    with pytest.raises(NothingFits, match="MB peak activations"):
        choose(Budget(latency_ms=0.01), by_mult_adds, checkpoints=pool)
    assert len(counted) == 1

    # a memory budget: every architecture, once (an 8-bit checkpoint shares its float one's)
    counted.clear()
    choose(Budget(memory_mb=1), by_mult_adds, checkpoints=pool, quantized=True)
    assert len(counted) == len(architectures) < len(pool)


V1_POOL = [c for c in published_checkpoints() if c.family == "v1"]


@settings(max_examples=30, deadline=None)
@given(
    latency_ms=st.one_of(st.none(), st.floats(0.05, 8)),
    size_mb=st.one_of(st.none(), st.floats(0.3, 20)),
    memory_mb=st.one_of(st.none(), st.floats(0.05, 5)),
    margin=st.one_of(st.none(), st.just(0.0), st.floats(0, 1)),
)
def test_counting_the_peak_lazily_changes_no_answer(latency_ms, size_mb, memory_mb, margin):
    # the same ranking (or the same nearest miss) as from every checkpoint costed in full
    budget = Budget(latency_ms, size_mb, memory_mb=memory_mb)
    full = [candidate(c, lambda report, name: with_interval(report), margin) for c in V1_POOL]
    fits = [c for c in full if budget.excess(c) == 0.0]
    try:
        ranked = choose(budget, with_interval, checkpoints=V1_POOL, quantized=True, margin=margin)
    except NothingFits as miss:
        nearest = min(full, key=lambda c: (budget.excess(c), c.latency_ms))
        assert not fits and str(miss) == str(NothingFits(budget, nearest))
        return
    front = pareto_front(fits)
    expected = sorted(fits, key=lambda c: (-c.checkpoint.top1, c.latency_ms, c.checkpoint.name))
    assert ranked == [c.replace(pareto=c.checkpoint.name in front) for c in expected]


def test_nothing_fits_costs_each_architecture_once_and_the_hint_follows_the_margin():
    # v1 0.25/128: median 0.136 ms (interval up to 0.163 ms), 1.9 MB in float32, 0.5 MB in int8
    costed = []

    def latency(report):
        costed.append(report)
        return with_interval(report)

    budget = Budget(latency_ms=0.14, size_mb=1)
    floats = {(c.network, c.options) for c in V1_POOL if not c.quantized}
    with pytest.raises(NothingFits) as held_to_the_interval:
        choose(budget, latency, families="v1")
    # the 8-bit checkpoints were judged on their float twins' costs: no architecture costed twice
    assert len(costed) == len(floats)
    assert "--quantized" not in str(held_to_the_interval.value)  # 0.163 ms > 0.14 ms
    with pytest.raises(NothingFits) as held_to_the_median:
        choose(budget, latency, families="v1", margin=0)
    assert str(held_to_the_median.value).endswith("; an 8-bit checkpoint fits it: add --quantized")
    assert [
        c.checkpoint.name for c in choose(budget, latency, families="v1", margin=0, quantized=True)
    ] == ["mobilenet_v1_0.25_128_quant"]

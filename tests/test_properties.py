"""Laws that hold for every valid input (hypothesis)."""

import json
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mnetcalc
from mnetcalc.core.layers import CONV, CONV_DW, CONV_PW, FC

alphas = st.floats(min_value=0.05, max_value=2.0, allow_nan=False)
resolutions = st.integers(min_value=1, max_value=512)
variants = st.sampled_from(mnetcalc.VARIANTS)


@given(
    dk=st.integers(1, 11),
    m=st.integers(1, 2048),
    n=st.integers(1, 2048),
    df=st.integers(1, 300),
    alpha=st.floats(0.1, 2.0),
    rho=st.floats(0.1, 2.0),
)
def test_separable_over_standard_is_one_over_n_plus_one_over_dk_squared(dk, m, n, df, alpha, rho):
    c = mnetcalc.layer_comparison(dk, m, n, df, alpha=alpha, rho=rho)
    assert c.ratio == Fraction(1, c.n) + Fraction(1, dk * dk)
    # The ratio holds for the weights too (the Df² factor cancels).
    assert Fraction(c.separable[1], c.standard[1]) == c.ratio


@given(alpha=alphas, resolution=resolutions)
def test_every_standard_layer_costs_the_separable_pair_divided_by_the_ratio(alpha, resolution):
    sep = mnetcalc.mobilenet_v1_cost(alpha, resolution=resolution)
    std = mnetcalc.mobilenet_v1_cost(alpha, resolution=resolution, variant="standard")
    for block in range(1, 14):
        pair = sep.layer(f"conv{block}_dw").mult_adds + sep.layer(f"conv{block}_pw").mult_adds
        full = std.layer(f"conv{block}")
        assert Fraction(pair, full.mult_adds) == mnetcalc.reduction_ratio(3, full.out_channels)


@given(a=alphas, b=alphas, resolution=resolutions, variant=variants)
def test_totals_grow_with_alpha(a, b, resolution, variant):
    small, large = sorted((a, b))
    lo = mnetcalc.mobilenet_v1_cost(small, resolution=resolution, variant=variant)
    hi = mnetcalc.mobilenet_v1_cost(large, resolution=resolution, variant=variant)
    assert lo.mult_adds <= hi.mult_adds and lo.params <= hi.params


@given(alpha=alphas, a=resolutions, b=resolutions, variant=variants)
def test_totals_grow_with_resolution_and_params_do_not_depend_on_it(alpha, a, b, variant):
    small, large = sorted((a, b))
    lo = mnetcalc.mobilenet_v1_cost(alpha, resolution=small, variant=variant)
    hi = mnetcalc.mobilenet_v1_cost(alpha, resolution=large, variant=variant)
    assert lo.mult_adds <= hi.mult_adds
    assert lo.params == hi.params


@given(k=st.integers(8, 64), resolution=resolutions, variant=variants)
def test_alpha_squared_law_is_exact_when_channels_scale_exactly(k, resolution, variant):
    # With alpha = k/32 every channel count (all multiples of 32) scales to a whole number:
    # pointwise and standard 3x3 layers between scaled layers cost alpha² times as much, depthwise
    # layers, the stem (3 input channels) and the classifier (1000 outputs) alpha times as much.
    alpha = Fraction(k, 32)
    full = mnetcalc.mobilenet_v1_cost(1.0, resolution=resolution, variant=variant)
    narrow = mnetcalc.mobilenet_v1_cost(float(alpha), resolution=resolution, variant=variant)
    for f, s in zip(full.layers, narrow.layers):
        if f.name == "conv0" or f.type in (CONV_DW, FC):
            assert s.mult_adds == alpha * f.mult_adds, f.name
        elif f.type in (CONV, CONV_PW):
            assert s.mult_adds == alpha * alpha * f.mult_adds, f.name


@given(alpha=st.floats(0.25, 2.0), resolution=resolutions)
def test_alpha_squared_law_up_to_rounding(alpha, resolution):
    # floor(alpha·c) >= alpha·c - 1 and c >= 32, so a pointwise layer keeps at least (1 -
    # 1/(32·alpha))² of alpha² times its full cost, and never more than alpha² times it.
    full = mnetcalc.mobilenet_v1_cost(1.0, resolution=resolution)
    narrow = mnetcalc.mobilenet_v1_cost(alpha, resolution=resolution)
    low = (1 - 1 / (32 * alpha)) ** 2
    for f, s in zip(full.layers, narrow.layers):
        if f.type == CONV_PW:
            expected = alpha * alpha * f.mult_adds
            assert low * expected * (1 - 1e-9) <= s.mult_adds <= expected * (1 + 1e-9), f.name


@given(k=st.integers(1, 16), alpha=alphas, variant=variants)
def test_rho_squared_law_is_exact_when_sides_divide_evenly(k, alpha, variant):
    # With a resolution that is a multiple of 32 every feature map scales exactly by rho = r/224:
    # every convolution costs rho² as much; the classifier does not change.
    resolution = 32 * k
    rho = Fraction(resolution, 224)
    base = mnetcalc.mobilenet_v1_cost(alpha, resolution=224, variant=variant)
    scaled = mnetcalc.mobilenet_v1_cost(alpha, resolution=resolution, variant=variant)
    for b, s in zip(base.layers, scaled.layers):
        if b.type == FC:
            assert s.mult_adds == b.mult_adds
        else:
            assert s.mult_adds == rho * rho * b.mult_adds, b.name


@given(alpha=alphas, resolution=resolutions, classes=st.integers(1, 5000), variant=variants)
def test_rows_sum_to_totals_and_types_to_one(alpha, resolution, classes, variant):
    r = mnetcalc.mobilenet_v1_cost(
        alpha, resolution=resolution, num_classes=classes, variant=variant
    )
    total = r.to_dict()["total"]
    assert total["mult_adds"] == sum(row.mult_adds for row in r.layers) == r.mult_adds
    assert total["params"] == sum(row.params for row in r.layers) == r.params
    assert total["bias_params"] == classes
    types = r.by_type()
    assert sum(t["mult_adds"] for t in types.values()) == r.mult_adds
    assert sum(t["params"] for t in types.values()) == r.params
    assert sum(t["params_share"] for t in types.values()) == pytest.approx(1.0)


@given(alpha=alphas, resolution=resolutions, classes=st.integers(1, 5000), variant=variants)
@settings(max_examples=50)
def test_json_round_trips(alpha, resolution, classes, variant):
    data = mnetcalc.mobilenet_v1_cost(
        alpha, resolution=resolution, num_classes=classes, variant=variant
    ).to_dict()
    assert json.loads(json.dumps(data)) == data


@given(alpha=alphas, resolution=resolutions)
def test_feature_maps_follow_same_padding(alpha, resolution):
    r = mnetcalc.mobilenet_v1_cost(alpha, resolution=resolution)
    for prev, row in zip(r.layers, r.layers[1:]):
        assert row.input_size == prev.output_size
    for row in r.layers:
        if row.type != FC and row.type != "avgpool":
            assert row.output_size == -(-row.input_size // row.stride)

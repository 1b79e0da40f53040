"""Memory traffic and arithmetic intensity: hand counts and properties."""

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mnetcalc
from mnetcalc import InvalidArgument, LayerCost, layer_traffic, mobilenet_v1_cost, network_traffic
from mnetcalc.traffic import layer_bytes

alphas = st.sampled_from([1.0, 0.75, 0.5, 0.25, 0.35, 1.3]) | st.floats(0.05, 2.0)
resolutions = st.integers(1, 300)
widths = st.sampled_from([1, 2, 4, 8])


def pointwise_row(m, n, df):
    return LayerCost("pw", "conv_pw", 1, 1, m, n, df, df, m * n * df * df, m * n, bn_params=2 * n)


# -- hand counts
# ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("m, n, df", [(32, 64, 112), (512, 512, 14), (1024, 1024, 7), (8, 16, 1)])
def test_pointwise_intensity_is_the_closed_form(m, n, df):
    row = layer_traffic(pointwise_row(m, n, df), bias=False)
    expected = Fraction(m * n * df * df, 4 * (m * df * df + n * df * df + m * n))
    assert Fraction(row.mult_adds, row.bytes) == expected
    assert row.intensity == pytest.approx(float(expected), rel=1e-12)
    assert row.flop_intensity == pytest.approx(2 * float(expected), rel=1e-12)


def test_folded_batchnorm_adds_one_bias_per_output_channel():
    m, n, df = 32, 64, 112
    with_bias = layer_traffic(pointwise_row(m, n, df))
    without = layer_traffic(pointwise_row(m, n, df), bias=False)
    assert with_bias.weight_bytes - without.weight_bytes == 4 * n
    assert with_bias.input_bytes == without.input_bytes == 4 * m * df * df


def test_conv1_pw_of_mobilenet_224_by_hand():
    # 112x112x32 in, 1x1x32x64 weights + 64 folded biases, 112x112x64 out, float32.
    row = network_traffic(mobilenet_v1_cost(1.0, resolution=224)).layer("conv1_pw")
    assert row.input_bytes == 4 * 112 * 112 * 32 == 1_605_632
    assert row.weight_bytes == 4 * (32 * 64 + 64) == 8_448
    assert row.output_bytes == 4 * 112 * 112 * 64 == 3_211_264
    assert row.mult_adds == 112 * 112 * 32 * 64


def test_strided_depthwise_layer_by_hand():
    # conv2_dw: 112x112x64 in, stride 2, 56x56x64 out, 3x3x64 weights + 64 biases.
    row = network_traffic(mobilenet_v1_cost(1.0, resolution=224)).layer("conv2_dw")
    assert row.input_bytes == 4 * 112 * 112 * 64
    assert row.weight_bytes == 4 * (9 * 64 + 64)
    assert row.output_bytes == 4 * 56 * 56 * 64
    assert Fraction(row.mult_adds, row.bytes) == Fraction(
        9 * 64 * 56 * 56, 4 * (64 * 112 * 112 + 640 + 64 * 56 * 56)
    )


def test_stem_and_classifier_by_hand():
    traffic = network_traffic(mobilenet_v1_cost(1.0, resolution=224))
    stem = traffic.layer("conv0")
    assert (stem.input_bytes, stem.weight_bytes, stem.output_bytes) == (
        4 * 224 * 224 * 3,
        4 * (3 * 3 * 3 * 32 + 32),
        4 * 112 * 112 * 32,
    )
    fc = traffic.layer("fc")  # 1024 features in, 1024x1000 weights + 1000 biases, 1000 logits out
    assert (fc.input_bytes, fc.weight_bytes, fc.output_bytes) == (
        4 * 1024,
        4 * (1024 * 1000 + 1000),
        4 * 1000,
    )
    pool = traffic.layer("avgpool")  # no weights, no mult-adds in the paper's convention
    assert (pool.input_bytes, pool.weight_bytes, pool.output_bytes, pool.intensity) == (
        4 * 7 * 7 * 1024,
        0,
        4 * 1024,
        0.0,
    )


def test_depthwise_layers_move_far_more_bytes_per_mult_add_than_pointwise_ones():
    # The paper's Table 2: depthwise layers hold about 3% of the mult-adds. Their share of the bytes
    # is far larger (computed here independently from the shapes of MobileNet-224's 13 depthwise
    # layers).
    traffic = network_traffic(mobilenet_v1_cost(1.0, resolution=224))
    summary = traffic.by_type()
    shapes = [
        (32, 112, 112),
        (64, 112, 56),
        (128, 56, 56),
        (128, 56, 28),
        (256, 28, 28),
        (256, 28, 14),
    ]
    shapes += [(512, 14, 14)] * 5 + [(512, 14, 7), (1024, 7, 7)]
    dw_bytes = sum(4 * (m * di * di + 10 * m + m * df * df) for m, di, df in shapes)
    assert summary["conv_dw"]["bytes"] == dw_bytes
    assert summary["conv_dw"]["mult_adds"] == sum(9 * m * df * df for m, _, df in shapes)
    assert summary["conv_dw"]["intensity"] < 1.125 < summary["conv_pw"]["intensity"]


def test_element_width_and_json():
    cost = mobilenet_v1_cost(0.5, resolution=160)
    half = network_traffic(cost, bytes_per_element=2)
    full = network_traffic(cost)
    assert half.bytes * 2 == full.bytes
    data = full.to_dict()
    assert data["bytes_per_element"] == 4
    assert [row["name"] for row in data["layers"]] == [row.name for row in cost.layers]
    assert data["total"]["bytes"] == sum(row["bytes"] for row in data["layers"])


@pytest.mark.parametrize("bad", [0, -4, 2.5, "four", True])
def test_bad_element_width_names_the_value(bad):
    with pytest.raises(InvalidArgument, match="bytes_per_element"):
        network_traffic(mobilenet_v1_cost(), bytes_per_element=bad)


def test_exported_from_the_package():
    for name in ("LayerTraffic", "NetworkTraffic", "layer_traffic", "network_traffic"):
        assert name in mnetcalc.__all__


# -- properties
# --------------------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(alpha=alphas, resolution=resolutions, variant=st.sampled_from(mnetcalc.VARIANTS))
def test_each_layer_reads_what_the_previous_one_wrote(alpha, resolution, variant):
    traffic = network_traffic(mobilenet_v1_cost(alpha, resolution=resolution, variant=variant))
    rows = list(traffic)
    assert rows[0].input_bytes == 4 * 3 * resolution * resolution
    for before, after in zip(rows, rows[1:]):
        assert after.input_bytes == before.output_bytes
    assert traffic.bytes == sum(r.input_bytes + r.weight_bytes + r.output_bytes for r in rows)
    assert (
        traffic.mult_adds
        == mobilenet_v1_cost(alpha, resolution=resolution, variant=variant).mult_adds
    )


@settings(max_examples=60, deadline=None)
@given(alpha=alphas, resolution=resolutions, width=widths)
def test_depthwise_intensity_never_exceeds_dk2_over_2b(alpha, resolution, width):
    # Dk^2*M*Df^2 / (b*(M*Di^2 + weights + M*Df^2)) <= Dk^2 / (2b) because Di >= Df.
    for row in network_traffic(
        mobilenet_v1_cost(alpha, resolution=resolution), bytes_per_element=width
    ):
        if row.type == "conv_dw":
            assert Fraction(row.mult_adds, row.bytes) < Fraction(9, 2 * width)


@settings(max_examples=60, deadline=None)
@given(alpha=alphas, resolution=resolutions, width=widths)
def test_weights_and_traffic_scale_with_element_width(alpha, resolution, width):
    cost = mobilenet_v1_cost(alpha, resolution=resolution)
    one = network_traffic(cost, bytes_per_element=1, bias=False)
    wide = network_traffic(cost, bytes_per_element=width, bias=False)
    for narrow_row, wide_row, cost_row in zip(one, wide, cost.layers):
        assert (
            narrow_row.weight_bytes == cost_row.params
        )  # one byte per weight: the paper's parameter count
        assert wide_row.bytes == width * narrow_row.bytes
        # the latency model's shortcut: the same bytes without the record
        assert layer_bytes(cost_row, width, bias=False) == wide_row.bytes
        assert layer_bytes(cost_row) == layer_traffic(cost_row).bytes
        assert wide_row.intensity == pytest.approx(narrow_row.intensity / width, rel=1e-12)


@settings(max_examples=100, deadline=None)
@given(m=st.integers(1, 2048), n=st.integers(1, 2048), df=st.integers(1, 256), width=widths)
def test_pointwise_intensity_closed_form_property(m, n, df, width):
    row = layer_traffic(pointwise_row(m, n, df), bytes_per_element=width, bias=False)
    assert Fraction(row.mult_adds, row.bytes) == Fraction(
        m * n * df * df, width * (m * df * df + n * df * df + m * n)
    )
    # Bounded by each term alone: never more than the intensity of reading only the weights, etc.
    assert row.intensity < Fraction(m * n * df * df, width * m * n)

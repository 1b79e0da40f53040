"""Counting conventions (mnetcalc.conventions) and which of them reproduce each printed number
(mnetcalc.paper).

The facts asserted here are the ones the appendices on counting conventions and on errata state.
"""

import pytest
from hypothesis import given
from hypothesis import strategies as st

import mnetcalc
from mnetcalc import conventions, paper
from mnetcalc.conventions import Convention, rho_scaled


def millions(count):
    return count / 1e6


def test_reproduces_rounds_at_the_printed_precision():
    assert paper.reproduces(568.740352, "569")
    assert not paper.reproduces(290.6752, "290")
    assert paper.reproduces(1.319648, "1.32") and not paper.reproduces(1.319648, "1.3197")
    assert paper.reproduces(0.4636, "0.5")
    assert paper.reproduces(149.5, "150") and paper.reproduces(149.497088, "149")  # half-up
    assert paper.reproduces(15346.63, "15300", step=100) and not paper.reproduces(
        15470.26, "15300", step=100
    )
    assert paper.decimals("1.32") == 2 and paper.decimals("569") == 0


@given(scale=st.integers(1, 10**9))
def test_flops_are_twice_the_mult_adds(scale):
    report = mnetcalc.mobilenet_v1_cost(resolution=32 + scale % 300)
    assert Convention(flops=True).mult_adds(report) == 2 * report.mult_adds


def test_conventions_add_up_the_rows_they_name():
    base = mnetcalc.mobilenet_v1_cost()
    fc = base.layer("fc")
    assert Convention(classifier=False).mult_adds(base) == base.mult_adds - fc.mult_adds
    assert Convention(classifier=False).params(base) == base.params - fc.params
    assert Convention(biases=True).params(base) == base.params + 1000
    assert Convention(biases=True, batchnorm=True).params(base) == base.total_params
    vgg = mnetcalc.vgg16_cost()
    assert Convention(fully_connected=False).mult_adds(vgg) == sum(
        r.mult_adds for r in vgg.layers if r.name.startswith("conv")
    )
    squeeze = mnetcalc.squeezenet_cost()
    assert conventions.classifier_row(squeeze).name == "conv10"


def test_table_2_three_shares_reproduce_and_conv_3x3_is_a_digit_swap():
    shares = mnetcalc.mobilenet_v1_cost().by_type()
    for kind, (ma, par) in paper.TABLE_2.items():
        assert paper.reproduces(100 * shares[kind]["params_share"], par), kind
        assert paper.reproduces(100 * shares[kind]["mult_adds_share"], ma) == (kind != "conv"), kind
    # The stem: 3·3·3·32·112² = 10,838,016 of 568,740,352 mult-adds = 1.9056% -> "1.91", printed
    # "1.19" (the last two digits swapped); the printed shares sum to 99.29%, the computed ones to
    # 100%.
    computed = f"{100 * shares['conv']['mult_adds_share']:.2f}"
    assert computed == "1.91"
    assert computed[:2] + computed[3] + computed[2] == paper.TABLE_2["conv"][0]
    assert sum(share["mult_adds_share"] for share in shares.values()) == pytest.approx(1.0)
    # The parameter shares are of the weights alone: with the biases counted (the classifier's 1000
    # are all of them) the classifier's share would be 1,025,000 / 4,210,088 = 24.35%, not 24.33.
    base = mnetcalc.mobilenet_v1_cost()
    fc = base.layer("fc")
    with_biases = 100 * (fc.params + fc.bias_params) / Convention(biases=True).params(base)
    assert paper.reproduces(with_biases, "24.35")
    assert not paper.reproduces(with_biases, paper.TABLE_2["fc"][1])


def test_table_4_4866_is_the_count_without_the_classifier_but_29_3_includes_it():
    row = paper.row("Conv MobileNet")
    report = row.cost()
    matches = {
        c.name
        for c in conventions.CONVENTIONS
        if row.reproduces_mult_adds(millions(c.mult_adds(report)))
    }
    assert matches == {"no classifier", "convolutions only"}
    assert row.reproduces_params(millions(report.params))
    assert not row.reproduces_params(millions(Convention(classifier=False).params(report)))
    # ... and the same convention would print 568, not 569, for the MobileNet row of the same table.
    assert not paper.row("MobileNet").reproduces_mult_adds(
        millions(Convention(classifier=False).mult_adds(row.cost(variant="separable")))
    )


def conv_mobilenet_mult_adds_by_hand(classifier=True):
    """Table 4's Conv MobileNet: the stem, 13 full 3x3 convolutions and the classifier."""
    layers = [(32, 64, 112), (64, 128, 56), (128, 128, 56), (128, 256, 28), (256, 256, 28)]
    layers += [(256, 512, 14)] + [(512, 512, 14)] * 5 + [(512, 1024, 7), (1024, 1024, 7)]
    stem = 3 * 3 * 3 * 32 * 112 * 112
    return stem + sum(9 * m * n * side * side for m, n, side in layers) + classifier * 1024 * 1000


def test_table_4_4866_is_neither_rounded_down_nor_1001_classes():
    # The appendix's alternatives for the printed 4866, each checked: the exact count (4,867.29 M)
    # cut off is 4867, a 1001st class adds 1024, and only leaving out the classifier prints 4866.
    row = paper.row("Conv MobileNet")
    exact = row.cost().mult_adds
    assert exact == conv_mobilenet_mult_adds_by_hand()
    assert str(exact // 10**6) == "4867" != row.mult_adds
    assert not row.reproduces_mult_adds(millions(row.cost(num_classes=1001).mult_adds))
    assert row.reproduces_mult_adds(millions(conv_mobilenet_mult_adds_by_hand(classifier=False)))


def test_tables_5_and_6_are_exact_counts():
    for row in paper.TABLE_5 + paper.TABLE_6:
        report = row.cost()
        assert row.reproduces_mult_adds(millions(report.mult_adds)), row.label
        assert row.reproduces_params(millions(report.params)), row.label


def test_table_7_scales_the_224_count_by_rho_squared():
    full = mnetcalc.mobilenet_v1_cost()
    fc = full.layer("fc").mult_adds
    for row in paper.TABLE_7:
        resolution = row.config["resolution"]
        exact = row.cost()
        assert row.reproduces_mult_adds(millions(rho_scaled(full, resolution))), row.label
        # every side is a whole multiple of 224/7, so only the classifier breaks the rho² law
        rho2 = (resolution / 224) ** 2
        assert exact.mult_adds == pytest.approx((full.mult_adds - fc) * rho2 + fc, abs=1)
    assert not paper.row("1.0 MobileNet-160").reproduces_mult_adds(
        millions(paper.row("1.0 MobileNet-160").cost().mult_adds)
    )


def test_table_9_76_is_rho_squared_too():
    row = paper.row("0.50 MobileNet-160")
    assert not row.reproduces_mult_adds(millions(row.cost().mult_adds))  # 76.52
    assert row.reproduces_mult_adds(
        millions(rho_scaled(mnetcalc.mobilenet_v1_cost(0.5, resolution=224), 160))
    )  # 76.27


def test_1001_classes_change_no_printed_number():
    for row in paper.TABLE_4 + paper.TABLE_5 + paper.TABLE_6 + paper.TABLE_8[:1]:
        a, b = row.cost(), row.cost(num_classes=1001)
        assert row.reproduces_mult_adds(millions(a.mult_adds)) == row.reproduces_mult_adds(
            millions(b.mult_adds)
        )
        assert row.reproduces_params(millions(a.params)) == row.reproduces_params(
            millions(b.params)
        )


def test_bad_resolution_for_rho_scaling():
    with pytest.raises(mnetcalc.InvalidArgument, match="resolution"):
        rho_scaled(mnetcalc.mobilenet_v1_cost(), 0)

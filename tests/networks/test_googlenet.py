"""GoogLeNet (mnetcalc.networks.googlenet) against hand counts and Szegedy et al.'s Table 1."""

import pytest

import mnetcalc
from mnetcalc import paper
from mnetcalc.core.layers import CONCAT, Branches, Conv, Inception
from mnetcalc.core.network import spec_costs
from mnetcalc.networks import googlenet

# Szegedy et al. 2014, Table 1: output side and channels after each Inception module.
GOOGLENET_OUTPUTS = {
    "3a": (28, 256), "3b": (28, 480), "4a": (14, 512), "4b": (14, 512), "4c": (14, 512),
    "4d": (14, 528), "4e": (14, 832), "5a": (7, 832), "5b": (7, 1024),
}  # fmt: skip


def inception_hand_count(m, n1, r3, n3, r5, n5, pp):
    """Weights of one Inception module from ``m`` input channels (Table 1's columns)."""
    return m * n1 + m * r3 + 9 * r3 * n3 + m * r5 + 25 * r5 * n5 + m * pp


def test_googlenet_module_outputs_follow_table_1():
    net = mnetcalc.googlenet_cost()
    for module, (side, channels) in GOOGLENET_OUTPUTS.items():
        row = net.layer(f"inception{module}")
        assert (row.type, row.output_size, row.out_channels) == (CONCAT, side, channels), module
    assert [net.layer(p).output_size for p in ("pool1", "pool2", "pool3", "pool4")] == [
        56,
        28,
        14,
        7,
    ]


def test_googlenet_totals_match_a_hand_count():
    net = mnetcalc.googlenet_cost()
    widths = {
        "3a": (192, 64, 96, 128, 16, 32, 32), "3b": (256, 128, 128, 192, 32, 96, 64),
        "4a": (480, 192, 96, 208, 16, 48, 64), "4b": (512, 160, 112, 224, 24, 64, 64),
        "4c": (512, 128, 128, 256, 24, 64, 64), "4d": (512, 112, 144, 288, 32, 64, 64),
        "4e": (528, 256, 160, 320, 32, 128, 128), "5a": (832, 256, 160, 320, 32, 128, 128),
        "5b": (832, 384, 192, 384, 48, 128, 128),
    }  # fmt: skip
    sides = {k: GOOGLENET_OUTPUTS[k][0] for k in widths}
    stem = [(7 * 7 * 3 * 64, 112), (64 * 64, 56), (9 * 64 * 192, 56)]
    weights = (
        sum(w for w, _ in stem)
        + sum(inception_hand_count(*w) for w in widths.values())
        + 1024 * 1000
    )
    mult_adds = (
        sum(w * s * s for w, s in stem)
        + sum(inception_hand_count(*w) * sides[k] ** 2 for k, w in widths.items())
        + 1024 * 1000
    )
    assert net.params == weights == 6_990_272
    assert net.mult_adds == mult_adds == 1_582_671_872
    assert net.total_params == 6_998_552  # with biases: the Caffe bvlc_googlenet deploy model


def test_googlenet_table_1_ops_column_agrees_except_conv1_and_5a():
    net = mnetcalc.googlenet_cost()
    for name, (_, printed_ops) in googlenet.GOOGLENET_TABLE_1.items():
        exact = sum(row.mult_adds for row in googlenet.googlenet_table_1_rows(net, name))
        # within a million (the column rounds some rows and truncates others, e.g. 4a: 73.6 -> 73)
        assert (abs(exact / 1e6 - printed_ops) < 1) == (name not in ("conv1", "inception5a")), name
    # MobileNet's Table 8 prints 6.8 M for GoogLeNet: the sum of the params column of GoogLeNet's
    # own Table 1, not the exact count of the network (6.99 M weights).
    printed_params = sum(params for params, _ in googlenet.GOOGLENET_TABLE_1.values())
    assert paper.row("GoogleNet").reproduces_params(printed_params / 1e3)
    assert not paper.row("GoogleNet").reproduces_params(net.params / 1e6)


def test_googlenet_with_3x3_in_place_of_5x5():
    # TF-slim's and torchvision's Inception v1: the "5x5" branches use 3x3 filters.
    full, slim = mnetcalc.googlenet_cost(), mnetcalc.googlenet_cost(large_kernel=3)
    five = {"3a": (16, 32, 28), "3b": (32, 96, 28), "4a": (16, 48, 14), "4b": (24, 64, 14),
            "4c": (24, 64, 14), "4d": (32, 64, 14), "4e": (32, 128, 14), "5a": (32, 128, 7),
            "5b": (48, 128, 7)}  # fmt: skip
    assert full.params - slim.params == sum((25 - 9) * m * n for m, n, _ in five.values())
    assert full.mult_adds - slim.mult_adds == sum(
        (25 - 9) * m * n * s * s for m, n, s in five.values()
    )
    assert slim.meta["large_kernel"] == 3


def test_googlenet_auxiliary_classifiers():
    main = mnetcalc.googlenet_cost()
    both = mnetcalc.googlenet_cost(aux_classifiers=True)
    # Each: 5x5/3 avg pool to 4x4, 1x1 conv to 128, FC 2048 -> 1024, FC 1024 -> 1000.
    aux1 = 512 * 128 + 4 * 4 * 128 * 1024 + 1024 * 1000
    aux2 = 528 * 128 + 4 * 4 * 128 * 1024 + 1024 * 1000
    assert both.params - main.params == aux1 + aux2
    assert both.layer("aux1/avgpool").output_size == 4
    assert both.mult_adds - main.mult_adds == aux1 + aux2 + 15 * (512 + 528) * 128


def test_branches_concatenate_and_name_their_rows():
    rows = spec_costs(
        (("inception3a", Inception(64, 96, 128, 16, 32, 32)),), resolution=28, in_channels=192
    )
    assert [r.name for r in rows] == [
        "inception3a/1x1", "inception3a/3x3_reduce", "inception3a/3x3", "inception3a/5x5_reduce",
        "inception3a/5x5", "inception3a/pool", "inception3a/pool_proj", "inception3a",
    ]  # fmt: skip
    assert rows[-1].out_channels == 64 + 128 + 32 + 32
    assert sum(r.params for r in rows) == inception_hand_count(192, 64, 96, 128, 16, 32, 32)
    mismatched = Branches(((("a", Conv(8, 1)),), (("b", Conv(8, 3, stride=2)),)))
    with pytest.raises(mnetcalc.InvalidArgument, match="different sides"):
        list(mismatched.costs("block", 4, 8))

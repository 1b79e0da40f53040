"""SSD 300 with MobileNet v1 (mnetcalc.networks.ssd_mobilenet_v1) against hand counts, Table 13's
SSD row, fvcore.

The hand counts follow the TensorFlow Object Detection API's ssd_mobilenet_v1_coco.config and its
feature extractor (the sources named in mnetcalc/detection.py), written out here independently.
"""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mnetcalc
from mnetcalc import paper
from mnetcalc.core.layers import TAP, Conv, Tap
from mnetcalc.core.network import spec_costs
from mnetcalc.networks.ssd_mobilenet_v1 import (
    ANCHORS_PER_LOCATION,
    num_anchors,
    ssd_part,
    ssd_split,
)

# The six feature maps at 300 pixels: (side, channels), with "SAME" padding (ceil(side / 2)).
FEATURE_MAPS = [(19, 512), (10, 1024), (5, 512), (3, 256), (2, 256), (1, 128)]
# The extra layers: (input side, input channels, 1x1 depth = layer_depth / 2, 3x3 depth,
# output side)
EXTRAS = [(10, 1024, 256, 512, 5), (5, 512, 128, 256, 3), (3, 256, 128, 256, 2),
          (2, 256, 64, 128, 1)]  # fmt: skip
CLASSES = 91  # 90 COCO classes + background
BOX = 4


def test_first_box_predictor_by_hand():
    report = mnetcalc.ssd_mobilenet_v1_cost()
    box, cls = report.layer("head0/box"), report.layer("head0/class")
    # 1x1 convolutions on conv11_pw's 19x19x512 map, 3 anchors per location
    assert (box.mult_adds, box.params, box.bias_params) == (19 * 19 * 512 * 12, 512 * 12, 12)
    assert (cls.mult_adds, cls.params) == (19 * 19 * 512 * 3 * 91, 512 * 273)
    assert (box.bn_params, cls.bn_params) == (0, 0)  # no BatchNorm in the predictor
    tap = report.layer("head0")
    assert (tap.type, tap.out_channels, tap.output_size) == (TAP, 512, 19)
    # the main path goes on from the tapped map
    assert report.layer("conv12_dw").in_channels == 512


def test_feature_maps_and_anchors():
    report = mnetcalc.ssd_mobilenet_v1_cost()
    taps = [row for row in report.layers if row.type == TAP]
    assert [(row.output_size, row.out_channels) for row in taps] == FEATURE_MAPS
    assert num_anchors(report) == 1917  # the API's well-known anchor count at 300x300
    assert sum(s * s * a for (s, _), a in zip(FEATURE_MAPS, ANCHORS_PER_LOCATION)) == 1917


def test_the_split_by_hand():
    report = mnetcalc.ssd_mobilenet_v1_cost()
    split = ssd_split(report)
    # backbone: MobileNet v1's body at 300 pixels, without pooling and classifier
    v1 = mnetcalc.mobilenet_v1_cost(1.0, resolution=300)
    fc = v1.layer("fc")
    assert split["backbone"]["mult_adds"] == v1.mult_adds - fc.mult_adds == 1_055_206_336
    assert split["backbone"]["params"] == v1.params - fc.params == 3_185_088
    extra_ma = sum(m * r * s * s + 9 * r * n * o * o for s, m, r, n, o in EXTRAS)
    extra_w = sum(m * r + 9 * r * n for _, m, r, n, _ in EXTRAS)
    assert (split["extra layers"]["mult_adds"], split["extra layers"]["params"]) == (
        extra_ma,
        extra_w,
    )
    heads_w = sum(c * a * (BOX + CLASSES) for (_, c), a in zip(FEATURE_MAPS, ANCHORS_PER_LOCATION))
    heads_ma = sum(
        s * s * c * a * (BOX + CLASSES) for (s, c), a in zip(FEATURE_MAPS, ANCHORS_PER_LOCATION)
    )
    assert (split["heads"]["mult_adds"], split["heads"]["params"]) == (heads_ma, heads_w)
    assert report.mult_adds == 1_055_206_336 + extra_ma + heads_ma == 1_237_129_408
    assert report.params == 3_185_088 + extra_w + heads_w == 6_791_360


def test_table_13_ssd_row():
    # Table 13 prints SSD 300 MobileNet: 1.2 billion mult-adds, 6.8 million parameters.
    report = mnetcalc.ssd_mobilenet_v1_cost()
    assert paper.reproduces(report.mult_adds / 1e9, "1.2")
    assert paper.reproduces(report.params / 1e6, "6.8")
    # with biases and BatchNorm too, the parameters still print 6.8
    assert paper.reproduces(report.total_params / 1e6, "6.8")


def test_min_depth_16_and_the_width_multiplier():
    report = mnetcalc.ssd_mobilenet_v1_cost(0.25)
    assert report.layer("conv0").out_channels == 16  # max(floor(0.25 * 32), 16), not 8
    assert report.layer("conv13_pw").out_channels == 256
    assert report.layer("extra5_1x1").out_channels == 16  # max(floor(0.25 * 64), 16)
    assert report.layer("extra5_3x3").out_channels == 32
    assert report.layer("head5/class").in_channels == 32
    half = mnetcalc.SSDMobileNetV1Config(0.5, min_depth=8)
    assert half.cost().layer("conv0").out_channels == 16
    assert half.to_dict()["min_depth"] == 8


def test_tap_leaves_the_map_unchanged():
    spec = (("t", Tap(((("a", Conv(5, 1)),), (("b", Conv(7, 3, 2)),)))),)
    rows = spec_costs(spec, resolution=9, in_channels=4)
    assert [(r.name, r.out_channels, r.output_size) for r in rows] == [
        ("t/a", 5, 9),
        ("t/b", 7, 5),
        ("t", 4, 9),
    ]


@given(
    alpha=st.floats(min_value=0.1, max_value=2.0),
    resolution=st.integers(min_value=1, max_value=640),
    classes=st.integers(min_value=1, max_value=200),
)
def test_laws_for_any_configuration(alpha, resolution, classes):
    report = mnetcalc.ssd_mobilenet_v1_cost(alpha, resolution=resolution, num_classes=classes)
    # no layer's weights depend on the input's side (no fully connected layer)
    other = mnetcalc.ssd_mobilenet_v1_cost(alpha, resolution=300, num_classes=classes)
    assert report.params == other.params
    boxes = [row for row in report.layers if row.name.endswith("/box")]
    scores = [row for row in report.layers if row.name.endswith("/class")]
    assert [row.out_channels for row in boxes] == [4 * a for a in ANCHORS_PER_LOCATION]
    assert [row.out_channels for row in scores] == [classes * a for a in ANCHORS_PER_LOCATION]
    # min_depth: every layer of the backbone and the extra layers has at least 16 channels
    assert all(row.out_channels >= 16 for row in report.layers if ssd_part(row) != "heads")
    assert sum(ssd_split(report)[part]["mult_adds"] for part in ssd_split(report)) == (
        report.mult_adds
    )


# -- fvcore, layer by layer
# ---------------------------------------------------------------------------

torch = pytest.importorskip("torch")
pytest.importorskip("fvcore")

from mnetcalc.runtime.counting import check_counts  # noqa: E402


@pytest.mark.parametrize("alpha, resolution", [(1.0, 300), (0.5, 160)])
def test_fvcore_agrees_layer_by_layer(alpha, resolution):
    report = mnetcalc.ssd_mobilenet_v1_cost(alpha, resolution=resolution)
    check = check_counts(report)
    assert check.agrees, check.disagreements() or check.unsupported_ops
    assert check.fvcore_total_params == report.total_params


def test_the_model_returns_the_twelve_predictor_maps():
    model = mnetcalc.SSDMobileNetV1Config().model(channels_last=False).eval()
    with torch.no_grad():
        outputs = model(torch.zeros(1, 3, 300, 300))
    shapes = [tuple(o.shape) for o in outputs]
    expected = []
    for (side, _), anchors in zip(FEATURE_MAPS, ANCHORS_PER_LOCATION):
        expected += [(1, anchors * BOX, side, side), (1, anchors * CLASSES, side, side)]
    assert shapes == expected


def test_a_tap_inside_a_block_is_refused():
    from mnetcalc.core.layers import Branches
    from mnetcalc.runtime.model import build
    from mnetcalc.validation import InvalidArgument

    inner = Tap(((("a", Conv(5, 1)),),))
    spec = (("b", Branches(((("t", inner),), (("c", Conv(3, 1)),)))),)
    with pytest.raises(InvalidArgument, match="taps belong at a spec's top level"):
        build(spec, resolution=8)


@settings(max_examples=6, deadline=None)
@given(
    alpha=st.sampled_from([0.25, 0.5, 0.75, 1.0, 1.3]),
    resolution=st.integers(min_value=33, max_value=320),
)
def test_fvcore_totals_agree_for_random_alpha_and_resolution(alpha, resolution):
    report = mnetcalc.ssd_mobilenet_v1_cost(alpha, resolution=resolution)
    check = check_counts(report)
    assert check.agrees, check.disagreements() or check.unsupported_ops


def test_min_depth_below_8_is_the_apis_rule_too():
    # max(int(d * depth_multiplier), min_depth), whatever min_depth (no floor of 8 as in v1's rule)
    report = mnetcalc.SSDMobileNetV1Config(0.1, min_depth=2).cost()
    assert report.layer("conv0").out_channels == 3  # int(32 * 0.1)
    assert report.layer("extra5_1x1").out_channels == 6  # int(64 * 0.1)

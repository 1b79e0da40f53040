"""MobileNetV3-Large and -Small (mnetcalc.networks.mobilenet_v3) against independent counts:
torchvision's models, timm's TF-slim ports, fvcore on the library's own PyTorch model, and a hand
count of a squeeze-and-excite; and which counting convention gives which published total."""

from __future__ import annotations

import math

import pytest

from mnetcalc.core.layers import ADD, CONV_PW, HARDSWISH, RELU
from mnetcalc.networks.mobilenet_v3 import (
    PUBLISHED_CHECKPOINTS,
    PUBLISHED_TOTALS,
    SCALE,
    VARIANTS,
    MobileNetV3Config,
    SqueezeExcite,
    mobilenet_v3_spec,
)
from mnetcalc.validation import InvalidArgument

#: torchvision 0.29.1 (torch 2.14.1, in a separate virtual environment), 1000 classes:
#: ``MobileNetV3(*_mobilenet_v3_conf(arch, width_mult=alpha))``; fvcore 0.1.5's ``conv`` +
#: ``linear`` mult-adds (every other operator left out) on a 1 x 3 x res x res input, all
#: ``nn.Parameter`` elements (BatchNorm's weight and bias included), and BatchNorm's alone.
#: (variant, alpha, resolution) -> (mult-adds, parameters, BatchNorm parameters).
TORCHVISION = {
    ("large", 0.35, 96): (7_120_648, 997_064, 8_576),
    ("large", 0.35, 128): (12_048_256, 997_064, 8_576),
    ("large", 0.35, 160): (18_383_752, 997_064, 8_576),
    ("large", 0.35, 192): (26_127_136, 997_064, 8_576),
    ("large", 0.35, 224): (35_278_408, 997_064, 8_576),
    ("large", 0.35, 256): (45_837_568, 997_064, 8_576),
    ("large", 0.5, 96): (13_019_152, 1_734_576, 12_352),
    ("large", 0.5, 128): (22_109_184, 1_734_576, 12_352),
    ("large", 0.5, 160): (33_796_368, 1_734_576, 12_352),
    ("large", 0.5, 192): (48_080_704, 1_734_576, 12_352),
    ("large", 0.5, 224): (64_962_192, 1_734_576, 12_352),
    ("large", 0.5, 256): (84_440_832, 1_734_576, 12_352),
    ("large", 0.75, 96): (27_771_736, 3_377_576, 18_416),
    ("large", 0.75, 128): (47_417_600, 3_377_576, 18_416),
    ("large", 0.75, 160): (72_676_568, 3_377_576, 18_416),
    ("large", 0.75, 192): (103_548_640, 3_377_576, 18_416),
    ("large", 0.75, 224): (140_033_816, 3_377_576, 18_416),
    ("large", 0.75, 256): (182_132_096, 3_377_576, 18_416),
    ("large", 1.0, 96): (43_060_160, 5_483_032, 24_400),
    ("large", 1.0, 128): (73_427_840, 5_483_032, 24_400),
    ("large", 1.0, 160): (112_472_000, 5_483_032, 24_400),
    ("large", 1.0, 192): (160_192_640, 5_483_032, 24_400),
    ("large", 1.0, 224): (216_589_760, 5_483_032, 24_400),
    ("large", 1.0, 256): (281_663_360, 5_483_032, 24_400),
    ("large", 1.25, 96): (67_892_040, 8_164_744, 30_592),
    ("large", 1.25, 128): (116_116_608, 8_164_744, 30_592),
    ("large", 1.25, 160): (178_119_624, 8_164_744, 30_592),
    ("large", 1.25, 192): (253_901_088, 8_164_744, 30_592),
    ("large", 1.25, 224): (343_461_000, 8_164_744, 30_592),
    ("large", 1.25, 256): (446_799_360, 8_164_744, 30_592),
    ("small", 0.35, 96): (2_459_736, 558_744, 4_240),
    ("small", 0.35, 128): (3_996_096, 558_744, 4_240),
    ("small", 0.35, 160): (5_971_416, 558_744, 4_240),
    ("small", 0.35, 192): (8_385_696, 558_744, 4_240),
    ("small", 0.35, 224): (11_238_936, 558_744, 4_240),
    ("small", 0.35, 256): (14_531_136, 558_744, 4_240),
    ("small", 0.5, 96): (4_118_256, 917_264, 6_144),
    ("small", 0.5, 128): (6_717_440, 917_264, 6_144),
    ("small", 0.5, 160): (10_059_248, 917_264, 6_144),
    ("small", 0.5, 192): (14_143_680, 917_264, 6_144),
    ("small", 0.5, 224): (18_970_736, 917_264, 6_144),
    ("small", 0.5, 256): (24_540_416, 917_264, 6_144),
    ("small", 0.75, 96): (8_301_176, 1_653_920, 9_200),
    ("small", 0.75, 128): (13_693_696, 1_653_920, 9_200),
    ("small", 0.75, 160): (20_626_936, 1_653_920, 9_200),
    ("small", 0.75, 192): (29_100_896, 1_653_920, 9_200),
    ("small", 0.75, 224): (39_115_576, 1_653_920, 9_200),
    ("small", 0.75, 256): (50_670_976, 1_653_920, 9_200),
    ("small", 1.0, 96): (12_071_360, 2_542_856, 12_112),
    ("small", 1.0, 128): (19_848_192, 2_542_856, 12_112),
    ("small", 1.0, 160): (29_846_976, 2_542_856, 12_112),
    ("small", 1.0, 192): (42_067_712, 2_542_856, 12_112),
    ("small", 1.0, 224): (56_510_400, 2_542_856, 12_112),
    ("small", 1.0, 256): (73_175_040, 2_542_856, 12_112),
    ("small", 1.25, 96): (18_583_784, 3_644_912, 15_232),
    ("small", 1.25, 128): (30_758_912, 3_644_912, 15_232),
    ("small", 1.25, 160): (46_412_648, 3_644_912, 15_232),
    ("small", 1.25, 192): (65_544_992, 3_644_912, 15_232),
    ("small", 1.25, 224): (88_155_944, 3_644_912, 15_232),
    ("small", 1.25, 256): (114_245_504, 3_644_912, 15_232),
}

#: timm 1.0.31's ports of TF-slim's minimalistic checkpoints (``tf_mobilenetv3_large_minimal_100``,
#: ``tf_mobilenetv3_small_minimal_100``, 1000 classes, 224 x 224), counted the same way:
#: variant -> (mult-adds, parameters).
TIMM_MINIMALISTIC = {
    "large_minimalistic": (209_136_704, 3_924_288),
    "small_minimalistic": (52_288_448, 2_044_736),
}


@pytest.mark.parametrize("key", sorted(TORCHVISION), ids=lambda k: "-".join(map(str, k)))
def test_agrees_with_torchvision(key):
    variant, alpha, resolution = key
    report = MobileNetV3Config(alpha, resolution=resolution, variant=variant).cost()
    assert (report.mult_adds, report.total_params, report.bn_params) == TORCHVISION[key]


#: timm 1.0.31's ports of TF-slim's released 0.75 checkpoints (``tf_mobilenetv3_large_075``,
#: ``tf_mobilenetv3_small_075``, 1000 classes, 224 x 224), counted the same way: variant ->
#: (mult-adds, parameters). TF-slim's channel rule, not torchvision's (see TORCHVISION at 0.75).
TIMM_TF_SLIM_075 = {
    "large": (154_560_624, 3_993_528),
    "small": (43_399_344, 2_041_872),
}


@pytest.mark.parametrize("variant", sorted(TIMM_MINIMALISTIC))
def test_minimalistic_agrees_with_timm(variant):
    report = MobileNetV3Config(variant=variant).cost()
    assert (report.mult_adds, report.total_params) == TIMM_MINIMALISTIC[variant]


@pytest.mark.parametrize("variant", sorted(TIMM_TF_SLIM_075))
def test_tf_slim_channels_agree_with_timm_ports_of_the_075_checkpoints(variant):
    report = MobileNetV3Config(0.75, variant=variant, channels="tf-slim").cost()
    assert (report.mult_adds, report.total_params) == TIMM_TF_SLIM_075[variant]
    # At alpha 1 the two rules build the same network.
    for alpha, same in ((1.0, True), (0.75, False)):
        rules = [
            MobileNetV3Config(alpha, variant=variant, channels=rule).spec()
            for rule in ("torchvision", "tf-slim")
        ]
        assert (rules[0] == rules[1]) == same


def test_squeeze_excite_by_hand():
    # Large's block 4: 24 -> 72 expanded, 5x5 depthwise stride 2 (56 -> 28), squeeze to
    # make_divisible(72 // 4) = 24 channels: two 1x1 convolutions on the pooled 1x1 map.
    rows = {row.name: row for row in MobileNetV3Config().cost()}
    reduce, expand, scale = rows["block4/se/reduce"], rows["block4/se/expand"], rows["block4/se"]
    assert (reduce.type, reduce.in_channels, reduce.out_channels, reduce.input_size) == (
        CONV_PW, 72, 24, 1,
    )  # fmt: skip
    assert (reduce.mult_adds, reduce.params, reduce.bias_params, reduce.bn_params) == (
        72 * 24, 72 * 24, 24, 0,
    )  # fmt: skip
    assert (expand.mult_adds, expand.params, expand.bias_params) == (24 * 72, 24 * 72, 72)
    assert (scale.type, scale.out_channels, scale.output_size, scale.mult_adds) == (
        SCALE,
        72,
        28,
        0,
    )
    assert rows["block4/project"].input_size == 28


def test_blocks_as_the_paper_tables():
    large = dict(mobilenet_v3_spec())
    small = dict(mobilenet_v3_spec(variant="small"))
    assert sum(name.startswith("block") for name in large) == 15
    assert sum(name.startswith("block") for name in small) == 11
    block = large["block14"].block(160)
    assert [part for part, _ in block.parts] == ["expand", "dw", "se", "project"]
    assert type(block).__name__ == "Residual"
    assert large["block14"].activation == HARDSWISH and large["block2"].activation == RELU
    # Small's first block: no expansion (16 -> 16), squeeze-and-excite, stride 2: no shortcut.
    first = small["block1"].block(16)
    assert [part for part, _ in first.parts] == ["dw", "se", "project"]
    assert type(first).__name__ == "Chain"
    # The last convolution, the head and the classifier.
    assert (large["conv16"].out_channels, small["conv12"].out_channels) == (960, 576)
    assert (large["head"].out_channels, large["head"].bias, large["head"].batchnorm) == (
        1280, True, False,
    )  # fmt: skip
    assert small["head"].out_channels == 1024
    # Minimalistic: ReLU, 3x3 depthwise, no squeeze-and-excite.
    minimal = dict(mobilenet_v3_spec(variant="large_minimalistic"))
    assert {layer.kernel for name, layer in minimal.items() if name.startswith("block")} == {3}
    assert all(
        layer.squeeze_channels is None
        for name, layer in minimal.items()
        if name.startswith("block")
    )


def test_configuration_checks_its_values():
    assert MobileNetV3Config(0.75, variant="small").to_dict() == {
        "network": "mobilenet_v3",
        "alpha": 0.75,
        "resolution": 224,
        "num_classes": 1000,
        "variant": "small",
    }
    bad_values = (
        {"variant": "tiny"},
        {"alpha": 0},
        {"resolution": 0},
        {"num_classes": 0},
        {"channels": "keras"},
    )
    for bad in bad_values:
        with pytest.raises(InvalidArgument):
            MobileNetV3Config(**bad)
    assert MobileNetV3Config(variant="small").replace(alpha=0.5).alpha == 0.5
    assert VARIANTS[0] == "large"


def test_any_resolution():
    # Odd sides: "same" padding, ceil(side / stride); the pooling is global.
    for resolution in (33, 97, 193, 500):
        report = MobileNetV3Config(resolution=resolution).cost()
        assert report.layer("conv16").input_size == math.ceil(resolution / 32)
        assert report.layer("fc").mult_adds == 1280 * 1000


# -- the published totals -------------------------------------------------------------------------


def millions(count: int) -> float:
    return count / 1e6


def test_tf_slim_217_is_conv_and_fc_mult_adds_rounded():
    # TF-slim's release: 217 M MACs for Large (1001 classes), 209 M for Large minimalistic: the
    # conv + fully connected mult-adds of this convention, rounded to millions (216.59, 209.14).
    for variant, printed, params in (("large", "217", 5.5), ("large_minimalistic", "209", 3.9)):
        report = MobileNetV3Config(variant=variant, num_classes=1001).cost()
        assert round(millions(report.mult_adds)) == int(printed)
        assert round(report.total_params / 1e6, 1) == params  # printed 5.4 (cut) and 3.9
    assert PUBLISHED_TOTALS["tf-slim", "large", 1.0][0] == "217"


def test_paper_56_is_small_conv_and_fc_truncated():
    # The paper's Table 3: Small 56 M = 56.51 M cut to whole millions (rounded it would be 57).
    report = MobileNetV3Config(variant="small").cost()
    assert math.floor(millions(report.mult_adds)) == int(PUBLISHED_TOTALS["paper", "small", 1.0][0])
    assert round(millions(report.mult_adds)) == 57


def test_published_parameters_are_the_totals_cut_to_one_decimal():
    # 5.4 M (paper and TF-slim) and 2.5 M (paper): 5.48 M and 2.54 M (weights, biases and
    # BatchNorm; the weights alone are 5.45 M and 2.53 M) cut to one decimal.
    for variant, source in (("large", "paper"), ("large", "tf-slim"), ("small", "paper")):
        report = MobileNetV3Config(variant=variant).cost()
        printed = PUBLISHED_TOTALS[source, variant, 1.0][1]
        for count in (report.total_params, report.params):
            assert math.floor(count / 1e5) / 10 == float(printed)


def free_elements(config: MobileNetV3Config) -> dict[str, int]:
    """Per operator the convention leaves free, the elements it produces on one image (one
    multiply or add each, at least): hard-swish, ReLU, BatchNorm, the squeeze-and-excite's product
    and the residual sums, counted on the PyTorch model with forward hooks."""
    torch = pytest.importorskip("torch")
    kinds = {
        "hardswish": torch.nn.Hardswish,
        "relu": torch.nn.ReLU,
        "batchnorm": torch.nn.BatchNorm2d,
    }
    counts = dict.fromkeys([*kinds, "se_product", "add"], 0)
    model = config.model().eval()

    def hook(kind):
        def count(module, inputs, output):
            counts[kind] += output.numel()

        return count

    for module in model.modules():
        for kind, cls in kinds.items():
            if isinstance(module, cls):
                module.register_forward_hook(hook(kind))
        if getattr(module, "uncounted_ops", None) == SqueezeExcite.uncounted_ops:
            module.register_forward_hook(hook("se_product"))
    with torch.no_grad():
        model(torch.zeros(1, 3, config.resolution, config.resolution))
    counts["add"] = sum(
        row.out_channels * row.output_size**2 for row in config.cost() if row.type == ADD
    )
    return counts


def test_paper_219_and_tf_slim_66_are_no_counting_convention_of_these_networks():
    large, small = MobileNetV3Config(), MobileNetV3Config(variant="small")
    conv_fc = {"large": millions(large.cost().mult_adds), "small": millions(small.cost().mult_adds)}
    free = {"large": free_elements(large), "small": free_elements(small)}
    # Large has more of every free element than Small.
    assert all(free["large"][kind] >= free["small"][kind] for kind in free["small"])
    # TF-slim's 217 leaves Large less than 0.91 M for free operators (217.5 - 216.59); its 66 for
    # Small needs at least 9 M more than conv + fc (65.5 - 56.51): no weighting of the free
    # operators (each counted zero or more times per element) gives both, since it would add at
    # least as much to Large as to Small.
    assert 217.5 - conv_fc["large"] < 65.5 - conv_fc["small"]
    # Even counting every free element once, Small gains less than 9 M.
    assert millions(sum(free["small"].values())) < 65.5 - conv_fc["small"]
    # The paper's 219 for Large: conv + fc plus the squeeze-and-excite products and one multiply
    # per hard-swish element rounds to 219 (218.70), but the same count for Small rounds to 58,
    # not the paper's 56: no single convention found gives both of the paper's numbers.
    extra = {size: millions(free[size]["se_product"] + free[size]["hardswish"]) for size in free}
    assert round(conv_fc["large"] + extra["large"]) == 219
    assert round(conv_fc["small"] + extra["small"]) == 58
    assert PUBLISHED_TOTALS["paper", "small", 1.0][0] == "56"


def test_tf_slim_075_checkpoints():
    # Large 0.75: 155 M and 4.0 M are the conv + fc mult-adds and all parameters (1001 classes) of
    # the tf-slim channel rule, rounded (154.56 M, 3.99 M); Small 0.75's 44 M and 2.4 M are not
    # (43.40 M, 2.04 M), like Small 1.0's.
    printed = {c[1]: c[4:6] for c in PUBLISHED_CHECKPOINTS if c[2] == 0.75}
    for variant, agrees in (("large", True), ("small", False)):
        config = MobileNetV3Config(0.75, variant=variant, num_classes=1001, channels="tf-slim")
        report = config.cost()
        counted = (round(millions(report.mult_adds)), round(report.total_params / 1e6, 1))
        assert (counted == printed[variant]) == agrees
    assert printed["small"] == (44, 2.4)


def test_tf_slim_small_minimalistic_65_is_not_its_conv_and_fc():
    # TF-slim's Small minimalistic (no squeeze-and-excite, ReLU, 3x3) prints 65 M MACs and 2.0 M
    # parameters: the parameters match (2.04 M), the mult-adds (52.29 M) do not.
    report = MobileNetV3Config(variant="small_minimalistic", num_classes=1001).cost()
    (checkpoint,) = [c for c in PUBLISHED_CHECKPOINTS if c[1] == "small_minimalistic"]
    assert round(report.total_params / 1e6, 1) == checkpoint[5] == 2.0
    assert round(millions(report.mult_adds)) == 52 != checkpoint[4]


def test_published_checkpoints_are_well_formed():
    assert {c[1] for c in PUBLISHED_CHECKPOINTS} <= set(VARIANTS)
    assert len({c[0] for c in PUBLISHED_CHECKPOINTS}) == len(PUBLISHED_CHECKPOINTS)
    for name, variant, alpha, quantized, *numbers in PUBLISHED_CHECKPOINTS:
        assert variant.split("_")[0] in name and ("uint8" in name) == quantized
        assert 0 < alpha <= 1 and len(numbers) == 6 and all(n > 0 for n in numbers)


# -- fvcore on the library's own PyTorch model ----------------------------------------------------


@pytest.mark.parametrize(
    ("variant", "alpha", "resolution", "channels"),
    [
        ("large", 1.0, 224, "torchvision"),
        ("small", 0.75, 160, "torchvision"),
        ("large", 0.35, 97, "torchvision"),
        ("small_minimalistic", 1.25, 128, "torchvision"),
        ("small", 0.75, 224, "tf-slim"),
    ],
)
def test_fvcore_agrees_on_the_model(variant, alpha, resolution, channels):
    pytest.importorskip("fvcore")
    from mnetcalc.runtime.counting import check_counts

    config = MobileNetV3Config(alpha, resolution=resolution, variant=variant, channels=channels)
    check = check_counts(config.cost())
    assert check.agrees, (check.disagreements(), check.unsupported_ops)


def test_model_names_and_layers():
    torch = pytest.importorskip("torch")
    model = MobileNetV3Config(variant="small", resolution=96, num_classes=10).model()
    se = model.get_submodule("block4.se")
    assert [name for name, _ in se.named_children()] == ["pool", "reduce", "expand"]
    assert isinstance(se.expand.act, torch.nn.Hardsigmoid)
    assert isinstance(se.reduce.relu, torch.nn.ReLU)
    assert isinstance(model.get_submodule("block4.dw").act, torch.nn.Hardswish)
    assert isinstance(model.head.act, torch.nn.Hardswish)
    assert model(torch.zeros(2, 3, 96, 96)).shape == (2, 10)

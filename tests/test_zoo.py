"""The giants (mnetcalc.networks.zoo) against hand counts, the numbers their own papers print, and
fvcore.

Hand counts here are written out from the architectures' papers, independently of the specs in
mnetcalc/zoo.py; well-known totals (VGG16's 138,357,544 parameters, the 1,248,424 of SqueezeNet's
Table 1, the 60,965,224 and 6,998,552 of the Caffe AlexNet and GoogLeNet) are asserted as literals.
"""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mnetcalc
from mnetcalc import conventions, paper
from mnetcalc.core.layers import (
    CONCAT,
    MAXPOOL,
    Branches,
    Conv,
    DepthwiseConv,
    Fire,
    FullyConnected,
    Inception,
    LocalResponseNorm,
    Pool,
    output_side,
)
from mnetcalc.core.network import spec_costs
from mnetcalc.networks import alexnet, googlenet, registry, squeezenet, vgg16

# -- VGG16
# -------------------------------------------------------------------------------------------

# Configuration D of Simonyan & Zisserman: (input channels, output channels, map side) of each 3x3
# conv.
VGG16_CONVS = [
    (3, 64, 224), (64, 64, 224),
    (64, 128, 112), (128, 128, 112),
    (128, 256, 56), (256, 256, 56), (256, 256, 56),
    (256, 512, 28), (512, 512, 28), (512, 512, 28),
    (512, 512, 14), (512, 512, 14), (512, 512, 14),
]  # fmt: skip
VGG16_FCS = [(7 * 7 * 512, 4096), (4096, 4096), (4096, 1000)]


def test_vgg16_totals_match_the_hand_count_and_the_well_known_numbers():
    vgg = mnetcalc.vgg16_cost()
    conv_ma = sum(9 * m * n * s * s for m, n, s in VGG16_CONVS)
    fc_ma = sum(m * n for m, n in VGG16_FCS)
    weights = sum(9 * m * n for m, n, _ in VGG16_CONVS) + fc_ma
    biases = sum(n for _, n, _ in VGG16_CONVS) + sum(n for _, n in VGG16_FCS)
    assert vgg.mult_adds == conv_ma + fc_ma == 15_470_264_320
    assert conv_ma == 15_346_630_656
    assert vgg.params == weights
    assert vgg.bias_params == biases
    assert vgg.total_params == 138_357_544  # sum(p.numel()) of torchvision's vgg16
    assert vgg.bn_params == 0


def test_vgg16_feature_maps_halve_at_each_pool():
    vgg = mnetcalc.vgg16_cost()
    assert [vgg.layer(f"pool{i}").output_size for i in range(1, 6)] == [112, 56, 28, 14, 7]
    assert vgg.layer("fc6").in_channels == 25088


# -- GoogLeNet
# ---------------------------------------------------------------------------------------

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


# -- AlexNet
# -----------------------------------------------------------------------------------------


def test_alexnet_two_gpu_model():
    net = mnetcalc.alexnet_cost()
    sides = {
        "conv1": 55,
        "pool1": 27,
        "conv2": 27,
        "pool2": 13,
        "conv3": 13,
        "conv4": 13,
        "conv5": 13,
        "pool5": 6,
    }
    assert {name: net.layer(name).output_size for name in sides} == sides
    convs = [  # (kernel, inputs per group, outputs, output side)
        (11, 3, 96, 55),
        (5, 48, 256, 27),
        (3, 256, 384, 13),
        (3, 192, 384, 13),
        (3, 192, 256, 13),
    ]
    fcs = [(6 * 6 * 256, 4096), (4096, 4096), (4096, 1000)]
    weights = sum(k * k * m * n for k, m, n, _ in convs) + sum(m * n for m, n in fcs)
    assert net.params == weights
    assert net.mult_adds == sum(k * k * m * n * s * s for k, m, n, s in convs) + sum(
        m * n for m, n in fcs
    )
    assert net.mult_adds == 724_406_816
    assert net.total_params == 60_965_224  # the Caffe bvlc_alexnet model


def test_alexnet_grouping_halves_the_grouped_layers():
    split, whole = mnetcalc.alexnet_cost(groups=2), mnetcalc.alexnet_cost(groups=1)
    for name in ("conv2", "conv4", "conv5"):
        assert whole.layer(name).mult_adds == 2 * split.layer(name).mult_adds
        assert whole.layer(name).params == 2 * split.layer(name).params
    for name in ("conv1", "conv3", "fc6"):
        assert whole.layer(name) == split.layer(name)
    assert whole.mult_adds == 1_135_256_096


# -- SqueezeNet
# --------------------------------------------------------------------------------------

# Iandola et al. 2016, Table 1: parameters (weights and biases) before pruning, and output sides.
SQUEEZENET_TABLE_1 = {
    "conv1": (14_208, 111), "fire2": (11_920, 55), "fire3": (12_432, 55), "fire4": (45_344, 55),
    "fire5": (49_440, 27), "fire6": (104_880, 27), "fire7": (111_024, 27), "fire8": (188_992, 27),
    "fire9": (197_184, 13), "conv10": (513_000, 13),
}  # fmt: skip


def test_squeezenet_matches_its_table_1():
    net = mnetcalc.squeezenet_cost()
    for name, (params, side) in SQUEEZENET_TABLE_1.items():
        rows = [r for r in net.layers if r.name == name or r.name.startswith(name + "/")]
        assert sum(r.params + r.bias_params for r in rows) == params, name
        assert net.layer(name).output_size == side, name
    assert net.total_params == 1_248_424


def test_squeezenet_fire_module_hand_count():
    (squeeze, e1, e3, concat) = spec_costs(
        (("fire", Fire(16, 64, 64)),), resolution=55, in_channels=96
    )
    assert [r.name for r in (squeeze, e1, e3, concat)] == [
        "fire/squeeze1x1",
        "fire/expand1x1",
        "fire/expand3x3",
        "fire",
    ]
    assert squeeze.mult_adds == 96 * 16 * 55 * 55
    assert e1.mult_adds == 16 * 64 * 55 * 55 and e3.mult_adds == 9 * 16 * 64 * 55 * 55
    assert (concat.out_channels, concat.output_size, concat.mult_adds) == (128, 55, 0)


# -- the new layer options
# ---------------------------------------------------------------------------


@given(
    side=st.integers(1, 300), kernel=st.integers(1, 11), stride=st.integers(1, 5), data=st.data()
)
def test_explicit_padding_follows_the_floor_formula(side, kernel, stride, data):
    padding = data.draw(
        st.integers(0, kernel // 2)
    )  # PyTorch's limit for pools; convolutions follow the same rule
    if side + 2 * padding < kernel:
        with pytest.raises(mnetcalc.InvalidArgument, match="too small"):
            output_side(side, kernel, stride, padding)
        return
    out = output_side(side, kernel, stride, padding)
    # the number of window positions: starts 0, stride, ... with the window inside the padded input
    assert out == len(range(0, side + 2 * padding - kernel + 1, stride))
    ceil = output_side(side, kernel, stride, padding, ceil_mode=True)
    assert out <= ceil <= out + 1
    # a ceil-mode window always starts inside the input or its left padding
    assert (ceil - 1) * stride < side + padding


@settings(max_examples=60, deadline=None)
@given(side=st.integers(1, 80), kernel=st.integers(1, 7), stride=st.integers(1, 4), data=st.data())
def test_output_side_matches_pytorch(side, kernel, stride, data):
    torch = pytest.importorskip("torch")
    from torch.nn import functional as F

    padding = data.draw(st.integers(0, kernel // 2))
    if side + 2 * padding < kernel:
        return
    x = torch.zeros(1, 1, side, side)
    conv = F.conv2d(x, torch.zeros(1, 1, kernel, kernel), stride=stride, padding=padding)
    assert conv.shape[-1] == output_side(side, kernel, stride, padding)
    for ceil_mode in (False, True):
        pooled = F.max_pool2d(x, kernel, stride, padding, ceil_mode=ceil_mode)
        assert pooled.shape[-1] == output_side(side, kernel, stride, padding, ceil_mode)


@given(side=st.integers(1, 300), stride=st.integers(1, 4))
def test_same_padding_is_still_the_default(side, stride):
    (row,) = Conv(8, 3, stride).costs("c", 4, side)
    assert row.output_size == -(-side // stride)
    (row,) = DepthwiseConv(3, stride).costs("d", 4, side)
    assert row.output_size == -(-side // stride)


def test_grouped_convolution_costs_a_fraction():
    (row,) = Conv(256, 5, groups=2, padding=2, batchnorm=False, bias=True).costs("conv2", 96, 27)
    assert row.params == 5 * 5 * 48 * 256 and row.mult_adds == row.params * 27 * 27
    assert (row.groups, row.bias_params, row.bn_params) == (2, 256, 0)
    with pytest.raises(mnetcalc.InvalidArgument, match="groups"):
        list(Conv(256, 3, groups=2).costs("odd", 95, 27))


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


def test_lrn_and_pools_are_free():
    rows = spec_costs(
        (("lrn", LocalResponseNorm()), ("pool", Pool(MAXPOOL, 3, 2, padding=0, ceil_mode=True))),
        resolution=55,
        in_channels=96,
    )
    assert [(r.mult_adds, r.params, r.output_size) for r in rows] == [(0, 0, 55), (0, 0, 27)]


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: mnetcalc.alexnet_cost(resolution=32), "resolution 32 is too small for alexnet"),
        (lambda: mnetcalc.alexnet_cost(groups=3), "groups"),
        (lambda: mnetcalc.vgg16_cost(resolution=0), "resolution"),
        (lambda: mnetcalc.squeezenet_cost(num_classes="many"), "num_classes"),
        (lambda: registry.network_cost("resnet50"), "network"),
    ],
)
def test_bad_input_is_one_clear_error(call, match):
    with pytest.raises(mnetcalc.InvalidArgument, match=match):
        call()


def test_reports_name_their_network():
    for name, entry in registry.NETWORKS.items():
        report = registry.network_cost(name)
        assert report.meta["network"] == name
        assert report.meta["resolution"] == entry.resolution


# -- the paper's Tables 8 and 9 and its claims
# -------------------------------------------------------


def test_table_8_and_9_printed_numbers_against_exact_counts():
    vgg, goog = paper.row("VGG 16").cost(), paper.row("GoogleNet").cost()
    alex, squeeze = paper.row("AlexNet").cost(), paper.row("Squeezenet").cost()
    small = paper.row("0.50 MobileNet-160").cost()
    # Reproduced by exact counting at the printed precision:
    assert paper.row("VGG 16").reproduces_params(vgg.params / 1e6)  # 138.3
    assert paper.row("AlexNet").reproduces_mult_adds(alex.mult_adds / 1e6)  # 724 -> 720
    assert paper.row("0.50 MobileNet-160").reproduces_params(small.params / 1e6)  # 1.3196
    # VGG16's 15300 is the convolutions alone (15,347 M); with the three FC layers it is 15,470 M.
    convs_only = conventions.Convention(fully_connected=False)
    assert not paper.row("VGG 16").reproduces_mult_adds(vgg.mult_adds / 1e6)
    assert paper.row("VGG 16").reproduces_mult_adds(convs_only.mult_adds(vgg) / 1e6)
    # SqueezeNet's 1700 is a FLOP count (2 per mult-add): 833 M mult-adds; its 1.25 M counts biases.
    assert round(squeeze.mult_adds / 1e6) == 833
    assert paper.row("Squeezenet").reproduces_mult_adds(
        conventions.Convention(flops=True).mult_adds(squeeze) / 1e6
    )
    assert paper.row("Squeezenet").reproduces_params(squeeze.total_params / 1e6)
    # GoogLeNet: 1583 M mult-adds and 6.99 M weights exactly; the printed 1550 and 6.8 come from
    # elsewhere.
    assert round(goog.mult_adds / 1e6) == 1583 and round(goog.params / 1e6, 2) == 6.99
    assert not any(
        paper.row("GoogleNet").reproduces_mult_adds(c.mult_adds(goog) / 1e6)
        for c in conventions.CONVENTIONS
    )
    # AlexNet's 60 M is the round figure of its own paper: 60.95 M weights.
    assert round(alex.params / 1e6, 2) == 60.95


def test_section_4_7_claims():
    base, small = mnetcalc.mobilenet_v1_cost(), mnetcalc.mobilenet_v1_cost(0.5, resolution=160)
    vgg, goog, alex, squeeze = (
        mnetcalc.vgg16_cost(),
        mnetcalc.googlenet_cost(),
        mnetcalc.alexnet_cost(),
        mnetcalc.squeezenet_cost(),
    )
    assert int(vgg.params / base.params) == 32  # "32x smaller": 32.9
    assert round(vgg.mult_adds / base.mult_adds) == 27  # "27x less compute": 27.2
    assert goog.mult_adds / base.mult_adds > 2.5  # "more than 2.5x less computation": 2.78
    assert goog.params > base.params
    assert round(alex.params / small.params) == 46  # printed "45x" (60 / 1.32 = 45.5)
    assert round(alex.mult_adds / small.mult_adds, 1) == 9.5  # printed "9.4x" (720 / 76 = 9.47)
    assert round(squeeze.mult_adds / small.mult_adds) == 11  # printed "22x" used SqueezeNet's FLOPs
    # The accuracy gaps: Table 9 prints 60.2%, 57.5% and 57.2% (transcribed in mnetcalc.paper), so
    # 60.2 - 57.2 = 3.0 and 60.2 - 57.5 = 2.7 points, where the text claims "4%" for both.
    t9 = {r.label: r.accuracy for r in paper.TABLE_9}
    assert t9 == {"0.50 MobileNet-160": "60.2", "Squeezenet": "57.5", "AlexNet": "57.2"}
    gaps = {
        big: float(t9[small]) - float(t9[big])
        for small, big, what, printed in paper.CLAIMS
        if what == "accuracy"
    }
    assert gaps == {"AlexNet": pytest.approx(3.0), "Squeezenet": pytest.approx(2.7)}
    assert not any(paper.reproduces(gap, "4") for gap in gaps.values())


# -- fvcore on real PyTorch models built from the same specs
# -----------------------------------------


def torch_model(spec, in_channels, side):
    """A test-local builder: a PyTorch module per spec entry, with explicit padding, groups and
    branches."""
    torch = pytest.importorskip("torch")
    from torch import nn

    class Block(nn.Module):
        """``pre`` parts in turn, then ``branches`` (lists of part names) concatenated."""

        def __init__(self, parts, pre, branches):
            super().__init__()
            for name, module in parts:
                self.add_module(name, module)
            self.pre, self.branches = pre, branches

        def forward(self, x):
            for name in self.pre:
                x = self._modules[name](x)
            outs = []
            for branch in self.branches:
                y = x
                for name in branch:
                    y = self._modules[name](y)
                outs.append(y)
            return torch.cat(outs, dim=1)

    def module(layer, channels, side):
        if isinstance(layer, Conv):
            padding = layer.kernel // 2 if layer.padding is None else layer.padding
            parts = [
                nn.Conv2d(
                    channels,
                    layer.out_channels,
                    layer.kernel,
                    layer.stride,
                    padding,
                    groups=layer.groups,
                    bias=layer.bias,
                )
            ]
            parts += [nn.BatchNorm2d(layer.out_channels)] if layer.batchnorm else []
            return nn.Sequential(*parts, nn.ReLU())
        if isinstance(layer, Pool):
            if layer.kernel is None:
                return nn.AdaptiveAvgPool2d(1) if layer.kind != MAXPOOL else nn.AdaptiveMaxPool2d(1)
            cls = nn.MaxPool2d if layer.kind == MAXPOOL else nn.AvgPool2d
            return cls(layer.kernel, layer.stride, layer.padding, ceil_mode=layer.ceil_mode)
        if isinstance(layer, LocalResponseNorm):
            return nn.LocalResponseNorm(layer.size)
        if isinstance(layer, FullyConnected):
            return nn.Sequential(
                nn.Flatten(1),
                nn.Linear(channels * side * side, layer.out_features, bias=layer.bias),
            )
        if isinstance(layer, Inception):
            return module(layer.branches(), channels, side)
        if isinstance(layer, Branches):
            parts, branches = [], []
            for branch in layer.branches:
                c, s = channels, side
                for part, sub in branch:
                    parts.append((part, module(sub, c, s)))
                    *_, last = sub.costs(part, c, s)
                    c, s = last.out_channels, last.output_size
                branches.append([part for part, _ in branch])
            return Block(parts, [], branches)
        if isinstance(layer, Fire):
            squeeze = module(layer.squeeze_conv(), channels, side)
            inner = module(layer.expand(), layer.squeeze, side)
            return Block(
                [("squeeze1x1", squeeze), *inner.named_children()], ["squeeze1x1"], inner.branches
            )
        raise TypeError(type(layer).__name__)

    modules = []
    for name, layer in spec:
        modules.append((name, module(layer, in_channels, side)))
        *_, last = layer.costs(name, in_channels, side)
        in_channels, side = last.out_channels, last.output_size
    model = nn.Sequential()
    for name, m in modules:
        model.add_module(name, m)
    return model.eval()


@pytest.mark.parametrize(
    "name, spec",
    [
        ("alexnet", alexnet.alexnet_spec()),
        ("squeezenet", squeezenet.squeezenet_spec()),
        ("googlenet", googlenet.googlenet_spec()),
        ("vgg16", vgg16.vgg16_spec()),
    ],
)
def test_fvcore_counts_the_same_mult_adds_and_parameters(name, spec):
    torch = pytest.importorskip("torch")
    fvcore_nn = pytest.importorskip("fvcore.nn")
    from fvcore.nn.jit_handles import conv_flop_jit, linear_flop_jit

    report = registry.network_cost(name)
    side = report.meta["resolution"]
    model = torch_model(spec, 3, side)
    with torch.no_grad():
        analysis = fvcore_nn.FlopCountAnalysis(model, torch.zeros(1, 3, side, side))
        # count convolutions and matrix products only (one per mult-add)
        analysis.clear_op_handles()
        analysis.set_op_handle(
            **{"aten::_convolution": conv_flop_jit, "aten::linear": linear_flop_jit}
        )
        analysis.unsupported_ops_warnings(False)
        analysis.uncalled_modules_warnings(False)
        by_module = analysis.by_module()
        total = analysis.total()
    params = fvcore_nn.parameter_count(model)
    for row in report.layers:
        if row.type == CONCAT:
            continue
        key = row.name.replace("/", ".")
        assert by_module.get(key, 0) == row.mult_adds, row.name
        assert params.get(key, 0) == row.params + row.bias_params + row.bn_params, row.name
    assert total == report.mult_adds
    assert params[""] == report.total_params
    # the shapes agree too: the model's output has the classes and nothing else
    with torch.no_grad():
        assert model(torch.zeros(1, 3, side, side)).flatten(1).shape == (1, 1000)


# -- the command line
# --------------------------------------------------------------------------------


def test_cli_table_of_a_giant(capsys):
    import json

    from mnetcalc.cli import main

    assert main(["table", "--network", "alexnet", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["network"], data["resolution"]) == ("alexnet", 227)  # AlexNet's own default input
    assert data["total"]["mult_adds"] == 724_406_816
    assert main(["table", "--network", "googlenet"]) == 0
    text = capsys.readouterr().out
    assert "inception3a/3x3_reduce" in text and "256 channels" in text


@pytest.mark.parametrize(
    "argv, words",
    [
        (["table", "--network", "vgg16", "--alpha", "0.5"], "--alpha"),
        (["table", "--network", "vgg16", "--variant", "shallow"], "--variant"),
        (["table", "--network", "squeezenet", "--check"], "--check"),
        (["table", "--network", "squeezenet", "--res", "10"], "--res 10 is too small"),
        (["table", "--network", "resnet50"], "resnet50"),
    ],
)
def test_cli_bad_giant_options_are_one_line_and_status_2(capsys, argv, words):
    from mnetcalc.cli import main

    assert main(argv) == 2
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1 and "Traceback" not in err


def test_cli_type_summary_names_each_convolution_by_its_kernel(capsys):
    from mnetcalc.cli import main

    assert main(["table", "--network", "alexnet"]) == 0
    summary = capsys.readouterr().out.split("layer type")[1].splitlines()
    rows = {line[:15].strip(): line[15:].split() for line in summary[2:] if line.strip()}
    rows = {name: cells for name, cells in rows.items() if name and not name.startswith("Weights")}
    # By hand: conv1 11x11x3x96 on a 55x55 output; conv2 5x5, two groups (48 of 96 inputs), 27x27;
    # conv3 3x3x256x384, conv4 3x3x192x384, conv5 3x3x192x256, all on 13x13.
    assert rows["Conv 11×11"][:2] == ["1", f"{11 * 11 * 3 * 96 * 55 * 55 / 1e6:.3f}"]
    assert rows["Conv 5×5"][:2] == ["1", f"{5 * 5 * 48 * 256 * 27 * 27 / 1e6:.3f}"]
    conv3x3 = (3 * 3 * 256 * 384 + 3 * 3 * 192 * 384 + 3 * 3 * 192 * 256) * 13 * 13
    assert rows["Conv 3×3"][:2] == ["3", f"{conv3x3 / 1e6:.3f}"]
    assert main(["table", "--network", "googlenet", "--format", "markdown"]) == 0
    text = capsys.readouterr().out
    assert f"| Conv 7×7 | 1 | {7 * 7 * 3 * 64 * 112 * 112 / 1e6:.3f} |" in text
    assert "| Conv 5×5 | 9 |" in text  # the 5x5 branch of each of the nine Inception modules

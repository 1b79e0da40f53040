"""What the classic networks share (mnetcalc.networks._classic and the layer options they use),
their rows of paper Tables 8-9, fvcore on independently written PyTorch models, and the command
line; each network's own hand counts are in tests/networks/test_<network>.py.

Hand counts here are written out from the architectures' papers, independently of the specs in
mnetcalc/networks/; well-known totals (VGG16's 138,357,544 parameters, the 1,248,424 of
SqueezeNet's Table 1, the 60,965,224 and 6,998,552 of the Caffe AlexNet and GoogLeNet) are asserted
as literals.
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

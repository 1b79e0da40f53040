"""The PyTorch MobileNet built from the architecture data: structure, shapes and parameter counts.

Expected values come from the calculator's rows (exact arithmetic on the same table) or from hand
counts written out here, never from the model itself."""

import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

import mnetcalc  # noqa: E402
from mnetcalc.core.layers import Conv, FullyConnected, Pool  # noqa: E402
from mnetcalc.core.network import spec_costs  # noqa: E402
from mnetcalc.networks.mobilenet_v1 import mobilenet_v1_model  # noqa: E402
from mnetcalc.runtime.layer_modules import Conv2d, ConvBNReLU  # noqa: E402
from mnetcalc.runtime.model import build  # noqa: E402
from mnetcalc.validation import InvalidArgument  # noqa: E402

pytestmark = pytest.mark.usefixtures("one_torch_thread")

VARIANTS = ("separable", "standard", "shallow")


def n_params(model):
    return sum(p.numel() for p in model.parameters())


def layer_outputs(model, x):
    """Every top-level child's output on input ``x`` (eval mode), recorded with forward hooks."""
    seen = {}
    hooks = [
        c.register_forward_hook(lambda m, i, o, n=n: seen.__setitem__(n, o))
        for n, c in model.named_children()
    ]
    with torch.no_grad():
        model.eval()(x)
    for hook in hooks:
        hook.remove()
    return seen


def feature_sides(model, resolution, in_channels=3):
    """Output shape of every top-level child on a 1 x in_channels x resolution² input."""
    outputs = layer_outputs(model, torch.zeros(1, in_channels, resolution, resolution))
    return {name: tuple(value.shape) for name, value in outputs.items()}


@pytest.mark.parametrize("variant", VARIANTS)
def test_children_are_named_like_the_calculator_rows(variant):
    model = mobilenet_v1_model(0.5, variant=variant)
    report = mnetcalc.mobilenet_v1_cost(0.5, resolution=224, variant=variant)
    assert [name for name, _ in model.named_children()] == [row.name for row in report.layers]


def test_paper_layer_names_and_structure():
    model = mobilenet_v1_model()
    names = [name for name, _ in model.named_children()]
    # Hand count, paper Table 1: 1 stem + 13 x (dw, pw) + avg pool + fc = 29 rows.
    assert len(names) == 29
    assert names[:3] == ["conv0", "conv1_dw", "conv1_pw"] and names[-2:] == ["avgpool", "fc"]
    assert isinstance(model.avgpool, nn.AdaptiveAvgPool2d)
    assert model.fc.linear.in_features == 1024 and model.fc.linear.out_features == 1000
    for name, child in model.named_children():
        if isinstance(child, ConvBNReLU):
            assert list(child._modules) == ["conv", "bn", "relu"]
            assert child.conv.bias is None
            assert child.conv.kernel_size[0] // 2 == child.conv.padding[0]
            if name.endswith("_dw"):
                assert child.conv.groups == child.conv.in_channels == child.conv.out_channels


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("alpha", [1.0, 0.75, 0.5, 0.25, 0.35, 1.3])
def test_parameter_count_equals_weights_biases_and_batchnorm(variant, alpha):
    report = mnetcalc.mobilenet_v1_cost(alpha, resolution=224, variant=variant)
    assert (
        n_params(mobilenet_v1_model(alpha, variant=variant))
        == report.params + report.bias_params + report.bn_params
    )


def test_parameter_count_of_the_paper_model_by_hand():
    # 1.0 MobileNet-224 (paper Table 1), counted by hand: each block's depthwise layer has as many
    # channels as the block before it produced.
    outs = [64, 128, 128, 256, 256, 512, 512, 512, 512, 512, 512, 1024, 1024]
    ins = [32] + outs[:-1]
    weights = 3 * 3 * 3 * 32 + sum(9 * m + m * n for m, n in zip(ins, outs)) + 1024 * 1000
    batchnorm = 2 * (32 + sum(ins) + sum(outs))  # scale and shift per conv output channel
    assert weights == 4_209_088  # the paper's "4.2 million"
    assert n_params(mobilenet_v1_model()) == weights + 1000 + batchnorm == 4_231_976


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("resolution", [224, 97, 225, 33, 1])
def test_feature_maps_follow_same_padding(variant, resolution):
    report = mnetcalc.mobilenet_v1_cost(0.25, resolution=resolution, num_classes=7, variant=variant)
    shapes = feature_sides(mobilenet_v1_model(0.25, num_classes=7, variant=variant), resolution)
    for row in report.layers:
        if row.type == "fc":
            assert shapes[row.name] == (1, row.out_channels)
        else:
            assert shapes[row.name] == (1, row.out_channels, row.output_size, row.output_size), (
                row.name
            )


def test_small_stem_for_28_by_28_grey_images():
    report = mnetcalc.mobilenet_v1_cost(
        0.5, resolution=28, num_classes=10, stem_stride=1, in_channels=1
    )
    model = mobilenet_v1_model(0.5, num_classes=10, in_channels=1, stem_stride=1)
    assert model.conv0.conv.in_channels == 1 and model.conv0.conv.stride == (1, 1)
    assert n_params(model) == report.total_params
    shapes = feature_sides(model, 28, in_channels=1)
    assert shapes["conv13_pw"] == (
        1,
        512,
        2,
        2,
    )  # 28 / 2^4, as a hand count of the four stride-2 blocks
    assert shapes["fc"] == (1, 10)


def test_dropout_only_when_asked():
    assert "dropout" not in mobilenet_v1_model(0.25).fc._modules
    model = mobilenet_v1_model(0.25, dropout=0.2)
    assert model.fc.dropout.p == 0.2
    assert n_params(model) == mnetcalc.mobilenet_v1_cost(0.25).total_params


def test_initialisation_is_sensible():
    model = mobilenet_v1_model(0.5)
    assert torch.all(model.conv1_dw.bn.weight == 1) and torch.all(model.conv1_dw.bn.bias == 0)
    assert torch.all(model.fc.linear.bias == 0)
    # He (fan-in): std = sqrt(2 / fan_in); a depthwise 3x3 filter sees 9 inputs, a 1x1 256 -> 256
    # sees 256.
    assert abs(model.conv7_dw.conv.weight.std().item() - (2 / 9) ** 0.5) < 0.03
    assert abs(model.conv7_pw.conv.weight.std().item() - (2 / 256) ** 0.5) < 0.005
    # ...so that an untrained model in eval mode neither blows up nor fades into denormal floats.
    # (The fc layer, with weights of std 0.01, starts near zero on purpose.)
    for name, value in layer_outputs(model, torch.randn(2, 3, 64, 64)).items():
        if name != "fc":
            assert 0.05 < value.pow(2).mean().sqrt().item() < 20, name


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(alpha=0),
        dict(alpha=float("nan")),
        dict(variant="wide"),
        dict(num_classes=-1),
        dict(in_channels=0),
        dict(dropout=1.0),
        dict(dropout=-0.1),
        dict(stem_stride=0),
    ],
)
def test_bad_arguments_raise_invalid_argument(kwargs):
    with pytest.raises(InvalidArgument):
        mobilenet_v1_model(**kwargs)


def test_generic_builder_builds_a_vgg_like_spec():
    # Not a MobileNet: windowed max pooling and a fully connected layer on a 4x4 map (no global
    # pool).
    spec = (
        ("conv1", Conv(16, 3, 1)),
        ("pool1", Pool("maxpool", 2, 2)),
        ("conv2", Conv(32, 3, 1, batchnorm=False, bias=True)),
        ("pool2", Pool("maxpool", 2, 2)),
        ("fc6", FullyConnected(64)),
        ("fc7", FullyConnected(10)),
    )
    rows = spec_costs(
        spec, resolution=15, in_channels=3
    )  # 15 -> 8 -> 4: "same" (ceil) pooling on an odd side
    model = build(spec, in_channels=3, resolution=15)
    assert [n for n, _ in model.named_children()] == [n for n, _ in spec]
    assert n_params(model) == sum(r.params + r.bias_params + r.bn_params for r in rows)
    shapes = feature_sides(model, 15)
    assert shapes["pool1"] == (1, 16, 8, 8) and shapes["pool2"] == (1, 32, 4, 4)
    assert shapes["fc6"] == (1, 64) and shapes["fc7"] == (1, 10)
    assert "bn" not in model.conv2._modules and model.conv2.conv.bias is not None


def test_generic_builder_rejects_unknown_layers():
    with pytest.raises(InvalidArgument, match="no module builder"):
        build((("mystery", object()),))


def test_channels_last_is_a_storage_choice_only():
    torch.manual_seed(0)
    nhwc = mobilenet_v1_model(0.25)
    nchw = mobilenet_v1_model(0.25, channels_last=False)
    nchw.load_state_dict(nhwc.state_dict())
    assert nhwc.conv3_pw.conv.weight.is_contiguous(memory_format=torch.channels_last)
    assert nchw.conv3_pw.conv.weight.is_contiguous()
    x = torch.randn(2, 3, 97, 97)
    with torch.no_grad():
        assert torch.allclose(nhwc.eval()(x), nchw.eval()(x), atol=1e-6)


@pytest.mark.parametrize("side", [1, 2, 3, 5])
@pytest.mark.parametrize("groups", [1, 6])
def test_conv2d_padding_a_small_map_itself_gives_torchs_result_and_gradients(side, groups):
    # Reference: torch's own nn.Conv2d with the same weights, on maps smaller than, equal to and
    # larger than the 3x3 kernel (Conv2d pads by itself only for the smaller ones).
    torch.manual_seed(0)
    ours = Conv2d(6, 12, 3, 1, padding=1, groups=groups, bias=True)
    reference = nn.Conv2d(6, 12, 3, 1, padding=1, groups=groups, bias=True)
    reference.load_state_dict(ours.state_dict())
    x = torch.randn(4, 6, side, side)
    x_ours, x_ref = x.clone().requires_grad_(), x.clone().requires_grad_()
    y_ours, y_ref = ours(x_ours), reference(x_ref)
    assert y_ours.shape == y_ref.shape == (4, 12, side, side)
    torch.testing.assert_close(y_ours, y_ref)
    grad = torch.randn_like(y_ref)
    y_ours.backward(grad)
    y_ref.backward(grad)
    torch.testing.assert_close(x_ours.grad, x_ref.grad)
    torch.testing.assert_close(ours.weight.grad, reference.weight.grad)
    torch.testing.assert_close(ours.bias.grad, reference.bias.grad)

"""The inference version of the model: BatchNorm folded, same outputs as the eager model (within
1e-4)."""

import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from mnetcalc.networks.mobilenet_v1 import mobilenet_v1_model  # noqa: E402
from mnetcalc.runtime.model import fold_batchnorm, optimize  # noqa: E402

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def trained_looking(model):
    """Give BatchNorm non-trivial statistics and affine terms, so that folding has something to
    fold."""
    generator = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, nn.BatchNorm2d):
                n = module.num_features
                module.running_mean.copy_(0.1 * torch.randn(n, generator=generator))
                module.running_var.copy_(0.5 + torch.rand(n, generator=generator))
                module.weight.copy_(0.5 + torch.rand(n, generator=generator))
                module.bias.copy_(0.1 * torch.randn(n, generator=generator))
    return model.eval()


def max_error(a, b):
    return (a - b).abs().max().item()


def assert_close(fast, eager, x):
    with torch.no_grad():
        expected = eager(x)
        got = fast(x)
    assert got.shape == expected.shape
    assert max_error(got, expected) <= 1e-4 * max(1.0, expected.abs().max().item())


@pytest.mark.parametrize(
    "variant,alpha,resolution",
    [
        ("separable", 0.25, 32),
        ("separable", 0.5, 7),
        ("separable", 1.0, 224),
        ("separable", 0.25, 128),
        ("separable", 0.35, 97),
        ("standard", 0.25, 128),
        ("standard", 0.35, 97),
        ("shallow", 0.25, 128),
        ("shallow", 1.3, 97),
    ],
)
def test_optimized_outputs_equal_the_eager_model(variant, alpha, resolution):
    eager = trained_looking(mobilenet_v1_model(alpha, variant=variant))
    fast = optimize(eager, resolution)
    assert_close(fast, eager, torch.randn(2, 3, resolution, resolution))


@pytest.mark.parametrize(
    "flags",
    [
        dict(channels_last=False, freeze=False),
        dict(channels_last=True, freeze=False),
        dict(channels_last=False, freeze=True),
        dict(onednn_fusion=False),
        dict(optimize_for_inference=True),
        dict(channels_last=False, freeze=False, optimize_for_inference=True),
    ],
)
def test_every_combination_of_steps_keeps_the_outputs(flags):
    eager = trained_looking(mobilenet_v1_model(0.5))
    assert_close(optimize(eager, 160, **flags), eager, torch.randn(1, 3, 160, 160))


def test_a_frozen_mobilenet_still_takes_other_resolutions():
    eager = trained_looking(mobilenet_v1_model(0.25))
    fast = optimize(eager, 128)
    for side in (97, 224):
        assert_close(fast, eager, torch.randn(1, 3, side, side))


def test_grey_28_pixel_stem():
    eager = trained_looking(mobilenet_v1_model(0.5, num_classes=10, in_channels=1, stem_stride=1))
    assert_close(optimize(eager, 28), eager, torch.randn(4, 1, 28, 28))


def test_batchnorm_is_folded_and_names_are_kept():
    eager = trained_looking(mobilenet_v1_model(0.25))
    folded = fold_batchnorm(eager)
    assert not any(isinstance(m, nn.BatchNorm2d) for m in folded.modules())
    assert [n for n, _ in folded.named_children()] == [n for n, _ in eager.named_children()]
    # the fused convolution now carries the bias that BatchNorm's shift became
    assert folded.conv1_dw.conv.bias is not None
    assert sum(p.numel() for p in folded.parameters()) < sum(p.numel() for p in eager.parameters())


def test_frozen_graph_has_no_batchnorm():
    fast = optimize(trained_looking(mobilenet_v1_model(0.25)), 64)
    assert "batch_norm" not in str(fast.graph)
    assert "conv" in str(fast.graph)


def test_the_original_model_is_left_alone():
    eager = mobilenet_v1_model(0.25).train()
    before = {k: v.clone() for k, v in eager.state_dict().items()}
    optimize(eager, 64)
    assert eager.training
    assert isinstance(eager.conv0.bn, nn.BatchNorm2d)
    assert all(torch.equal(before[k], v) for k, v in eager.state_dict().items())


def test_onednn_fusion_switch_is_restored():
    before = torch.jit.onednn_fusion_enabled()
    optimize(trained_looking(mobilenet_v1_model(0.25)), 64)
    assert torch.jit.onednn_fusion_enabled() == before

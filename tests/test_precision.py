"""The precision ladder: bfloat16 and int8 versions of a small MobileNet really compute in their
format and agree roughly with float32; per-tensor depthwise quantization is what it says. Accuracy
and speed are measured in benchmarks/engines.py and the deployment chapter, not asserted here."""

import pytest

torch = pytest.importorskip("torch")

from mnetcalc.networks.mobilenet_v1 import mobilenet_v1_model  # noqa: E402
from mnetcalc.runtime.precision import (  # noqa: E402
    INT8_LEVELS,
    DepthwiseRange,
    accuracy,
    bfloat16,
    depthwise_ranges,
    int8,
    int8_module,
)


@pytest.fixture(scope="module")
def small():
    torch.manual_seed(0)
    model = mobilenet_v1_model(0.25, num_classes=10).eval()
    generator = torch.Generator().manual_seed(1)
    calibration = torch.randn(64, 3, 32, 32, generator=generator)
    x = torch.randn(8, 3, 32, 32, generator=generator)
    with torch.no_grad():
        expected = model(x)
    return model, calibration, x, expected


def cosine(a: torch.Tensor, b: torch.Tensor) -> float:
    return torch.nn.functional.cosine_similarity(a.flatten(), b.flatten(), dim=0).item()


def test_bfloat16_computes_in_bfloat16_and_agrees(small):
    model, _, x, expected = small
    bf16 = bfloat16(model, 32, threads=1)
    assert "BFloat16" in str(bf16.graph)  # weights frozen into the graph as bf16 constants
    with torch.no_grad():
        out = bf16(x)
    assert out.dtype == torch.float32
    # 8 significant bits: about 2**-8 relative per operation
    assert (out - expected).abs().max().item() <= 5e-2 * expected.abs().max().item()


def test_int8_runs_quantized_kernels_and_agrees_roughly(small):
    model, calibration, x, expected = small
    quantized = int8(model, calibration, threads=1)
    graph = str(quantized.graph)
    assert "quantized::conv2d_relu" in graph and "quantize_per_tensor" in graph
    with torch.no_grad():
        out = quantized(x)
    assert out.shape == expected.shape and out.dtype == torch.float32
    assert cosine(out, expected) > 0.95


def test_depthwise_weights_per_channel_or_per_tensor(small):
    model, calibration, _, _ = small
    per_channel = int8_module(model, calibration[:16])
    per_tensor = int8_module(model, calibration[:16], depthwise_per_channel=False)
    depthwise = [m for m in per_channel.modules() if getattr(m, "groups", 1) > 1]
    assert len(depthwise) == 13  # MobileNet v1's 13 depthwise layers
    for m in depthwise:
        assert m.weight().qscheme() == torch.per_channel_affine
    for m in (m for m in per_tensor.modules() if getattr(m, "groups", 1) > 1):
        assert m.weight().qscheme() == torch.per_tensor_affine
    # the pointwise layers stay per channel in both
    pointwise = [m for m in per_tensor.modules() if getattr(m, "groups", 0) == 1]
    assert pointwise and all(m.weight().qscheme() == torch.per_channel_affine for m in pointwise)


def test_accuracy_counts_correct_predictions():
    logits = torch.eye(4)[[0, 1, 2, 3, 0]]  # predicts 0, 1, 2, 3, 0
    labels = torch.tensor([0, 1, 0, 3, 1])
    assert accuracy(lambda images: images, logits, labels, batch_size=2) == 3 / 5


def test_depthwise_ranges_are_the_folded_weights_largest_magnitudes():
    model = mobilenet_v1_model(0.25, num_classes=10).eval()
    layer = model.conv1_dw  # 8 channels
    channels = layer.conv.out_channels
    with torch.no_grad():
        # channel c: every weight +-(c + 1); BatchNorm divides by sqrt(var + eps) = 2
        signs = torch.ones_like(layer.conv.weight)
        signs[:, :, 0, 0] = -1
        scale = torch.arange(1.0, channels + 1).view(-1, 1, 1, 1)
        layer.conv.weight.copy_(signs * scale)
        layer.bn.weight.fill_(1.0)
        layer.bn.running_var.fill_(4.0 - layer.bn.eps)
    rows = depthwise_ranges(model)
    assert [row.layer for row in rows] == [f"conv{i}_dw.conv" for i in range(1, 14)]
    first = rows[0]
    assert first.ranges == pytest.approx([(c + 1) / 2 for c in range(channels)], rel=1e-6)
    assert first.spread == pytest.approx(channels)
    assert first.levels() == pytest.approx(
        [INT8_LEVELS * (c + 1) / channels for c in range(channels)]
    )


def test_per_tensor_int8_uses_one_scale_for_the_widest_channel(small):
    model, calibration, _, _ = small
    widest = max(depthwise_ranges(model)[0].ranges)
    quantized = int8_module(model, calibration, depthwise_per_channel=False)
    scale = next(
        m.weight().q_scale()
        for m in quantized.modules()
        if hasattr(m, "weight") and callable(m.weight) and m.groups > 1
    )
    # symmetric int8: the widest channel spans 127.5 steps of the scale
    assert widest / scale == pytest.approx(INT8_LEVELS + 0.5, rel=1e-3)


def test_a_dead_channel_has_infinite_spread():
    row = DepthwiseRange("dw", (0.0, 2.0))
    assert row.spread == float("inf")
    assert row.levels() == (0.0, INT8_LEVELS)

"""Our models under the counters and weights people use (issue 27, newcomer review findings 6, 7
and 20): ptflops and thop count their convolutions (plain ``nn.Conv2d``), fvcore's conv + linear is
our count and ``.total()`` adds BatchNorm and pooling, and torchvision's and timm's
``state_dict`` keys map onto our models.

ptflops, thop, torchvision and timm are not requirements: tests/peers/check_peers.py ran them in a
separate virtual environment (torch 2.14.1, torchvision 0.29.1, timm 1.0.31, fvcore 0.1.5,
ptflops and thop from PyPI) and printed the numbers recorded here; it also loaded every peer of
:data:`mnetcalc.interop.PEER_MODELS` (randomly initialised, BatchNorm statistics randomised)
into our model through the key map, outputs equal (max relative difference below 1e-6), and
stored their ``state_dict`` key names and shapes in tests/peers/state_dict_keys.json, which the
key map is tested on here."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import mnetcalc
from mnetcalc.interop import PEER_MODELS, key_map
from mnetcalc.validation import InvalidArgument

KEYS = json.loads((Path(__file__).parent / "peers" / "state_dict_keys.json").read_text())

#: (network, options as a tuple, resolution) -> what the peers' counters gave on our model
#: (1 x 3 x res x res): fvcore ``.total()``, its ``conv`` + ``linear``; ptflops'
#: ``get_model_complexity_info`` MACs as it is usually called and with BatchNorm, activations and
#: pooling ignored (``ignore_modules``, ``count_functional=False``); thop's ``profile`` MACs as
#: usually called and with those modules counted as zero.
COUNTERS = {
    ("mobilenet_v1", (("alpha", 0.5),), 160): (
        79_110_400,
        76_524_800,
        81_697_000,
        76_525_800,
        81_683_712,
        76_524_800,
    ),
    ("mobilenet_v2", (("alpha", 0.75),), 160): (
        113_302_000,
        107_295_200,
        116_058_600,
        107_296_200,
        119_278_080,
        107_295_200,
    ),
    ("mobilenet_v3", (("variant", "large"),), 224): (
        226_033_824,
        216_589_760,
        231_316_416,
        216_597_120,
        234_838_456,
        216_589_760,
    ),
    ("mobilenet_v3", (("variant", "small"), ("alpha", 0.75)), 160): (
        21_933_536,
        20_626_936,
        22_443_432,
        20_630_904,
        23_114_904,
        20_626_936,
    ),
}


def report_of(key):
    network, options, resolution = key
    return mnetcalc.config(network, resolution=resolution, **dict(options)).cost()


@pytest.mark.parametrize("key", list(COUNTERS), ids=lambda k: f"{k[0]}-{k[2]}")
def test_fvcore_ptflops_and_thop_count_our_models(key):
    report = report_of(key)
    fv_total, fv_conv_linear, pt_total, pt_conv_linear, th_total, th_conv_linear = COUNTERS[key]
    # fvcore's conv + linear and thop's convolutions and linear layers are our count exactly
    assert fv_conv_linear == th_conv_linear == report.mult_adds
    # ptflops also counts one addition per bias element (every biased layer here runs on a 1x1
    # map: the classifier, V3's squeeze-and-excite and head)
    assert pt_conv_linear == report.mult_adds + report.bias_params
    # each counter's usual total adds BatchNorm, activations or pooling: 3-13 % more
    for total in (fv_total, pt_total, th_total):
        assert 1.03 < total / report.mult_adds < 1.13


@pytest.mark.parametrize("key", list(COUNTERS), ids=lambda k: f"{k[0]}-{k[2]}")
def test_fvcore_total_adds_batchnorm_and_pooling(key):
    pytest.importorskip("fvcore")
    torch = pytest.importorskip("torch")
    from fvcore.nn import FlopCountAnalysis

    network, options, resolution = key
    model = mnetcalc.config(network, resolution=resolution, **dict(options)).model().eval()
    ops = FlopCountAnalysis(model, torch.randn(1, 3, resolution, resolution))
    ops.unsupported_ops_warnings(False)
    by_operator = ops.by_operator()
    assert by_operator["conv"] + by_operator["linear"] == report_of(key).mult_adds
    assert ops.total() == COUNTERS[key][0]
    assert set(by_operator) - {"conv", "linear"} <= {
        "batch_norm",
        "adaptive_avg_pool2d",
        "hardswish",
        "hardsigmoid",
        "mul",
    }


def test_every_convolution_of_a_model_is_a_plain_conv2d_at_the_usual_sizes():
    torch = pytest.importorskip("torch")
    from torch import nn

    for network in ("mobilenet_v1", "mobilenet_v2", "mobilenet_v3"):
        model = mnetcalc.config(network, resolution=160).model()
        convs = [m for m in model.modules() if isinstance(m, nn.Conv2d)]
        assert convs and all(type(m) is nn.Conv2d for m in convs)
    # where a map is smaller than the kernel (a 28-pixel MobileNet with a stride-1 stem), the
    # subclass that pads by itself (it trains faster there) stays
    from mnetcalc.runtime.layer_modules import Conv2d

    small = mnetcalc.MobileNetConfig(0.25, resolution=28, stem_stride=1, num_classes=10).model()
    assert any(type(m) is Conv2d for m in small.modules())
    assert torch.is_tensor(small(torch.randn(1, 3, 28, 28)))


@pytest.mark.parametrize("peer", sorted(f"{a}/{b}" for a, b in PEER_MODELS))
def test_the_key_map_pairs_every_peer_tensor_with_ours(peer):
    library, name = peer.split("/")
    network, options, _ = PEER_MODELS[(library, name)]
    theirs = KEYS[peer]
    pytest.importorskip("torch")  # our state_dict's shapes come from the built model

    ours = {
        k: list(v.shape)
        for k, v in mnetcalc.config(network, **options).model().state_dict().items()
    }
    mapping = key_map(ours, theirs)
    assert sorted(mapping) == sorted(theirs) and sorted(mapping.values()) == sorted(ours)
    # the map follows the layers: the stem first, the classifier last
    first, *_, last = mapping.items()
    assert first[1] == "conv0.conv.weight" and last[1].endswith("fc.linear.bias")


def test_the_key_map_names_the_first_tensor_that_does_not_fit():
    ours = {"conv0.conv.weight": [32, 3, 3, 3], "conv0.bn.weight": [32]}
    with pytest.raises(InvalidArgument, match="'stem.weight' \\[16, 3, 3, 3\\] does not fit"):
        key_map(ours, {"stem.weight": [16, 3, 3, 3], "bn.weight": [16]})
    with pytest.raises(InvalidArgument, match="theirs has 'extra.bias' and 0 more left over"):
        key_map(ours, {"a.weight": [32, 3, 3, 3], "b.weight": [32], "extra.bias": [3]})

"""VGG16 (mnetcalc.networks.vgg16) against a hand count and its well-known totals."""

import mnetcalc

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

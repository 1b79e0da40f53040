"""AlexNet (mnetcalc.networks.alexnet) against hand counts: the two-GPU model and its groups."""

import mnetcalc


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

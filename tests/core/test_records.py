"""Configurations and cost reports behave like records, factories share one signature, and each cost
formula lives in one place (the layer types and the single-layer comparison agree with it)."""

import inspect

import pytest
from hypothesis import given
from hypothesis import strategies as st

import mnetcalc
from mnetcalc.core import formulas
from mnetcalc.core.layers import Conv, DepthwiseConv, FullyConnected, LayerCost
from mnetcalc.core.network import spec_costs
from mnetcalc.networks import alexnet, googlenet, registry
from mnetcalc.networks.mobilenet_v1 import mobilenet_v1_spec
from mnetcalc.train_config import TrainConfig, fashion_mnist_mobilenet

CONFIGS = [
    mnetcalc.MobileNetConfig(0.5, resolution=160),
    mnetcalc.VGG16Config(),
    mnetcalc.GoogLeNetConfig(large_kernel=3),
    mnetcalc.AlexNetConfig(groups=1),
    mnetcalc.SqueezeNetConfig(resolution=224),
]


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: c.network)
def test_a_cost_report_is_an_immutable_record_of_its_configuration(config):
    report = config.cost()
    assert report.config is config
    assert list(report) == list(report.layers) and all(isinstance(r, LayerCost) for r in report)
    assert len(report) == len(report.layers)
    assert report == config.cost() and hash(report) == hash(config.cost())
    with pytest.raises(AttributeError):
        report.layers = ()
    with pytest.raises(TypeError):
        report.meta["resolution"] = 1
    assert report.meta["network"] == config.network
    assert report.to_dict()["layers"][0]["name"] == report.layers[0].name


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: c.network)
def test_a_configuration_is_immutable_compared_by_value_and_replaceable(config):
    with pytest.raises(AttributeError):
        config.resolution = 1
    twin = config.replace(num_classes=10)
    assert twin != config and twin.num_classes == 10 and config.num_classes == 1000
    assert twin.replace(num_classes=1000) == config
    assert len({config, config.replace()}) == 1


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: c.network)
def test_records_copy_and_pickle(config):
    import copy
    import pickle

    report = config.cost()
    assert copy.deepcopy(config) == config and copy.copy(config) == config
    assert pickle.loads(pickle.dumps(report)) == report


def test_configurations_check_their_values_when_made():
    with pytest.raises(mnetcalc.InvalidArgument) as error:
        mnetcalc.MobileNetConfig(0)
    assert error.value.name == "alpha"
    with pytest.raises(mnetcalc.InvalidArgument) as error:
        mnetcalc.MobileNetConfig(resolution="big")
    assert error.value.name == "resolution"
    with pytest.raises(mnetcalc.InvalidArgument) as error:
        mnetcalc.AlexNetConfig(groups=3)
    assert error.value.name == "groups"
    assert mnetcalc.MobileNetConfig("0.5", resolution="160") == mnetcalc.MobileNetConfig(
        0.5, resolution=160
    )


def test_a_resolution_too_small_is_a_typed_error_naming_the_resolution():
    with pytest.raises(mnetcalc.InputTooSmall) as error:
        mnetcalc.alexnet_cost(32)
    assert isinstance(error.value, mnetcalc.InvalidArgument)
    assert error.value.name == "resolution"


FACTORIES = [
    mnetcalc.mobilenet_v1_cost,
    mnetcalc.vgg16_cost,
    mnetcalc.googlenet_cost,
    mnetcalc.alexnet_cost,
    mnetcalc.squeezenet_cost,
    mnetcalc.network_cost,
    mnetcalc.MobileNetConfig,
    mnetcalc.VGG16Config,
    mnetcalc.GoogLeNetConfig,
    mnetcalc.AlexNetConfig,
    mnetcalc.SqueezeNetConfig,
    mobilenet_v1_spec,
    googlenet.googlenet_spec,
    alexnet.alexnet_spec,
    fashion_mnist_mobilenet,
]


@pytest.mark.parametrize("factory", FACTORIES, ids=lambda f: f.__name__)
def test_factories_take_keywords_only_after_the_first_argument(factory):
    _, *rest = inspect.signature(factory).parameters.values()
    assert all(p.kind in (p.KEYWORD_ONLY, p.VAR_KEYWORD) for p in rest)


def test_a_positional_resolution_is_refused_not_misread():
    with pytest.raises(TypeError):
        mnetcalc.mobilenet_v1_cost(0.5, 160)


def test_the_shorthands_are_their_configurations_costs():
    assert mnetcalc.mobilenet_v1_cost(0.5, resolution=160) == CONFIGS[0].cost()
    assert mnetcalc.googlenet_cost(large_kernel=3) == CONFIGS[2].cost()
    assert registry.network_cost("squeezenet", resolution=224) == CONFIGS[4].cost()


# -- one home for each formula --------------------------------------------------------------------

sides = st.integers(1, 40)
widths = st.integers(1, 300)


@given(dk=st.sampled_from([1, 3, 5, 7]), m=widths, n=widths, df=sides)
def test_layer_types_and_the_single_layer_comparison_use_the_same_formulas(dk, m, n, df):
    # Stride 1, "same" padding: the output side is the input side df.
    (conv,) = spec_costs((("conv", Conv(n, dk, 1)),), resolution=df, in_channels=m)
    assert (conv.mult_adds, conv.params) == formulas.standard_conv_cost(dk, m, n, df)
    (dw_m,) = DepthwiseConv(dk, 1).costs("dw", m, df)
    (pw_m,) = Conv(n, 1, 1).costs("pw", m, df)
    assert (dw_m.mult_adds, dw_m.params) == formulas.depthwise_conv_cost(dk, m, df)
    assert (pw_m.mult_adds, pw_m.params) == formulas.pointwise_conv_cost(m, n, df)
    comparison = mnetcalc.layer_comparison(dk, m, n, df)
    assert comparison.standard == (conv.mult_adds, conv.params)
    assert comparison.separable == (dw_m.mult_adds + pw_m.mult_adds, dw_m.params + pw_m.params)
    (fc,) = FullyConnected(n).costs("fc", m, 1)
    assert (fc.mult_adds, fc.params) == formulas.fully_connected_cost(m, n) == (m * n, m * n)


def test_formulas_by_hand():
    # Paper Table 3's layer: 3x3, 512 -> 512 channels, 14x14 output.
    assert formulas.standard_conv_cost(3, 512, 512, 14) == (3 * 3 * 512 * 512 * 14 * 14, 2_359_296)
    assert formulas.separable_conv_cost(3, 512, 512, 14) == (
        3 * 3 * 512 * 196 + 512 * 512 * 196,
        3 * 3 * 512 + 512 * 512,
    )
    # AlexNet's conv2 in two groups: each filter sees 48 of the 96 input channels.
    assert formulas.standard_conv_cost(5, 96, 256, 27, groups=2) == (
        5 * 5 * 48 * 256 * 729,
        307_200,
    )


# -- the training configuration holds its network ------------------------------------------------


def test_train_config_holds_a_fashion_mnist_mobilenet():
    config = TrainConfig.of(alpha=0.5, resolution=24, epochs=3)
    assert config.network == fashion_mnist_mobilenet(0.5, resolution=24)
    assert (config.network.in_channels, config.network.num_classes) == (1, 10)
    assert config.cost() == config.network.cost()
    assert TrainConfig.of(**config.to_dict()) == config
    assert config.replace(alpha=0.25).network.alpha == 0.25
    with pytest.raises(mnetcalc.InvalidArgument) as error:
        TrainConfig(network=mnetcalc.MobileNetConfig())  # 3 channels, 1000 classes
    assert error.value.name == "network"


@pytest.mark.parametrize("flip", ["no", "yes", "False", 2, None])
def test_train_config_takes_flip_as_a_boolean_only(flip):
    with pytest.raises(mnetcalc.InvalidArgument) as error:
        TrainConfig(flip=flip)
    assert error.value.name == "flip"


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: spec_costs(mobilenet_v1_spec(), resolution=-224), "resolution"),
        (lambda: formulas.separable_conv_cost(3, -1, 512, 14), "m"),
        (lambda: formulas.standard_conv_cost(3, 512, 512, 0), "df"),
        (lambda: mnetcalc.reduction_ratio(3, 0), "n"),
        (lambda: mnetcalc.mobilenet_v1_cost(num_classes="many"), "num_classes"),
        (lambda: mnetcalc.mobilenet_v1_cost(11), "alpha"),
        (lambda: mnetcalc.vgg16_cost(10**5), "resolution"),
        (lambda: mnetcalc.scale_channels(-5, 0.5), "channels"),
        (lambda: mnetcalc.scale_channels(32, 0), "alpha"),
    ],
)
def test_exported_helpers_check_their_arguments(call, name):
    with pytest.raises(mnetcalc.InvalidArgument) as error:
        call()
    assert error.value.name == name


def test_a_class_count_may_be_spelled_as_a_float():
    assert mnetcalc.mobilenet_v1_cost(num_classes="1e3") == mnetcalc.mobilenet_v1_cost()

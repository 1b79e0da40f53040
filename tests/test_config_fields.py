"""Every field of every network configuration refuses its bad values with a one-line message that
names the field and the value (and the largest value allowed, where validation.LIMITS has one), and
accepts its other spellings of good values; the bad values here are chosen by hand, not read from
the classes' tables."""

import math

import pytest

from mnetcalc.networks.alexnet import AlexNetConfig
from mnetcalc.networks.googlenet import GoogLeNetConfig
from mnetcalc.networks.mobilenet_v1 import MobileNetConfig
from mnetcalc.networks.mobilenet_v2 import MobileNetV2Config
from mnetcalc.networks.squeezenet import SqueezeNetConfig
from mnetcalc.networks.ssd_mobilenet_v1 import SSDMobileNetV1Config
from mnetcalc.networks.vgg16 import VGG16Config
from mnetcalc.validation import LIMITS, InvalidArgument

WIDTH = [0, -1, "x", math.nan, math.inf, True, None, 10.5]
SIDE = [0, -224, 2.5, "big", True, None, 10_001, "1e9"]
ZOO_SIDE = [value for value in SIDE if value is not None]  # None: the network's own side
CLASSES = [0, -1, 1.5, "many", 1_000_001]
CHANNELS = [0, -3, 0.5, "rgb", 10_001]

BAD = {
    MobileNetConfig: {
        "alpha": WIDTH,
        "resolution": SIDE,
        "num_classes": [-1, 1.5, "many", 1_000_001],  # 0 is the body alone
        "variant": ["Shallow", "", None],
        "stem_stride": [0, -2, 1.5, 101],
        "in_channels": CHANNELS,
    },
    MobileNetV2Config: {
        "alpha": WIDTH,
        "resolution": SIDE,
        "num_classes": CLASSES,
        "in_channels": CHANNELS,
    },
    SSDMobileNetV1Config: {
        "alpha": WIDTH,
        "resolution": SIDE,
        "num_classes": CLASSES,
        "min_depth": [0, -16, 1.5, "deep"],
        "in_channels": CHANNELS,
    },
    VGG16Config: {"resolution": ZOO_SIDE, "num_classes": CLASSES, "in_channels": CHANNELS},
    SqueezeNetConfig: {"resolution": ZOO_SIDE, "num_classes": CLASSES, "in_channels": CHANNELS},
    AlexNetConfig: {
        "resolution": ZOO_SIDE,
        "num_classes": CLASSES,
        "in_channels": CHANNELS,
        "groups": [0, 3, -1, 1.5, "two"],
    },
    GoogLeNetConfig: {
        "resolution": ZOO_SIDE,
        "num_classes": CLASSES,
        "in_channels": CHANNELS,
        "large_kernel": [0, -5, 2.5, 100],
        # a switch is True or False: "no" was once taken as true (a non-empty string)
        "aux_classifiers": ["no", "yes", "False", 2, None],
    },
}

CASES = [
    pytest.param(config, field, value, id=f"{config.__name__}-{field}={value!r}")
    for config, fields in BAD.items()
    for field, values in fields.items()
    for value in values
]


#: The limits of parameters of one network, which its module states (the others: LIMITS).
OWN_LIMITS = {"stem_stride": 100, "large_kernel": 99}


def limit_text(field: str) -> str:
    limit = {**LIMITS, **OWN_LIMITS}[field]
    return f"{limit:g}" if isinstance(limit, float) else str(limit)


@pytest.mark.parametrize("config, field, value", CASES)
def test_a_bad_value_is_refused_naming_the_field_and_the_value(config, field, value):
    with pytest.raises(InvalidArgument) as error:
        config(**{field: value})
    message = str(error.value)
    assert error.value.name == field
    assert message.startswith(f"{field} must be ")
    assert repr(value) in message and "\n" not in message
    if field in LIMITS or field in OWN_LIMITS:
        assert limit_text(field) in message


@pytest.mark.parametrize(
    "config, options, fields",
    [
        (
            MobileNetConfig,
            dict(
                alpha="0.5", resolution="1.6e2", num_classes=0, variant="shallow", stem_stride=1.0
            ),
            dict(alpha=0.5, resolution=160, num_classes=0, variant="shallow", stem_stride=1),
        ),
        (
            MobileNetV2Config,
            dict(alpha=" 1.4", resolution=224.0, num_classes="1001", in_channels=" 1 "),
            dict(alpha=1.4, resolution=224, num_classes=1001, in_channels=1),
        ),
        (
            SSDMobileNetV1Config,
            dict(alpha=10, resolution="1e4", num_classes=1, min_depth=10**6),
            dict(alpha=10.0, resolution=10_000, num_classes=1, min_depth=10**6),
        ),
        (AlexNetConfig, dict(resolution=None, groups="1"), dict(resolution=227, groups=1)),
        (
            GoogLeNetConfig,
            dict(large_kernel="3", aux_classifiers=1, num_classes=1_000_000),
            dict(large_kernel=3, aux_classifiers=True, num_classes=1_000_000),
        ),
    ],
)
def test_good_values_are_accepted_in_any_spelling_and_normalised(config, options, fields):
    made = config(**options)
    assert {name: getattr(made, name) for name in fields} == fields
    for name, value in fields.items():
        assert type(getattr(made, name)) is type(value)


@pytest.mark.parametrize("config", list(BAD), ids=lambda c: c.__name__)
def test_the_first_bad_field_in_the_signature_is_the_one_named(config):
    first, second, *_ = BAD[config]
    with pytest.raises(InvalidArgument) as error:
        config(**{first: BAD[config][first][0], second: BAD[config][second][0]})
    assert error.value.name == first


@pytest.mark.parametrize("config", list(BAD), ids=lambda c: c.__name__)
def test_every_field_has_one_rule(config):
    assert set(config.__slots__) == set(config.field_checks)
    assert len(config.__slots__) == len(config.field_checks)

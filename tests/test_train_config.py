"""The training configuration: defaults agree with the data, bad values name their field,
command-line strings are accepted. No torch needed (the command line shows and checks these before
it imports torch)."""

import pytest

from mnetcalc.train_config import IN_CHANNELS, NUM_CLASSES, TrainConfig
from mnetcalc.validation import InvalidArgument


def test_classes_agree_with_the_data_module():
    data_module = pytest.importorskip("mnetcalc.runtime.data")  # needs numpy
    assert NUM_CLASSES == len(data_module.CLASSES) == 10
    assert IN_CHANNELS == 1


@pytest.mark.parametrize(
    "changes, name",
    [
        ({"alpha": 0}, "alpha"),
        ({"alpha": "nan"}, "alpha"),
        ({"resolution": 0}, "resolution"),
        ({"variant": "deep"}, "variant"),
        ({"stem_stride": 0}, "stem_stride"),
        ({"epochs": 0}, "epochs"),
        ({"epochs": 1.5}, "epochs"),
        ({"batch_size": True}, "batch_size"),
        ({"lr": -0.1}, "lr"),
        ({"optimizer": "adam"}, "optimizer"),
        ({"warmup": 0}, "warmup"),
        ({"warmup": 1}, "warmup"),
        ({"weight_decay": -1}, "weight_decay"),
        ({"shift": -1}, "shift"),
        ({"shift": 0.5}, "shift"),
        ({"train_size": 0}, "train_size"),
        ({"seed": -1}, "seed"),
        ({"threads": 0}, "threads"),
    ],
)
def test_bad_configuration_names_the_field(changes, name):
    with pytest.raises(InvalidArgument) as error:
        TrainConfig.of(**changes)
    assert error.value.name == name
    assert str(error.value).startswith(name)


def test_configuration_accepts_command_line_strings():
    config = TrainConfig.of(
        alpha="0.75", resolution="24", epochs="3", seed="0", shift="0", weight_decay="0"
    )
    network = config.network
    assert (network.alpha, network.resolution) == (0.75, 24)
    assert (config.epochs, config.seed, config.shift, config.weight_decay) == (3, 0, 0, 0.0)
    assert config.label() == "0.75 MobileNet-24"
    assert TrainConfig.of(alpha=0.5, variant="standard").label() == "Conv 0.5 MobileNet-28"
    shallow = TrainConfig.of(alpha=1, resolution=20, variant="shallow")
    assert shallow.label() == "Shallow 1.0 MobileNet-20"

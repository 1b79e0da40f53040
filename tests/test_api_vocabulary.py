"""The public API's traps of issue 19, each shut: one vocabulary for every network (a name the
command line takes is a name ``network_cost`` takes; the first positional argument of a
configuration is its width multiplier or there is none), bad arguments refused with
InvalidArgument naming them, and the command line saying what it costs."""

from __future__ import annotations

import contextlib
import inspect
import io

import pytest

import mnetcalc
from mnetcalc.cli import main
from mnetcalc.networks.registry import NETWORKS
from mnetcalc.train_config import TrainConfig, fashion_mnist_mobilenet
from mnetcalc.validation import InvalidArgument


@pytest.mark.parametrize("name", list(NETWORKS))
def test_network_cost_takes_every_name_the_command_line_takes(name):
    report = mnetcalc.network_cost(name)
    assert report.meta["network"] == name
    assert report == NETWORKS[name].config_class()().cost()


def test_network_cost_passes_options_and_refuses_unknown_ones():
    assert mnetcalc.network_cost("mobilenet_v1", alpha=0.5) == mnetcalc.mobilenet_v1_cost(0.5)
    with pytest.raises(InvalidArgument, match="alpha is no field of VGG16Config") as error:
        mnetcalc.network_cost("vgg16", alpha=0.5)
    assert error.value.name == "alpha"
    with pytest.raises(InvalidArgument, match="'resnet50'"):
        mnetcalc.network_cost("resnet50")


@pytest.mark.parametrize("name", list(NETWORKS))
def test_the_only_positional_argument_of_a_configuration_is_its_width(name):
    config = NETWORKS[name].config_class()
    positional = [
        parameter.name
        for parameter in inspect.signature(config).parameters.values()
        if parameter.kind is parameter.POSITIONAL_OR_KEYWORD
    ]
    assert positional == (["alpha"] if NETWORKS[name].alpha else [])


def test_replace_refuses_a_field_the_record_lacks():
    with pytest.raises(InvalidArgument, match="alpah is no field of MobileNetConfig"):
        mnetcalc.MobileNetConfig().replace(alpah=0.5)


def test_a_training_run_takes_another_network_by_replace():
    other = fashion_mnist_mobilenet(0.5)
    changed = TrainConfig().replace(network=other, epochs=2)
    assert (changed.network, changed.epochs) == (other, 2)
    with pytest.raises(InvalidArgument, match="not both") as error:
        TrainConfig().replace(network=other, alpha=0.75)
    assert error.value.name == "alpha"
    with pytest.raises(InvalidArgument, match="no option of a training run") as error:
        TrainConfig().replace(epoch=2)
    assert error.value.name == "epoch"


def test_the_command_line_says_it_costs_more_than_mobilenet_v1():
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["--help"]) == 0
    assert "MobileNet v1 costs" not in out.getvalue()
    assert "of one MobileNet" not in out.getvalue()


def test_a_name_that_is_not_there_is_an_invalid_argument_not_a_key_error():
    from mnetcalc import paper
    from mnetcalc.networks.googlenet import googlenet_table_1_rows

    report = mnetcalc.googlenet_cost()
    for call, name in (
        (lambda: report.layer("conv99"), "'conv99'"),
        (lambda: paper.row("ResNet-50"), "'ResNet-50'"),
        (lambda: googlenet_table_1_rows(report, "inception6a"), "'inception6a'"),
    ):
        with pytest.raises(InvalidArgument, match=name):
            call()

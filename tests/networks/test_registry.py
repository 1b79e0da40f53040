"""The registry of the command line's networks (mnetcalc.networks.registry) against the real
configuration classes, and `mnetcalc table` importing only the module of the network asked for."""

import importlib
import inspect
import subprocess
import sys

import pytest

from mnetcalc.networks import mobilenet_v1 as architecture
from mnetcalc.networks.registry import DEFAULT_NETWORK, NETWORKS, defaults_shown, networks_with
from mnetcalc.validation import InvalidArgument

ENTRIES = list(NETWORKS.values())
IDS = list(NETWORKS)


def test_each_network_is_the_module_named_like_it():
    for entry in ENTRIES:
        assert entry.config_class().__module__ == f"mnetcalc.networks.{entry.name}"
    assert DEFAULT_NETWORK == architecture.MobileNetConfig.network


@pytest.mark.parametrize("entry", ENTRIES, ids=IDS)
def test_entry_names_its_class_and_its_defaults(entry):
    config = entry.config_class()
    assert config.network == entry.name
    default = config()
    assert (default.resolution, default.num_classes) == (entry.resolution, entry.classes)


@pytest.mark.parametrize("entry", ENTRIES, ids=IDS)
def test_alpha_is_taken_by_the_networks_marked_so_only(entry):
    config = entry.config_class()
    if entry.alpha:
        assert config(alpha=0.5).alpha == 0.5
    else:
        with pytest.raises(TypeError):
            config(alpha=0.5)


@pytest.mark.parametrize("entry", ENTRIES, ids=IDS)
def test_variants_are_the_classes_own(entry):
    config = entry.config_class()
    if not entry.variants:
        with pytest.raises(TypeError):
            config(variant="separable")
        return
    assert inspect.signature(config).parameters["variant"].default == entry.variants[0]
    assert [config(variant=v).variant for v in entry.variants] == list(entry.variants)
    with pytest.raises(InvalidArgument):
        config(variant="no_such_variant")


@pytest.mark.parametrize("entry", ENTRIES, ids=IDS)
def test_checkpoints_are_published_by_the_modules_marked_so_only(entry):
    module = importlib.import_module(entry.config_class().__module__)
    assert callable(getattr(module, "checkpoints", None)) == entry.checkpoints


def test_mobilenet_v1_variants_are_the_architectures():
    assert NETWORKS["mobilenet_v1"].variants == architecture.VARIANTS


@pytest.mark.parametrize("entry", ENTRIES, ids=IDS)
def test_body_only_is_allowed_where_marked_only(entry):
    config = entry.config_class()
    if entry.body_only:
        assert config(num_classes=0).num_classes == architecture.BODY_ONLY
    else:
        with pytest.raises(InvalidArgument):
            config(num_classes=0)


def test_the_networks_taking_alpha_are_the_mobilenets():
    # The command line's errors call them "the MobileNets".
    assert all(("mobilenet" in name) == NETWORKS[name].alpha for name in NETWORKS)


def test_defaults_shown_groups_the_networks_by_value():
    assert defaults_shown("resolution") == "224; alexnet, squeezenet: 227; ssd_mobilenet_v1: 300"
    assert (
        defaults_shown("classes", {"ssd_mobilenet_v1": "note"})
        == "1000; ssd_mobilenet_v1: 91, note"
    )
    with_variants = networks_with("variants")
    assert with_variants[0] == "mobilenet_v1" and "vgg16" not in with_variants


def modules_imported(argv: list[str]) -> set[str]:
    """The modules of mnetcalc a fresh interpreter has imported after running ``mnetcalc ARGV``."""
    probe = (
        "import sys; from mnetcalc.cli import main; main(sys.argv[1:]); "
        "print(' '.join(m for m in sys.modules if m.startswith('mnetcalc.')), file=sys.stderr)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, *argv], capture_output=True, text=True, check=True
    )
    return set(done.stderr.split())


NETWORK_MODULES = {f"mnetcalc.networks.{entry.name}" for entry in ENTRIES}


@pytest.mark.parametrize(
    "argv, expected",
    [
        (["table", "--alpha", "0.25", "--res", "128"], {"mobilenet_v1"}),
        (["table", "--network", "vgg16"], {"vgg16"}),
        # SSD builds on MobileNet v1's body; MobileNetV2 on no other network
        (
            ["table", "--network", "mobilenet_v2", "--format", "json"],
            {"mobilenet_v2"},
        ),
        (
            ["table", "--network", "ssd_mobilenet_v1", "--res", "320"],
            {"ssd_mobilenet_v1", "mobilenet_v1"},
        ),
    ],
)
def test_table_imports_only_the_module_of_its_network(argv, expected):
    assert modules_imported(argv) & NETWORK_MODULES == {
        f"mnetcalc.networks.{name}" for name in expected
    }


def test_choose_imports_only_the_modules_that_publish_checkpoints():
    assert modules_imported(["choose", "--latency-ms", "5"]) & NETWORK_MODULES == {
        f"mnetcalc.networks.{name}"
        for name in ("mobilenet_v1", "mobilenet_v2", "mobilenet_v3", "mobilenet_v4")
    }

"""The package's public API (issue 27): one entry for every network (``config``,
``list_networks``), the same names for MobileNet v1, V2 and V3, the chooser and the calibration
exported, a docstring on every public name and on the public methods of every public class, a
report that shows as a table in a notebook, and ``model()`` saying how to get torch."""

from __future__ import annotations

import inspect
import subprocess
import sys

import pytest

import mnetcalc
from mnetcalc.networks.registry import NETWORKS


def public_members(cls):
    """The public methods and properties a class defines itself (not those of ``object``)."""
    for name, value in vars(cls).items():
        if name.startswith("_") and name not in ("__init__", "__str__"):
            continue
        if isinstance(value, (property, staticmethod, classmethod)) or inspect.isfunction(value):
            yield name, value


def test_every_public_name_and_its_public_methods_have_a_docstring():
    missing = []
    for name in mnetcalc.__all__:
        obj = getattr(mnetcalc, name)
        if not (inspect.isclass(obj) or inspect.isfunction(obj)):
            continue  # constants (documented by #: comments in their modules)
        if not (obj.__doc__ or "").strip():
            missing.append(name)
        if inspect.isclass(obj):
            for member, value in public_members(obj):
                if member == "__init__":
                    continue  # the class's docstring describes its arguments
                # an override documented where it is declared counts (as in Sphinx's autodoc)
                if not inspect.getdoc(
                    getattr(obj, member) if not isinstance(value, property) else value
                ):
                    missing.append(f"{name}.{member}")
    assert missing == []


def test_list_networks_is_the_registry_and_config_builds_each():
    assert mnetcalc.list_networks() == list(NETWORKS)
    for name in mnetcalc.list_networks():
        config = mnetcalc.config(name)
        assert config.network == name
        assert config.cost() == mnetcalc.network_cost(name)


def test_config_takes_options_and_refuses_unknown_ones():
    config = mnetcalc.config("mobilenet_v3", alpha=0.75, variant="small", resolution=160)
    assert config == mnetcalc.MobileNetV3Config(0.75, variant="small", resolution=160)
    # torchvision's mobilenet_v3_small(width_mult=0.75) at 160: 20,626,936 MACs, 1,653,920
    # parameters (the newcomer review, Part 4; fvcore conv + linear and sum of numel)
    report = config.cost()
    assert (report.mult_adds, report.total_params) == (20_626_936, 1_653_920)
    with pytest.raises(mnetcalc.InvalidArgument, match="width_mult is no field"):
        mnetcalc.config("mobilenet_v2", width_mult=0.5)


@pytest.mark.parametrize("network", ["v1", "v2", "v3", "v4"])
def test_every_mobilenet_has_config_cost_model_and_spec(network):
    config = getattr(mnetcalc, f"MobileNet{network.upper()}Config")
    cost, model, spec = (
        getattr(mnetcalc, f"mobilenet_{network}_{kind}") for kind in ("cost", "model", "spec")
    )
    assert cost(0.5) == config(0.5).cost()
    assert tuple(spec(0.5)) == tuple(config(0.5).spec())
    assert callable(model)


def test_mobilenet_v4_is_exported_like_the_others():
    # timm 1.0.29's mobilenetv4_hybrid_medium_075: sum(p.numel()) = 7,313,528 (timm's
    # _gen_mobilenet_v4 at channel_multiplier 0.75; its published param_count 7.31 M)
    report = mnetcalc.mobilenet_v4_cost(0.75, variant="hybrid_medium", resolution=224)
    assert report == mnetcalc.network_cost(
        "mobilenet_v4", alpha=0.75, variant="hybrid_medium", resolution=224
    )
    assert report.total_params == 7_313_528
    assert isinstance(report.config, mnetcalc.MobileNetV4Config)


def test_the_chooser_and_the_calibration_are_exported():
    from mnetcalc.latency_model import load_calibration, shipped_calibration
    from mnetcalc.latency_model.checkpoints import published_checkpoints
    from mnetcalc.latency_model.choose import Budget, choose

    assert mnetcalc.Budget is Budget and mnetcalc.choose is choose
    assert mnetcalc.load_calibration is load_calibration
    assert mnetcalc.shipped_calibration is shipped_calibration
    assert mnetcalc.published_checkpoints is published_checkpoints


def test_the_latency_models_torch_free_side_has_one_home():
    # choose, the checkpoint catalog and the machine record live in mnetcalc.latency_model only
    from pathlib import Path

    package = Path(mnetcalc.__file__).parent
    for name in ("choose", "checkpoints", "machine"):
        assert not (package / f"{name}.py").exists()
        assert (package / "latency_model" / f"{name}.py").exists()


def test_a_report_shows_as_a_table_in_a_notebook():
    report = mnetcalc.config("mobilenet_v2", alpha=0.5).cost()
    markdown, html = report._repr_markdown_(), report._repr_html_()
    assert markdown.startswith("**MobileNetV2, alpha 0.5, resolution 224, 1000 classes**")
    assert "| conv0 |" in markdown
    assert html.count("<table>") == 2 and "<td" in html
    assert str(report).splitlines()[0] == "MobileNetV2, alpha 0.5, resolution 224, 1000 classes"
    assert len(html) < 40_000 and "<script" not in html


def test_model_without_torch_says_how_to_install_it_in_one_line():
    # A fresh interpreter in which importing torch fails, as where it is not installed.
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] == 'torch':\n"
        "            raise ModuleNotFoundError(f'No module named {name!r}', name=name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "import mnetcalc\n"
        "try:\n"
        "    mnetcalc.config('mobilenet_v1').model()\n"
        "except ModuleNotFoundError as error:\n"
        "    print(error)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == (
        "MobileNetConfig.model() needs torch, which is not installed: pip install 'mnetcalc[torch]'"
    )


def test_the_package_docstring_names_what_is_there():
    doc = mnetcalc.__doc__
    for name in ("MobileNet v1, V2, V3 and V4", "list_networks", "config(", "choose", "interop"):
        assert name in doc
    assert "latency.BenchConfig" not in doc
    assert "for MobileNet v1 (Howard" not in doc


def test_the_api_reference_page_documents_every_public_name():
    # book/api.md: Sphinx's autodoc renders each name's signature and docstring at build time
    import re
    from pathlib import Path

    from mnetcalc import _SOURCE

    page = (Path(__file__).resolve().parents[1] / "book" / "api.md").read_text()
    documented = set(re.findall(r"^\.\. (?:auto\w+|py:data):: ([\w.]+)", page, re.MULTILINE))
    expected = {f"mnetcalc.{module}.{name}" for name, module in _SOURCE.items()}
    assert expected - documented == set()
    assert "mnetcalc.MobileNetV1Config" in documented and "mnetcalc.interop" in documented
    toc = (Path(__file__).resolve().parents[1] / "_toc.yml").read_text()
    assert toc.index("book/calculator") < toc.index("book/api") < toc.index("caption: Appendix")


@pytest.mark.parametrize(
    "name, meant",
    [
        ("MobileNetV2", "mobilenet_v2"),
        ("mobilenetv2", "mobilenet_v2"),
        ("mobilenet_v3_small", "mobilenet_v3 with variant='small'"),  # torchvision's name
        ("VGG-16", "vgg16"),
    ],
)
def test_a_near_miss_network_name_is_refused_with_what_it_meant(name, meant, capsys):
    with pytest.raises(mnetcalc.InvalidArgument, match=f"did you mean {meant}") as error:
        mnetcalc.config(name)
    assert error.value.name == "network"
    from mnetcalc.cli import main

    assert main(["table", "--network", name]) == 2
    assert capsys.readouterr().err.rstrip().endswith(f"did you mean {meant}?")


def test_torchvision_s_width_mult_is_named_as_alpha():
    with pytest.raises(mnetcalc.InvalidArgument, match="width_mult is alpha here"):
        mnetcalc.config("mobilenet_v2", width_mult=0.5)

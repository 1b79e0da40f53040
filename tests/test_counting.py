"""fvcore's count of the real PyTorch model against the calculator, layer by layer, exactly.

fvcore traces the module built by ``mnetcalc.runtime.model`` and applies its own per-operator
formulas, so
it is an independent count of the same architecture data. Each model is built once per (alpha,
variant) and traced at every resolution (a MobileNet pools globally, so one model serves all).
"""

import functools
import json

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("fvcore")

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import mnetcalc  # noqa: E402
from mnetcalc.cli import main  # noqa: E402
from mnetcalc.networks.mobilenet_v1 import mobilenet_v1_model  # noqa: E402
from mnetcalc.runtime.counting import check_counts, flop_analysis  # noqa: E402

pytestmark = pytest.mark.usefixtures("one_torch_thread")

VARIANTS = ("separable", "standard", "shallow")
ALPHAS = (1.0, 0.75, 0.5, 0.25, 0.35, 1.3)
RESOLUTIONS = (224, 192, 160, 128, 97, 225)


@functools.cache
def model(alpha, variant="separable", num_classes=1000, in_channels=3, stem_stride=2):
    return mobilenet_v1_model(
        alpha,
        num_classes=num_classes,
        variant=variant,
        in_channels=in_channels,
        stem_stride=stem_stride,
    ).eval()


def assert_exact_agreement(check):
    for row in check.layers:
        assert row.fvcore_mult_adds == row.analytic_mult_adds, row
        assert row.fvcore_params == row.analytic_params, row
    assert check.fvcore_total_mult_adds == check.analytic_total_mult_adds
    assert check.fvcore_total_params == check.analytic_total_params
    assert check.unsupported_ops == {}
    assert check.agrees


@pytest.mark.parametrize("resolution", RESOLUTIONS)
@pytest.mark.parametrize("alpha", ALPHAS)
@pytest.mark.parametrize("variant", VARIANTS)
def test_fvcore_agrees_with_the_calculator_per_layer(variant, alpha, resolution):
    report = mnetcalc.mobilenet_v1_cost(alpha, resolution=resolution, variant=variant)
    check = check_counts(report, model(alpha, variant))
    assert [row.name for row in check.layers] == [row.name for row in report.layers]
    assert_exact_agreement(check)


def test_paper_model_total_by_fvcore():
    # Paper Table 1 / Table 6: 1.0 MobileNet-224 has 569 million mult-adds; fvcore's trace says the
    # same.
    check = check_counts(mnetcalc.mobilenet_v1_cost(1.0, resolution=224), model(1.0))
    assert round(check.fvcore_total_mult_adds / 1e6) == 569


@pytest.mark.parametrize("alpha", [1.0, 0.5])
def test_fvcore_agrees_for_the_28_pixel_grey_stem(alpha):
    report = mnetcalc.mobilenet_v1_cost(
        alpha, resolution=28, num_classes=10, stem_stride=1, in_channels=1
    )
    assert_exact_agreement(
        check_counts(report, model(alpha, num_classes=10, in_channels=1, stem_stride=1))
    )
    assert_exact_agreement(
        check_counts(report)
    )  # the model built from the report's own configuration


@settings(max_examples=12, deadline=None)
@given(
    alpha=st.floats(min_value=0.05, max_value=1.5, allow_nan=False),
    resolution=st.integers(min_value=1, max_value=260),
    variant=st.sampled_from(VARIANTS),
)
def test_fvcore_totals_agree_for_random_alpha_and_resolution(alpha, resolution, variant):
    report = mnetcalc.mobilenet_v1_cost(
        alpha, resolution=resolution, num_classes=10, variant=variant
    )
    check = check_counts(report, mobilenet_v1_model(alpha, num_classes=10, variant=variant))
    assert check.fvcore_total_mult_adds == report.mult_adds
    assert check.fvcore_total_params == report.params + report.bias_params + report.bn_params


def test_batchnorm_relu_and_pooling_are_not_counted():
    analysis = flop_analysis(model(0.25), torch.zeros(1, 3, 64, 64))
    assert set(analysis.by_operator()) == {"conv", "linear"}
    assert analysis.unsupported_ops() == {}


def test_the_check_detects_a_mismatch():
    # Negative control: the count of a 0.5 model does not pass for a 0.25 report.
    check = check_counts(mnetcalc.mobilenet_v1_cost(0.25, resolution=128), model(0.5))
    assert not check.agrees
    assert "conv0" in [row.name for row in check.disagreements()]


def test_check_leaves_the_model_in_training_mode_if_it_was():
    net = mobilenet_v1_model(0.25).train()
    check_counts(mnetcalc.mobilenet_v1_cost(0.25, resolution=64), net)
    assert net.training


def test_cli_check_text(capsys):
    assert main(["table", "--alpha", "0.25", "--res", "97", "--variant", "shallow", "--check"]) == 0
    out = capsys.readouterr().out
    assert "calculator vs fvcore" in out and "agrees exactly" in out
    assert " NO" not in out
    assert max(len(line) for line in out.splitlines()) <= 80, out


@pytest.mark.parametrize("fmt", ["markdown", "csv"])
def test_cli_check_other_formats(capsys, fmt):
    assert main(["table", "--alpha", "0.5", "--res", "128", "--check", "--format", fmt]) == 0
    out = capsys.readouterr().out
    assert "conv13_pw" in out


def test_cli_check_json(capsys):
    assert main(["table", "--alpha", "0.75", "--res", "160", "--check", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    report = mnetcalc.mobilenet_v1_cost(0.75, resolution=160)
    assert data["agrees"] is True
    assert data["total"]["fvcore_mult_adds"] == report.mult_adds
    assert [row["name"] for row in data["layers"]] == [row.name for row in report.layers]


# -- the giants (mnetcalc.networks), built by the same generic builder from their specs
# -------------------


@pytest.mark.parametrize(
    "name, kwargs",
    [
        ("vgg16", dict(resolution=64)),
        ("vgg16", dict(resolution=97)),
        ("googlenet", dict(resolution=224)),
        ("googlenet", dict(resolution=160, large_kernel=3)),
        ("alexnet", dict(resolution=227)),
        ("alexnet", dict(resolution=131, groups=1)),
        ("squeezenet", dict(resolution=227)),
        ("squeezenet", dict(resolution=111)),
    ],
)
def test_fvcore_agrees_with_the_calculator_on_the_giants(name, kwargs):
    from mnetcalc.networks import registry

    report = registry.network_cost(name, **kwargs)
    check = check_counts(report)  # the model is built from the same spec as the report
    assert [row.name for row in check.layers] == [row.name for row in report.layers]
    assert_exact_agreement(check)


def test_a_composite_row_maps_to_a_named_part():
    from mnetcalc.networks import googlenet
    from mnetcalc.runtime.counting import module_path

    report = googlenet.googlenet_cost(224)
    modules = dict(report.config.model().named_modules())
    for row in report.layers:
        assert module_path(row.name) in modules, row.name
    assert module_path("inception3a/3x3_reduce") == "inception3a.3x3_reduce"


@pytest.mark.parametrize("name", ["vgg16", "googlenet", "alexnet", "squeezenet", "mobilenet_v2"])
def test_table_check_counts_every_network(name, capsys):
    from mnetcalc.cli import main

    assert main(["table", "--network", name, "--check", "--res", "64"]) == 0
    assert "fvcore agrees exactly with the calculator" in capsys.readouterr().out

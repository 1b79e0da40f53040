"""`mnetcalc table` for the networks beyond the paper's classifiers: MobileNetV2 and SSD MobileNet
v1 (every format, bad input, --check); the counts themselves are tested in
tests/networks/test_mobilenet_v2.py and tests/networks/test_ssd_mobilenet_v1.py."""

import json

import pytest

import mnetcalc
from mnetcalc.cli import main
from mnetcalc.networks.registry import networks_with


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.mark.parametrize("fmt", ["text", "markdown", "csv", "json"])
def test_mobilenet_v2_table_every_format(capsys, fmt):
    status, out, _ = run(
        capsys, "table", "--network", "mobilenet_v2", "--alpha", "0.75", "--res", "192",
        "--format", fmt,
    )  # fmt: skip
    assert status == 0
    report = mnetcalc.mobilenet_v2_cost(0.75, resolution=192)
    if fmt == "json":
        data = json.loads(out)
        assert data["network"] == "mobilenet_v2" and data["alpha"] == 0.75
        assert data["total"]["mult_adds"] == report.mult_adds
        assert len(data["layers"]) == len(report.layers)
    elif fmt == "csv":
        assert len(out.strip().splitlines()) == len(report.layers) + 1
        assert "block3,add," in out
    else:
        assert f"{report.mult_adds / 1e6:,.3f}" in out
        assert "block17/project" in out


@pytest.mark.parametrize("fmt", ["text", "markdown", "csv", "json"])
def test_ssd_table_every_format(capsys, fmt):
    status, out, _ = run(
        capsys, "table", "--network", "ssd_mobilenet_v1", "--res", "300", "--format", fmt
    )
    assert status == 0
    if fmt == "json":
        data = json.loads(out)
        assert data["network"] == "ssd_mobilenet_v1" and data["num_classes"] == 91
        assert data["total"]["mult_adds"] == 1_237_129_408
        assert data["total"]["params"] == 6_791_360
    elif fmt == "csv":
        assert "head0/box,conv_pw,1,1,512,12,19,19,2217984,6144" in out
    else:
        assert "1,237.129" in out and "head5/class" in out


def test_cli_defaults_to_300_pixels_and_91_classes(capsys):
    _, out, _ = run(capsys, "table", "--network", "ssd_mobilenet_v1", "--format", "json")
    data = json.loads(out)
    assert (data["resolution"], data["num_classes"]) == (300, 91)
    _, out, _ = run(capsys, "table", "--network", "ssd_mobilenet_v1", "--classes", "21",
                    "--alpha", "0.5", "--format", "json")  # fmt: skip
    data = json.loads(out)
    assert data["num_classes"] == 21 and data["alpha"] == 0.5
    assert {row["out_channels"] for row in data["layers"] if row["name"] == "head0/class"} == {63}


@pytest.mark.parametrize("network", ["ssd_mobilenet_v1", "mobilenet_v2"])
@pytest.mark.parametrize(
    "argv, message",
    [
        (["--alpha", "-1"], "--alpha must be a number in (0, 10]"),
        (
            ["--variant", "standard"],
            f"--variant applies to {', '.join(networks_with('variants'))} only",
        ),
        (["--res", "0"], "--res must be a whole number from 1 to 10000"),
        (["--classes", "many"], "--classes must be a whole number from 1 to 1000000"),
    ],
)
def test_cli_bad_input(capsys, network, argv, message):
    # the new networks of `mnetcalc table` (this file's and test_mobilenet_v2.py's)
    status, out, err = run(capsys, "table", "--network", network, *argv)
    assert status == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and message in err


def test_cli_alpha_is_refused_for_the_giants(capsys):
    status, _, err = run(capsys, "table", "--network", "vgg16", "--alpha", "0.5")
    assert status == 2 and "--alpha applies to MobileNets only" in err


# -- --check (needs torch and fvcore)
# ----------------------------------------------------------------

pytest.importorskip("torch")
pytest.importorskip("fvcore")


def test_mobilenet_v2_check(capsys):
    status, out, _ = run(
        capsys, "table", "--network", "mobilenet_v2", "--alpha", "0.5", "--res", "96", "--check",
        "--format", "json",
    )  # fmt: skip
    assert status == 0 and json.loads(out)["agrees"] is True


def test_ssd_check(capsys):
    status, out, _ = run(
        capsys, "table", "--network", "ssd_mobilenet_v1", "--res", "128", "--check",
        "--format", "json",
    )  # fmt: skip
    assert status == 0 and json.loads(out)["agrees"] is True

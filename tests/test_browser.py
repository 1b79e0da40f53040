"""mnetcalc.browser: the command line as the live calculator page runs it, checked under CPython
against the real command line run as a subprocess in a terminal of 80 columns."""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mnetcalc import browser
from mnetcalc.networks.mobilenet_v1 import VARIANTS, MobileNetConfig
from mnetcalc.networks.registry import NETWORKS
from mnetcalc.report.tables import FORMATS

ROOT = Path(__file__).resolve().parents[1]


def terminal(argv: list[str]) -> browser.Output:
    env = {**os.environ, "COLUMNS": "80", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "mnetcalc", *argv],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    return browser.Output(done.returncode, done.stdout, done.stderr)


@pytest.mark.parametrize(
    "line, argv",
    [
        ("table --alpha 0.25 --res 128", ["table", "--alpha", "0.25", "--res", "128"]),
        ("mnetcalc sweep --alpha '1, 0.5'", ["sweep", "--alpha", "1, 0.5"]),
        ("layer --rho 0.5 --format json", ["layer", "--rho", "0.5", "--format", "json"]),
        ("table --alpha -1", ["table", "--alpha", "-1"]),
        ("table --help", ["table", "--help"]),
        ("", []),
    ],
)
def test_run_equals_the_terminal(monkeypatch, line, argv):
    monkeypatch.setenv("COLUMNS", "132")  # run() uses 80 whatever the environment says
    assert browser.split(line) == argv
    assert browser.run(line) == terminal(argv)
    assert os.environ["COLUMNS"] == "132"


def test_a_line_the_shell_cannot_split_is_a_one_line_error():
    assert browser.run("table --classes '10") == (2, "", "mnetcalc: error: No closing quotation\n")


def test_table_choices_are_the_command_lines():
    choices = browser.table_choices()
    # every network's variants, each once, MobileNet v1's first (the default network's)
    variants = [v for entry in NETWORKS.values() for v in entry.variants]
    assert choices["variant"] == list(dict.fromkeys(variants))
    assert choices["variant"][: len(VARIANTS)] == list(VARIANTS)
    assert choices["format"] == list(FORMATS)
    classes = [entry.config_class() for entry in NETWORKS.values()]
    assert choices["network"] == [config.network for config in classes]
    # What the page's form enables for each network: the keyword arguments its class takes.
    takes = {config.network: inspect.signature(config).parameters for config in classes}
    assert choices["alpha_networks"] == [name for name in takes if "alpha" in takes[name]]
    assert choices["variant_networks"] == [name for name in takes if "variant" in takes[name]]
    assert choices["default_network"] == MobileNetConfig.network
    assert choices["default_variant"] == MobileNetConfig().variant
    assert choices["default_classes"] == {
        config.network: config().num_classes for config in classes
    }


def test_use_calibration_checks_and_writes_the_file(tmp_path):
    from mnetcalc.latency_model import load_calibration, shipped_path

    path = tmp_path / "mine.json"
    text = open(shipped_path(), encoding="utf-8").read()
    done = browser.use_calibration(text, str(path))
    assert done.status == 0 and done.stderr == "" and str(path) in done.stdout
    assert load_calibration(path) == load_calibration(shipped_path())


def test_use_calibration_refuses_a_bad_file_in_one_line(tmp_path):
    path = tmp_path / "mine.json"
    for text in ("{", '{"schema": 99}', " " * (browser.MAX_CALIBRATION_BYTES + 1)):
        done = browser.use_calibration(text, str(path))
        assert done.status == 2 and done.stdout == "" and not path.exists()
        assert (
            done.stderr.startswith("mnetcalc: error: calibration") and done.stderr.count("\n") == 1
        )

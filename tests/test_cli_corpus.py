"""Every command line of the corpus prints, byte for byte, what it printed before the library was
regrouped into packages (tests/golden/cli_corpus/corpus.json: the command line, its stdout, its
stderr and its exit status, captured from the code of that time).

The torch commands (``bench``, ``train``, ``table --check``) are in the corpus only with bad
arguments, which fail before torch is imported. Regenerate (only after a deliberate change of
output): ``python tests/test_cli_corpus.py --write``.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
from pathlib import Path

import pytest

CORPUS = Path(__file__).parent / "golden" / "cli_corpus" / "corpus.json"

#: The command lines (``mnetcalc`` left out), each run through ``mnetcalc.cli.main``.
COMMAND_LINES = [
    [],
    ["--help"],
    ["--version"],
    ["--bogus", "table"],
    ["nosuchcommand"],
    ["table", "--help"],
    ["layer", "--help"],
    ["sweep", "--help"],
    ["bench", "--help"],
    ["train", "--help"],
    ["table"],
    ["table", "--alpha", "0.25", "--res", "128"],
    ["table", "--alpha", "0.75", "--res", "192"],
    ["table", "--alpha", "0.5", "--res", "160", "--classes", "0"],
    ["table", "--variant", "standard"],
    ["table", "--variant", "shallow", "--alpha", "0.5"],
    ["table", "--classes", "10", "--res", "96"],
    ["table", "--format", "markdown"],
    ["table", "--format", "csv", "--alpha", "0.5"],
    ["table", "--format", "json", "--res", "128"],
    ["table", "--network", "vgg16"],
    ["table", "--network", "googlenet", "--format", "markdown"],
    ["table", "--network", "alexnet"],
    ["table", "--network", "squeezenet", "--format", "csv"],
    ["table", "--network", "mobilenet_v2"],
    ["table", "--network", "mobilenet_v2", "--alpha", "0.35", "--res", "96", "--format", "json"],
    ["table", "--network", "ssd_mobilenet_v1"],
    ["table", "--network", "ssd_mobilenet_v1", "--alpha", "0.75", "--format", "markdown"],
    ["table", "--network", "vgg16", "--res", "160", "--format", "json"],
    ["table", "--network", "googlenet", "--classes", "10"],
    ["table", "--memory", "--network", "mobilenet_v2", "--alpha", "0.35", "--res", "96"],
    ["table", "--alpha", "2"],
    ["table", "--alpha", "abc"],
    ["table", "--res", "-5"],
    ["table", "--classes", "-1"],
    ["table", "--network", "vgg16", "--alpha", "0.5"],
    ["table", "--network", "vgg16", "--variant", "standard"],
    ["table", "--network", "alexnet", "--classes", "0"],
    ["table", "--network", "nosuch"],
    ["table", "--format", "xml"],
    ["table", "--res", "1e9"],
    ["layer"],
    ["layer", "--dk", "5", "--m", "64", "--n", "128", "--df", "56"],
    ["layer", "--alpha", "0.5", "--rho", "0.714", "--format", "markdown"],
    ["layer", "--format", "csv"],
    ["layer", "--format", "json", "--alpha", "0.75"],
    ["layer", "--dk", "0"],
    ["layer", "--rho", "3"],
    ["sweep"],
    ["sweep", "--alpha", "1,0.5", "--res", "224,128", "--format", "markdown"],
    ["sweep", "--format", "csv", "--variant", "standard"],
    ["sweep", "--format", "json", "--alpha", "0.25", "--res", "128", "--classes", "0"],
    ["sweep", "--alpha", "1,,0.5"],
    ["sweep", "--alpha", ",".join(["1"] * 40), "--res", ",".join(["128"] * 40)],
    ["bench", "--alpha", "20"],
    ["bench", "--threads", "0"],
    ["bench", "--engine", "nosuch"],
    ["train", "--epochs", "-1"],
    ["train", "--lr", "abc"],
    ["table", "--network", "mobilenet_v1", "--check", "--alpha", "20"],
    ["table", "--network", "mobilenet_v3"],
    ["table", "--network", "mobilenet_v3", "--variant", "small", "--alpha", "0.75", "--res", "160"],
    [
        "table",
        "--network",
        "mobilenet_v3",
        "--variant",
        "large_minimalistic",
        "--format",
        "markdown",
    ],
    [
        "table",
        "--network",
        "mobilenet_v3",
        "--variant",
        "small",
        "--alpha",
        "0.35",
        "--res",
        "96",
        "--format",
        "json",
    ],  # fmt: skip
    ["table", "--network", "mobilenet_v3", "--variant", "standard"],
    ["table", "--network", "mobilenet_v3", "--classes", "0"],
    ["table", "--network", "mobilenet_v3", "--check", "--alpha", "-1"],
]


def run(argv: list[str]) -> dict:
    """``mnetcalc ARGV``'s exit status, stdout and stderr, run in this
    process (80 columns, 2 CPUs)."""
    from mnetcalc.cli import main

    out, err = io.StringIO(), io.StringIO()
    with (
        pytest.MonkeyPatch.context() as patch,
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
    ):
        patch.setenv("COLUMNS", "80")
        patch.setattr(os, "cpu_count", lambda: 2)  # bench --help shows this machine's CPUs
        status = main(argv)
    return {"argv": argv, "status": status, "stdout": out.getvalue(), "stderr": err.getvalue()}


def corpus() -> list[dict]:
    return json.loads(CORPUS.read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", corpus(), ids=lambda case: " ".join(case["argv"]) or "(none)")
def test_command_line_prints_as_before(case):
    assert run(case["argv"]) == case


def test_corpus_covers_every_command_line():
    assert [case["argv"] for case in corpus()] == COMMAND_LINES


if __name__ == "__main__" and sys.argv[1:] == ["--write"]:
    cases = [run(argv) for argv in COMMAND_LINES]
    CORPUS.write_text(json.dumps(cases, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{len(cases)} command lines written to {CORPUS}")

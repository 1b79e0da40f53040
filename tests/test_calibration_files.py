"""Hostile calibration files: a file of any shape, size or content gives a result or one line on
stderr with exit status 2, never a traceback, never an absurd number. Each file of the corpus (a
good schema-2 file broken in one place, or no calibration at all) goes through ``python -m mnetcalc
choose ... --calibration FILE`` in a fresh process and ``table --latency FILE`` in this one.

Also here: which calibration a command uses when none is named (``$MNETCALC_CALIBRATION``, else
``./mnetcalc-calibration.json``, else the shipped one), said on stdout."""

from __future__ import annotations

import contextlib
import copy
import io
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mnetcalc import InvalidArgument
from mnetcalc.cli import main
from mnetcalc.latency_model import (
    ENV_VARIABLE,
    LOCAL_FILE,
    MAX_FILE_BYTES,
    Calibration,
    calibration_source,
    default_calibration,
    load_calibration,
    shipped_calibration,
)
from mnetcalc.latency_model.checkpoints import published_checkpoints

ROOT = Path(__file__).resolve().parents[1]
GOOD = shipped_calibration().to_dict()
DELETE = object()


def changed(*edits) -> str:
    """The good file with each ``(path, value)`` edit made (``DELETE``: the key removed)."""
    data = copy.deepcopy(GOOD)
    for path, value in edits:
        *parents, last = path
        target = data
        for key in parents:
            target = target[key]
        if value is DELETE:
            del target[last]
        else:
            target[last] = value
    return json.dumps(data)


def every_model(key, value) -> list:
    return [(("models", t, key), value) for t in GOOD["models"]]


M = ("models", "1")
COEFFICIENTS = GOOD["models"]["1"]["coefficients"]
ZEROS = {kind: {f: 0.0 for f in fitted} for kind, fitted in COEFFICIENTS.items()}
VERSION_1 = {
    "schema": 1,
    "threads": 1,
    "engine": "optimize",
    "precision": "float32",
    "batch": 1,
    "machine": GOOD["machine"],
    "fixed_us": 12.0,
    "coefficients": COEFFICIENTS,
    "versions": {},
    "fit": {},
    "baselines": {},
}

#: name -> the file's text (str) or bytes.
HOSTILE = {
    "empty file": "",
    "null": "null",
    "a list": "[]",
    "a string": '"calibration"',
    "a number": "42",
    "corrupt": "{",
    "deeply nested list": "[" * 100_000,
    "deeply nested objects": '{"a":' * 3000 + "1" + "}" * 3000,
    "too large": " " * (MAX_FILE_BYTES + 1),
    "not UTF-8": b"\xff\xfe\x00{",
    "version 1": json.dumps(VERSION_1),
    "schema as a string": changed((("schema",), "2")),
    "schema 2.0": changed((("schema",), 2.0)),
    "schema true": changed((("schema",), True)),
    "schema 3": changed((("schema",), 3)),
    "no schema": changed((("schema",), DELETE)),
    "models a list": changed((("models",), [GOOD["models"]["1"]])),
    "models empty": changed((("models",), {})),
    "models a string": changed((("models",), "1")),
    "no models": changed((("models",), DELETE)),
    "a model a list": changed((M, [])),
    "a model null": changed((M, None)),
    "a key that is no number": changed((("models", "one"), GOOD["models"]["1"])),
    "key 01": changed((("models",), {"01": GOOD["models"]["1"]})),
    "key and threads disagree": changed(((*M, "threads"), 2)),
    "zero threads": changed((("models",), {"0": {**GOOD["models"]["1"], "threads": 0}})),
    "negative threads": changed((("models",), {"-1": {**GOOD["models"]["1"], "threads": -1}})),
    "huge threads": changed((("models",), {"10000": {**GOOD["models"]["1"], "threads": 10000}})),
    "threads a string": changed(((*M, "threads"), "1")),
    "threads 1.5": changed(((*M, "threads"), 1.5)),
    "threads true": changed(((*M, "threads"), True)),
    "no threads": changed(((*M, "threads"), DELETE)),
    "coefficients a list": changed(((*M, "coefficients"), [1, 2])),
    "a kind's coefficients a list": changed(((*M, "coefficients", "conv"), [1, 2])),
    "a coefficient a string": changed(((*M, "coefficients", "conv", "calls"), "1")),
    "a coefficient an object": changed(((*M, "coefficients", "conv", "calls"), {"x": 1})),
    "a negative coefficient": changed(((*M, "coefficients", "conv", "mult_adds"), -1.0)),
    "every coefficient zero": changed(*every_model("coefficients", ZEROS)),
    "huge coefficients": changed(
        *every_model("coefficients", {**COEFFICIENTS, "conv": {"calls": 1e308, "mult_adds": 1e308}})
    ),
    "a coefficient of 400 digits": changed(((*M, "coefficients", "conv", "calls"), 10**400)),
    "a NaN coefficient": changed(((*M, "coefficients", "conv", "calls"), 0.5)).replace(
        '"calls": 0.5', '"calls": NaN'
    ),
    "Infinity": changed(((*M, "fixed_us"), 0.5)).replace('"fixed_us": 0.5', '"fixed_us": Infinity'),
    "1e999": changed(((*M, "fixed_us"), 0.5)).replace('"fixed_us": 0.5', '"fixed_us": 1e999'),
    "negative fixed cost": changed(((*M, "fixed_us"), -5.0)),
    "fixed cost a string": changed(((*M, "fixed_us"), "0")),
    "no fixed cost": changed(((*M, "fixed_us"), DELETE)),
    "an unknown feature": changed(((*M, "coefficients", "conv", "colour"), 1.0)),
    "no reference timing": changed(((*M, "reference_ms"), DELETE)),
    "reference timing a list": changed(((*M, "reference_ms"), [1, 2, 3])),
    "reference median zero": changed(((*M, "reference_ms"), {"p10": 0, "median": 0, "p90": 0})),
    "reference median negative": changed(
        ((*M, "reference_ms"), {"p10": -2, "median": -1, "p90": 1})
    ),
    "reference p10 over the median": changed(
        ((*M, "reference_ms"), {"p10": 3.0, "median": 2.0, "p90": 4.0})
    ),
    "reference median over p90": changed(
        ((*M, "reference_ms"), {"p10": 1.0, "median": 2.0, "p90": 1.5})
    ),
    "no reference p90": changed(((*M, "reference_ms", "p90"), DELETE)),
    "reference 100x from its prediction": changed(
        ((*M, "reference_ms"), {k: 100 * v for k, v in GOOD["models"]["1"]["reference_ms"].items()})
    ),
    "negative drift": changed(((*M, "drift"), -0.1)),
    "no drift": changed(((*M, "drift"), DELETE)),
    "no model error": changed(((*M, "model_error"), DELETE)),
    "model error of -100 %": changed(((*M, "model_error"), {"p10": -1.0, "p90": 0.0})),
    "model error p10 over p90": changed(((*M, "model_error"), {"p10": 0.2, "p90": 0.1})),
    "model error a string": changed(((*M, "model_error"), {"p10": "x", "p90": 0.1})),
    "fit a list": changed(((*M, "fit"), [])),
    "baselines a string": changed(((*M, "baselines"), "none")),
    "no reference network": changed((("reference",), DELETE)),
    "an unknown reference network": changed((("reference", "network"), "nosuch")),
    "a bad reference option": changed((("reference", "options"), {"alpha": -1})),
    "an unknown reference option": changed((("reference", "options"), {"colour": 1})),
    "reference options a list": changed((("reference", "options"), [0.5, 160])),
    "no machine": changed((("machine",), DELETE)),
    "machine a list": changed((("machine",), ["AMD"])),
    "cpu a number": changed((("machine", "cpu"), 7)),
    "isa a string": changed((("machine", "isa"), "avx512f")),
    "negative cache": changed((("machine", "cache_bytes"), -1)),
    "other engine": changed((("engine",), "onnxruntime")),
    "batch 2": changed((("batch",), 2)),
    "created a number": changed((("created",), 5)),
    "provisional a string": changed((("provisional",), "yes")),
}


def one_error_line(status: int, stdout: str, stderr: str) -> str:
    assert status == 2 and stdout == "", (status, stdout[:200], stderr[:400])
    lines = stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("mnetcalc: error: "), stderr[:400]
    assert "Traceback" not in stderr
    return lines[0]


def write(tmp_path: Path, content) -> Path:
    path = tmp_path / "hostile.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def run_here(*argv) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(list(argv))
    return status, out.getvalue(), err.getvalue()


def run_process(*argv, cwd=None, env=None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "mnetcalc", *argv],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={k: v for k, v in env.items() if v is not None},
    )


def test_the_good_file_is_good(tmp_path):
    path = write(tmp_path, json.dumps(GOOD))
    assert load_calibration(path) == shipped_calibration()


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_hostile_file_gets_one_line_and_exit_2(tmp_path, case):
    path = write(tmp_path, HOSTILE[case])
    done = run_process("choose", "--latency-ms", "5", "--calibration", str(path))
    line = one_error_line(done.returncode, done.stdout, done.stderr)
    assert "calibration" in line
    assert one_error_line(*run_here("table", "--latency", str(path))) == line


def test_version_1_is_refused_with_what_to_do(tmp_path):
    path = write(tmp_path, HOSTILE["version 1"])
    line = one_error_line(*run_here("choose", "--latency-ms", "5", "--calibration", str(path)))
    assert "older mnetcalc (schema 1, fastest call at one thread)" in line
    assert "mnetcalc calibrate" in line


def test_an_absurd_prediction_is_refused_not_printed(tmp_path):
    # A file sane for its reference (v1 has no LRN layer) that would put AlexNet's LRN layers at
    # hours: refused where it is asked, in one line; v1 is still predicted.
    path = write(
        tmp_path, changed(*every_model("coefficients", {**COEFFICIENTS, "lrn": {"calls": 1e12}}))
    )
    line = one_error_line(*run_here("table", "--network", "alexnet", "--latency", str(path)))
    assert "beyond what the calibration can predict" in line
    status, out, err = run_here("table", "--latency", str(path))
    assert status == 0 and err == "" and "Predicted: median" in out


# -- which calibration when none is named --------------------------------------------------------


def made_on(cpu: str) -> str:
    return changed((("machine", "cpu"), cpu))


def test_the_lookup_order(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(ENV_VARIABLE)
    assert calibration_source().path is None  # nothing here: the shipped one
    Path(LOCAL_FILE).write_text(made_on("Local CPU"))
    assert calibration_source().path == LOCAL_FILE
    assert default_calibration().cpu == "Local CPU"
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_text(made_on("Named CPU"))
    monkeypatch.setenv(ENV_VARIABLE, str(elsewhere))
    assert default_calibration().cpu == "Named CPU"
    monkeypatch.setenv(ENV_VARIABLE, "shipped")
    assert calibration_source().path is None
    # a file named on the command line comes first
    assert calibration_source(LOCAL_FILE).path == LOCAL_FILE


@pytest.mark.parametrize("command", [["choose", "--latency-ms", "5"], ["table", "--latency"]])
def test_the_cli_uses_and_names_the_local_file_then_the_variable(tmp_path, command):
    (tmp_path / LOCAL_FILE).write_text(made_on("Local CPU"))
    done = run_process(*command, cwd=tmp_path, env={ENV_VARIABLE: None})
    assert done.returncode == 0 and done.stderr == "", done.stderr
    said = " ".join(done.stdout.split())
    assert f"calibration {LOCAL_FILE} (found here)" in said and "made on Local CPU" in said
    other = tmp_path / "other.json"
    other.write_text(made_on("Named CPU"))
    done = run_process(*command, cwd=tmp_path, env={ENV_VARIABLE: str(other)})
    said = " ".join(done.stdout.split())
    assert f"(from ${ENV_VARIABLE})" in said and "made on Named CPU" in said
    missing = run_process(*command, cwd=tmp_path, env={ENV_VARIABLE: str(tmp_path / "no.json")})
    assert "no.json" in one_error_line(missing.returncode, missing.stdout, missing.stderr)


# -- any value anywhere ----------------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**30), 10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)


def paths(value, prefix=()):
    """Every path to a value inside the good file (objects' keys, lists' indices)."""
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value[:3]):
            yield from paths(item, (*prefix, index))


PATHS = [path for path in paths(GOOD) if path and "residuals" not in path]


@settings(max_examples=300, deadline=None)
@given(path=st.sampled_from(PATHS), value=JSON_VALUES, delete=st.booleans())
def test_any_value_anywhere_gives_a_calibration_or_one_line(path, value, delete):
    text = changed((path, DELETE if delete and not isinstance(path[-1], int) else value))
    try:
        calibration = Calibration.from_json(text)
    except InvalidArgument as error:
        assert str(error).startswith("calibration: ") and "\n" not in str(error)
        return
    # a file that loads predicts every published network sensibly, or refuses in one line
    report = published_checkpoints()[0].config().cost()
    for threads in calibration.thread_counts:
        try:
            estimate = calibration.estimate(report, threads)
        except InvalidArgument as error:
            assert "\n" not in str(error)
            continue
        assert 0 < estimate.low_ms <= estimate.median_ms <= estimate.high_ms < math.inf

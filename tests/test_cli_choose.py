"""``mnetcalc choose`` end to end, in a fresh process (torch-free): the shipped calibration and a
file, edge budgets (nothing fits, everything fits, ties), the margin, the thread counts, the 8-bit
checkpoints, bad budgets and bad calibration files (one line, exit 2), a file from another CPU and
this machine as another CPU (used, said on stdout, never on an error), and a family added through a
network module's ``checkpoints()``.

The calibration of most tests is made up so that what fits is known by hand: 10 microseconds per
million mult-adds in every layer with arithmetic, nothing else, so a checkpoint's predicted median
in ms is its mult-adds in millions / 100 (v1 1.0/224: 568.7 M -> 5.687 ms); the reference network
gave the same time every round and the model has no error, so the interval is the median alone
(:func:`made_up`'s ``spread`` widens it)."""

import contextlib
import csv
import io
import json
import os
import shlex
import subprocess
import sys
import types

import pytest

from mnetcalc.cli import main
from mnetcalc.latency_model import MAX_FILE_BYTES, SCHEMA_VERSION, checkpoints, shipped_calibration
from mnetcalc.latency_model.checkpoints import Checkpoint, families
from mnetcalc.latency_model.machine import cpu_model

HERE = shipped_calibration().machine["cpu"]
ZERO = {"calls": 0.0, "bytes": 0.0}
PER_MULT_ADD = {**ZERO, "mult_adds": 10.0}


#: The reference network (v1 0.5/160, 76.5 M mult-adds) as the made-up model predicts it.
REFERENCE_MS = 0.765


def made_up(cpu=HERE, spread=1.0, threads=(1, 2), **changes) -> dict:
    """The shipped calibration's file with made-up models of ``threads``: ``spread`` is the
    reference's p90 / median (the interval's top is the median times it)."""
    data = shipped_calibration().to_dict()
    data["machine"] = {**data["machine"], "cpu": cpu}
    coefficients = {
        "conv": PER_MULT_ADD,
        "conv_dw": {**PER_MULT_ADD, "lane_mult_adds": 0.0},
        "conv_pw": {**PER_MULT_ADD, "lane_mult_adds": 0.0},
        "conv_dw_fused": {
            "mult_adds": PER_MULT_ADD["mult_adds"],
            "lane_mult_adds": 0.0,
            "bytes": 0.0,
        },
        "conv_unfused": PER_MULT_ADD,
        "conv_dw_unfused": {**PER_MULT_ADD, "lane_mult_adds": 0.0},
        "conv_pw_unfused": {**PER_MULT_ADD, "lane_mult_adds": 0.0},
        "fc": PER_MULT_ADD,
        "pool": ZERO,
        "lrn": ZERO,
        "concat": ZERO,
        "add": ZERO,
    }
    model = data["models"]["1"]
    reference = {"p10": REFERENCE_MS, "median": REFERENCE_MS, "p90": REFERENCE_MS * spread}
    data["models"] = {
        str(t): {
            **model,
            "threads": t,
            "fixed_us": 0.0,
            "coefficients": coefficients,
            "reference_ms": reference,
            "model_error": {"p10": 0.0, "p90": 0.0},
        }
        for t in threads
    }
    data.update(changes)
    return data


@pytest.fixture
def cal(tmp_path):
    path = tmp_path / "cal.json"
    path.write_text(json.dumps(made_up()))
    return str(path)


def run_cli(*args):
    probe = (
        "import sys; from mnetcalc.cli import main; code = main(sys.argv[1:]); "
        "sys.stderr.write('torch imported' if 'torch' in sys.modules else ''); sys.exit(code)"
    )
    return subprocess.run(
        [sys.executable, "-c", probe, "choose", *args], capture_output=True, text=True
    )


def names(done) -> list[str]:
    assert done.returncode == 0, done.stderr
    return [c["checkpoint"] for c in json.loads(done.stdout)["choices"]]


def one_line_error(done) -> str:
    assert done.returncode == 2 and done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("mnetcalc: error: "), done.stderr
    return lines[0]


def test_shipped_calibration_by_default_and_said_so():
    done = run_cli("--latency-ms", "5")
    assert done.returncode == 0 and "torch imported" not in done.stderr
    assert "shipped calibration (made by mnetcalc's authors)" in done.stdout
    assert f"made on {HERE}" in " ".join(done.stdout.split())
    # nothing on stderr, whatever the CPU (a foreign one is said in the header)
    assert done.stderr == ""
    same = f"not on this machine's {cpu_model()}" not in " ".join(done.stdout.split())
    assert same == (cpu_model() == HERE)


def test_a_file_is_used_and_named(cal):
    done = run_cli("--latency-ms", "1", "--calibration", cal, "--format", "json")
    data = json.loads(done.stdout)
    assert data["calibration"] == f"calibration {cal}" and done.stderr == ""
    # by hand: latency = mult-adds (M) / 100
    for choice in data["choices"]:
        assert choice["latency_ms"] == pytest.approx(choice["mult_adds"] / 1e8, abs=1e-4)
        assert choice["latency_ms"] <= 1


def test_nothing_fits_names_the_nearest_miss(cal):
    # the fewest mult-adds of all: V2 0.35/96 (published 11 M) -> 0.119 ms, 19 % over 0.1 ms
    line = one_line_error(run_cli("--latency-ms", "0.1", "--calibration", cal))
    assert "mobilenet_v2_0.35_96" in line and "nearest miss" in line and "19 % over" in line


def test_everything_fits_a_generous_budget(cal):
    floats = names(run_cli("--latency-ms", "1000", "--calibration", cal, "--format", "json"))
    # v1 float, V2, V3 float (6 of its 9: the release pages' tables), V4 (37 rows of timm's)
    assert len(floats) == 16 + 22 + 6 + 37
    both = run_cli("--latency-ms", "1000", "--quantized", "--calibration", cal, "--format", "json")
    assert len(names(both)) == 16 + 16 + 22 + 9 + 37


def test_ties_in_top1_go_to_the_faster(cal):
    ranked = names(run_cli("--latency-ms", "1000", "--calibration", cal, "--format", "json"))
    # 65.3 %: V2 1.0/128 (99 M) before v1 0.75/160 (166 M); 60.3 %: V2 1.0/96 (56 M) before
    # V2 0.35/224 (59 M)
    assert ranked.index("mobilenet_v2_1.0_128") + 1 == ranked.index("mobilenet_v1_0.75_160")
    assert ranked.index("mobilenet_v2_1.0_96") + 1 == ranked.index("mobilenet_v2_0.35_224")


def test_size_and_mult_adds_budgets(cal):
    # float32 size under 2 MB: only v1 0.25 (0.47 M parameters published, 1.9 MB)
    small = names(run_cli("--size-mb", "2", "--calibration", cal, "--format", "json"))
    assert sorted(small) == sorted(f"mobilenet_v1_0.25_{r}" for r in (128, 160, 192, 224))
    # at most 20 M mult-adds (exact counts: 13.6, 11.9, 18.9; V2 0.35/128 is 20.2 M)
    few = names(run_cli("--mult-adds-m", "20", "--calibration", cal, "--format", "json"))
    assert sorted(few) == ["mobilenet_v1_0.25_128", "mobilenet_v2_0.35_96", "mobilenet_v2_0.5_96"]


def test_quantized_ranks_by_int8_size_and_says_latency_is_float32(cal):
    args = ("--size-mb", "1.5", "--family", "v1", "--calibration", cal)
    # no float32 v1 is under 1.5 MB (0.25: 1.9 MB)
    assert "mobilenet_v1_0.25_128 " in one_line_error(run_cli(*args))
    done = run_cli(*args, "--quantized")
    assert "mobilenet_v1_0.5_224_quant" in done.stdout  # 1.34 M parameters: 1.35 MB in int8
    assert "latency predicted as float32" in " ".join(done.stdout.split())  # wrapped text
    data = json.loads(run_cli(*args, "--quantized", "--format", "json").stdout)
    assert data["latency_precision"] == "float32" and "not measured in int8" in data["note"]


@pytest.mark.parametrize("fmt", ["text", "markdown", "csv"])
def test_formats(cal, fmt):
    done = run_cli("--latency-ms", "2", "--calibration", cal, "--format", fmt)
    assert done.returncode == 0 and "mobilenet_v2_1.0_160" in done.stdout
    if fmt == "csv":
        assert done.stdout.startswith("rank,checkpoint,family,quantized,top1,latency_ms")
    if fmt == "markdown":
        assert "| rank | checkpoint |" in done.stdout


@pytest.mark.parametrize(
    "args",
    [
        (),
        ("--latency-ms", "0"),
        ("--latency-ms", "-1"),
        ("--latency-ms", "nan"),
        ("--latency-ms", "inf"),
        ("--size-mb", "many"),
        ("--mult-adds-m", "1e999"),
        ("--latency-ms", "5", "--family", "v1,,v2"),
        ("--latency-ms", "5", "--calibration", "/no/such/file.json"),
    ],
)
def test_bad_budgets_one_line(args):
    one_line_error(run_cli(*args))


def test_an_unknown_family_names_the_known_ones():
    line = one_line_error(run_cli("--latency-ms", "5", "--family", "v9"))
    assert all(family in line for family in families())


def _text(**changes) -> str:
    return json.dumps(made_up(**changes))


BAD_FILES = {
    "corrupt JSON": "{",
    "other schema": _text(schema=SCHEMA_VERSION + 1),
    "version 1": _text(schema=1),
    "NaN": _text().replace('"fixed_us": 0.0', '"fixed_us": NaN'),
    "Infinity": _text().replace('"fixed_us": 0.0', '"fixed_us": -Infinity'),
    "overflow": _text().replace('"fixed_us": 0.0', '"fixed_us": 1e999'),
    "too large": " " * (MAX_FILE_BYTES + 1),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_calibration_files_one_line(tmp_path, case):
    path = tmp_path / "bad.json"
    path.write_text(BAD_FILES[case])
    line = one_line_error(run_cli("--latency-ms", "5", "--calibration", str(path)))
    assert "calibration" in line


def test_a_file_from_another_cpu_works_and_is_said_on_stdout(tmp_path):
    path = tmp_path / "other.json"
    path.write_text(json.dumps(made_up(cpu="Some Other CPU 9000")))
    done = run_cli("--latency-ms", "1", "--calibration", str(path))
    assert done.returncode == 0 and "mobilenet_v2_1.0_96" in done.stdout and done.stderr == ""
    header = " ".join(done.stdout.split())
    assert f"made on Some Other CPU 9000, not on this machine's {cpu_model()}" in header


def test_a_family_added_by_a_network_module_just_works(cal, monkeypatch, capsys):
    module = types.ModuleType("fake_family_checkpoints")
    options = (("alpha", 0.25), ("resolution", 96))
    fake = Checkpoint(
        "fake_v9", "v9", "mobilenet_v1", options, top1=99.0, mult_adds_m=8, params_m=1
    )
    module.checkpoints = lambda: (fake,)
    modules = checkpoints._network_modules()
    monkeypatch.setattr(checkpoints, "_network_modules", lambda: [*modules, module])
    code = main(
        ["choose", "--latency-ms", "1", "--family", "v9", "--calibration", cal, "--format", "json"]
    )
    assert code == 0
    (only,) = json.loads(capsys.readouterr().out)["choices"]
    assert only["checkpoint"] == "fake_v9" and only["family"] == "v9" and only["pareto"]


# -- the interval, the margin, the thread counts ---------------------------------------------------


def test_the_interval_decides_and_the_margin_overrides(tmp_path):
    path = tmp_path / "spread.json"
    path.write_text(json.dumps(made_up(spread=1.5)))  # the interval's top: 1.5 x the median
    by_interval = run_cli("--latency-ms", "1", "--calibration", str(path), "--format", "json")
    data = json.loads(by_interval.stdout)
    assert data["margin"] is None and "upper end" in data["fit_rule"]
    for c in data["choices"]:
        assert c["high_ms"] <= 1 and c["margin"] == pytest.approx(0.5)
        assert c["high_ms"] == pytest.approx(1.5 * c["latency_ms"], abs=1e-4)
    median_alone = run_cli(
        "--latency-ms", "1", "--margin", "0", "--calibration", str(path), "--format", "json"
    )
    alone = json.loads(median_alone.stdout)
    assert alone["margin"] == 0 and all(c["margin"] == 0 for c in alone["choices"])
    assert {c["checkpoint"] for c in data["choices"]} < {c["checkpoint"] for c in alone["choices"]}
    assert all(c["latency_ms"] <= 1 for c in alone["choices"])
    text = run_cli("--latency-ms", "1", "--calibration", str(path)).stdout
    assert "+50.0 % over the median" in " ".join(text.split())


@pytest.mark.parametrize("margin", ["-0.1", "nan", "x", "11"])
def test_a_bad_margin_is_one_line(cal, margin):
    line = one_line_error(run_cli("--latency-ms", "1", "--margin", margin, "--calibration", cal))
    assert "--margin" in line


def test_threads_and_a_count_the_file_lacks(cal):
    done = run_cli("--latency-ms", "1", "--threads", "2", "--calibration", cal, "--format", "json")
    data = json.loads(done.stdout)
    assert data["threads"] == 2 and data["thread_counts"] == [1, 2]
    assert all(c["command"].endswith("--optimize --threads 2") for c in data["choices"])
    line = one_line_error(run_cli("--latency-ms", "1", "--threads", "4", "--calibration", cal))
    assert "--threads 4" in line and "only of 1, 2" in line


@pytest.mark.parametrize(
    "args", [("--latency", "1"), ("--latency-ms", "1", "--cal", "shipped"), ("--lat", "1")]
)
def test_abbreviations_are_refused(args):
    one_line_error(run_cli(*args))


def test_table_and_bench_refuse_abbreviations_too():
    for argv in (["table", "--lat"], ["table", "--calib", "shipped"], ["bench", "--opt"]):
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            assert main(argv) == 2
        assert len(err.getvalue().splitlines()) == 1 and out.getvalue() == ""


# -- every row round-trips to table and bench ------------------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "markdown", "csv", "json"])
def test_every_row_names_its_network_options_and_command(cal, fmt):
    done = run_cli("--latency-ms", "1000", "--quantized", "--calibration", cal, "--format", fmt)
    assert done.returncode == 0
    data = json.loads(
        run_cli(
            "--latency-ms", "1000", "--quantized", "--calibration", cal, "--format", "json"
        ).stdout
    )
    for c in data["choices"]:
        assert c["command"] in done.stdout
        assert c["command"].startswith(f"mnetcalc bench --network {c['network']} ")
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(done.stdout)))
        assert [r["command"] for r in rows] == [c["command"] for c in data["choices"]]
        assert all(r["network"] and r["network_options"] for r in rows)
        assert {(r["calibration"], r["calibration_cpu"]) for r in rows} == {(cal, HERE)}


def test_the_commands_of_all_100_checkpoints_cost_what_choose_printed(cal):
    done = run_cli("--latency-ms", "1000", "--quantized", "--calibration", cal, "--format", "json")
    choices = json.loads(done.stdout)["choices"]
    assert len(choices) == 63 + 37  # V1 to V3's and the other catalogs', MobileNetV4's
    for c in choices:
        words = shlex.split(c["command"])
        assert words[:2] == ["mnetcalc", "bench"] and words[-3:] == ["--optimize", "--threads", "1"]
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            assert main(["table", *words[2:-3], "--format", "json"]) == 0
        total = json.loads(out.getvalue())["total"]
        assert total["mult_adds"] == c["mult_adds"], c["checkpoint"]
        biases = total["bias_params"] + total["bn_params"] // 2
        assert round(4 * (total["params"] + biases) / 1e6, 4) == c["size_mb_float32"]
        assert round((total["params"] + 4 * biases) / 1e6, 4) == c["size_mb_int8"]


def test_v3_tf_slim_rows_cost_as_released(cal):
    # TF-slim's V3-Large 0.75 release: 155 M mult-adds (torchvision's rule: 140 M)
    done = run_cli(
        "--latency-ms", "1000", "--family", "v3", "--calibration", cal, "--format", "json"
    )
    (large,) = [
        c for c in json.loads(done.stdout)["choices"] if "large_224_0.75" in c["checkpoint"]
    ]
    assert "--channels tf-slim" in large["command"] and round(large["mult_adds"] / 1e6) == 155


# -- this machine as another CPU -------------------------------------------------------------------


def run_as(cpu: str, *argv):
    env = {**os.environ, "MNETCALC_CPU_MODEL": cpu}
    return subprocess.run(
        [sys.executable, "-m", "mnetcalc", *argv], capture_output=True, text=True, env=env
    )


@pytest.mark.parametrize(
    "argv",
    [
        ["choose", "--latency-ms", "0.01"],
        ["choose", "--latency-ms", "5", "--family", "v9"],
        ["choose", "--size-mb", "1.5", "--family", "v1"],
        ["choose", "--latency-ms", "5", "--threads", "3"],
        ["table", "--latency", "--threads", "9"],
        ["table", "--latency", "--alpha", "-1"],
    ],
)
def test_on_a_foreign_cpu_an_error_is_one_line_and_alone(argv):
    done = run_as("Pretend CPU 1", *argv)
    one_line_error(done)
    assert "note" not in done.stderr and "Pretend CPU 1" not in done.stderr


@pytest.mark.parametrize(
    "argv",
    [
        ["choose", "--latency-ms", "3"],
        ["table", "--latency"],
        ["table", "--latency", "--format", "json"],
    ],
)
def test_on_a_foreign_cpu_a_result_says_so_on_stdout(argv):
    done = run_as("Pretend CPU 1", *argv)
    assert done.returncode == 0 and done.stderr == ""
    said = " ".join(done.stdout.split())
    assert f"made on {HERE}, not on this machine's Pretend CPU 1" in said
    # and not where the CPU is the calibration's
    same = run_as(HERE, *argv)
    assert same.returncode == 0 and same.stderr == "" and "not on this machine's" not in same.stdout

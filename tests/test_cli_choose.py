"""``mnetcalc choose`` end to end, in a fresh process (torch-free): the shipped calibration and a
file, edge budgets (nothing fits, everything fits, ties), the 8-bit checkpoints, bad budgets and bad
calibration files (one line, exit 2), a file from another CPU (used, flagged), and a family added
through a network module's ``checkpoints()``.

The calibration of most tests is made up so that what fits is known by hand: 10 microseconds per
million mult-adds in every layer with arithmetic, nothing else, so a checkpoint's predicted latency
in ms is its mult-adds in millions / 100 (v1 1.0/224: 568.7 M -> 5.687 ms)."""

import json
import subprocess
import sys
import types

import pytest

from mnetcalc import checkpoints
from mnetcalc.checkpoints import Checkpoint, families
from mnetcalc.cli import main
from mnetcalc.latency_model import MAX_FILE_BYTES, SCHEMA_VERSION, shipped_calibration
from mnetcalc.machine import cpu_model

HERE = shipped_calibration().machine["cpu"]
ZERO = {"calls": 0.0, "bytes": 0.0}
PER_MULT_ADD = {**ZERO, "mult_adds": 10.0}


def made_up(cpu=HERE, **changes) -> dict:
    data = shipped_calibration().to_dict()
    data["machine"] = {**data["machine"], "cpu": cpu}
    data["fixed_us"] = 0.0
    data["coefficients"] = {
        "conv": PER_MULT_ADD,
        "conv_dw": {**PER_MULT_ADD, "lane_mult_adds": 0.0},
        "conv_pw": {**PER_MULT_ADD, "lane_mult_adds": 0.0},
        "fc": PER_MULT_ADD,
        "pool": ZERO,
        "lrn": ZERO,
        "concat": ZERO,
        "add": ZERO,
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
    assert "shipped calibration: the machine that built the book" in done.stdout
    assert HERE in done.stdout.splitlines()[0]
    # a note on stderr only where the CPU is not the one that built the book
    assert (done.stderr == "") == (cpu_model() == HERE)


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
    assert "latency predicted as float32" in done.stdout
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


def test_a_file_from_another_cpu_works_and_is_flagged(tmp_path):
    path = tmp_path / "other.json"
    path.write_text(json.dumps(made_up(cpu="Some Other CPU 9000")))
    done = run_cli("--latency-ms", "1", "--calibration", str(path))
    assert done.returncode == 0 and "mobilenet_v2_1.0_96" in done.stdout
    (note,) = done.stderr.strip().splitlines()
    assert note.startswith("mnetcalc: note:") and "Some Other CPU 9000" in note


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

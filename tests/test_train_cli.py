"""`mnetcalc train`: JSON and text output, saved weights, and one-line errors (exit 2) for bad
options and bad data. The data are tiny IDX files written by the tests; nothing is downloaded."""

import json
import subprocess
import sys

import pytest
from test_data import make_dataset

from mnetcalc.cli import main
from mnetcalc.runtime.data import FILES
from mnetcalc.train_config import TrainConfig

FAST = ["--alpha", "0.25", "--epochs", "1", "--batch-size", "8", "--threads", "1", "--quiet"]


def run(*args):
    """Run the CLI as a user would, in a fresh interpreter."""
    return subprocess.run([sys.executable, "-m", "mnetcalc", *args], capture_output=True, text=True)


@pytest.fixture
def tiny_data(tmp_path):
    make_dataset(tmp_path / "fm", n_train=24, n_test=8)
    return tmp_path / "fm"


def test_json_output_and_saved_weights(tiny_data, tmp_path, capsys):
    import torch

    out = tmp_path / "model.pt"
    assert (
        main(
            [
                "train",
                *FAST,
                "--res",
                "20",
                "--data",
                str(tiny_data),
                "--format",
                "json",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    summary = json.loads(capsys.readouterr().out)
    expected = TrainConfig.of(alpha=0.25, resolution=20).cost()
    assert summary["mult_adds"] == expected.mult_adds
    assert summary["params"] == expected.params
    assert 0 <= summary["test_accuracy"] <= 1
    assert summary["wall_time"] > 0
    assert len(summary["history"]) == 1
    assert summary["config"]["resolution"] == 20 and summary["config"]["train_size"] is None
    checkpoint = torch.load(out, weights_only=True)
    assert checkpoint["test_accuracy"] == summary["test_accuracy"]
    assert checkpoint["state_dict"]["conv0.conv.weight"].shape == (
        8,
        1,
        3,
        3,
    )  # alpha 0.25: 32 -> 8 filters


def test_text_output(tiny_data, capsys):
    assert main(["train", *FAST, "--data", str(tiny_data), "--flip", "--shift", "1"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("0.25 MobileNet-28 (separable, stem stride 1)")
    assert "test accuracy" in out and "epoch" in out


def bad_file(folder, role, damage):
    path = folder / FILES[role]
    content = path.read_bytes()
    path.write_bytes(damage(content))
    return path


BAD_OPTIONS = [
    (["--alpha", "0"], "--alpha"),
    (["--alpha", "-0.5"], "-0.5"),
    (["--res", "x"], "--res"),
    (["--epochs", "0"], "--epochs"),
    (["--batch-size", "2.5"], "--batch-size"),
    (["--threads", "0"], "--threads"),
    (["--seed", "-1"], "--seed"),
    (["--variant", "deep"], "deep"),
    (["--optimizer", "adam"], "adam"),
    (["--warmup", "1.5"], "--warmup"),
    (["--format", "xml"], "xml"),
]


@pytest.mark.parametrize("args, bad", BAD_OPTIONS)
def test_bad_option_is_one_line(args, bad, capsys):
    assert main(["train", *args]) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert captured.out == "" and len(lines) == 1 and bad in lines[0]
    assert lines[0].startswith("mnetcalc: error:")


def test_missing_folder(tmp_path, capsys):
    assert main(["train", *FAST, "--data", str(tmp_path / "nowhere")]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert str(tmp_path / "nowhere") in err and "dataset-fashion-mnist" in err


def test_missing_output_folder_fails_before_training(tiny_data, tmp_path, capsys):
    assert (
        main(["train", *FAST, "--data", str(tiny_data), "--out", str(tmp_path / "no" / "m.pt")])
        == 2
    )
    assert "does not exist" in capsys.readouterr().err


@pytest.mark.parametrize(
    "role, damage, message",
    [
        ("train_images", lambda b: b[: len(b) // 2], "damaged gzip file"),
        ("test_labels", lambda b: b"not gzip at all", "damaged gzip file"),
    ],
)
def test_bad_data_from_the_shell_exits_2_without_traceback(tiny_data, role, damage, message):
    path = bad_file(tiny_data, role, damage)
    result = run("train", *FAST, "--data", str(tiny_data))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0] and message in lines[0]


def test_wrong_header_names_the_file(tiny_data, capsys):
    import gzip

    path = tiny_data / FILES["test_images"]
    with gzip.open(path, "wb") as stream:
        stream.write(
            bytes.fromhex("00000801") + (8).to_bytes(4, "big") + bytes(8)
        )  # a label file's header
    assert main(["train", *FAST, "--data", str(tiny_data)]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and "28 x 28" in err


def test_bad_option_fails_before_importing_torch():
    code = (
        "import sys; from mnetcalc.cli import main; rc = main(['train', '--alpha', '0']);"
        "sys.exit(10 if 'torch' in sys.modules or 'numpy' in sys.modules else rc)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 2, result.stderr


def test_json_on_stdout_stays_json_and_no_bars_off_a_terminal(tiny_data):
    # Without --quiet, progress bars and per-epoch lines go to stderr, and only on a terminal: in
    # a pipe (as here) stderr stays empty of them, and stdout is the JSON alone, so that
    # `mnetcalc train --format json > run.json` or a pipe into a JSON reader works.
    args = [a for a in FAST if a != "--quiet"]
    done = run("train", *args, "--epochs", "2", "--data", str(tiny_data), "--format", "json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert len(summary["history"]) == 2
    assert "epoch 2/2" not in done.stderr and "batch" not in done.stderr


def test_out_must_be_a_new_file_unless_forced(tiny_data, tmp_path, capsys):
    base = ["train", *FAST, "--data", str(tiny_data)]
    assert main([*base, "--out", str(tmp_path)]) == 2  # a folder: refused before training
    assert "is a folder" in capsys.readouterr().err
    existing = tmp_path / "model.pt"
    existing.write_bytes(b"keep me")
    assert main([*base, "--out", str(existing)]) == 2
    assert "--force" in capsys.readouterr().err and existing.read_bytes() == b"keep me"
    assert main([*base, "--out", str(existing), "--force", "--format", "json"]) == 0
    assert existing.read_bytes() != b"keep me"

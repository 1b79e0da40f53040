"""``train`` within memory (issue 27, newcomer review finding 5): the images stay 28x28 and each
batch is resized when used, and a resolution whose training step cannot fit is refused in one
line, exit status 2, before the data is read; progress bars have one off switch and show on a
terminal only."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest

from mnetcalc.cli import main, show_progress
from mnetcalc.runtime.data import check_training_memory, training_step_bytes
from mnetcalc.train_config import fashion_mnist_mobilenet
from mnetcalc.validation import InvalidArgument


def test_a_step_holds_three_float32_copies_of_every_feature_map_of_the_batch():
    cost = fashion_mnist_mobilenet(resolution=28).cost()
    # a hand count from the rows: the 1x28x28 input and every layer's output, per image
    elements = 28 * 28 + sum(r.out_channels * r.output_size**2 for r in cost.layers)
    assert training_step_bytes(cost, 10) == 3 * 4 * 10 * elements
    # four times the side: nearly sixteen times the maps (small sides round up: 28 -> 4 -> 2)
    big = fashion_mnist_mobilenet(resolution=112).cost()
    assert 14 < training_step_bytes(big, 10) / training_step_bytes(cost, 10) <= 16


def test_a_resolution_that_cannot_fit_is_refused_naming_both_sizes():
    cost = fashion_mnist_mobilenet(resolution=224).cost()
    need = training_step_bytes(cost, 128)
    check_training_memory(cost, 128, available=need)  # fits exactly: accepted
    with pytest.raises(InvalidArgument, match="resolution 224 with 128 images") as error:
        check_training_memory(cost, 128, available=need - 1)
    assert error.value.name == "resolution"
    assert "GB of memory available" in str(error.value)


def test_train_res_5000_is_one_line_exit_2_before_any_data_or_torch():
    code = (
        "import sys; from mnetcalc.cli import main;"
        "rc = main(['train', '--res', '5000', '--data', '/nonexistent']);"
        "sys.exit(10 if 'torch' in sys.modules else rc)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith("mnetcalc: error: --res 5000 with 128 images per step needs")


def test_each_batch_resized_is_the_whole_set_resized():
    torch = pytest.importorskip("torch")
    np = pytest.importorskip("numpy")
    from mnetcalc.runtime.train import Normalisation, resized, to_tensor

    images = np.random.default_rng(0).integers(0, 256, (6, 28, 28), dtype=np.uint8)
    norm = Normalisation.of(images)
    whole = to_tensor(images, 64, norm)
    small = to_tensor(images, 28, norm)
    assert small.shape == (6, 1, 28, 28) and whole.shape == (6, 1, 64, 64)
    torch.testing.assert_close(torch.cat([resized(small[:4], 64), resized(small[4:], 64)]), whole)
    assert resized(small, 28) is small


class Stream(io.StringIO):
    def __init__(self, terminal: bool):
        super().__init__()
        self.terminal = terminal

    def isatty(self) -> bool:
        return self.terminal


def test_progress_bars_only_on_a_terminal_with_one_off_switch(monkeypatch):
    monkeypatch.delenv("MNETCALC_PROGRESS", raising=False)
    assert show_progress(stream=Stream(True))
    assert not show_progress(stream=Stream(False))
    assert not show_progress(True, stream=Stream(True))  # --no-progress / --quiet
    for off in ("0", "no", "false", "OFF"):
        monkeypatch.setenv("MNETCALC_PROGRESS", off)
        assert not show_progress(stream=Stream(True))
    monkeypatch.setenv("MNETCALC_PROGRESS", "1")
    assert show_progress(stream=Stream(True))


def test_train_help_states_every_range(capsys):
    assert main(["train", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    for words in (
        "1 to 10000 (the 28x28 images are resized to R x R batch by batch)",
        "passes over the training set, 1 to 10000",
        "images per training step, 1 to 100000",
        "in (0, 100]",
        "--no-progress",
        "MNETCALC_PROGRESS=0",
    ):
        assert words in text

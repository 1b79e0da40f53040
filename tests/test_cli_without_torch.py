"""The command line's bench and train commands start without torch: bad input is refused, and the
parser built, before torch is ever imported. Runs without torch installed."""

import subprocess
import sys

import pytest


@pytest.mark.parametrize(
    "args,named",
    [
        (["--alpha", "0"], "--alpha"),
        (["--res", "x"], "--res"),
        (["--threads", "0"], "--threads"),
        (["--classes", "-3"], "--classes"),
        (["--seconds", "nan"], "--seconds"),
        (["--variant", "deep"], "--variant"),
        (["--format", "csv"], "--format"),
        (["--batch", "1.5"], "--batch"),
    ],
)
def test_bench_cli_bad_input_is_one_line_exit_2_without_torch(args, named):
    # In a fresh interpreter: the error comes before torch is ever imported.
    probe = (
        "import sys; from mnetcalc.cli import main; code = main(['bench', *sys.argv[1:]]); "
        "sys.stderr.write('torch imported' if 'torch' in sys.modules else ''); sys.exit(code)"
    )
    done = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and named in lines[0] and "torch imported" not in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("command", [None, "table", "bench", "train"])
def test_cli_start_up_does_not_import_torch(command):
    probe = (
        f"import sys, mnetcalc.cli as c; c.build_parser({command!r}); "
        "print('torch' in sys.modules, 'numpy' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert out.split() == ["False", "False"]

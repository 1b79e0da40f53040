"""How much slower than the bare interpreter does ``mnetcalc table`` start? (It should start about
as fast.)

Runs ``python -c pass``, the ``mnetcalc`` console script and ``python -m mnetcalc`` (both as
``table --alpha 0.25 --res 128``), and ``python -m mnetcalc choose --latency-ms 5`` in turn, many
times, each in a fresh process, and prints the median and minimum wall times and the median CPU
time of each, and their ratios to ``python -c pass`` from the same run, with the machine.
Standard library only; nothing is asserted.

The package's bytecode is compiled first (``compileall``), as ``pip install`` does and as any second
run does by itself; this matters where ``PYTHONDONTWRITEBYTECODE`` is set, which would otherwise
make every run compile mnetcalc from source.

    .venv/bin/python benchmarks/cli_startup.py [--runs 30]
"""

from __future__ import annotations

import argparse
import compileall
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from mnetcalc.latency_model.machine import MachineInfo  # noqa: E402

TABLE = ["table", "--alpha", "0.25", "--res", "128"]
#: ``choose`` costs and predicts every float checkpoint (44 today) with the shipped calibration.
CHOOSE = ["choose", "--latency-ms", "5"]


def commands() -> dict[str, list[str]]:
    found = {"python -c pass": [sys.executable, "-c", "pass"]}
    script = Path(sys.executable).with_name("mnetcalc")
    script = str(script) if script.exists() else shutil.which("mnetcalc")
    if script:
        found["mnetcalc table"] = [script, *TABLE]
    found["python -m mnetcalc table"] = [sys.executable, "-m", "mnetcalc", *TABLE]
    found["python -m mnetcalc choose"] = [sys.executable, "-m", "mnetcalc", *CHOOSE]
    return found


def timed_run(command: list[str]) -> tuple[float, float]:
    """Wall time and CPU time (user + system, of the child process) of one run of ``command``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--runs", type=int, default=30, help="runs of each command, in turn (default 30)"
    )
    args = parser.parse_args(argv)
    compileall.compile_dir(ROOT / "mnetcalc", quiet=1)
    timed = commands()
    for command in timed.values():  # warm the file cache
        timed_run(command)
    wall = {name: [] for name in timed}
    cpu = {name: [] for name in timed}
    for _ in range(args.runs):
        for name, command in timed.items():
            w, c = timed_run(command)
            wall[name].append(w)
            cpu[name].append(c)
    print(f"machine: {MachineInfo.current(1).describe()}")
    print(
        f"{args.runs} runs of each, in turn, fresh process every time"
        f" (PYTHONDONTWRITEBYTECODE={os.environ.get('PYTHONDONTWRITEBYTECODE', 'unset')}; "
        "bytecode compiled first)"
    )
    print("CPU time (user + system) is the steadier measure where other work shares the machine.")
    print(
        f"  {'command':26s} {'wall median':>11s} {'wall min':>9s} {'CPU median':>10s}  "
        f"ratio: wall median  wall min  CPU median"
    )
    base = "python -c pass"
    for name in timed:
        w, c = wall[name], cpu[name]
        print(
            f"  {name:26s} {1e3 * statistics.median(w):8.1f} ms {1e3 * min(w):6.1f} ms "
            f"{1e3 * statistics.median(c):7.1f} ms  "
            f"{statistics.median(w) / statistics.median(wall[base]):17.2f} "
            f"{min(w) / min(wall[base]):9.2f} "
            f"{statistics.median(c) / statistics.median(cpu[base]):11.2f}"
        )
    loaded = [m for m in ("torch", "numpy", "matplotlib") if m in imported_by_cli()]
    print(f"heavy modules imported by the CLI: {', '.join(loaded) or 'none'}")
    return 0


def imported_by_cli() -> set[str]:
    """Top-level module names present after the CLI's whole parser is built (every subcommand)."""
    probe = (
        "import sys, mnetcalc.cli as c; c.build_parser(); "
        "print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], check=True, capture_output=True, text=True
    ).stdout
    return set(out.split())


if __name__ == "__main__":
    sys.exit(main())

"""How much slower than the bare interpreter does ``mnetcalc table`` start? (issue 2: "about as fast")

Runs ``python -c pass`` and ``python -m mnetcalc table --alpha 0.25 --res 128`` alternately, many
times, each in a fresh process, and prints the median wall times and their ratio, with the machine.
Standard library only; nothing is asserted.

    .venv/bin/python benchmarks/cli_startup.py [--runs 30]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from mnetcalc.machine import MachineInfo  # noqa: E402

COMMANDS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "mnetcalc table": [sys.executable, "-m", "mnetcalc", "table", "--alpha", "0.25", "--res", "128"],
}


def wall_time(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="runs of each command, alternating (default 30)")
    args = parser.parse_args(argv)
    for command in COMMANDS.values():  # warm the file cache
        wall_time(command)
    times = {name: [] for name in COMMANDS}
    for _ in range(args.runs):
        for name, command in COMMANDS.items():
            times[name].append(wall_time(command))
    base = statistics.median(times["python -c pass"])
    print(f"machine: {MachineInfo.current(1).describe()}")
    print(f"{args.runs} alternating runs of each, fresh process every time")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"  {name:16s} median {1e3 * median:7.1f} ms  min {1e3 * min(values):7.1f} ms  "
              f"ratio {median / base:5.2f}")
    loaded = [m for m in ("torch", "numpy", "matplotlib") if m in imported_by_cli()]
    print(f"heavy modules imported by the CLI: {', '.join(loaded) or 'none'}")
    return 0


def imported_by_cli() -> set[str]:
    """Top-level module names present after the CLI's parser is built (every subcommand registered)."""
    probe = (
        "import sys, mnetcalc.cli as c; c.build_parser(); "
        "print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    out = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True).stdout
    return set(out.split())


if __name__ == "__main__":
    sys.exit(main())

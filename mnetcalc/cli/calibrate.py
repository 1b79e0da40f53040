"""``mnetcalc calibrate``: time a designed set of small networks on this CPU, through the inference
path of ``mnetcalc bench --optimize``, and fit the latency model of
:mod:`mnetcalc.latency_model`; writes the calibration file that ``mnetcalc table --latency FILE``
reads.

Arguments are checked before torch is imported (:mod:`mnetcalc.runtime.calibrate` needs torch and
numpy).
:func:`load_for_cli` is the torch-free loading that ``table --latency`` shares."""

from __future__ import annotations

import os
import sys
import time

from ..validation import InvalidArgument, positive_int
from . import show_progress
from .options import add_format

#: ``--latency shipped``: the calibration shipped with the package.
SHIPPED_NAME = "shipped"


def load_for_cli(path: str):
    """A calibration file (or the shipped one), checked; made on another CPU: a note on stderr."""
    from ..latency_model import load_calibration, shipped_calibration

    calibration = shipped_calibration() if path == SHIPPED_NAME else load_calibration(path)
    note = calibration.other_cpu()
    if note:
        print(f"mnetcalc: {note}", file=sys.stderr)
    return calibration


def add_arguments(parser) -> None:
    cpus = os.cpu_count() or 1
    parser.add_argument(
        "--out",
        default="mnetcalc-calibration.json",
        metavar="FILE",
        help="where to write the calibration (default: mnetcalc-calibration.json)",
    )
    parser.add_argument(
        "--threads",
        default=str(cpus),
        metavar="T",
        help=f"torch threads, 1 to 1024, as for mnetcalc bench (default: {cpus}, this machine's "
        "CPUs)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="about half the samples and fewer rounds"
    )
    parser.add_argument(
        "--no-progress",
        dest="progress",
        action="store_false",
        help="no progress bars (also MNETCALC_PROGRESS=0; bars are shown on a terminal only)",
    )
    add_format(parser, ("text", "json"))


def summary(calibration, seconds: float, out: str) -> str:
    fit = calibration.fit
    lines = [
        f"wrote {out}: {calibration.describe()}",
        f"{fit['samples']} samples timed and fitted in {seconds:.0f} s; fixed cost per call "
        f"{calibration.fixed_us:.1f} us",
        "coefficients (us per unit: calls 1, mult_adds and lane_mult_adds millions, bytes and "
        "dram_bytes 1e6):",
    ]
    for kind, values in calibration.coefficients.items():
        terms = ", ".join(f"{feature} {value:.3g}" for feature, value in values.items())
        lines.append(f"  {kind}: {terms}")
    return "\n".join(lines)


def run(args) -> int:
    threads = positive_int("threads", args.threads)
    # fail before the minutes of timing if the file cannot be written
    folder = os.path.dirname(os.path.abspath(args.out))
    if not os.path.isdir(folder) or not os.access(folder, os.W_OK) or os.path.isdir(args.out):
        raise InvalidArgument(f"out: cannot write {args.out!r} (no such writable folder)", "out")

    from ..runtime.calibrate import calibrate  # needs torch and numpy

    start = time.perf_counter()
    calibration = calibrate(threads, quick=args.quick, progress=show_progress(not args.progress))
    calibration.save(args.out)
    seconds = time.perf_counter() - start
    if args.format == "json":
        print(calibration.to_json())
    else:
        print(summary(calibration, seconds, args.out))
    return 0

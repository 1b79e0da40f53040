"""``mnetcalc calibrate``: time a designed set of small networks on this CPU, through the inference
path of ``mnetcalc bench --optimize``, against a reference network timed in the same rounds, and
fit the latency model of :mod:`mnetcalc.latency_model` at each thread count; writes the
calibration file (one model per thread count) that ``table --latency``, ``bench --latency`` and
``choose`` read.

Arguments are checked before torch is imported (:mod:`mnetcalc.runtime.calibrate` needs torch,
numpy and scipy). :func:`load_for_cli` is a thin wrapper of the torch-free loading in
:mod:`mnetcalc.latency_model`."""

from __future__ import annotations

import os
import sys
import time

from ..validation import InvalidArgument, positive_int
from .options import add_format, comma_list

#: ``--calibration shipped``: the calibration shipped with the package.
SHIPPED_NAME = "shipped"


def load_for_cli(path: str | None = None):
    """A calibration file (``"shipped"``: the package's; None: the default lookup), checked
    (:func:`mnetcalc.latency_model.open_calibration`, where this loading now lives)."""
    from ..latency_model import open_calibration

    return open_calibration(path)[0]


def default_threads() -> str:
    """1 and this machine's logical CPUs (once if that is 1)."""
    cpus = os.cpu_count() or 1
    return "1" if cpus == 1 else f"1,{cpus}"


def thread_list(text: str) -> tuple[int, ...]:
    """``--threads 1,2``: whole numbers >= 1, each once."""
    counts = tuple(positive_int("threads", item) for item in comma_list("--threads", str(text)))
    if len(set(counts)) != len(counts):
        raise InvalidArgument(f"--threads: each thread count once, got {text}")
    return counts


def add_arguments(parser) -> None:
    parser.add_argument(
        "--out",
        default="mnetcalc-calibration.json",
        metavar="FILE",
        help="where to write the calibration (default: mnetcalc-calibration.json)",
    )
    parser.add_argument(
        "--threads",
        default=default_threads(),
        metavar="T[,T...]",
        help="torch thread counts, one model each, as for mnetcalc bench (default: "
        f"{default_threads()}: 1 and this machine's logical CPUs)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="about half the samples and fewer rounds"
    )
    parser.add_argument(
        "--no-progress", dest="progress", action="store_false", help="no progress bars"
    )
    add_format(parser, ("text", "json"))


def summary(data: dict, seconds: float, out: str) -> str:
    """What was written: per thread count, the reference's time, the drift (and a line if the
    machine is too noisy), the fit and the model's leave-one-network-out error."""
    from ..runtime.reference import noisy_line

    machine = data["machine"]
    lines = [
        f"wrote {out}: calibrated on {machine['cpu']}, threads "
        f"{', '.join(data['models'])}, {data['engine']} {data['precision']} batch "
        f"{data['batch']}, {data['statistic']}, in {seconds:.0f} s",
        f"reference: {data['reference']['label']}, timed in the same rounds as every sample",
    ]
    for threads, model in data["models"].items():
        ref, error, fit = model["reference_ms"], model["model_error"], model["fit"]
        lines += [
            f"{threads} thread(s): reference median {ref['median']:.3f} ms (p10 {ref['p10']:.3f}, "
            f"p90 {ref['p90']:.3f}, {ref['rounds']} rounds); drift {model['drift']:.1%}",
            f"  {fit['samples']} samples, fit RMSPE {fit['rmspe']:.1%}; fixed cost per call "
            f"{model['fixed_us']:.1f} us; leave-one-network-out error {error['p10']:+.1%} to "
            f"{error['p90']:+.1%} (RMSPE {error['rmspe']:.1%}, {len(error['loo'])} networks)",
        ]
        noisy = noisy_line(model["drift"])
        if noisy:
            lines.append(f"  {noisy}")
    return "\n".join(lines)


def run(args) -> int:
    threads = thread_list(args.threads)
    # fail before the minutes of timing if the file cannot be written
    folder = os.path.dirname(os.path.abspath(args.out))
    if not os.path.isdir(folder) or not os.access(folder, os.W_OK) or os.path.isdir(args.out):
        raise InvalidArgument(f"out: cannot write {args.out!r} (no such writable folder)", "out")

    import json

    from ..runtime.calibrate import calibrate, write_calibration  # needs torch and numpy

    start = time.perf_counter()
    data = calibrate(threads, quick=args.quick, progress=args.progress)
    write_calibration(data, args.out)
    seconds = time.perf_counter() - start
    if args.format == "json":
        from ..runtime.reference import noisy_line

        print(json.dumps(data, indent=1))
        for threads, model in data["models"].items():
            noisy = noisy_line(model["drift"])
            if noisy:
                print(f"mnetcalc: {threads} thread(s): {noisy}", file=sys.stderr)
    else:
        print(summary(data, seconds, args.out))
    return 0

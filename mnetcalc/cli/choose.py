"""``mnetcalc choose``: the published MobileNets that fit a latency, size and mult-adds budget on
this machine, ranked by published top-1, with the accuracy-latency Pareto front marked.

Latency comes from a calibration file (``mnetcalc calibrate``) or, without ``--calibration``, from
the calibration shipped with the package (the machine that built the book), which the output
says. Torch-free: it answers in the time ``table`` does."""

from __future__ import annotations

import sys

from . import options
from .options import UsageError, comma_list


def add_arguments(parser) -> None:
    parser.add_argument(
        "--latency-ms",
        metavar="MS",
        help="predicted latency budget on this machine, milliseconds (batch 1)",
    )
    parser.add_argument(
        "--size-mb", metavar="MB", help="size budget, MB (10^6 bytes; int8 size for --quantized)"
    )
    parser.add_argument("--mult-adds-m", metavar="M", help="mult-adds budget, millions")
    parser.add_argument(
        "--family",
        metavar="F,...",
        help="comma-separated families to consider (default: all published)",
    )
    parser.add_argument(
        "--quantized",
        action="store_true",
        help="also consider the 8-bit checkpoints (their size is the int8 size)",
    )
    parser.add_argument(
        "--calibration",
        metavar="FILE",
        help="calibration file of `mnetcalc calibrate` (default: the one shipped with mnetcalc)",
    )
    options.add_format(parser)


def run(args) -> int:
    from ..choose import Budget, choose
    from ..formatting_choose import render_choices
    from ..latency_model import load_calibration, shipped_calibration

    budget = Budget(args.latency_ms, args.size_mb, args.mult_adds_m)
    if budget.describe() == "no budget":
        raise UsageError("give at least one budget: --latency-ms, --size-mb or --mult-adds-m")
    families = None if args.family is None else comma_list("--family", args.family)
    if args.calibration is None:
        calibration = shipped_calibration()
        note = "shipped calibration of the machine that built the book"
    else:
        calibration = load_calibration(args.calibration)
        note = f"calibration {args.calibration}"
    other_cpu = calibration.other_cpu()
    if other_cpu:
        print(f"mnetcalc: note: {other_cpu}", file=sys.stderr)

    def latency(report):
        return calibration.predict(report).total_ms

    choices = choose(budget, latency, families=families, quantized=args.quantized)
    print(render_choices(choices, budget, calibration, note, args.format))
    return 0

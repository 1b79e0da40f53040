"""``mnetcalc choose``: the published MobileNets that fit a latency, size, mult-adds and memory
budget on this machine, ranked by published top-1, with the accuracy-latency Pareto front marked.

Latency comes from a calibration file (``mnetcalc calibrate``) or, without ``--calibration``, from
the calibration shipped with the package (the machine that built the book), which the output
says; a file made on another CPU is used and flagged on stderr. With ``--quantized`` the 8-bit
checkpoints join the ranking with their int8 size, but their latency is what the calibration
predicts, at its precision (float32 ``optimize()``): the model was never timed in int8, and the
output says so. Torch-free: it answers in the time ``table`` does."""

from __future__ import annotations

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
        "--memory-mb",
        metavar="MB",
        help="activation memory budget, MB: the peak working set at batch 1, layer by layer "
        "(float32; int8 for --quantized's 8-bit checkpoints)",
    )
    parser.add_argument(
        "--family",
        metavar="F,...",
        help="comma-separated families to consider (default: all published)",
    )
    parser.add_argument(
        "--quantized",
        action="store_true",
        help="also consider the 8-bit checkpoints, ranked with their int8 size; their latency is "
        "predicted at the calibration's precision (float32), not measured in int8",
    )
    parser.add_argument(
        "--calibration",
        metavar="FILE",
        help="calibration file of `mnetcalc calibrate` (default, or 'shipped': the one shipped "
        "with mnetcalc, made on the machine that built the book)",
    )
    options.add_format(parser)


def run(args) -> int:
    from ..choose import Budget, choose
    from ..report.choices import render_choices
    from .calibrate import SHIPPED_NAME, load_for_cli

    budget = Budget(args.latency_ms, args.size_mb, args.mult_adds_m, args.memory_mb)
    if budget.describe() == "no budget":
        raise UsageError(
            "give at least one budget: --latency-ms, --size-mb, --mult-adds-m or --memory-mb"
        )
    families = None if args.family is None else comma_list("--family", args.family)
    path = SHIPPED_NAME if args.calibration is None else args.calibration
    calibration = load_for_cli(path)  # a file from another CPU: a note on stderr
    if path == SHIPPED_NAME:
        source = "shipped calibration: the machine that built the book"
    else:
        source = f"calibration {path}"

    def latency(report):
        return calibration.total_ms(report)

    choices = choose(budget, latency, families=families, quantized=args.quantized)
    print(render_choices(choices, budget, calibration, source, args.format))
    return 0

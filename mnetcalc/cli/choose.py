"""``mnetcalc choose``: the published MobileNets that fit a latency, size, mult-adds and memory
budget on this machine, ranked by published top-1, with the accuracy-latency Pareto front marked.

Latency comes from a calibration file (``mnetcalc calibrate``): ``--calibration FILE``, else
``$MNETCALC_CALIBRATION``, else ``./mnetcalc-calibration.json`` when present, else the one shipped
with the package (made by mnetcalc's authors); the header on stdout says which, on which CPU
and at how many threads it predicts, and whether that CPU is this machine's. A pick is kept only if
the upper end of its predicted interval fits ``--latency-ms`` (``--margin M``: its median times 1 +
M). Every row names the network, its options and the ``mnetcalc bench`` command that times it.
With ``--quantized`` the 8-bit checkpoints join the ranking with their int8 size, but their latency
is what the calibration predicts, at its precision (float32 ``optimize()``): the model was never
timed in int8, and the output says so. Torch-free: it answers in the time ``table`` does."""

from __future__ import annotations

from . import options
from .options import UsageError, comma_list


def add_arguments(parser) -> None:
    parser.add_argument(
        "--latency-ms",
        metavar="MS",
        help="latency budget on this machine, milliseconds (batch 1): the upper end of a pick's "
        "predicted interval must fit it",
    )
    parser.add_argument(
        "--margin",
        metavar="M",
        help="hold the predicted median times 1 + M to --latency-ms instead of the interval's "
        "upper end (0: the median alone; from 0 to 10)",
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
        "--no-extra-data",
        dest="extra_data",
        action="store_false",
        help="leave out checkpoints trained on more than ImageNet-1k",
    )
    options.add_calibration(parser)
    options.add_prediction_threads(parser)
    options.add_format(parser)


def run(args) -> int:
    from ..latency_model import header
    from ..latency_model.choose import Budget, checked_margin, choose
    from ..report.choices import render_choices

    budget = Budget(args.latency_ms, args.size_mb, args.mult_adds_m, args.memory_mb)
    if budget.describe() == "no budget":
        raise UsageError(
            "give at least one budget: --latency-ms, --size-mb, --mult-adds-m or --memory-mb"
        )
    margin = checked_margin(args.margin)
    families = None if args.family is None else comma_list("--family", args.family)
    calibration, source = options.open_cli_calibration(args)
    threads = options.prediction_threads(args, calibration)
    choices = choose(
        budget,
        calibration,
        threads=threads,
        margin=margin,
        families=families,
        quantized=args.quantized,
        extra_data=args.extra_data,
    )
    title = header(calibration, source, threads)
    print(render_choices(choices, budget, calibration, source, title, args.format))
    return 0

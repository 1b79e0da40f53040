"""``mnetcalc table``: per-layer mult-adds and parameters of one network, and its activations' peak
working set (``--memory``: each layer's activation memory too; ``--check``: beside fvcore's count
of the real PyTorch model, which needs torch).

The networks and what each one takes come from :mod:`mnetcalc.networks.registry`; only the module of
the network asked for is imported."""

from __future__ import annotations

from ..report.tables import render_table
from . import options


def add_arguments(parser) -> None:
    options.add_network(parser, "cost")
    options.add_format(parser)
    parser.add_argument(
        "--check",
        action="store_true",
        help="compare with fvcore's count of a real PyTorch model (needs torch)",
    )
    parser.add_argument(
        "--memory",
        action="store_true",
        help="add each layer's activation memory (kB read and written, float32, batch 1) to the "
        "text and Markdown tables",
    )
    parser.add_argument(
        "--latency",
        metavar="FILE",
        help="add each layer's predicted milliseconds from a calibration file (mnetcalc "
        "calibrate); 'shipped': the calibration of the machine that built the book",
    )


def run(args) -> int:
    if args.check and args.latency:
        raise options.UsageError("--check and --latency do not go together")
    if args.memory and (args.check or args.latency):
        raise options.UsageError("--memory goes with neither --check nor --latency")
    report = options.network_config(args).cost()
    if args.check:
        from ..report.check import render_check
        from ..runtime.counting import check_counts  # needs torch and fvcore

        print(render_check(check_counts(report), report, args.format))
        return 0
    if args.latency:
        from ..report.latency import render_latency_table
        from .calibrate import load_for_cli

        print(render_latency_table(report, load_for_cli(args.latency), args.format))
        return 0
    print(render_table(report, args.format, args.memory))
    return 0

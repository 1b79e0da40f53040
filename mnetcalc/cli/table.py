"""``mnetcalc table``: per-layer mult-adds and parameters of one network (``--check``: beside
fvcore's count of the real PyTorch model, which needs torch).

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
    options.add_calibration(
        parser,
        latency="add each layer's predicted milliseconds and the whole network's median and "
        "interval, from the default calibration",
    )
    options.add_prediction_threads(parser)


def run(args) -> int:
    latency = options.calibration_wanted(args)
    if args.check and latency:
        raise options.UsageError("--check and --latency (or --calibration) do not go together")
    if args.threads is not None and not latency:
        raise options.UsageError("--threads applies with --latency or --calibration only")
    report = options.network_config(args).cost()
    if args.check:
        from ..report.check import render_check
        from ..runtime.counting import check_counts  # needs torch and fvcore

        print(render_check(check_counts(report), report, args.format))
        return 0
    if latency:
        from ..latency_model import header
        from ..report.latency import render_latency_table

        calibration, source = options.open_cli_calibration(args)
        threads = options.prediction_threads(args, calibration)
        title = header(calibration, source, threads)
        text = render_latency_table(
            report, calibration, args.format, threads=threads, source=source, title=title
        )
        print(text)
        return 0
    print(render_table(report, args.format))
    return 0

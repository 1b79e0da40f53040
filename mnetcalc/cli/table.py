"""``mnetcalc table``: per-layer mult-adds and parameters of one network (``--check``: beside
fvcore's count of the real PyTorch model, which needs torch).

The networks and what each one takes come from :mod:`mnetcalc.networks.registry`; only the module of
the network asked for is imported."""

from __future__ import annotations

from ..networks.registry import DEFAULT_NETWORK, NETWORKS, defaults_shown, networks_with
from ..report.tables import render_table
from . import options
from .options import UsageError


def add_arguments(parser) -> None:
    # --alpha, --variant and --classes default to None, so that a network that lacks one can refuse
    # it whenever it is given, and each network keeps its own default.
    options.add_alpha(parser, None, shown="1.0")
    options.add_resolution(parser, None, shown=defaults_shown("resolution"))
    with_variants = networks_with("variants")
    takes = "takes" if len(with_variants) == 1 else "take"
    parser.add_argument(
        "--network",
        default=DEFAULT_NETWORK,
        choices=tuple(NETWORKS),
        help=f"network to cost (default: {DEFAULT_NETWORK}); the giants of paper Tables 8-9 take "
        f"no --alpha, and only {', '.join(with_variants)} {takes} --variant"
        + "".join(f"; {e.name} is {e.about}" for e in NETWORKS.values() if e.about),
    )
    notes = {e.name: e.classes_note for e in NETWORKS.values() if e.classes_note}
    classes = defaults_shown("classes", notes)
    options.add_classes(parser, None, shown=classes)
    # each network's own default variant (its first), the default network's first
    default_variants = [NETWORKS[DEFAULT_NETWORK].variants[0]] + [
        f"{name}: {NETWORKS[name].variants[0]}" for name in with_variants if name != DEFAULT_NETWORK
    ]
    options.add_variant(
        parser, None, shown="; ".join(default_variants), choices=options.ALL_VARIANTS
    )
    options.add_format(parser)
    parser.add_argument(
        "--check",
        action="store_true",
        help="compare with fvcore's count of a real PyTorch model (needs torch)",
    )
    parser.add_argument(
        "--latency",
        metavar="FILE",
        help="add each layer's predicted milliseconds from a calibration file (mnetcalc "
        "calibrate); 'shipped': the calibration of the machine that built the book",
    )


def config_from_args(args):
    """The network configuration asked for (checked; a bad value raises InvalidArgument)."""
    name = args.network
    network = NETWORKS[name]
    if args.variant is not None and not network.variants:
        only = options.networks_listed("variants")
        raise UsageError(f"--variant applies to {only} only, not to --network {name}")
    if args.num_classes is not None and str(args.num_classes).strip() == "0":
        if not network.body_only:
            only = options.networks_listed("body_only")
            raise UsageError(
                f"--classes 0 (the body alone) applies to {only} only, not to --network {name}"
            )
    if args.alpha is not None and not network.alpha:
        raise UsageError(f"--alpha applies to MobileNets only, not to --network {name}")
    if args.check and args.latency:
        raise UsageError("--check and --latency do not go together")
    return network.config_class()(**options.network_options(args))


def run(args) -> int:
    report = config_from_args(args).cost()
    if args.check:
        from ..counting import check_counts  # needs torch and fvcore
        from ..report.check import render_check

        print(render_check(check_counts(report), report, args.format))
        return 0
    if args.latency:
        from ..latency_format import render_latency_table
        from .calibrate import load_for_cli

        print(render_latency_table(report, load_for_cli(args.latency), args.format))
        return 0
    print(render_table(report, args.format))
    return 0

"""``mnetcalc table``: per-layer mult-adds and parameters of one network (``--check``: beside
fvcore's count of the real PyTorch model, which needs torch)."""

from __future__ import annotations

from ..architecture import MobileNetConfig
from ..formatting import render_table
from ..zoo import DEFAULT_RESOLUTION, NETWORKS
from . import options
from .options import UsageError


def add_arguments(parser) -> None:
    # --alpha and --variant default to None, so that a giant can refuse them whenever they are given
    options.add_alpha(parser, None, shown="1.0")
    options.add_resolution(parser, None, shown="224; alexnet, squeezenet: 227")
    parser.add_argument(
        "--network",
        default=MobileNetConfig.network,
        choices=(MobileNetConfig.network, *DEFAULT_RESOLUTION),
        help="network to cost (default: mobilenet_v1); the giants of paper Tables 8-9 take no "
        "--alpha or --variant",
    )
    options.add_classes(parser)
    options.add_variant(parser, None, shown="separable")
    options.add_format(parser)
    parser.add_argument(
        "--check",
        action="store_true",
        help="compare with fvcore's count of a real PyTorch model (needs torch)",
    )


def config_from_args(args):
    """The network configuration asked for (checked; a bad value raises InvalidArgument)."""
    if args.network == MobileNetConfig.network:
        return MobileNetConfig(**options.network_options(args))
    for option, value in (("--alpha", args.alpha), ("--variant", args.variant)):
        if value is not None:
            raise UsageError(
                f"{option} applies to mobilenet_v1 only, not to --network {args.network}"
            )
    if args.check:
        raise UsageError(f"--check supports mobilenet_v1 only, not --network {args.network}")
    if str(args.num_classes).strip() == "0":
        raise UsageError(
            f"--classes 0 (the body alone) applies to mobilenet_v1 only, not to --network "
            f"{args.network}"
        )
    return NETWORKS[args.network](args.resolution, num_classes=args.num_classes)


def run(args) -> int:
    report = config_from_args(args).cost()
    if args.check:
        from ..counting import check_counts  # needs torch and fvcore
        from .check import render_check

        print(render_check(check_counts(report), report, args.format))
        return 0
    print(render_table(report, args.format))
    return 0

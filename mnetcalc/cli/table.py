"""``mnetcalc table``: per-layer mult-adds and parameters of one network (``--check``: beside
fvcore's count of the real PyTorch model, which needs torch)."""

from __future__ import annotations

from ..architecture import MobileNetConfig
from ..detection import SSDMobileNetV1Config
from ..formatting import render_table
from ..mobilenet_v2 import MobileNetV2Config
from ..zoo import DEFAULT_RESOLUTION, NETWORKS
from . import options
from .options import UsageError

#: The networks that take a width multiplier (``--alpha``), besides MobileNet v1.
WIDTH_NETWORKS = {config.network: config for config in (MobileNetV2Config, SSDMobileNetV1Config)}


def add_arguments(parser) -> None:
    # --alpha, --variant and --classes default to None, so that a network that lacks one can refuse
    # it whenever it is given, and each network keeps its own default.
    options.add_alpha(parser, None, shown="1.0")
    options.add_resolution(
        parser, None, shown="224; alexnet, squeezenet: 227; ssd_mobilenet_v1: 300"
    )
    parser.add_argument(
        "--network",
        default=MobileNetConfig.network,
        choices=(MobileNetConfig.network, *DEFAULT_RESOLUTION, *WIDTH_NETWORKS),
        help="network to cost (default: mobilenet_v1); the giants of paper Tables 8-9 take no "
        "--alpha, and only mobilenet_v1 takes --variant; ssd_mobilenet_v1 is SSD 300 as the "
        "TensorFlow Object Detection API's ssd_mobilenet_v1_coco.config builds it (Table 13)",
    )
    options.add_classes(parser, None, shown="1000; ssd_mobilenet_v1: 91, background included")
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
    if args.variant is not None:
        raise UsageError(f"--variant applies to mobilenet_v1 only, not to --network {args.network}")
    if args.num_classes is not None and str(args.num_classes).strip() == "0":
        raise UsageError(
            f"--classes 0 (the body alone) applies to mobilenet_v1 only, not to --network "
            f"{args.network}"
        )
    given = {
        name: value
        for name, value in (("resolution", args.resolution), ("num_classes", args.num_classes))
        if value is not None
    }
    if args.network in WIDTH_NETWORKS:
        width = {} if args.alpha is None else {"alpha": args.alpha}
        return WIDTH_NETWORKS[args.network](**width, **given)
    if args.alpha is not None:
        raise UsageError(f"--alpha applies to MobileNets only, not to --network {args.network}")
    if args.check:
        raise UsageError(f"--check supports the MobileNets only, not --network {args.network}")
    return NETWORKS[args.network](given.pop("resolution", None), **given)


def run(args) -> int:
    report = config_from_args(args).cost()
    if args.check:
        from ..counting import check_counts  # needs torch and fvcore
        from .check import render_check

        print(render_check(check_counts(report), report, args.format))
        return 0
    print(render_table(report, args.format))
    return 0

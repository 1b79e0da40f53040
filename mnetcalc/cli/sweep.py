"""``mnetcalc sweep``: totals over a grid of width multipliers and resolutions (Tables 6, 7)."""

from __future__ import annotations

from ..networks.registry import DEFAULT_NETWORK, NETWORKS, networks_with
from ..report.tables import render_sweep
from .options import (
    ALL_VARIANTS,
    UsageError,
    add_alpha,
    add_classes,
    add_format,
    add_resolution,
    add_variant,
    comma_list,
)

#: The networks a sweep takes: the ImageNet classifiers with a width multiplier.
SWEEP_NETWORKS = tuple(n for n in networks_with("alpha") if NETWORKS[n].classes == 1000)

#: The most models one sweep costs (each takes about a millisecond; more is not a table to read).
MAX_MODELS = 1000


def add_arguments(parser) -> None:
    parser.epilog = f"At most {MAX_MODELS} models (alphas x resolutions) per sweep."
    add_alpha(parser, "1,0.75,0.5,0.25", text="comma-separated width multipliers")
    add_resolution(parser, "224,192,160,128", text="comma-separated resolutions", metavar="R,...")
    add_classes(parser)
    parser.add_argument(
        "--network",
        default=DEFAULT_NETWORK,
        choices=SWEEP_NETWORKS,
        help=f"network to cost (default: {DEFAULT_NETWORK})",
    )
    add_variant(
        parser, None, shown="the network's first; mobilenet_v1: separable", choices=ALL_VARIANTS
    )
    add_format(parser)


def run(args) -> int:
    alphas, resolutions = comma_list("--alpha", args.alpha), comma_list("--res", args.resolution)
    if len(alphas) * len(resolutions) > MAX_MODELS:
        raise UsageError(
            f"{len(alphas)} alphas x {len(resolutions)} resolutions = "
            f"{len(alphas) * len(resolutions)} models; a sweep costs at most {MAX_MODELS}"
        )
    entry = NETWORKS[args.network]
    options = {"num_classes": args.num_classes}
    if args.variant is not None:
        if not entry.variants:
            raise UsageError(f"--variant does not apply to --network {args.network}")
        options["variant"] = args.variant
    config = entry.config_class()
    configs = [
        config(alpha, resolution=resolution, **options)
        for alpha in alphas
        for resolution in resolutions
    ]
    print(render_sweep([config.cost() for config in configs], args.format))
    return 0

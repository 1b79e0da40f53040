"""``mnetcalc sweep``: totals over a grid of width multipliers and resolutions (Tables 6, 7)."""

from __future__ import annotations

from ..networks.mobilenet_v1 import MobileNetConfig
from ..report.tables import render_sweep
from .options import (
    UsageError,
    add_alpha,
    add_classes,
    add_format,
    add_resolution,
    add_variant,
    comma_list,
)

#: The most models one sweep costs (each takes about a millisecond; more is not a table to read).
MAX_MODELS = 1000


def add_arguments(parser) -> None:
    parser.epilog = f"At most {MAX_MODELS} models (alphas x resolutions) per sweep."
    add_alpha(parser, "1,0.75,0.5,0.25", text="comma-separated width multipliers")
    add_resolution(parser, "224,192,160,128", text="comma-separated resolutions", metavar="R,...")
    add_classes(parser)
    add_variant(parser)
    add_format(parser)


def run(args) -> int:
    alphas, resolutions = comma_list("--alpha", args.alpha), comma_list("--res", args.resolution)
    if len(alphas) * len(resolutions) > MAX_MODELS:
        raise UsageError(
            f"{len(alphas)} alphas x {len(resolutions)} resolutions = "
            f"{len(alphas) * len(resolutions)} models; a sweep costs at most {MAX_MODELS}"
        )
    configs = [
        MobileNetConfig(
            alpha, resolution=resolution, num_classes=args.num_classes, variant=args.variant
        )
        for alpha in alphas
        for resolution in resolutions
    ]
    print(render_sweep([config.cost() for config in configs], args.format))
    return 0

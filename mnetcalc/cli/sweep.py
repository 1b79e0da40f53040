"""``mnetcalc sweep``: totals over a grid of width multipliers and resolutions (Tables 6, 7)."""

from __future__ import annotations

from ..architecture import MobileNetConfig
from ..formatting import render_sweep
from .options import add_alpha, add_classes, add_format, add_resolution, add_variant, comma_list


def add_arguments(parser) -> None:
    add_alpha(parser, "1,0.75,0.5,0.25", text="comma-separated width multipliers")
    add_resolution(parser, "224,192,160,128", text="comma-separated resolutions", metavar="R,...")
    add_classes(parser)
    add_variant(parser)
    add_format(parser)


def run(args) -> int:
    configs = [
        MobileNetConfig(
            alpha, resolution=resolution, num_classes=args.num_classes, variant=args.variant
        )
        for alpha in comma_list(args.alpha)
        for resolution in comma_list(args.resolution)
    ]
    print(render_sweep([config.cost() for config in configs], args.format))
    return 0

"""``mnetcalc sweep``: totals over a grid of width multipliers and resolutions (Tables 6, 7), of
any network (``--network``; MobileNet v1 by default)."""

from __future__ import annotations

import copy

from ..networks.registry import NETWORKS
from ..report.sweep import render_sweep
from ..validation import allowed_range
from .options import UsageError, add_format, add_network, comma_list, network_config

#: The most models one sweep costs (each takes about a millisecond; more is not a table to read).
MAX_MODELS = 1000
#: The grid when none is given (the paper's Tables 6 and 7).
ALPHAS, RESOLUTIONS = "1,0.75,0.5,0.25", "224,192,160,128"


def add_arguments(parser) -> None:
    parser.epilog = f"At most {MAX_MODELS} models (alphas x resolutions) per sweep."
    add_network(parser, "cost")
    alpha_range = allowed_range("alpha", integer=False)
    res_range = allowed_range("resolution", integer=True)
    texts = {
        "--alpha": (
            "A,...",
            f"comma-separated width multipliers, each in {alpha_range} "
            f"(default: {ALPHAS}; networks without a width multiplier take none)",
        ),
        "--res": (
            "R,...",
            f"comma-separated resolutions, each {res_range} (default: {RESOLUTIONS} for the "
            "MobileNets, the network's own resolution for the others)",
        ),
    }
    for action in parser._actions:
        for flag in action.option_strings:
            if flag in texts:
                action.metavar, action.help = texts[flag]
    add_format(parser)


def run(args) -> int:
    takes_alpha = NETWORKS[args.network].alpha
    if args.alpha is not None or takes_alpha:
        alphas = comma_list("--alpha", args.alpha or ALPHAS)
    else:
        alphas = [None]
    if args.resolution is not None or takes_alpha:
        resolutions = comma_list("--res", args.resolution or RESOLUTIONS)
    else:
        resolutions = [None]
    if len(alphas) * len(resolutions) > MAX_MODELS:
        raise UsageError(
            f"{len(alphas)} alphas x {len(resolutions)} resolutions = "
            f"{len(alphas) * len(resolutions)} models; a sweep costs at most {MAX_MODELS}"
        )
    configs = []
    for alpha in alphas:
        for resolution in resolutions:
            one = copy.copy(args)
            one.alpha, one.resolution = alpha, resolution
            configs.append(network_config(one))
    print(render_sweep([config.cost() for config in configs], args.format))
    return 0

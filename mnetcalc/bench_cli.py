"""CPU latency of a real PyTorch MobileNet, whole and (--per-layer) layer by layer.

``mnetcalc bench --alpha A --res R [--variant V] [--threads T] [--optimize] [--per-layer]
[--format text|json]``. The CLI imports this module at start-up, so it imports only the standard
library and mnetcalc's torch-free core at top level; torch comes in inside :func:`run`. Arguments are
checked before that, so a bad value fails fast, in one line, with exit status 2.
"""

from __future__ import annotations

import argparse
import os
import textwrap

from . import formatting
from .architecture import VARIANTS
from .calculator import mobilenet_v1
from .validation import positive_int, positive_number

FORMATS = ("text", "json")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--alpha", default="1.0", help="width multiplier, a number > 0 (default: 1.0)")
    parser.add_argument("--res", default="224", metavar="R", help="input resolution in pixels (default: 224)")
    parser.add_argument(
        "--variant", default="separable", choices=VARIANTS, help="network variant (default: separable)"
    )
    parser.add_argument("--classes", default="1000", metavar="K", help="number of classes (default: 1000)")
    parser.add_argument(
        "--threads", default=str(os.cpu_count() or 1), metavar="T",
        help=f"torch threads, fixed for the measurement (default: {os.cpu_count() or 1}, this machine's CPUs)",
    )
    parser.add_argument("--batch", default="1", metavar="B", help="images per call (default: 1)")
    parser.add_argument("--optimize", action="store_true",
                        help="time mnetcalc.model.optimize()'s inference version (BatchNorm folded, frozen)")
    parser.add_argument("--per-layer", action="store_true", help="also each layer's share of the time")
    parser.add_argument("--rounds", default="5", metavar="N", help="timed rounds (default: 5)")
    parser.add_argument("--seconds", default="0.4", metavar="S", help="seconds per timed round (default: 0.4)")
    parser.add_argument("--format", default="text", choices=FORMATS, help="output format (default: text)")


def checked(args) -> dict:
    """All arguments validated (torch not needed yet); raises InvalidArgument naming the bad one."""
    report = mobilenet_v1(args.alpha, args.res, args.classes, args.variant)
    return {
        "alpha": report.meta["alpha"],
        "resolution": report.meta["resolution"],
        "variant": report.meta["variant"],
        "num_classes": report.meta["num_classes"],
        "threads": positive_int("threads", args.threads),
        "batch": positive_int("batch", args.batch),
        "level": "optimized" if args.optimize else "eager",
        "rounds": positive_int("rounds", args.rounds),
        "seconds": positive_number("seconds", args.seconds),
    }


def run(args) -> int:
    options = checked(args)
    rounds, seconds = options.pop("rounds"), options.pop("seconds")

    from .latency import BenchConfig, measure_latency, measure_layers  # needs torch

    config = BenchConfig(**options)
    result = measure_latency(config, rounds=rounds, round_time=seconds)
    layers = measure_layers(config, round_time=min(seconds, 0.05), whole_model=False) if args.per_layer else None
    if args.format == "json":
        data = result.to_dict()
        if layers is not None:
            data["per_layer"] = [layer.to_dict() for layer in layers.layers]
            data["layers_total_s"] = layers.layers_total
        print(formatting.json_text(data))
    else:
        print(render_text(result, layers))
    return 0


LEVEL_NAMES = {
    "eager": "eager (as built, eval mode)",
    "optimized": "optimized (BatchNorm folded, channels-last, frozen TorchScript)",
}


def ms(seconds: float) -> str:
    return f"{1e3 * seconds:.3f}"


def render_text(result, layers=None) -> str:
    config, lat = result.config, result.latency
    report = config.report()
    lines = [
        formatting.describe(report),
        f"model: {LEVEL_NAMES[config.level]}; batch {config.batch}, {config.threads} thread(s)",
        "",
        f"latency: median {ms(lat.median)} ms, IQR {ms(lat.iqr)} ms, min {ms(lat.min)} ms "
        f"({len(lat.times)} timed blocks; CPU time / wall time {lat.cpu_per_wall:.2f})",
        f"work: {formatting.millions(result.mult_adds * config.batch)} M mult-adds -> "
        f"{result.gflops:.1f} GFLOP/s (2 x mult-adds / median)",
        *textwrap.wrap(f"machine: {result.machine.describe()}", width=80, subsequent_indent="  "),
    ]
    if layers is not None:
        header = ("layer", "type", "time (ms)", "% time", "MAdds (M)", "% MAdds")
        rows = [
            [
                layer.name,
                layer.type,
                ms(layer.latency.median),
                formatting.percent(layer.time_share),
                formatting.millions(layer.mult_adds),
                formatting.percent(layer.mult_adds_share),
            ]
            for layer in layers.layers
        ]
        rows.append(["total", "", ms(layers.layers_total), formatting.percent(1.0),
                     formatting.millions(report.mult_adds), formatting.percent(1.0)])
        table = formatting.aligned(header, rows, (False, False, True, True, True, True))
        *body, total = table.split("\n")
        lines += [
            "",
            "Each layer timed alone on its recorded input (median); shares are of the layers' sum.",
            "",
            *body,
            body[1],
            total,
        ]
    return "\n".join(lines)

"""``mnetcalc bench``: CPU latency of a real PyTorch MobileNet, whole and (--per-layer) layer by
layer.

Imported when the command line starts, so only the standard library and mnetcalc's torch-free core
at the top; torch comes in inside :func:`run`, after every argument is checked, so a bad value fails
fast, in one line, with exit status 2."""

from __future__ import annotations

import os
import textwrap

from ..architecture import MobileNetConfig
from ..formatting import aligned, describe, json_text, millions, percent
from ..validation import InvalidArgument, choice, positive_int, positive_number
from .options import (
    add_alpha,
    add_classes,
    add_format,
    add_resolution,
    add_stem_stride,
    add_variant,
    network_options,
)


def add_arguments(parser) -> None:
    add_alpha(parser)
    add_resolution(parser)
    add_variant(parser)
    add_classes(parser)
    add_stem_stride(parser)
    parser.add_argument(
        "--in-channels",
        dest="in_channels",
        default="3",
        metavar="C",
        help="channels of the input images (default: 3)",
    )
    cpus = os.cpu_count() or 1
    parser.add_argument(
        "--threads",
        default=str(cpus),
        metavar="T",
        help=f"torch threads, fixed for the measurement (default: {cpus}, this machine's CPUs)",
    )
    parser.add_argument("--batch", default="1", metavar="B", help="images per call (default: 1)")
    parser.add_argument(
        "--optimize",
        action="store_true",
        help="time mnetcalc.model.optimize()'s inference version (BatchNorm folded, frozen)",
    )
    parser.add_argument(
        "--per-layer", action="store_true", help="also each layer's share of the time"
    )
    parser.add_argument(
        "--engine",
        default="torch",
        metavar="E",
        help=f"run the model under {', '.join(ENGINE_CHOICES)} (default: torch; the others export "
        "it to ONNX, with --threads threads, and take neither --optimize nor --per-layer)",
    )
    parser.add_argument("--rounds", default="5", metavar="N", help="timed rounds (default: 5)")
    parser.add_argument(
        "--seconds", default="0.4", metavar="S", help="seconds per timed round (default: 0.4)"
    )
    add_format(parser, ("text", "json"))


#: What ``--engine`` accepts: torch itself, or an engine of :mod:`mnetcalc.engines`.
ENGINE_CHOICES = ("torch", "onnxruntime", "openvino", "openvino_f32")

ENGINE_NAMES = {
    "onnxruntime": "ONNX Runtime (all graph optimisations, no spinning)",
    "openvino": "OpenVINO (its default precision)",
    "openvino_f32": "OpenVINO (float32 forced)",
}


def run(args) -> int:
    # Every argument checked before torch is imported.
    network = MobileNetConfig(**network_options(args))
    threads, batch = positive_int("threads", args.threads), positive_int("batch", args.batch)
    rounds, seconds = positive_int("rounds", args.rounds), positive_number("seconds", args.seconds)
    engine = choice("engine", args.engine, ENGINE_CHOICES)
    if engine != "torch" and (args.optimize or args.per_layer):
        raise InvalidArgument(
            f"--engine {engine} takes neither --optimize nor --per-layer", "engine"
        )

    from ..latency import BenchConfig, measure_latency, measure_layers  # needs torch

    if engine != "torch":
        from ..engines import measure_engine  # needs torch and the engine

        config = BenchConfig(network, threads=threads, batch=batch)
        result = measure_engine(config, engine, rounds=rounds, round_time=seconds)
        if args.format == "json":
            print(json_text({**result.to_dict(), "engine": engine}))
        else:
            print(render_text(result, engine=engine))
        return 0

    level = "optimized" if args.optimize else "eager"
    config = BenchConfig(network, threads=threads, batch=batch, level=level)
    result = measure_latency(config, rounds=rounds, round_time=seconds)
    layers = None
    if args.per_layer:
        layers = measure_layers(config, round_time=min(seconds, 0.05), whole_model=False)
    if args.format == "json":
        data = result.to_dict()
        if layers is not None:
            data["per_layer"] = [layer.to_dict() for layer in layers.layers]
            data["layers_total_s"] = layers.layers_total
        print(json_text(data))
    else:
        print(render_text(result, layers))
    return 0


LEVEL_NAMES = {
    "eager": "eager (as built, eval mode)",
    "optimized": "optimized (BatchNorm folded, channels-last, frozen TorchScript)",
}


def ms(seconds: float) -> str:
    return f"{1e3 * seconds:.3f}"


def render_text(result, layers=None, engine: str = "torch") -> str:
    """A :class:`~mnetcalc.latency.LatencyResult` and, if given, its
    :class:`~mnetcalc.latency.LayerTimes`, as text; ``engine``: what ran the model."""
    config, lat = result.config, result.latency
    name = LEVEL_NAMES[config.level] if engine == "torch" else ENGINE_NAMES[engine]
    lines = [
        describe(result.cost),
        f"model: {name}; batch {config.batch}, {config.threads} thread(s)",
        "",
        f"latency: median {ms(lat.median)} ms, IQR {ms(lat.iqr)} ms, min {ms(lat.min)} ms "
        f"({len(lat.times)} timed blocks; CPU time / wall time {lat.cpu_per_wall:.2f})",
        f"work: {millions(result.mult_adds * config.batch)} M mult-adds -> "
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
                percent(layer.time_share),
                millions(layer.mult_adds),
                percent(layer.mult_adds_share),
            ]
            for layer in layers.layers
        ]
        total = [
            "total",
            "",
            ms(layers.layers_total),
            percent(1.0),
            millions(result.mult_adds),
            percent(1.0),
        ]
        lines += [
            "",
            "Each layer timed alone on its recorded input (median); shares are of the layers' sum.",
            "",
            aligned(header, rows, (False, False, True, True, True, True), total),
        ]
    return "\n".join(lines)

"""``mnetcalc bench``: CPU latency of a real PyTorch network (any of ``--network``), whole and
(``--per-layer``) layer by layer.

Imported when the command line starts, so only the standard library and mnetcalc's torch-free core
at the top; torch comes in inside :func:`run`, after every argument is checked, so a bad value fails
fast, in one line, with exit status 2."""

from __future__ import annotations

import os
import sys
import textwrap

from ..report.tables import aligned, describe, json_text, millions, percent
from ..validation import InvalidArgument, choice, positive_int, positive_number
from . import show_progress
from .options import (
    add_calibration,
    add_format,
    add_network,
    add_stem_stride,
    calibration_wanted,
    network_config,
    open_cli_calibration,
)


def add_arguments(parser) -> None:
    add_network(parser, "time")
    add_stem_stride(parser, None, shown="2; mobilenet_v1 only")
    parser.add_argument(
        "--in-channels",
        dest="in_channels",
        metavar="C",
        help="channels of the input images (default: 3)",
    )
    cpus = os.cpu_count() or 1
    parser.add_argument(
        "--threads",
        default=str(cpus),
        metavar="T",
        help=f"torch threads, 1 to 1024, fixed for the measurement (default: {cpus}, this "
        "machine's CPUs)",
    )
    parser.add_argument(
        "--batch", default="1", metavar="B", help="images per call, 1 to 100000 (default: 1)"
    )
    parser.add_argument(
        "--optimize",
        action="store_true",
        help="time mnetcalc.runtime.model.optimize()'s inference version (BatchNorm folded, "
        "frozen)",
    )
    parser.add_argument(
        "--per-layer", action="store_true", help="also each layer's share of the time"
    )
    parser.add_argument(
        "--engine",
        default="torch",
        metavar="E",
        help=f"run the model under {', '.join(ENGINE_CHOICES)} (default: torch; the others export "
        "it to ONNX, with --threads threads, and take neither --optimize nor --per-layer; all: "
        "every engine and precision on the same weights in one interleaved run, with each one's "
        "time against the fastest float32 engine and its error against the plain model)",
    )
    parser.add_argument(
        "--rounds", default="5", metavar="N", help="timed rounds, 1 to 10000 (default: 5)"
    )
    parser.add_argument(
        "--seconds",
        default="0.4",
        metavar="S",
        help="seconds per timed round, in (0, 3600] (default: 0.4)",
    )
    add_calibration(
        parser,
        latency="also print the latency model's prediction from the default calibration, with "
        "--optimize at --threads (the calibration's model of that many threads)",
    )
    parser.add_argument(
        "--no-progress",
        action="store_true",
        help="no progress bars (also MNETCALC_PROGRESS=0; bars are shown on a terminal only)",
    )
    add_format(parser, ("text", "json"))


#: What ``--engine`` accepts: torch itself, an engine of :mod:`mnetcalc.runtime.runners`, or all of
#: them
#: side by side.
ENGINE_CHOICES = ("torch", "onnxruntime", "openvino", "openvino_f32", "all")

ENGINE_NAMES = {
    "onnxruntime": "ONNX Runtime (all graph optimisations, no spinning)",
    "openvino": "OpenVINO (its default precision)",
    "openvino_f32": "OpenVINO (float32 forced)",
}


def run(args) -> int:
    # Every argument checked before torch is imported.
    network = network_config(args)
    threads, batch = positive_int("threads", args.threads), positive_int("batch", args.batch)
    rounds, seconds = positive_int("rounds", args.rounds), positive_number("seconds", args.seconds)
    engine = choice("engine", args.engine, ENGINE_CHOICES)
    if engine != "torch" and (args.optimize or args.per_layer):
        raise InvalidArgument(
            f"--engine {engine} takes neither --optimize nor --per-layer", "engine"
        )
    calibration = checked_calibration(args, threads, batch) if calibration_wanted(args) else None

    from ..runtime.latency import BenchConfig, measure_latency, measure_layers  # needs torch

    if engine == "all":
        return run_all(BenchConfig(network, threads=threads, batch=batch), rounds, seconds, args)
    if engine != "torch":
        from ..runtime.engines import measure_engine  # needs torch and the engine

        config = BenchConfig(network, threads=threads, batch=batch)
        result = measure_engine(config, engine, rounds=rounds, round_time=seconds)  # no bars
        if args.format == "json":
            print(json_text({**result.to_dict(), "engine": engine}))
        else:
            print(render_text(result, engine=engine))
        return 0

    level = "optimized" if args.optimize else "eager"
    config = BenchConfig(network, threads=threads, batch=batch, level=level)
    bars = show_progress(args.no_progress)
    if args.optimize:
        from ..runtime.reference import measure_optimized

        result = measure_optimized(config, rounds=rounds, round_time=seconds, progress=bars)
    else:
        result = measure_latency(config, rounds=rounds, round_time=seconds, progress=bars)
    predicted = prediction(calibration, result, threads) if calibration else None
    layers = None
    if args.per_layer:
        layers = measure_layers(
            config, round_time=min(seconds, 0.05), whole_model=False, progress=bars
        )
    if args.format == "json":
        data = result.to_dict()
        if layers is not None:
            data["per_layer"] = [layer.to_dict() for layer in layers.layers]
            data["layers_total_s"] = layers.layers_total
        if predicted is not None:
            data["predicted_ms"] = predicted["median_ms"]
            data["predicted"] = predicted
        print(json_text(data))
    else:
        print(render_text(result, layers))
        if predicted is not None:
            for line in prediction_lines(predicted, result):
                print("\n".join(textwrap.wrap(line, width=80, subsequent_indent="  ")))
    return 0


def prediction(calibration, result, threads: int) -> dict:
    """The latency model's median and interval for the timed network at ``threads``, and its
    prediction in reference units (the calibration's reference median as 1)."""
    estimate = calibration.estimate(result.cost, threads)
    reference_ms = calibration.model(threads).reference_ms["median"]
    return {
        "threads": threads,
        "median_ms": estimate.median_ms,
        "low_ms": estimate.low_ms,
        "high_ms": estimate.high_ms,
        "ratio": estimate.median_ms / reference_ms,
    }


def prediction_lines(predicted: dict, result) -> list[str]:
    """The prediction beside the measured median (and, timed against the reference, beside the
    measured ratio: the comparison the machine's drift does not move)."""
    measured = 1e3 * result.latency.median
    inside = predicted["low_ms"] <= measured <= predicted["high_ms"]
    lines = [
        f"predicted: median {predicted['median_ms']:.2f} ms, interval "
        f"{predicted['low_ms']:.2f} to {predicted['high_ms']:.2f} ms (latency model, "
        f"{predicted['threads']} thread(s)); measured median {measured:.2f} ms "
        f"({predicted['median_ms'] / measured - 1:+.0%}, {'inside' if inside else 'outside'} "
        "the interval)"
    ]
    if result.reference:
        ratio = result.reference["ratio"]
        lines.append(
            f"relative to the reference: predicted {predicted['ratio']:.3f}, measured "
            f"{ratio:.3f} ({predicted['ratio'] / ratio - 1:+.0%}; drift-free)"
        )
    return lines


def checked_calibration(args, threads: int, batch: int):
    """``--latency [FILE]`` / ``--calibration FILE``: the calibration (torch-free), for what it
    predicts: ``optimize()`` at one of its thread counts, batch 1."""
    calibration, _ = open_cli_calibration(args)
    if not args.optimize or batch != calibration.batch:
        raise InvalidArgument(
            f"--latency predicts --optimize --batch {calibration.batch} (the calibration's), so "
            "give those",
            "latency",
        )
    calibration.model(threads)  # a thread count the file has no model of: refused in one line
    return calibration


def run_all(config, rounds: int, seconds: float, args) -> int:
    """``--engine all``: exit status 1 (after the table) if an engine's output is out of its
    tolerance."""
    from ..latency_model.machine import MachineInfo
    from ..runtime.engines import compare_config  # needs torch and the engines

    bars = show_progress(args.no_progress)
    comparison = compare_config(config, rounds=rounds, round_time=seconds, progress=bars)
    machine = MachineInfo.current(config.threads)
    if args.format == "json":
        print(json_text(engines_dict(config, comparison, machine)))
    else:
        print(render_engines_text(config, comparison, machine))
    for row in comparison.disagreeing:
        print(
            f"mnetcalc: error: {row.engine}'s output differs from the plain model's by "
            f"{row.error:.1e} (tolerance {row.tolerance:g})",
            file=sys.stderr,
        )
    return 1 if comparison.disagreeing else 0


LEVEL_NAMES = {
    "eager": "eager (as built, eval mode)",
    "optimized": "optimized (BatchNorm folded, channels-last, frozen TorchScript)",
}


def ms(seconds: float) -> str:
    return f"{1e3 * seconds:.3f}"


def render_text(result, layers=None, engine: str = "torch") -> str:
    """A :class:`~mnetcalc.runtime.latency.LatencyResult` and, if given, its
    :class:`~mnetcalc.runtime.latency.LayerTimes`, as text; ``engine``: what ran the model."""
    config, lat = result.config, result.latency
    name = LEVEL_NAMES[config.level] if engine == "torch" else ENGINE_NAMES[engine]
    timed = "calls, each timed" if result.reference else "timed blocks"
    lines = [
        describe(result.cost),
        f"model: {name}; batch {config.batch}, {config.threads} thread(s)",
        "",
        f"latency: median {ms(lat.median)} ms, IQR {ms(lat.iqr)} ms, min {ms(lat.min)} ms "
        f"({len(lat.times)} {timed}; CPU time / wall time {lat.cpu_per_wall:.2f})",
        *reference_lines(result.reference),
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


def reference_lines(reference: dict | None) -> list[str]:
    """``bench --optimize``: the reference timed in the same rounds, the drift, the ratio."""
    if not reference:
        return []
    from ..runtime.reference import NOISY_DRIFT

    ref, drift = reference["reference_ms"], reference["drift"]
    text = (
        f"reference: {reference['label']}, timed in the same rounds: median {ref['median']:.3f} "
        f"ms (p10 {ref['p10']:.3f}, p90 {ref['p90']:.3f}; {ref['rounds']} rounds); drift "
        f"{drift:.0%} ((p90 - p10) / median); this network: {reference['ratio']:.3f} x the "
        "reference (median of its per-round ratios)"
    )
    lines = textwrap.wrap(text, width=80)
    if drift > NOISY_DRIFT:
        lines.append(
            f"note: drift above {NOISY_DRIFT:.0%}: this machine's speed changed during the run "
            "more than a useful timing allows"
        )
    return lines


# -- --engine all
# ------------------------------------------------------------------------------------------

ENGINES_HEADER = ("engine", "computes in", "median (ms)", "IQR (ms)", "ratio", "max error")
ENGINES_RIGHT = (False, False, True, True, True, True)


def calibration_note(comparison) -> str:
    return (
        f"int8 calibrated on {comparison.calibration_images} random inputs of the network's input "
        "shape (not real images: its error here says little about accuracy)"
    )


def engines_dict(config, comparison, machine) -> dict:
    """``--engine all --format json``: the configuration, one record per engine, the machine."""
    from ..runtime.runners import FLOAT32_TOLERANCE

    settings = {k: v for k, v in config.to_dict().items() if k != "level"}  # every level runs
    return {
        **settings,
        "engine": "all",
        "mult_adds": config.report().mult_adds,
        "openvino_default_precision": comparison.openvino_precision,
        "fastest_float32": comparison.fastest_float32,
        "float32_tolerance": FLOAT32_TOLERANCE,
        "calibration": calibration_note(comparison),
        "engines": [
            {
                "engine": row.engine,
                "precision": row.precision,
                **row.latency.to_dict(),
                "ratio": row.ratio,
                "error": row.error,
                "tolerance": row.tolerance,
                "agrees": row.ok,
            }
            for row in comparison.rows
        ],
        "machine": machine.to_dict(),
    }


def render_engines_text(config, comparison, machine) -> str:
    """``--engine all`` as text: one row per engine, then what the columns mean and the machine."""
    from ..runtime.runners import FLOAT32_TOLERANCE

    rows = [
        [
            row.engine,
            row.precision,
            ms(row.latency.median),
            ms(row.latency.iqr),
            f"{row.ratio:.2f}",
            f"{row.error:.1e}" + ("" if row.ok else f" > {row.tolerance:g}"),
        ]
        for row in comparison.rows
    ]
    notes = (
        f"ratio: median over the fastest float32 engine's ({comparison.fastest_float32}), same "
        "run. max error: max |output - plain output| / max(1, max |plain output|); float32 "
        f"engines agree within {FLOAT32_TOLERANCE:.0e}. {calibration_note(comparison)}."
    )
    heading = (
        f"engines: the same weights (random, seed 0), batch {config.batch}, {config.threads} "
        "thread(s), timed in one interleaved run; OpenVINO's default precision here: "
        f"{comparison.openvino_precision}"
    )
    lines = [
        describe(config.report()),
        *textwrap.wrap(heading, width=80),
        "",
        aligned(ENGINES_HEADER, rows, ENGINES_RIGHT),
        "",
        *textwrap.wrap(notes, width=80),
        *textwrap.wrap(f"machine: {machine.describe()}", width=80, subsequent_indent="  "),
    ]
    return "\n".join(lines)

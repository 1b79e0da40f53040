"""The same MobileNet weights under the engines people deploy with, and down the precision ladder,
timed in one interleaved run on this CPU.

For alpha 1.0 at 224 and alpha 0.25 at 128, batch 1, at each thread count: the plain PyTorch model,
``optimize()``, ONNX Runtime, OpenVINO with float32 forced and OpenVINO at its default precision,
then ``optimize()``'s model in bfloat16 and int8 (x86 FX quantization, per-channel weights,
calibrated on random inputs: latency only). Every engine's output is checked against the plain
model's first. Times are medians over alternating rounds (``mnetcalc.latency.interleaved``, the
method of ``reference_latency.py``); the ratio is against the fastest float32 engine of the same
run.

With ``--model model.pt`` (from ``mnetcalc train --out model.pt``) it also prints the precision
ladder of that trained Fashion-MNIST model: test accuracy on all 10,000 test images and latency at
its resolution, float32 against bfloat16, int8 (per-channel) and int8 with per-tensor depthwise
weights, calibrated on training images, with OpenVINO's default precision beside them.

    .venv/bin/python benchmarks/engines.py [--threads 1,2] [--rounds 10] [--model model.pt]
"""

from __future__ import annotations

import argparse
import json
import sys
from functools import partial

import torch

from mnetcalc.engines import (
    FLOAT32_ENGINES,
    FLOAT32_TOLERANCE,
    agreement,
    engine_runners,
    openvino_precision,
    torch_runner,
)
from mnetcalc.latency import interleaved
from mnetcalc.machine import MachineInfo
from mnetcalc.model import mobilenet_v1_model
from mnetcalc.precision import accuracy, bfloat16, fashion_mnist_tensors, int8

CONFIGS = ((1.0, 224), (0.25, 128))

#: Agreement asked of the reduced-precision paths, relative to max(1, max |plain output|).
REDUCED_TOLERANCE = {"openvino": 5e-2, "bfloat16": 5e-2, "int8": 2.5e-1}


def candidates(model, resolution: int, threads: int, calibration: torch.Tensor) -> dict:
    """Every engine and precision as a callable on a torch tensor (float32 in, logits out)."""
    runners = engine_runners(model, resolution, threads=threads)
    bf16 = bfloat16(model)
    quantized = int8(model, calibration, threads=threads)
    runners["bfloat16"] = torch_runner(bf16)
    runners["int8"] = torch_runner(quantized)
    return runners


def table_rows(latency: dict) -> list[dict]:
    fastest = min(latency[name].median for name in FLOAT32_ENGINES)
    return [
        {
            "engine": name,
            "median_ms": 1e3 * lat.median,
            "iqr_ms": 1e3 * lat.iqr,
            "ratio": lat.median / fastest,
            "cpu_per_wall": lat.cpu_per_wall,
        }
        for name, lat in latency.items()
    ]


def compare(alpha: float, resolution: int, threads: int, rounds: int, round_time: float) -> dict:
    torch.manual_seed(0)
    model = mobilenet_v1_model(alpha).eval()
    generator = torch.Generator().manual_seed(1)
    x = torch.randn(1, 3, resolution, resolution, generator=generator)
    calibration = torch.randn(16, 3, resolution, resolution, generator=generator)
    runners = candidates(model, resolution, threads, calibration)
    agree = agreement(runners, x, tolerances=REDUCED_TOLERANCE)
    bad = [a for a in agree.values() if not a.ok]
    assert not bad, f"outputs differ from the plain model: {bad}"
    latency = interleaved(
        {name: partial(run, x) for name, run in runners.items()},
        threads=threads,
        rounds=rounds,
        round_time=round_time,
        description=f"{alpha:g}/{resolution}, {threads} thread(s)",
    )
    return {
        "alpha": alpha,
        "resolution": resolution,
        "threads": threads,
        "openvino_default_precision": openvino_precision(runners["openvino"]),
        "agreement": {name: a.error for name, a in agree.items()},
        "rows": table_rows(latency),
    }


def ladder(path: str, threads: int, rounds: int, round_time: float) -> dict:
    """Test accuracy and latency of a trained Fashion-MNIST model down the precision ladder."""
    from mnetcalc.precision import precision_models
    from mnetcalc.train import load

    model, config = load(path)
    x_calibration, x_test, y_test = fashion_mnist_tensors(config)
    resolution = config.network.resolution
    models = precision_models(model, resolution, x_calibration, threads=threads)
    runners = {name: m for name, m in models.items()}
    runners["openvino"] = engine_runners(
        model, resolution, threads=threads, engines=["openvino"], in_channels=1
    )["openvino"]
    with torch.no_grad():
        accuracies = {"plain": accuracy(model, x_test, y_test)}
        accuracies.update({name: accuracy(run, x_test, y_test) for name, run in runners.items()})
    x = x_test[:1].contiguous()
    latency = interleaved(
        {name: partial(run, x) for name, run in runners.items()},
        threads=threads,
        rounds=rounds,
        round_time=round_time,
        description=f"ladder, {threads} thread(s)",
    )
    reference = latency["float32"].median
    return {
        "model": path,
        "config": config.to_dict(),
        "threads": threads,
        "test_accuracy": accuracies,
        "latency_ms": {name: 1e3 * lat.median for name, lat in latency.items()},
        "ratio_to_float32": {name: lat.median / reference for name, lat in latency.items()},
    }


def print_engines(result: dict) -> None:
    print(
        f"\n{result['alpha']:g}/{result['resolution']}, batch 1, {result['threads']} thread(s); "
        f"OpenVINO default precision: {result['openvino_default_precision']}"
    )
    header = f"{'engine':<13}  {'median ms':>9}  {'IQR ms':>7}  {'ratio':>6}  {'CPU/wall':>8}"
    header += f"  {'max error':>9}"
    print(header)
    print("-" * len(header))
    for row in result["rows"]:
        print(
            f"{row['engine']:<13}  {row['median_ms']:9.3f}  {row['iqr_ms']:7.3f}  "
            f"{row['ratio']:6.3f}  {row['cpu_per_wall']:8.2f}  "
            f"{result['agreement'][row['engine']]:9.1e}"
        )


def print_ladder(result: dict) -> None:
    print(f"\nprecision ladder: {result['model']}, {result['threads']} thread(s), batch 1")
    header = f"{'model':<19}  {'test accuracy':>13}  {'median ms':>9}  {'ratio to float32':>16}"
    print(header)
    print("-" * len(header))
    print(f"{'plain':<19}  {result['test_accuracy']['plain']:13.2%}")
    for name, ms in result["latency_ms"].items():
        print(
            f"{name:<19}  {result['test_accuracy'][name]:13.2%}  {ms:9.3f}  "
            f"{result['ratio_to_float32'][name]:16.3f}"
        )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", default="1,2", help="thread counts, comma-separated")
    parser.add_argument("--rounds", type=int, default=10, help="alternating rounds per engine")
    parser.add_argument("--round-time", type=float, default=0.2, help="seconds per round")
    parser.add_argument("--model", metavar="PATH", help="a trained model for the precision ladder")
    parser.add_argument("--skip-engines", action="store_true", help="only the precision ladder")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    args = parser.parse_args(argv)
    thread_counts = [int(t) for t in args.threads.split(",")]

    before = MachineInfo.current(max(thread_counts))
    engines = []
    if not args.skip_engines:
        for threads in thread_counts:
            for alpha, resolution in CONFIGS:
                engines.append(compare(alpha, resolution, threads, args.rounds, args.round_time))
    ladders = []
    if args.model:
        ladders = [ladder(args.model, t, args.rounds, args.round_time) for t in thread_counts]
    machine = MachineInfo.current(max(thread_counts))

    print(f"machine: {machine.describe()}")
    print(f"load average before: {before.load_average}, after: {machine.load_average}")
    print(
        "ratio: median over the fastest float32 engine's median in the same run; max error: "
        f"|output - plain| / max(1, |plain|) (float32 engines must be <= {FLOAT32_TOLERANCE:g})"
    )
    for result in engines:
        print_engines(result)
    for result in ladders:
        print_ladder(result)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            data = {"machine": machine.to_dict(), "load_average_before": before.load_average}
            json.dump({**data, "engines": engines, "ladders": ladders}, out, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())

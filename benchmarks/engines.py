"""The same MobileNet weights under the engines people deploy with, and down the precision ladder,
timed in one interleaved run on this CPU.

For alpha 1.0 at 224 and alpha 0.25 at 128, batch 1, at each thread count: the plain PyTorch model,
``optimize()``, ONNX Runtime, OpenVINO with float32 forced and OpenVINO at its default precision,
then ``optimize()``'s model in bfloat16 and int8 (x86 FX quantization, per-channel weights,
calibrated on random inputs: latency only). Every engine's output is checked against the plain
model's first. Times are medians over alternating rounds (``mnetcalc.runtime.latency.interleaved``,
the
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
import os
import sys

#: ``--omp-wait-policy``: how PyTorch's OpenMP threads wait between parallel regions. "default"
#: leaves ``OMP_WAIT_POLICY`` as it is (unset: spin a while, then sleep; what the book's chapters
#: and most users get). "passive" sleeps at once: on a machine where other processes hold the CPUs,
#: a spinning thread keeps its partner from running and a 2-thread call can take 100x longer; on a
#: quiet machine it makes every 2-thread layer pay a wake-up. ONNX Runtime's spinning is always off
#: (mnetcalc.runtime.runners). The variable is read when OpenMP starts, so it is set before torch
#: loads.
WAIT_POLICIES = ("default", "passive", "active")

CONFIGS = ((1.0, 224), (0.25, 128))


def compare(alpha: float, resolution: int, threads: int, rounds: int, round_time: float) -> dict:
    from mnetcalc.runtime.engines import compare_engines

    rows, default_precision = compare_engines(
        alpha, resolution, threads=threads, rounds=rounds, round_time=round_time
    )
    return {
        "alpha": alpha,
        "resolution": resolution,
        "threads": threads,
        "openvino_default_precision": default_precision,
        "agreement": {row.engine: row.error for row in rows},
        "rows": [
            {
                "engine": row.engine,
                "median_ms": 1e3 * row.latency.median,
                "iqr_ms": 1e3 * row.latency.iqr,
                "ratio": row.ratio,
                "cpu_per_wall": row.latency.cpu_per_wall,
            }
            for row in rows
        ],
    }


def ladder(path: str, threads: int, rounds: int, round_time: float) -> dict:
    """Test accuracy and latency of a trained Fashion-MNIST model down the precision ladder."""
    from mnetcalc.runtime.engines import precision_ladder
    from mnetcalc.runtime.train import load

    model, config = load(path)
    rows = precision_ladder(model, config, threads=threads, rounds=rounds, round_time=round_time)
    timed = [row for row in rows if row.latency is not None]
    reference = next(row.latency.median for row in timed if row.precision == "float32")
    return {
        "model": path,
        "config": config.to_dict(),
        "threads": threads,
        "test_accuracy": {row.precision: row.test_accuracy for row in rows},
        "latency_ms": {row.precision: 1e3 * row.latency.median for row in timed},
        "ratio_to_float32": {row.precision: row.latency.median / reference for row in timed},
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
    parser.add_argument(
        "--omp-wait-policy",
        choices=WAIT_POLICIES,
        default="default",
        help="how torch's OpenMP threads wait (default: OMP_WAIT_POLICY left as it is)",
    )
    args = parser.parse_args(argv)
    if args.omp_wait_policy != "default":
        if "torch" in sys.modules:
            parser.error("--omp-wait-policy must be set before torch is imported")
        os.environ["OMP_WAIT_POLICY"] = args.omp_wait_policy.upper()
    wait_policy = os.environ.get("OMP_WAIT_POLICY", "unset")

    from mnetcalc.latency_model.machine import MachineInfo
    from mnetcalc.runtime.runners import FLOAT32_TOLERANCE

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
    print(f"OMP_WAIT_POLICY={wait_policy}")
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
            data["omp_wait_policy"] = wait_policy
            json.dump({**data, "engines": engines, "ladders": ladders}, out, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""What one more layer costs in each runtime, where the layers do almost no work: the part of a
small MobileNet's time that is not arithmetic.

Chains of 8 and of 32 tiny 1x1 convolutions + ReLU (16 channels, 4x4 pixels, batch 1) under eager
PyTorch, ``optimize()`` (frozen TorchScript, oneDNN Graph fusion), ONNX Runtime and OpenVINO
(float32), timed interleaved; each runtime's price per layer is the difference over the 24 extra
layers (``mnetcalc.runtime.engines.layer_price``, which the deployment chapter also runs). Then
whole
MobileNets (same weights, batch 1) under the same runtimes, with the number of fused kernels
``optimize()`` runs (its oneDNN Graph partitions), so that the gap to the other engines can be set
against that price.

    .venv/bin/python benchmarks/engine_overhead.py [--threads 1] [--configs 0.25/128,1.0/224]
"""

from __future__ import annotations

import argparse
import json
import sys


def timed(runners: dict, x, threads: int, rounds: int) -> dict[str, float]:
    from mnetcalc.runtime.engines import time_runners

    latency = time_runners(
        runners, x, threads=threads, rounds=rounds, round_time=0.2, progress=False
    )
    return {name: result.median for name, result in latency.items()}


def whole_model(alpha: float, resolution: int, threads: int, rounds: int) -> dict:
    import torch

    from mnetcalc.networks.mobilenet_v1 import mobilenet_v1_model
    from mnetcalc.runtime.engines import onednn_partitions
    from mnetcalc.runtime.model import torch_threads
    from mnetcalc.runtime.runners import engine_runners

    torch.manual_seed(0)
    model = mobilenet_v1_model(alpha).eval()
    x = torch.randn(1, 3, resolution, resolution)
    engines = ["optimized", "onnxruntime", "openvino_f32"]
    runners = engine_runners(model, resolution, threads=threads, engines=engines)
    with torch_threads(threads):
        kernels = onednn_partitions(runners["optimized"], x)
    return {
        "config": f"{alpha:g}/{resolution}",
        "optimized_kernels": kernels,
        "median_s": timed(runners, x, threads, rounds),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--configs", default="0.25/128,1.0/224", help="alpha/resolution, ...")
    parser.add_argument("--rounds", type=int, default=10, help="interleaved rounds")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    args = parser.parse_args(argv)

    from mnetcalc.latency_model.machine import MachineInfo
    from mnetcalc.runtime.engines import layer_price

    per_layer = layer_price(threads=args.threads, rounds=args.rounds)
    models = []
    for item in args.configs.split(","):
        alpha, resolution = item.split("/")
        models.append(whole_model(float(alpha), int(resolution), args.threads, args.rounds))
    machine = MachineInfo.current(args.threads)
    print(f"machine: {machine.describe()}")
    print("price of one more tiny layer (1x1 conv + ReLU, 16 channels, 4x4), microseconds:")
    print("  " + "  ".join(f"{name} {1e6 * seconds:.2f}" for name, seconds in per_layer.items()))
    print("whole MobileNet v1, batch 1, median ms (optimize()'s fused kernels per call):")
    for model in models:
        times = "  ".join(f"{name} {1e3 * s:.3f}" for name, s in model["median_s"].items())
        print(f"  {model['config']:<9} ({model['optimized_kernels']} kernels)  {times}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            data = {"machine": machine.to_dict(), "threads": args.threads}
            json.dump({**data, "per_layer_s": per_layer, "models": models}, out, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())

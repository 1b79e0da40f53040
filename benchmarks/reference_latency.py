"""This project's MobileNet (eager and optimised) against a plain reference implementation, on this
CPU.

The reference is MobileNet v1 written the straightforward way, here and independently of mnetcalc:
one ``nn.Sequential`` of conv-BatchNorm-ReLU blocks from its own copy of paper Table 1. It gets the
very same weights as the project's model (copied parameter by parameter, and the outputs are checked
to be equal), so the comparison is of implementations only.

In one run, for alpha 1.0 at 224 and alpha 0.25 at 128: the three models are timed in alternating
rounds (reference, eager, optimised, reference, ...), so that load from other processes hits all
three alike; the ratios to the reference are printed, with the achieved GFLOP/s as a fraction of the
machine's float32 matrix-multiply peak, measured in the same run, and CPU time / wall time while
timing (about the number of busy threads: below --threads when other processes took CPUs away).
Nothing here asserts a time.

    .venv/bin/python benchmarks/reference_latency.py [--threads 2] [--rounds 15] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import sys
from functools import partial

import torch
from torch import nn

import mnetcalc
from mnetcalc.latency_model.machine import MachineInfo
from mnetcalc.networks.mobilenet_v1 import mobilenet_v1_model
from mnetcalc.runtime.latency import interleaved, matmul_peak
from mnetcalc.runtime.model import optimize

#: The reference's own copy of paper Table 1: (output channels, stride) of the 13 separable blocks.
REFERENCE_BLOCKS = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2)]
REFERENCE_BLOCKS += [(512, 1)] * 5 + [(1024, 2), (1024, 1)]

#: The two configurations timed: (alpha, resolution) and the optimised/reference ratio aimed at.
CONFIGS = ((1.0, 224, 0.7), (0.25, 128, 0.45))


def reference_mobilenet(alpha: float, num_classes: int = 1000) -> nn.Sequential:
    """MobileNet v1 as one would write it by hand: conv-BN-ReLU blocks in a single nn.Sequential."""

    def width(channels):
        return max(8, int(channels * alpha))

    def conv_bn(inp, out, stride, groups=1, kernel=3):
        return [
            nn.Conv2d(inp, out, kernel, stride, kernel // 2, groups=groups, bias=False),
            nn.BatchNorm2d(out),
            nn.ReLU(inplace=True),
        ]

    layers = conv_bn(3, width(32), 2)
    channels = width(32)
    for out, stride in REFERENCE_BLOCKS:
        layers += conv_bn(channels, channels, stride, groups=channels)  # depthwise
        layers += conv_bn(channels, width(out), 1, kernel=1)  # pointwise
        channels = width(out)
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(channels, num_classes)]
    return nn.Sequential(*layers)


def copy_weights(source: nn.Module, target: nn.Module) -> None:
    """Copy parameters and buffers in order (both models hold the same tensors in one order)."""
    with torch.no_grad():
        for a, b in zip(source.parameters(), target.parameters(), strict=True):
            b.copy_(a)
        for a, b in zip(source.buffers(), target.buffers(), strict=True):
            b.copy_(a)


def compare(alpha: float, resolution: int, threads: int, rounds: int, round_time: float) -> dict:
    torch.manual_seed(0)
    eager = mobilenet_v1_model(alpha).eval()
    reference = reference_mobilenet(alpha).eval()
    copy_weights(eager, reference)
    optimized = optimize(
        eager, resolution, threads=threads
    )  # fused kernels keep the build-time thread count
    x = torch.randn(1, 3, resolution, resolution, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        expected = reference(x)
        for name, model in (("eager", eager), ("optimized", optimized)):
            error = (model(x) - expected).abs().max().item()
            scale = max(1.0, expected.abs().max().item())
            assert error < 1e-4 * scale, f"{name} differs from the reference by {error}"
    candidates = {
        "reference": partial(reference, x),
        "eager": partial(eager, x),
        "optimized": partial(optimized, x),
    }
    latency = interleaved(
        candidates,
        threads=threads,
        rounds=rounds,
        round_time=round_time,
        description=f"{alpha:g}/{resolution}",
    )
    mult_adds = mnetcalc.mobilenet_v1_cost(alpha, resolution=resolution).mult_adds
    return {
        "alpha": alpha,
        "resolution": resolution,
        "mult_adds": mult_adds,
        "latency_ms": {
            name: {"median": 1e3 * lat.median, "iqr": 1e3 * lat.iqr, "min": 1e3 * lat.min}
            for name, lat in latency.items()
        },
        "cpu_per_wall": {name: lat.cpu_per_wall for name, lat in latency.items()},
        "ratio_median": {
            name: lat.median / latency["reference"].median for name, lat in latency.items()
        },
        "ratio_min": {name: lat.min / latency["reference"].min for name, lat in latency.items()},
        "gflops_median": {name: lat.gflops(mult_adds) for name, lat in latency.items()},
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--rounds", type=int, default=15, help="alternating rounds per model (default 15)"
    )
    parser.add_argument(
        "--round-time", type=float, default=0.3, help="seconds per round and model (default 0.3)"
    )
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    args = parser.parse_args(argv)

    before = MachineInfo.current(args.threads)
    peak_before = matmul_peak(args.threads)
    results = [compare(a, r, args.threads, args.rounds, args.round_time) for a, r, _ in CONFIGS]
    peak = max(peak_before, matmul_peak(args.threads))
    machine = MachineInfo.current(args.threads)

    print(f"machine: {machine.describe()}")
    print(f"load average before: {before.load_average}, after: {machine.load_average}")
    print(
        f"matmul peak (float32 1024x1024 mm, best block, {args.threads} threads): "
        f"{peak:.1f} GFLOP/s"
    )
    print()
    header = (
        f"{'config':<10}  {'model':>9}  {'median ms':>9}  {'IQR ms':>7}  {'min ms':>7}  "
        f"{'ratio med':>9}  {'ratio min':>9}  {'GFLOP/s':>7}  {'of peak':>7}  {'CPU/wall':>8}"
    )
    print(header)
    print("-" * len(header))
    for (alpha, resolution, target), res in zip(CONFIGS, results, strict=True):
        for name in ("reference", "eager", "optimized"):
            lat = res["latency_ms"][name]
            gflops = res["gflops_median"][name]
            config = f"{alpha:g}/{resolution}"
            print(
                f"{config:<10}  {name:>9}  {lat['median']:9.3f}  {lat['iqr']:7.3f}  "
                f"{lat['min']:7.3f}  "
                f"{res['ratio_median'][name]:9.3f}  {res['ratio_min'][name]:9.3f}  {gflops:7.1f}  "
                f"{gflops / peak:7.1%}  {res['cpu_per_wall'][name]:8.2f}"
            )
        print(f"{'':10}  targets: eager <= 1.0, optimized <= {target} (median ratio)")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(
                {
                    "machine": machine.to_dict(),
                    "load_average_before": before.load_average,
                    "matmul_peak_gflops": peak,
                    "threads": args.threads,
                    "results": results,
                },
                out,
                indent=2,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""How well the calibrated latency model predicts networks it never saw, beside two baselines.

Calibrates on this machine (``mnetcalc.runtime.calibrate.calibrate``: one-layer samples and a few
small MobileNets), then times held-out networks (``mnetcalc.runtime.calibrate.HELD_OUT``: other
widths and resolutions of MobileNet v1, V2 and V3, and every other registered network: SSD,
VGG16 at a small input, GoogLeNet, SqueezeNet, AlexNet)
through the path of ``mnetcalc bench --optimize`` in one interleaved run, and sets the model's
prediction beside time proportional to mult-adds and the scaled roofline bound, both fitted on the
same calibration timings. By default the calibration samples and the held-out networks are timed
in one interleaved run (on a shared machine, a change of load then hits both alike);
``--separate`` calibrates first and validates after, as a user would. Prints each network and the
share within 5 % and 10 % and the RMSPE of each predictor, with the machine; ``--json`` writes it
all (calibration included).

    .venv/bin/python benchmarks/latency_model.py [--threads 1] [--quick] [--rounds 8]
        [--calibration FILE | --separate] [--json benchmarks/results/latency_model.json]
"""

from __future__ import annotations

import argparse
import json
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="quick calibration")
    parser.add_argument("--rounds", type=int, default=8, help="timed rounds (default: 8)")
    parser.add_argument("--calibration", help="use this calibration file instead of calibrating")
    parser.add_argument(
        "--separate",
        action="store_true",
        help="calibrate first, then time the held-out networks (default: one interleaved run)",
    )
    parser.add_argument("--json", help="write the results here")
    args = parser.parse_args()

    from mnetcalc.latency_model import load_calibration
    from mnetcalc.machine import MachineInfo
    from mnetcalc.runtime.calibrate import calibrate, calibrate_and_validate, validate

    print(f"machine: {MachineInfo.current(args.threads).describe()}")
    start, seconds = time.perf_counter(), None
    if args.calibration or args.separate:
        if args.calibration:
            calibration = load_calibration(args.calibration)
        else:
            calibration = calibrate(args.threads, quick=args.quick)
            seconds = time.perf_counter() - start
            print(f"calibration: {calibration.fit['samples']} samples in {seconds:.0f} s")
        result = validate(calibration, rounds=args.rounds)
    else:
        calibration, result = calibrate_and_validate(
            args.threads, quick=args.quick, rounds=args.rounds
        )
    print(calibration.describe())
    spent = time.perf_counter() - start
    print(f"{len(result.rows)} held-out networks; {spent:.0f} s in all")
    print()
    head = ("MAdds (M)", "measured", "model", "MAdds", "roof")
    print(
        f"{'network':26s} "
        + " ".join(f"{h:>{w}s}" for h, w in zip(head, (10, 9, 7, 7, 7), strict=True))
    )
    for row in result.rows:
        errors = [row[f"{name}_ms"] / row["measured_ms"] - 1 for name in result.predictors]
        print(
            f"{row['network']:26s} {row['mult_adds'] / 1e6:10.1f} {row['measured_ms']:9.2f} "
            + " ".join(f"{e:+7.1%}" for e in errors)
        )
    print(
        "\n(measured: fastest call, ms (1 thread: its CPU time); others: error of each prediction)"
    )
    print(f"\n{'predictor':12s} {'within 5 %':>10s} {'within 10 %':>11s} {'RMSPE':>7s}")
    for name, stats in result.summary().items():
        print(
            f"{name:12s} {stats['within_5']:10.0%} {stats['within_10']:11.0%} {stats['rmspe']:7.1%}"
        )
    busy = [r["network"] for r in result.rows if r["cpu_per_wall"] < 0.9 * args.threads]
    print(f"\nload average at the end: {result.machine['load_average']}")
    if busy:
        print(f"CPU time / wall time below 0.9 per thread (descheduled): {', '.join(busy)}")
    if args.json:
        data = {
            **result.to_dict(),
            "calibration_seconds": seconds,
            "calibration": calibration.to_dict(),
        }
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(data, out, indent=1)
        print(f"wrote {args.json}")


if __name__ == "__main__":
    main()

"""Do ``mnetcalc choose``'s picks fit their budgets on this machine, and how much accuracy do they
give up against the best checkpoint that really fits?

For >= 20 latency budgets from 0.5 to 30 ms (log-spaced), ``choose`` picks a published checkpoint
with a calibration (``--calibration FILE``, default: the default lookup) at ``--threads``: kept
only if the upper end of its predicted interval fits. Every float checkpoint (``--quick``: the
picks and the predicted Pareto front) is then built and timed exactly as ``mnetcalc bench
--optimize --threads T`` does (median wall time per call), all in one run against the reference
network in the same rounds. Per budget: the pick, its predicted median and upper end, its
measured median, whether it is over the budget (no slack), the oracle (the most accurate
checkpoint whose measured median fits) and the regret (oracle top-1 minus the pick's, points).
Goals of issue 24: at most 1 pick in 20 over its budget; regret within 1 top-1 point for >= 90 %
of budgets. Writes JSON (default ``benchmarks/results/choose_budgets-<T>t-<date>.json``).

    .venv/bin/python benchmarks/choose_budgets.py [--threads 1] [--calibration FILE]
        [--budgets 20] [--rounds 6] [--quick] [--json FILE]
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import time

GOAL_OVER, GOAL_REGRET = 1 / 20, 0.90


def budgets(count: int, low: float = 0.5, high: float = 30.0) -> list[float]:
    return [low * (high / low) ** (i / (count - 1)) for i in range(count)]


def picks(calibration, threads: int, limits):
    """``choose``'s first choice for each budget (None: nothing fits)."""
    from mnetcalc.latency_model.choose import Budget, NothingFits, choose

    out = {}
    for limit in limits:
        try:
            out[limit] = choose(Budget(latency_ms=limit), calibration, threads=threads)[0]
        except NothingFits:
            out[limit] = None
    return out


def regret(pick, oracle) -> float | None:
    """Top-1 points the pick gives up against the oracle: 0 if neither exists (nothing fits,
    nothing picked) or only the pick (it is over budget, counted there); None if nothing was
    picked though a checkpoint fits (a miss)."""
    if oracle is None:
        return 0.0
    if pick is None:
        return None
    return oracle.checkpoint.top1 - pick.checkpoint.top1


def timed_checkpoints(calibration, threads: int, chosen, quick: bool):
    """The checkpoints to time: every float one, or (quick) the picks and the predicted front."""
    from mnetcalc.latency_model.choose import Budget, choose

    everything = choose(Budget(latency_ms=1e9), calibration, threads=threads)
    if quick:
        names = {c.checkpoint.name for c in chosen.values() if c is not None}
        everything = [c for c in everything if c.pareto or c.checkpoint.name in names]
    return everything


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--calibration", help="calibration file (default: the default lookup)")
    parser.add_argument("--budgets", type=int, default=20, help="how many (default: 20)")
    parser.add_argument("--rounds", type=int, default=6, help="timed rounds (default: 6)")
    parser.add_argument("--seconds", type=float, default=0.05, help="seconds per slot")
    parser.add_argument("--quick", action="store_true", help="time the picks and the front only")
    parser.add_argument("--no-progress", action="store_true")
    parser.add_argument("--json", help="write the results here")
    args = parser.parse_args()

    from mnetcalc.latency_model import header, open_calibration
    from mnetcalc.latency_model.machine import MachineInfo
    from mnetcalc.runtime.latency import BenchConfig
    from mnetcalc.runtime.reference import bench_runner, reference_runner, time_against_reference
    from mnetcalc.runtime.samples import label

    calibration, source = open_calibration(args.calibration)
    print(header(calibration, source, args.threads))
    limits = budgets(args.budgets)
    chosen = picks(calibration, args.threads, limits)
    pool = timed_checkpoints(calibration, args.threads, chosen, args.quick)
    before = os.getloadavg()
    start = time.perf_counter()
    runners = {}
    for c in pool:
        config = BenchConfig(c.checkpoint.config(), threads=args.threads, level="optimized")
        runners[label(config.network)] = bench_runner(config)
    times = time_against_reference(
        runners,
        reference_runner(args.threads),
        threads=args.threads,
        rounds=args.rounds,
        round_time=args.seconds,
        progress=not args.no_progress,
        description="checkpoints",
    )
    seconds = time.perf_counter() - start
    measured = {
        label(c.checkpoint.config()): 1e3 * times.median_s(label(c.checkpoint.config()))
        for c in pool
    }
    machine = MachineInfo.current(args.threads)
    print(f"machine: {machine.describe()}; load average before {before[0]:.2f}")
    ref = times.reference_ms()
    print(
        f"{len(pool)} checkpoints timed in {seconds:.0f} s; reference median "
        f"{ref['median']:.3f} ms (p10 {ref['p10']:.3f}, p90 {ref['p90']:.3f}); drift "
        f"{times.drift():.1%}"
    )
    rows = []
    head = ("budget", "pick", "pred", "high", "measured", "over", "oracle", "regret")
    print("\n{:>7s} {:36s} {:>6s} {:>6s} {:>8s} {:>4s} {:36s} {:>6s}".format(*head))
    for limit, pick in chosen.items():
        fitting = [c for c in pool if measured[label(c.checkpoint.config())] <= limit]
        oracle = max(fitting, key=lambda c: c.checkpoint.top1, default=None)
        row = {
            "budget_ms": limit,
            "pick": pick.checkpoint.name if pick else None,
            "predicted_ms": pick.latency.median_ms if pick else None,
            "high_ms": pick.latency.high_ms if pick else None,
            "measured_ms": measured[label(pick.checkpoint.config())] if pick else None,
            "oracle": oracle.checkpoint.name if oracle else None,
        }
        row["over"] = bool(pick) and row["measured_ms"] > limit
        row["regret"] = regret(pick, oracle)
        rows.append(row)
        shown = math.inf if row["regret"] is None else row["regret"]
        print(
            f"{limit:7.2f} {str(row['pick'])[:36]:36s} "
            f"{row['predicted_ms'] or math.nan:6.2f} {row['high_ms'] or math.nan:6.2f} "
            f"{row['measured_ms'] or math.nan:8.2f} {'YES' if row['over'] else 'no':>4s} "
            f"{str(row['oracle'])[:36]:36s} {shown:6.1f}"
        )
    over = sum(r["over"] for r in rows)
    # a pick over its budget is a failure, whatever its regret (negative against an oracle that
    # fits)
    small_regret = sum(
        not r["over"] and r["regret"] is not None and r["regret"] <= 1.0 for r in rows
    ) / len(rows)
    goal_lines = [
        f"goal {'met ' if over <= GOAL_OVER * len(rows) else 'MISSED'}: picks over budget "
        f"{over} of {len(rows)} (goal: at most 1 in 20)",
        f"goal {'met ' if small_regret >= GOAL_REGRET else 'MISSED'}: a pick within budget and "
        f"within 1 top-1 point of the oracle for {small_regret:.0%} of budgets (goal >= "
        f"{GOAL_REGRET:.0%})",
    ]
    print("\n" + "\n".join(goal_lines))
    stamp = datetime.date.today().isoformat()
    path = args.json or os.path.join(
        os.path.dirname(os.path.abspath(__file__)),
        "results",
        f"choose_budgets-{args.threads}t-{stamp}.json",
    )
    data = {
        "threads": args.threads,
        "calibration": header(calibration, source, args.threads),
        "machine": machine.to_dict(),
        "load_average_before": list(before),
        "load_average_after": list(os.getloadavg()),
        "reference_ms": ref,
        "drift": times.drift(),
        "seconds": seconds,
        "measured_ms": measured,
        "rows": rows,
        "goals": goal_lines,
    }
    with open(path, "w", encoding="utf-8") as out:
        json.dump(data, out, indent=1)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()

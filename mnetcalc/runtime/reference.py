"""Timing against a reference network, so that a machine whose speed drifts during a run (turbo and
thermal states, other processes, noisy neighbours on a cloud VM) slows the reference and the timed
networks alike, and their *ratio* stays meaningful.

Latency, everywhere in mnetcalc: the **median wall-clock time per call** (``time.perf_counter``) of
``optimize()``'s model, batch 1, float32, at a stated thread count. :func:`time_against_reference`
times every runner call by call in rounds; in each round the reference network
(:data:`REFERENCE`, MobileNet v1 0.5/160 built exactly as ``mnetcalc bench --optimize`` builds
it) is timed before every group of :data:`EVERY` runners and after the last, in a seeded shuffled
order::

    R s1 .. s8 R s9 .. s16 R ... R

A runner's *ratio* in a round is the median of its calls in that round over the mean of the two
reference medians that bracket it; its relative time (:meth:`ReferenceTimes.relative`) is the
median of its ratios over the rounds. The reference's own medians over the whole run give what the
machine gives the reference (:meth:`ReferenceTimes.reference_ms`: p10, median, p90) and the
machine's **drift**, ``(p90 - p10) / median`` (:meth:`ReferenceTimes.drift`).
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial

import torch

from ..networks.registry import config_class
from ..validation import positive_int, positive_number
from .latency import BenchConfig, prepared_model
from .model import torch_threads

#: The reference network: registry name and options.
REFERENCE = ("mobilenet_v1", {"alpha": 0.5, "resolution": 160})
REFERENCE_LABEL = "mobilenet_v1 0.5/160"
#: The name the reference's timings are kept under.
REFERENCE_NAME = "reference"

#: The reference is timed before every group of this many runners.
EVERY = 8

#: Above this drift, a calibration is too noisy to be useful.
NOISY_DRIFT = 0.25


def reference_config(threads: int) -> BenchConfig:
    """The reference as ``mnetcalc bench --optimize --threads T --batch 1`` builds it."""
    network, options = REFERENCE
    return BenchConfig(
        config_class(network)(**options), threads=threads, batch=1, level="optimized"
    )


def bench_runner(config: BenchConfig) -> Callable[[], object]:
    """A call of the network prepared as ``bench`` prepares it, on bench's input."""
    return partial(prepared_model(config), config.inputs())


def reference_runner(threads: int) -> Callable[[], object]:
    return bench_runner(reference_config(threads))


def percentiles(values) -> tuple[float, float, float]:
    """p10, median and p90 of ``values`` (inclusive quantiles; one value: that value thrice)."""
    values = sorted(values)
    if len(values) == 1:
        return values[0], values[0], values[0]
    deciles = statistics.quantiles(values, n=10, method="inclusive")
    return deciles[0], statistics.median(values), deciles[8]


@dataclass(frozen=True)
class ReferenceTimes:
    """One run timed against the reference: per runner, its calls' seconds in each round
    (``calls``) and its ratio to the bracketing reference medians in each round (``ratios``);
    ``reference``: the reference's median seconds of each of its slots, in order; ``threads``."""

    calls: dict[str, tuple[tuple[float, ...], ...]]
    ratios: dict[str, tuple[float, ...]]
    reference: tuple[float, ...]
    threads: int
    cpu_per_wall: dict = field(default_factory=dict)

    def median_s(self, name: str) -> float:
        """The runner's median seconds per call, over all its calls."""
        return statistics.median(t for calls in self.calls[name] for t in calls)

    def relative(self, name: str) -> float:
        """The runner's time in reference units: the median of its per-round ratios."""
        return statistics.median(self.ratios[name])

    def relative_bounds(self, name: str, level: float = 0.8, draws: int = 2000) -> tuple:
        """How sure :meth:`relative` is: the central ``level`` interval of the median of the
        runner's per-round ratios over ``draws`` seeded bootstrap resamples of its rounds (a
        measurement's own noise, before any model is fitted to it)."""
        ratios = self.ratios[name]
        rng = random.Random(f"{name}/{len(ratios)}")
        medians = sorted(
            statistics.median(rng.choices(ratios, k=len(ratios))) for _ in range(draws)
        )
        cut = int((1 - level) / 2 * draws)
        return medians[cut], medians[draws - 1 - cut]

    def reference_ms(self) -> dict:
        """The reference's per-slot medians over the whole run: p10, median, p90 (ms) and how
        many (``rounds``)."""
        p10, median, p90 = percentiles(self.reference)
        return {
            "median": 1e3 * median,
            "p10": 1e3 * p10,
            "p90": 1e3 * p90,
            "rounds": len(self.reference),
        }

    def drift(self) -> float:
        """``(p90 - p10) / median`` of the reference's per-slot medians: the machine's noise."""
        p10, median, p90 = percentiles(self.reference)
        return (p90 - p10) / median

    def to_dict(self) -> dict:
        return {
            "threads": self.threads,
            "reference_ms": self.reference_ms(),
            "drift": self.drift(),
            "runners": {
                name: {"median_ms": 1e3 * self.median_s(name), "relative": self.relative(name)}
                for name in self.ratios
            },
        }


def _slot(fn, clock, min_calls: int, round_time: float) -> list[float]:
    """One runner's calls in one slot: at least ``min_calls`` and ``round_time`` seconds."""
    out = []
    start = clock()
    while len(out) < min_calls or clock() - start < round_time:
        begin = clock()
        fn()
        out.append(clock() - begin)
    return out


def time_against_reference(
    runners: Mapping[str, Callable[[], object]],
    reference: Callable[[], object],
    *,
    threads: int,
    rounds: int = 5,
    round_time: float = 0.02,
    min_calls: int = 3,
    every: int = EVERY,
    seed: int = 0,
    progress: bool = True,
    description: str = "timing",
    clock: Callable[[], float] = time.perf_counter,
    reference_time: float | None = None,
) -> ReferenceTimes:
    """Time each runner (a call without arguments) and the reference, call by call, in
    ``rounds`` rounds of ``R s1 .. s_every R ...  R`` (the runners in a seeded shuffled order
    each round), after two warm-up calls each; a slot is at least ``min_calls`` calls and
    ``round_time`` seconds (the reference's: ``reference_time``, default the same). ``clock``:
    seconds, ``time.perf_counter`` (a test passes its own). ``cpu_per_wall``: the process's CPU
    time over wall time while each runner was timed."""
    from tqdm.auto import tqdm

    rounds, every = positive_int("rounds", rounds), positive_int("every", every)
    min_calls = positive_int("min_calls", min_calls)
    round_time = positive_number("round_time", round_time)
    reference_time = round_time if reference_time is None else reference_time
    names = list(runners)
    calls: dict[str, list[tuple[float, ...]]] = {name: [] for name in names}
    ratios: dict[str, list[float]] = {name: [] for name in names}
    slots: list[float] = []
    busy = dict.fromkeys(names, 0.0)  # process CPU seconds and wall seconds while timing
    wall = dict.fromkeys(names, 0.0)
    order = random.Random(seed)
    groups = -(-len(names) // every)
    reference_slot = (min_calls, reference_time)
    with torch_threads(threads), torch.no_grad():
        for fn in (reference, *runners.values()):
            fn()
            fn()
        total = rounds * (len(names) + groups + 1)
        with tqdm(total=total, desc=description, disable=not progress, leave=False) as steps:
            for _ in range(rounds):
                shuffled = names[:]
                order.shuffle(shuffled)
                before = statistics.median(_slot(reference, clock, *reference_slot))
                slots.append(before)
                steps.update()
                for start in range(0, len(shuffled), every):
                    group = shuffled[start : start + every]
                    medians = {}
                    for name in group:
                        cpu_start, wall_start = time.process_time(), time.perf_counter()
                        times = _slot(runners[name], clock, min_calls, round_time)
                        busy[name] += time.process_time() - cpu_start
                        wall[name] += time.perf_counter() - wall_start
                        calls[name].append(tuple(times))
                        medians[name] = statistics.median(times)
                        steps.update()
                    after = statistics.median(_slot(reference, clock, *reference_slot))
                    slots.append(after)
                    steps.update()
                    for name, median in medians.items():
                        ratios[name].append(median / ((before + after) / 2))
                    before = after
    return ReferenceTimes(
        {name: tuple(values) for name, values in calls.items()},
        {name: tuple(values) for name, values in ratios.items()},
        tuple(slots),
        threads,
        {name: busy[name] / wall[name] if wall[name] else None for name in names},
    )


def measure_optimized(
    config: BenchConfig, *, rounds: int = 5, round_time: float = 0.4, progress: bool = True
):
    """``mnetcalc bench --optimize``: the network's median wall time per call, timed call by call
    in rounds against the reference (``R N R N R ...``; the reference's slots half as long), as a
    :class:`~mnetcalc.runtime.latency.LatencyResult` whose ``reference`` says what the reference
    took (p10, median, p90 of its slots), the drift, and the network's ratio to it."""
    from ..latency_model.machine import MachineInfo
    from .latency import Latency, LatencyResult

    times = time_against_reference(
        {"network": bench_runner(config)},
        reference_runner(config.threads),
        threads=config.threads,
        rounds=rounds,
        round_time=round_time,
        reference_time=round_time / 2,
        progress=progress,
        description="optimized model and reference",
    )
    calls = tuple(t for slot in times.calls["network"] for t in slot)
    latency = Latency(calls, times.cpu_per_wall["network"])
    reference = {
        "label": REFERENCE_LABEL,
        "reference_ms": times.reference_ms(),
        "drift": times.drift(),
        "ratio": times.relative("network"),
    }
    machine = MachineInfo.current(config.threads)
    return LatencyResult(config, latency, config.report(), machine, reference)


def noisy_line(drift: float) -> str | None:
    """One line if ``drift`` is above :data:`NOISY_DRIFT`, else None."""
    if drift <= NOISY_DRIFT:
        return None
    return (
        f"this machine is too noisy for a useful calibration: the reference network's time "
        f"drifted {drift:.0%} (p10 to p90 over the median; above {NOISY_DRIFT:.0%} is too noisy)"
    )


__all__ = [
    "EVERY",
    "NOISY_DRIFT",
    "REFERENCE",
    "REFERENCE_LABEL",
    "ReferenceTimes",
    "bench_runner",
    "measure_optimized",
    "noisy_line",
    "percentiles",
    "reference_config",
    "reference_runner",
    "time_against_reference",
]

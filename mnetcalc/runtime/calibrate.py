"""Calibrate the latency model of :mod:`mnetcalc.latency_model` on this machine (needs torch,
numpy and scipy), at one or more thread counts, into one calibration file (schema 2).

Latency is what ``mnetcalc bench --optimize`` measures: the median wall time per call
(``time.perf_counter``) of :func:`mnetcalc.runtime.model.optimize`'s model, batch 1, float32, at a
thread count. :func:`calibrate` times the designed samples of :mod:`mnetcalc.runtime.samples`
(one-layer networks and a few whole MobileNets) against the reference network of
:mod:`mnetcalc.runtime.reference`, in the same rounds, so that drift cancels; fits the model on
the samples' relative times times the reference's median (:mod:`mnetcalc.runtime.fitting`, so
coefficients stay in microseconds); refits once without each whole network to record the model's
own error (leave-one-network-out, no extra timing); and fits the baselines on the whole networks.
One model per thread count, each with the reference's distribution (``reference_ms``) and the
machine's ``drift``.

:func:`calibrate_and_validate` also times held-out networks in the same run
(:mod:`mnetcalc.runtime.heldout`), for the book and ``benchmarks/latency_model.py``.

API::

    data = calibrate((1, 2), quick=True)          # the file's dict (schema 2)
    write_calibration(data, "calibration.json")
    calibration, validation = calibrate_and_validate(1, configs, quick=True)
    validation.rows, validation.summary()["predicted"]["within_10"]
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .. import __version__
from ..latency_model import DEFAULT_CACHE_BYTES, FEATURE_UNITS, vector_lanes
from ..latency_model.machine import MachineInfo, package_version
from ..validation import InvalidArgument, positive_int
from .fitting import (
    NETWORK_WEIGHT,
    Fit,
    baseline_us,
    columns,
    design,
    design_row,
    error_summary,
    fit,
    fit_baselines,
    leave_one_out,
    mult_adds_of,
    nonnegative_lstsq,
    rmspe,
)
from .heldout import HELD_OUT, Validation, compare, held_out_runners
from .reference import (
    REFERENCE,
    REFERENCE_LABEL,
    ReferenceTimes,
    reference_runner,
    time_against_reference,
)
from .samples import CALIBRATION_NETWORKS, Sample, calibration_samples, label, sample_runner

#: Schema version of the file :func:`calibrate` writes (``/work/latency-schema.md``).
SCHEMA = 2

#: Default rounds and seconds per slot (:func:`time_against_reference`).
ROUNDS, QUICK_ROUNDS, ROUND_TIME = 8, 4, 0.02


def last_level_cache() -> int:
    """This CPU's largest cache in bytes (Linux sysfs), or the model's default where unknown."""
    import glob

    sizes = []
    for path in glob.glob("/sys/devices/system/cpu/cpu0/cache/index*/size"):
        try:
            with open(path, encoding="ascii") as source:
                text = source.read().strip()
        except OSError:
            continue
        factor = {"K": 2**10, "M": 2**20, "G": 2**30}.get(text[-1:], 1)
        digits = text.rstrip("KMG")
        if digits.isdigit():
            sizes.append(int(digits) * factor)
    return max(sizes, default=DEFAULT_CACHE_BYTES)


def measure_roofs(threads: int) -> tuple[float, float]:
    """This machine's matmul peak (GFLOP/s) and copy bandwidth (GB/s), for the roofline
    baseline."""
    from .roofline import matmul_peak, memory_bandwidth

    peak = matmul_peak(threads, size=512, rounds=2, round_time=0.1)
    bandwidth = memory_bandwidth(threads, megabytes=64, rounds=2, round_time=0.1)
    return peak, bandwidth


@dataclass(frozen=True)
class FittedModel:
    """The model of one thread count: the fit, the timings it came from, the leave-one-network-out
    errors (``loo``) and the baselines."""

    threads: int
    fit: Fit
    times: ReferenceTimes
    loo: list
    baselines: dict
    rounds: int
    round_time: float
    cache_bytes: int
    lanes: int
    samples: tuple = ()

    def predict_us(self, rows, vector: np.ndarray | None = None) -> float:
        """The model's prediction (us) for a network's rows (``vector``: other coefficients in the
        order of :func:`columns`, e.g. a leave-one-family-out fit)."""
        index = {name: i for i, name in enumerate(columns())}
        coefficients = self.fit.vector if vector is None else vector
        return float(design_row(rows, index, self.cache_bytes, self.lanes) @ coefficients)

    def to_dict(self) -> dict:
        """The file's model of this thread count (``models["T"]``)."""
        return {
            "threads": self.threads,
            "fixed_us": self.fit.fixed_us,
            "coefficients": self.fit.coefficients,
            "reference_ms": self.times.reference_ms(),
            "drift": self.times.drift(),
            "model_error": {**error_summary([e["error"] for e in self.loo]), "loo": self.loo},
            "fit": {
                "samples": len(self.fit.residuals),
                "rounds": self.rounds,
                "round_time_s": self.round_time,
                "rmspe": self.fit.rmspe,
                "residuals": self.fit.residuals,
            },
            "baselines": self.baselines,
        }


def observations(samples: Sequence[Sample], times: ReferenceTimes) -> list[tuple]:
    """``(name, rows, us)`` per sample: its relative time times the reference's median (us)."""
    reference_us = 1e3 * times.reference_ms()["median"]
    return [(s.name, s.rows(), times.relative(s.name) * reference_us) for s in samples]


def fit_model(
    samples: Sequence[Sample],
    times: ReferenceTimes,
    *,
    cache_bytes: int,
    lanes: int,
    roofs: tuple[float, float],
    rounds: int,
    round_time: float,
) -> FittedModel:
    """The model of ``times.threads`` fitted on the samples' relative times (no timing here)."""
    seen = observations(samples, times)
    weights = [NETWORK_WEIGHT if s.whole else 1.0 for s in samples]
    whole = [i for i, s in enumerate(samples) if s.whole]
    result = fit(seen, weights, cache_bytes, lanes)
    loo = leave_one_out(seen, weights, whole, cache_bytes, lanes)
    baselines = fit_baselines([seen[i] for i in whole], *roofs) if whole else {}
    return FittedModel(
        times.threads,
        result,
        times,
        loo,
        baselines,
        rounds,
        round_time,
        cache_bytes,
        lanes,
        tuple(samples),
    )


def machine_dict(threads: int, cache_bytes: int) -> dict:
    machine = MachineInfo.current(threads)
    return {
        "cpu": machine.cpu,
        "isa": list(machine.isa),
        "logical_cpus": machine.logical_cpus,
        "cache_bytes": cache_bytes,
        "load_average": machine.load_average,
    }


def calibration_file(models: Sequence[FittedModel], machine: dict) -> dict:
    """The calibration file's content (schema 2) with one model per thread count."""
    network, options = REFERENCE
    return {
        "schema": SCHEMA,
        "created": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": machine,
        "engine": "optimize",
        "precision": "float32",
        "batch": 1,
        "statistic": "median wall time per call",
        "versions": {
            "torch": package_version("torch"),
            "numpy": np.__version__,
            "mnetcalc": __version__,
            "python": MachineInfo.current(1).python_version,
        },
        "features": dict(FEATURE_UNITS),
        "reference": {"label": REFERENCE_LABEL, "network": network, "options": dict(options)},
        "models": {str(m.threads): m.to_dict() for m in models},
    }


def write_calibration(data: dict, path) -> None:
    with open(path, "w", encoding="utf-8") as out:
        out.write(json.dumps(data, indent=1, allow_nan=False) + "\n")


def thread_counts(threads) -> tuple[int, ...]:
    """A thread count or several, each >= 1, none twice."""
    counts = (threads,) if isinstance(threads, int | str) else tuple(threads)
    checked = tuple(positive_int("threads", t) for t in counts)
    if not checked or len(set(checked)) != len(checked):
        shown = ",".join(map(str, checked))
        raise InvalidArgument(f"threads: each thread count once, got {shown}", "threads")
    return checked


def run_thread(
    samples: Sequence[Sample],
    threads: int,
    *,
    rounds: int,
    round_time: float,
    progress: bool,
    extra: dict | None = None,
) -> tuple[FittedModel, ReferenceTimes]:
    """Build the samples (and ``extra`` runners) at ``threads``, time them against the reference
    in one run, and fit."""
    from tqdm.auto import tqdm

    from .model import torch_threads

    runners = {}
    with torch_threads(threads):
        for sample in tqdm(
            samples, desc=f"building, {threads} thread(s)", disable=not progress, leave=False
        ):
            runners[sample.name] = sample_runner(sample, threads)
        runners.update(extra or {})
        reference = reference_runner(threads)
    times = time_against_reference(
        runners,
        reference,
        threads=threads,
        rounds=rounds,
        round_time=round_time,
        progress=progress,
        description=f"timing, {threads} thread(s)",
    )
    cache = last_level_cache()
    lanes = vector_lanes(MachineInfo.current(threads).isa)
    model = fit_model(
        samples,
        times,
        cache_bytes=cache,
        lanes=lanes,
        roofs=measure_roofs(threads),
        rounds=rounds,
        round_time=round_time,
    )
    return model, times


def calibrate(
    threads=1,
    *,
    quick: bool = False,
    rounds: int | None = None,
    round_time: float = ROUND_TIME,
    progress: bool = True,
) -> dict:
    """Time :func:`calibration_samples` against the reference at each of ``threads`` (a count or
    several) and fit one model per count: the calibration file's dict."""
    counts = thread_counts(threads)
    rounds = positive_int(
        "rounds", rounds if rounds is not None else (QUICK_ROUNDS if quick else ROUNDS)
    )
    samples = calibration_samples(quick)
    models = [
        run_thread(samples, t, rounds=rounds, round_time=round_time, progress=progress)[0]
        for t in counts
    ]
    return calibration_file(models, machine_dict(max(counts), last_level_cache()))


def as_calibration(data: dict):
    """The torch-free :class:`~mnetcalc.latency_model.Calibration` of a calibration file's dict,
    checked as a file is."""
    from ..latency_model import Calibration

    return Calibration.from_json(json.dumps(data, allow_nan=False))


def validated(
    threads: int = 1,
    configs=HELD_OUT,
    *,
    quick: bool = False,
    rounds: int = 6,
    round_time: float = ROUND_TIME,
    progress: bool = True,
) -> Validation:
    """:func:`calibrate` at one thread count and the held-out ``configs`` timed against the same
    reference in the same run (never fitted), compared: ``validation.extra["file"]`` holds the
    calibration file's dict (not checked by the loader: a run on an overloaded machine may give a
    file it refuses, and the comparison still says how far off it is)."""
    threads = positive_int("threads", threads)
    rounds = positive_int("rounds", rounds)
    samples = calibration_samples(quick)
    configs = list(configs)
    extra = held_out_runners(configs, threads, progress)
    model, times = run_thread(
        samples, threads, rounds=rounds, round_time=round_time, progress=progress, extra=extra
    )
    data = calibration_file([model], machine_dict(threads, model.cache_bytes))
    return compare(model, configs, times, rounds, {"same_run": True, "file": data})


def calibrate_and_validate(threads: int = 1, configs=HELD_OUT, **options):
    """:func:`validated`, and its calibration torch-free (:func:`as_calibration`, checked as a
    file is): ``(calibration, validation)``."""
    validation = validated(threads, configs, **options)
    return as_calibration(validation.extra["file"]), validation


__all__ = [
    "CALIBRATION_NETWORKS",
    "HELD_OUT",
    "SCHEMA",
    "Fit",
    "Sample",
    "FittedModel",
    "Validation",
    "as_calibration",
    "baseline_us",
    "calibrate",
    "calibrate_and_validate",
    "calibration_file",
    "calibration_samples",
    "columns",
    "design",
    "design_row",
    "fit",
    "fit_baselines",
    "fit_model",
    "label",
    "leave_one_out",
    "mult_adds_of",
    "nonnegative_lstsq",
    "rmspe",
    "thread_counts",
    "validated",
    "write_calibration",
]

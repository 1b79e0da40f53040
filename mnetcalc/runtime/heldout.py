"""Held-out networks: whole networks no calibration sample is, timed as ``mnetcalc bench
--optimize`` times them against the reference in the calibration's own run, and the model's and
the baselines' predictions set beside them (:class:`Validation`).

Judged twice: relative to the reference timed in the same rounds (``measured_rel_ms``: the
network's relative time times the reference's median; drift cancels, this is the model's own
error), and absolute (``measured_ms``, the network's median per call, inside the printed interval
``[low_ms, high_ms]``). Leave-one-family-out (``lofo_ms``): the model refitted without any whole
network of the network's family predicts it; ``lofo_affine_ms`` likewise for the affine line.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ..core.network import NetworkConfig
from ..latency_model.machine import MachineInfo
from ..networks.registry import NETWORKS, config_class
from ..validation import InvalidArgument
from .fitting import NETWORK_WEIGHT, baseline_us, design, fit_affine, mult_adds_of, solve
from .reference import REFERENCE, ReferenceTimes
from .samples import CALIBRATION_NETWORKS, label

#: The most mult-adds a held-out network of another family is timed at: larger defaults (VGG16's
#: 15 G) are timed at half the resolution, again until they fit, to keep the validation short.
HELD_OUT_MAX_MULT_ADDS = 2e9


def _fitting(cls, options: dict, resolution: int):
    """``cls(resolution=..., **options)``, the resolution halved until the network has at most
    :data:`HELD_OUT_MAX_MULT_ADDS`; None where the network refuses the resolution."""
    while resolution >= 32:
        try:
            config = cls(resolution=resolution, **options)
        except InvalidArgument:
            return None
        if config.cost().mult_adds <= HELD_OUT_MAX_MULT_ADDS:
            return config
        resolution //= 2
    return None


#: The families whose held-out configurations :func:`_mobilenets` lists by hand.
HAND_PICKED = ("mobilenet_v1", "mobilenet_v2", "mobilenet_v3")


def _other_families() -> list[NetworkConfig]:
    """Every registered network but :data:`HAND_PICKED`, at its default configuration and at
    three quarters of its default resolution (and at half width where it takes one), and each of
    its other variants at that variant's default configuration (MobileNetV4's Conv-M and Conv-L
    among them, which no calibration network is): a network added to the registry is validated
    without an edit here. :func:`_held_out` leaves out the calibration's own configurations."""
    configs = []

    def add(config):
        if config is not None and config not in configs:
            configs.append(config)

    for entry in NETWORKS.values():
        if entry.name in HAND_PICKED:
            continue
        cls = entry.config_class()
        for options in ({}, {"alpha": 0.5}) if entry.alpha else ({},):
            for resolution in (entry.resolution, entry.resolution * 3 // 4):
                add(_fitting(cls, options, resolution))
        for variant in entry.variants[1:]:  # the first is the default, added above
            add(_fitting(cls, {"variant": variant}, cls(variant=variant).resolution))
    return configs


def _mobilenets() -> list[NetworkConfig]:
    v1, v2, v3 = (config_class(f"mobilenet_v{i}") for i in (1, 2, 3))
    grid = [(a, r) for a in (0.35, 0.75, 1.0) for r in (160, 192, 224)]
    return [
        *(v1(a, resolution=r) for a, r in grid + [(0.6, 144), (0.25, 192), (1.0, 128)]),
        *(
            v2(a, resolution=r)
            for a, r in [(a, r) for a in (0.75, 1.0, 1.4) for r in (160, 224)]
            + [(0.6, 112), (0.35, 224), (0.5, 224)]
        ),
        *(v3(a, resolution=224) for a in (1.0, 0.5, 0.75)),
        v3(1.0, resolution=160),
        *(v3(a, resolution=r, variant="small") for a, r in ((0.75, 224), (1.0, 224), (0.5, 160))),
    ]


def _held_out() -> tuple[NetworkConfig, ...]:
    network, options = REFERENCE
    reference = config_class(network)(**options)
    seen = {*CALIBRATION_NETWORKS, reference}
    return tuple(c for c in (*_mobilenets(), *_other_families()) if c not in seen)


#: Held-out configurations: no calibration sample is any of these networks, nor the reference.
HELD_OUT: tuple[NetworkConfig, ...] = _held_out()


def family(config: NetworkConfig) -> str:
    return config.to_dict()["network"]


def interval(median_ms: float, reference_ms: dict, model_error: dict) -> tuple[float, float]:
    """The prediction interval of the calibration file's contract (``latency-schema.md``)."""
    high = median_ms * reference_ms["p90"] / reference_ms["median"]
    low = median_ms * reference_ms["p10"] / reference_ms["median"]
    return (
        low / (1 + max(0.0, model_error["p90"])),
        high / (1 + min(0.0, model_error["p10"])),
    )


#: The predictors a :class:`Validation` judges (each row's ``<name>_ms``).
PREDICTORS = ("predicted", "affine", "mult_adds", "roofline", "lofo", "lofo_affine")


@dataclass(frozen=True)
class Validation:
    """Measured against predicted on held-out networks: ``rows`` (per network: ``network``,
    ``family``, ``mult_adds``, ``measured_ms`` (median per call), ``relative`` (to the reference),
    ``measured_rel_ms`` with the 80 % bootstrap interval of its rounds
    (``measured_rel_low_ms``, ``measured_rel_high_ms``: the measurement's own noise),
    ``predicted_ms``, ``low_ms``, ``high_ms``, and each baseline's
    ``<name>_ms``)."""

    rows: tuple[dict, ...]
    machine: dict
    threads: int
    rounds: int
    predictors: tuple[str, ...] = PREDICTORS
    extra: dict = field(default_factory=dict)

    def summary(self) -> dict:
        """Per predictor: share of networks within 5 % and 10 % of the measured time relative to
        the reference (drift-free; ``measured_ms`` where a row has no relative time), and the
        RMSPE (fractions); ``absolute``: the share whose measured median lies in the interval."""
        out = {}
        for name in self.predictors:
            rows = [r for r in self.rows if f"{name}_ms" in r]
            if not rows:
                continue
            errors = [
                r[f"{name}_ms"] / r.get("measured_rel_ms", r["measured_ms"]) - 1 for r in rows
            ]
            out[name] = {
                "within_5": sum(abs(e) <= 0.05 for e in errors) / len(errors),
                "within_10": sum(abs(e) <= 0.10 for e in errors) / len(errors),
                "rmspe": math.sqrt(sum(e * e for e in errors) / len(errors)),
            }
        bounded = [r for r in self.rows if "low_ms" in r]
        if bounded:
            inside = [r["low_ms"] <= r["measured_ms"] <= r["high_ms"] for r in bounded]
            out["absolute"] = {"inside": sum(inside) / len(inside)}
        return out

    def to_dict(self) -> dict:
        return {
            "threads": self.threads,
            "rounds": self.rounds,
            "machine": self.machine,
            "rows": list(self.rows),
            "summary": self.summary(),
            **self.extra,
        }


def held_out_runners(configs: Sequence[NetworkConfig], threads: int, progress: bool = True):
    """Each configuration prepared as ``mnetcalc bench --optimize --threads T --batch 1`` prepares
    it, and a call of it on bench's input, by :func:`label`."""
    from tqdm.auto import tqdm

    from .latency import BenchConfig
    from .reference import bench_runner

    runners = {}
    for config in tqdm(configs, desc="building held-out", disable=not progress, leave=False):
        runners[label(config)] = bench_runner(
            BenchConfig(config, threads=threads, batch=1, level="optimized")
        )
    return runners


def without_family(model, name: str):
    """Coefficients (order of :func:`~mnetcalc.runtime.fitting.columns`) and affine baseline
    fitted without any whole network of family ``name``: the model's own where it has none."""
    samples = model.samples
    keep = [i for i, s in enumerate(samples) if not (s.whole and s.family == name)]
    if len(keep) == len(samples):
        return model.fit.vector, model.baselines["affine"]
    measured = np.array([r["measured_us"] for r in model.fit.residuals])
    weights = np.array([NETWORK_WEIGHT if s.whole else 1.0 for s in samples])
    a = design([samples[i].rows() for i in keep], model.cache_bytes, model.lanes)
    vector = solve(a, measured[keep], weights[keep])
    whole = [i for i in keep if samples[i].whole]
    affine = fit_affine([mult_adds_of(samples[i].rows()) for i in whole], measured[whole])
    return vector, affine


def compare(
    model,
    configs: Sequence[NetworkConfig],
    times: ReferenceTimes,
    rounds: int,
    extra: dict | None = None,
) -> Validation:
    """Measured (``times``, by :func:`label`) against the predictions of ``model`` (a
    :class:`~mnetcalc.runtime.calibrate.FittedModel` fitted on the same run) and its
    baselines."""
    data = model.to_dict()
    reference_ms, errors = data["reference_ms"], data["model_error"]
    lofo = {name: without_family(model, name) for name in {family(c) for c in configs}}
    rows = []
    for config in configs:
        name, cost = label(config), config.cost()
        predicted_ms = model.predict_us(cost.layers) / 1e3
        low, high = interval(predicted_ms, reference_ms, errors)
        base = baseline_us(model.baselines, cost.layers)
        vector, affine = lofo[family(config)]
        rel_low, rel_high = times.relative_bounds(name)
        rows.append(
            {
                "network": name,
                "family": family(config),
                "mult_adds": cost.mult_adds,
                "measured_ms": 1e3 * times.median_s(name),
                "relative": times.relative(name),
                "measured_rel_ms": times.relative(name) * reference_ms["median"],
                "measured_rel_low_ms": rel_low * reference_ms["median"],
                "measured_rel_high_ms": rel_high * reference_ms["median"],
                "cpu_per_wall": times.cpu_per_wall.get(name),
                "predicted_ms": predicted_ms,
                "low_ms": low,
                "high_ms": high,
                "affine_ms": base["affine"] / 1e3,
                "mult_adds_ms": base["mult_adds"] / 1e3,
                "roofline_ms": base["roofline"] / 1e3,
                "lofo_ms": model.predict_us(cost.layers, vector) / 1e3,
                "lofo_affine_ms": (
                    affine["a_us"] + affine["b_us_per_million"] * cost.mult_adds / 1e6
                )
                / 1e3,
            }
        )
    machine = MachineInfo.current(model.threads).to_dict()
    return Validation(tuple(rows), machine, model.threads, rounds, extra=extra or {})


__all__ = [
    "HELD_OUT",
    "HELD_OUT_MAX_MULT_ADDS",
    "PREDICTORS",
    "Validation",
    "compare",
    "family",
    "held_out_runners",
    "interval",
    "without_family",
]

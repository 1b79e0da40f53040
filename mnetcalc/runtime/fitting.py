"""Fitting the latency model of :mod:`mnetcalc.latency_model` to timings (needs numpy and scipy),
its leave-one-network-out error, and the two baselines it is compared with.

Every sample, like every network, is a sum: ``time = fixed + sum over its rows of time(row)``,
with ``time(row)`` linear in the row's features. So a one-layer sample pays the fixed cost of a
call once, and a whole network pays it once for dozens of layers, which is what separates the two.
The coefficients are fitted by least squares on the *relative* error (each equation divided by its
measured time), with every coefficient >= 0 (a time cannot shrink with more work).

The times fitted are relative times (:mod:`mnetcalc.runtime.reference`) multiplied by the
reference's median over the run, so the coefficients stay in microseconds per feature unit.

Baselines (:func:`fit_baselines`), fitted on the *whole networks* the model sees: the affine line
``a + b x mult-adds`` (the one a reader would draw), time proportional to mult-adds, and the
roofline bound (each row's ``max(2 x mult-adds / peak, bytes / bandwidth)`` summed, times one
fitted factor).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from ..latency_model import DEFAULT_CACHE_BYTES, KINDS, network_features
from ..traffic import layer_traffic
from ..validation import InvalidArgument

#: How much more a whole network counts in the fit than a one-layer sample: whole networks are
#: what the model predicts.
NETWORK_WEIGHT = 4.0


def columns() -> list[tuple[str, str]]:
    """The columns of the design matrix: the fixed cost, then each kind's features."""
    return [("fixed", "calls")] + [(kind, f) for kind, features in KINDS.items() for f in features]


def design_row(
    rows, index: dict[tuple[str, str], int], cache_bytes: int, lanes: int = 16
) -> np.ndarray:
    """One equation: the fixed cost once, plus every row's features in its kind's columns."""
    x = np.zeros(len(index))
    x[index[("fixed", "calls")]] = 1.0
    for _, kind, values in network_features(rows, cache_bytes, lanes):
        for feature, value in values.items():
            x[index[(kind, feature)]] += value
    return x


def design(rows_list, cache_bytes: int = DEFAULT_CACHE_BYTES, lanes: int = 16) -> np.ndarray:
    """The design matrix of several networks' cost rows."""
    index = {name: i for i, name in enumerate(columns())}
    return np.array([design_row(rows, index, cache_bytes, lanes) for rows in rows_list])


def nonnegative_lstsq(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Least squares with every coefficient >= 0 (``scipy.optimize.nnls``, Lawson and Hanson's
    active-set method). Columns that are all zero (a kind no sample has) stay zero."""
    from scipy.optimize import nnls

    return nnls(a, b)[0]


def solve(a: np.ndarray, measured: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """The coefficients minimising the weighted relative error of ``a @ x`` against
    ``measured``."""
    scale = weights / measured
    return nonnegative_lstsq(a * scale[:, None], weights)


@dataclass(frozen=True)
class Fit:
    coefficients: dict  # kind -> feature -> us per unit
    fixed_us: float
    residuals: list  # per sample: name, measured_us, fitted_us

    @property
    def rmspe(self) -> float:
        return rmspe([(r["fitted_us"], r["measured_us"]) for r in self.residuals])

    @property
    def vector(self) -> np.ndarray:
        """The coefficients in the order of :func:`columns`."""
        return np.array(
            [self.fixed_us] + [self.coefficients[kind][feature] for kind, feature in columns()[1:]]
        )


def _checked(observations) -> np.ndarray:
    measured = np.array([us for _, _, us in observations], dtype=float)
    bad = [name for (name, _, us) in observations if not (math.isfinite(us) and us > 0)]
    if bad:
        raise InvalidArgument(
            f"measured times must be positive and finite; not those of {', '.join(bad[:5])}",
            "observations",
        )
    return measured


def fit(
    observations: Iterable[tuple[str, Sequence, float]],
    weights=None,
    cache_bytes: int = DEFAULT_CACHE_BYTES,
    lanes: int = 16,
) -> Fit:
    """Fit the model to ``(name, cost rows, measured microseconds)`` observations, minimising the
    relative error (each observation's times its weight, default 1)."""
    observations = list(observations)
    if not observations:
        raise InvalidArgument("fit needs at least one observation", "observations")
    weights = np.ones(len(observations)) if weights is None else np.asarray(weights, dtype=float)
    measured = _checked(observations)
    a = design([rows for _, rows, _ in observations], cache_bytes, lanes)
    solution = solve(a, measured, weights)
    fitted = a @ solution
    coefficients: dict[str, dict[str, float]] = {}
    for (kind, feature), value in zip(columns()[1:], solution[1:], strict=True):
        coefficients.setdefault(kind, {})[feature] = float(value)
    residuals = [
        {"name": name, "measured_us": float(us), "fitted_us": float(f)}
        for (name, _, us), f in zip(observations, fitted, strict=True)
    ]
    return Fit(coefficients, float(solution[0]), residuals)


def leave_one_out(
    observations: Sequence[tuple[str, Sequence, float]],
    weights,
    held: Sequence[int],
    cache_bytes: int = DEFAULT_CACHE_BYTES,
    lanes: int = 16,
) -> list[dict]:
    """For each index in ``held`` (the whole networks), the model refitted without that
    observation predicts it: ``{"network", "error"}`` with error ``predicted / measured - 1``.
    With times relative to the reference, drift cancels from the error. No extra timing."""
    observations = list(observations)
    weights = np.asarray(weights, dtype=float)
    measured = _checked(observations)
    a = design([rows for _, rows, _ in observations], cache_bytes, lanes)
    out = []
    for i in held:
        keep = np.arange(len(observations)) != i
        solution = solve(a[keep], measured[keep], weights[keep])
        out.append(
            {"network": observations[i][0], "error": float(a[i] @ solution / measured[i] - 1)}
        )
    return out


def error_summary(errors: Sequence[float]) -> dict:
    """p10, p90 and RMSPE of relative errors; with fewer than 20, the min and max stand for p10
    and p90 (an interval from ten errors cannot claim a tenth on either side)."""
    errors = sorted(errors)
    if not errors:
        return {"p10": 0.0, "p90": 0.0, "rmspe": 0.0}
    if len(errors) < 20:
        low, high = errors[0], errors[-1]
    else:
        import statistics

        deciles = statistics.quantiles(errors, n=10, method="inclusive")
        low, high = deciles[0], deciles[8]
    return {
        "p10": float(low),
        "p90": float(high),
        "rmspe": float(math.sqrt(sum(e * e for e in errors) / len(errors))),
    }


def rmspe(pairs: Iterable[tuple[float, float]]) -> float:
    """Root mean square percentage error (as a fraction) of ``(predicted, measured)`` pairs."""
    errors = [(p - m) / m for p, m in pairs]
    return math.sqrt(sum(e * e for e in errors) / len(errors)) if errors else float("nan")


# -- baselines
# ----------------------------------------------------------------------------------------


def mult_adds_of(rows) -> float:
    """Millions of mult-adds of a network's rows."""
    return sum(row.mult_adds for row in rows) / 1e6


def roofline_us(rows, peak_gflops: float, bandwidth_gbs: float) -> float:
    """Sum over rows of the roofline bound: ``max(compute time, memory time)``, microseconds."""
    total = 0.0
    for row in rows:
        compute = 2 * row.mult_adds / (peak_gflops * 1e3)
        memory = layer_traffic(row).bytes / (bandwidth_gbs * 1e3)
        total += max(compute, memory)
    return total


def _scale(predicted: np.ndarray, measured: np.ndarray) -> float:
    """The factor ``s`` minimising the relative error of ``s * predicted``."""
    ratio = predicted / measured
    return float(np.sum(ratio) / np.sum(ratio * ratio))


def fit_affine(mult_adds: Sequence[float], measured: Sequence[float]) -> dict:
    """``a + b x mult-adds`` (a in us, b in us per million) minimising the relative error, both
    >= 0."""
    measured = np.asarray(measured, dtype=float)
    a = np.column_stack([np.ones(len(measured)), np.asarray(mult_adds, dtype=float)])
    solution = nonnegative_lstsq(a / measured[:, None], np.ones(len(measured)))
    return {"a_us": float(solution[0]), "b_us_per_million": float(solution[1])}


def fit_baselines(observations, peak_gflops: float, bandwidth_gbs: float) -> dict:
    """The baselines fitted on ``(name, rows, measured us)`` observations: pass the whole
    networks the model sees."""
    measured = _checked(observations)
    mult_adds = np.array([mult_adds_of(rows) for _, rows, _ in observations])
    roof = np.array([roofline_us(rows, peak_gflops, bandwidth_gbs) for _, rows, _ in observations])
    return {
        "affine": fit_affine(mult_adds, measured),
        "mult_adds_us_per_million": _scale(mult_adds, measured),
        "roofline": {
            "peak_gflops": peak_gflops,
            "bandwidth_gbs": bandwidth_gbs,
            "scale": _scale(roof, measured),
        },
    }


def baseline_us(baselines: dict, rows) -> dict[str, float]:
    """The baselines' predictions (microseconds) for a network's rows: ``affine``, ``mult_adds``
    (proportional) and ``roofline``."""
    roof, affine, millions = baselines["roofline"], baselines["affine"], mult_adds_of(rows)
    return {
        "affine": affine["a_us"] + affine["b_us_per_million"] * millions,
        "mult_adds": baselines["mult_adds_us_per_million"] * millions,
        "roofline": roof["scale"] * roofline_us(rows, roof["peak_gflops"], roof["bandwidth_gbs"]),
    }


__all__ = [
    "NETWORK_WEIGHT",
    "Fit",
    "baseline_us",
    "columns",
    "design",
    "design_row",
    "error_summary",
    "fit",
    "fit_affine",
    "fit_baselines",
    "leave_one_out",
    "mult_adds_of",
    "nonnegative_lstsq",
    "rmspe",
    "roofline_us",
    "solve",
]

"""One thread count's latency model (:class:`ThreadModel`) and what it predicts
(:class:`Prediction`, :class:`Estimate`): the median, the interval around it and the margin that
interval implies.

A network's median is ``(fixed_us + sum of its rows' microseconds) / 1000`` ms; the interval is
the median times two factors of the model (schema 2 of the calibration file)::

    high = median * (reference p90 / reference median) / (1 + min(0, model_error.p10))
    low  = median * (reference p10 / reference median) / (1 + max(0, model_error.p90))

so it widens with the machine's drift (the reference network's spread over the calibration) and
with the model's own leave-one-network-out error. The margin implied is ``high / median - 1``.
Standard library only."""

from __future__ import annotations

from ..core.record import Record
from ..validation import InvalidArgument
from . import features as _features
from .features import (
    FEATURE_INDEX,
    as_rows,
    feature_values,
    fusion,
    kind_of,
    row_kind,
    runs_unfused,
)

#: A row type not met yet in :meth:`ThreadModel.row_us`.
_UNSEEN = object()


class Estimate(Record):
    """A predicted latency at one thread count: ``median_ms`` and the interval [``low_ms``,
    ``high_ms``] of what the machine gives the network (p10 to p90)."""

    __slots__ = ("median_ms", "low_ms", "high_ms", "threads")

    def __init__(self, median_ms: float, low_ms: float, high_ms: float, threads: int | None = None):
        self._set(median_ms=median_ms, low_ms=low_ms, high_ms=high_ms, threads=threads)

    @property
    def margin(self) -> float:
        """The margin the interval implies: ``high_ms / median_ms - 1``."""
        return self.high_ms / self.median_ms - 1 if self.median_ms else 0.0

    def upper(self, margin: float | None = None) -> float:
        """What must fit a budget: ``high_ms``, or with a ``margin`` given ``median_ms * (1 +
        margin)`` (``margin`` 0: the median alone)."""
        return self.high_ms if margin is None else self.median_ms * (1 + margin)

    def to_dict(self) -> dict:
        return {**self.fields(), "margin": self.margin}


class LayerPrediction(Record):
    """One cost row's ``name``, ``type`` and predicted microseconds (``us``)."""

    __slots__ = ("name", "type", "us")

    def __init__(self, name: str, type: str, us: float):  # noqa: A002 -- the row's field
        self._set(name=name, type=type, us=us)


class Prediction(Record):
    """Predicted latency of one network at ``threads``: each row's microseconds, the fixed cost per
    call, and the interval's factors (``low_factor``, ``high_factor``: the interval's ends over
    the median)."""

    __slots__ = ("layers", "fixed_us", "threads", "low_factor", "high_factor")

    def __init__(
        self,
        layers: tuple[LayerPrediction, ...],
        fixed_us: float,
        threads: int | None = None,
        low_factor: float = 1.0,
        high_factor: float = 1.0,
    ):
        self._set(
            layers=layers,
            fixed_us=fixed_us,
            threads=threads,
            low_factor=low_factor,
            high_factor=high_factor,
        )

    @property
    def total_us(self) -> float:
        return self.fixed_us + sum(layer.us for layer in self.layers)

    @property
    def total_ms(self) -> float:
        """The median, in ms (the same as :attr:`median_ms`)."""
        return self.total_us / 1e3

    median_ms = total_ms

    @property
    def low_ms(self) -> float:
        return self.total_ms * self.low_factor

    @property
    def high_ms(self) -> float:
        return self.total_ms * self.high_factor

    @property
    def margin(self) -> float:
        return self.high_factor - 1

    @property
    def estimate(self) -> Estimate:
        return Estimate(self.total_ms, self.low_ms, self.high_ms, self.threads)

    def to_dict(self) -> dict:
        return {
            "layers": [{"name": p.name, "type": p.type, "predicted_ms": p.us / 1e3} for p in self],
            "fixed_ms": self.fixed_us / 1e3,
            "total_ms": self.total_ms,
            "median_ms": self.total_ms,
            "low_ms": self.low_ms,
            "high_ms": self.high_ms,
            "margin": self.margin,
            "threads": self.threads,
        }

    def __iter__(self):
        return iter(self.layers)


class ThreadModel(Record):
    """The model of one thread count (``models["T"]`` of a schema-2 file).

    ``coefficients``: kind -> feature -> microseconds per unit; ``fixed_us``: the cost of one call
    of a whole network; ``reference_ms``: ``median``, ``p10``, ``p90`` (and ``rounds``) of the
    reference network's per-round medians over the calibration, in ms; ``drift``: their ``(p90 -
    p10) / median``; ``model_error``: ``p10`` and ``p90`` of the model's leave-one-network-out
    relative errors (``predicted / measured - 1``; also ``rmspe``, ``loo``); ``fit`` and
    ``baselines``: what ``calibrate`` records of its fit and of the baselines fitted beside it."""

    __slots__ = (
        "threads",
        "fixed_us",
        "coefficients",
        "reference_ms",
        "drift",
        "model_error",
        "fit",
        "baselines",
    )

    def __init__(
        self,
        threads: int,
        fixed_us: float,
        coefficients: dict,
        reference_ms: dict,
        drift: float = 0.0,
        model_error: dict | None = None,
        fit: dict | None = None,
        baselines: dict | None = None,
    ):
        self._set(
            threads=threads,
            fixed_us=fixed_us,
            coefficients=coefficients,
            reference_ms=reference_ms,
            drift=drift,
            model_error={"p10": 0.0, "p90": 0.0} if model_error is None else model_error,
            fit={} if fit is None else fit,
            baselines={} if baselines is None else baselines,
        )

    @property
    def high_factor(self) -> float:
        """``high / median``: (reference p90 / median) / (1 + min(0, model_error.p10))."""
        spread = self.reference_ms["p90"] / self.reference_ms["median"]
        return spread / (1 + min(0.0, self.model_error["p10"]))

    @property
    def low_factor(self) -> float:
        """``low / median``: (reference p10 / median) / (1 + max(0, model_error.p90))."""
        spread = self.reference_ms["p10"] / self.reference_ms["median"]
        return spread / (1 + max(0.0, self.model_error["p90"]))

    @property
    def margin(self) -> float:
        """The margin the interval implies: ``high / median - 1``."""
        return self.high_factor - 1

    def row_us(
        self, rows, cache_bytes: int, lanes: int, previous=None, fused=None, unfused=False
    ) -> list[float]:
        """The predicted microseconds of each row of ``rows``, a whole network (``previous``: the
        row before the first, for a part of one; ``fused``: whether each row runs in the
        partition of the row before it, default :func:`~.features.fusion`'s; ``unfused``: the
        network runs without fusion, default :func:`~.features.runs_unfused` of ``rows``, and then
        no row is fused; ``cache_bytes`` and ``lanes``: the calibrated machine's). What does not
        change from row to row is looked up once per row type: its kind's coefficients."""
        rows = as_rows(rows)
        unfused = unfused or runs_unfused(rows)
        if unfused:  # no row shares a call, whatever ``fused`` says (as in row_features)
            fused = [False] * len(rows)
        elif fused is None:
            fused = fusion(rows) if previous is None else fusion((previous, *rows))[1:]
        terms: dict[tuple, tuple | None] = {}  # (row type, fused) -> its kind's terms
        times = []
        for row, joined in zip(rows, fused, strict=True):
            entry = terms.get((row.type, joined), _UNSEEN)
            if entry is _UNSEEN:
                entry = terms[row.type, joined] = self._terms(row, joined, unfused)
            if entry is None:
                times.append(0.0)
            else:
                pairs, lane = entry
                values = feature_values(row, joined, cache_bytes, lanes, lane)
                times.append(sum([coefficient * values[index] for index, coefficient in pairs]))
        return times

    def _terms(self, row, fused: bool, unfused: bool = False) -> tuple[tuple, bool] | None:
        """The terms of the kind of ``row``'s type (run ``fused`` or not, in a network that runs
        ``unfused`` or not): ``((index in feature_values, coefficient), ...)`` in the order of the
        kind's features, and whether ``lane_mult_adds`` is among them; None for a type that runs
        nothing."""
        kind = row_kind(row)
        if kind is None:
            return None
        kind = kind_of(kind, fused, unfused)
        if kind not in self.coefficients:
            raise InvalidArgument(
                f"calibration: the model of {self.threads} thread(s) has no coefficients for layer "
                f"kind {kind!r} (layer {row.name!r}); calibrate again with this version of "
                "mnetcalc",
                "latency",
            )
        fitted, features = self.coefficients[kind], _features.KINDS[kind]  # register_kind adds
        pairs = tuple((FEATURE_INDEX[feature], fitted.get(feature, 0.0)) for feature in features)
        return pairs, "lane_mult_adds" in features

    def total_us(self, rows, cache_bytes: int, lanes: int) -> float:
        return self.fixed_us + sum(self.row_us(rows, cache_bytes, lanes))

    def to_dict(self) -> dict:
        return dict(self.fields())


__all__ = ["Estimate", "LayerPrediction", "Prediction", "ThreadModel"]

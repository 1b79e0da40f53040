"""From mult-adds to milliseconds: a per-layer latency model calibrated on one CPU (torch-free).

A network's predicted latency is a fixed cost per call of the whole network plus the sum of its
layers' predicted times. Each cost row of a report (:class:`~mnetcalc.network.NetworkCost`) is
costed as ``mnetcalc.runtime.model.optimize()`` runs it: BatchNorm folded and the ReLU fused into
the
convolution, so a convolution row has no separate BatchNorm or ReLU step; a ``tap`` row (where a
detector's heads branch off) runs nothing. oneDNN Graph fuses further than one row: MobileNet v1
0.5/160's 29 rows run as 16 oneDNN partitions (each depthwise layer with the 1x1 after it), V2
1.0/160's 64 rows as 37, SqueezeNet's 38 rows as 37 (counted with the profiler as
``benchmarks/engine_overhead.py`` does). The model has no feature for that fusion: the per-row
``calls`` coefficients, fitted on samples of one layer and on whole networks, absorb it (for the
depthwise and 1x1 kinds they come out near zero). A layer's time is linear in a few features of
its row, with coefficients of its *kind* (:data:`KINDS`)::

    time(row) = sum(coefficient[kind][feature] * value(feature, row))

with the features ``calls`` (1 per partition: the price of launching an operation; 0 for a row
fused into the one before it, :func:`fused_with`), ``mult_adds``
(millions) and ``bytes`` (megabytes, 1e6, read and written as :func:`mnetcalc.traffic.layer_traffic`
counts them, float32). Coefficients are in microseconds per unit, so ``1 / mult_adds coefficient``
is the kind's speed in mult-adds per microsecond. Kinds without arithmetic (pooling, ``lrn``,
``concat``, ``add``) have ``calls`` and ``bytes`` only.

The coefficients are fitted by :func:`mnetcalc.runtime.calibrate.calibrate` (needs torch and numpy)
from
timings of small networks on the machine, and kept in a :class:`Calibration`, which is saved as a
JSON file (:data:`SCHEMA_VERSION`; :meth:`Calibration.to_dict` documents the fields) and read back,
checked, with :func:`load_calibration` (a bad file raises
:class:`~mnetcalc.validation.InvalidArgument` in one line). The package ships the calibration of
the machine that built the book: :func:`shipped_calibration`.

API for callers (``mnetcalc table --latency``, ``mnetcalc choose``, the book)::

    cal = load_calibration("my.json")          # or shipped_calibration()
    pred = cal.predict(MobileNetConfig(0.5, resolution=160).cost())
    pred.total_ms, pred.layers[0].us, pred.fixed_us
    cal.total_ms(rows)                          # pred.total_ms without a record per row
    cal.other_cpu()                             # None, or a one-line note: made on another CPU

Extending to new layer types (MobileNetV3's squeeze-and-excite, h-swish, ...): give the row type a
kind with :func:`register_kind` (and calibrate samples containing it, in
:mod:`mnetcalc.runtime.calibrate`); a row type with no kind raises ``InvalidArgument`` naming it,
and a
calibration that lacks a kind a network needs says so.

Standard library only, like the rest of the calculator: it runs in the browser (Pyodide).
"""

from __future__ import annotations

import json
import math
import os

from .core.layers import (
    ADD,
    AVGPOOL,
    CONCAT,
    CONV,
    CONV_DW,
    CONV_PW,
    FC,
    LRN,
    MAXPOOL,
    SCALE,
    TAP,
    LayerCost,
)
from .core.record import Record
from .machine import cpu_model
from .traffic import layer_bytes
from .validation import InvalidArgument

#: Version of the calibration file's layout; a file of another version is refused.
SCHEMA_VERSION = 1

#: No calibration file is larger (a real one is tens of kilobytes); a larger one is refused unread.
MAX_FILE_BYTES = 2_000_000

#: The features a kind's time may depend on, and their units.
FEATURE_UNITS = {
    "calls": "1 per operation",
    "mult_adds": "millions",
    "bytes": "1e6 bytes",
    "dram_bytes": "1e6 bytes beyond the last-level cache",
    "lane_mult_adds": "millions, channels rounded up to the vector width",
}

#: The last-level cache assumed when a calibration does not say (bytes).
DEFAULT_CACHE_BYTES = 8 * 2**20

#: Layer kinds: kind -> the features its time is linear in.
KINDS: dict[str, tuple[str, ...]] = {
    "conv": ("calls", "mult_adds", "bytes", "dram_bytes"),
    "conv_dw": ("calls", "mult_adds", "lane_mult_adds", "bytes", "dram_bytes"),
    "conv_pw": ("calls", "mult_adds", "lane_mult_adds", "bytes", "dram_bytes"),
    "fc": ("calls", "mult_adds", "bytes", "dram_bytes"),
    "pool": ("calls", "bytes"),
    "lrn": ("calls", "bytes"),
    "concat": ("calls", "bytes"),
    "add": ("calls", "bytes"),
}

#: Row type -> kind (None: the row runs nothing at inference and costs no time).
ROW_KINDS: dict[str, str | None] = {
    CONV: "conv",
    CONV_DW: "conv_dw",
    CONV_PW: "conv_pw",
    FC: "fc",
    AVGPOOL: "pool",
    MAXPOOL: "pool",
    LRN: "lrn",
    CONCAT: "concat",
    ADD: "add",
    SCALE: "add",  # element-wise like a residual sum: one map read, one written
    TAP: None,
}

#: What the calibrated path is (the only one so far): ``optimize()``, float32, batch 1.
ENGINE = "optimize"
PRECISION = "float32"
BATCH = 1


def register_kind(row_type: str, kind: str | None, features: tuple[str, ...] = ()) -> None:
    """Map a row type to a kind (``None``: costs nothing); a new kind needs its ``features`` (from
    :data:`FEATURE_UNITS`)."""
    if kind is not None and kind not in KINDS:
        unknown = [f for f in features if f not in FEATURE_UNITS]
        if not features or unknown:
            raise InvalidArgument(f"kind {kind!r} needs features from {list(FEATURE_UNITS)}")
        KINDS[kind] = tuple(features)
    ROW_KINDS[row_type] = kind


def row_kind(row: LayerCost) -> str | None:
    """The kind of a cost row (None: runs nothing); an unknown row type raises."""
    try:
        return ROW_KINDS[row.type]
    except KeyError:
        raise InvalidArgument(
            f"no latency model for layer type {row.type!r} (layer {row.name!r}); known types: "
            f"{', '.join(sorted(ROW_KINDS))}",
            "latency",
        ) from None


def vector_lanes(isa) -> int:
    """float32 numbers per vector register of a CPU with these ISA flags: 16 with AVX-512, 8 with
    AVX2, else 4."""
    return 16 if "avx512f" in isa else 8 if "avx2" in isa else 4


def _padded(channels: int, lanes: int) -> int:
    return -(-channels // lanes) * lanes


def lane_mult_adds(row: LayerCost, lanes: int) -> int:
    """Mult-adds with the channels rounded up to a multiple of ``lanes``: what a kernel that fills
    whole vector registers computes (a 1x1 layer from 11 to 22 channels costs, with 16 lanes, as
    much as one from 16 to 32)."""
    if not row.mult_adds:
        return 0
    if row.type == CONV_DW:
        return row.mult_adds * _padded(row.in_channels, lanes) // row.in_channels
    return (
        row.mult_adds
        * _padded(row.in_channels, lanes)
        * _padded(row.out_channels, lanes)
        // (row.in_channels * row.out_channels)
    )


def fused_with(previous: LayerCost | None, row: LayerCost) -> bool:
    """Whether ``optimize()`` runs ``row`` inside the oneDNN partition of the row before it: a 1x1
    layer right after the depthwise layer that feeds it, or a residual sum right after the
    convolution whose output it adds. (Profiler counts: MobileNet v1's 27 convolutions run as 14
    partitions, V2 1.0's 52 convolutions and 10 sums as 35.)"""
    if previous is None:
        return False
    feeds = previous.out_channels == row.in_channels and previous.output_size == row.input_size
    if row.type == CONV_PW:
        return feeds and previous.type == CONV_DW
    if row.type == ADD:
        return feeds and previous.type in (CONV, CONV_PW)
    return False


def row_features(
    row: LayerCost,
    cache_bytes: int = DEFAULT_CACHE_BYTES,
    lanes: int = 16,
    previous: LayerCost | None = None,
) -> tuple[str | None, dict[str, float]]:
    """A row's kind and the values of that kind's features (``calls``: 1, or 0 for a row that
    runs in the partition of the ``previous`` row, :func:`fused_with`; ``dram_bytes``: the bytes
    beyond a last-level cache of ``cache_bytes``, which come from main memory at a slower rate;
    ``lane_mult_adds``: :func:`lane_mult_adds`)."""
    kind = row_kind(row)
    if kind is None:
        return None, {}
    features = KINDS[kind]
    values = _values(row, previous, cache_bytes, lanes, "lane_mult_adds" in features)
    return kind, {feature: values[_INDEX[feature]] for feature in features}


#: A row type not met yet in :meth:`Calibration._row_us`.
_UNSEEN = object()

#: Where each feature's value sits in the tuple of :func:`_values`.
_INDEX = {feature: index for index, feature in enumerate(FEATURE_UNITS)}


def _values(row, previous, cache_bytes: int, lanes: int, lane: bool) -> tuple[float, ...]:
    """The values of every feature for ``row``, in the order of :data:`FEATURE_UNITS`
    (``lane_mult_adds`` 0 unless ``lane``: it is computed only for the kinds that have it)."""
    moved = layer_bytes(row)
    return (
        0.0 if fused_with(previous, row) else 1.0,
        row.mult_adds / 1e6,
        moved / 1e6,
        max(0, moved - cache_bytes) / 1e6,
        lane_mult_adds(row, lanes) / 1e6 if lane else 0.0,
    )


class LayerPrediction(Record):
    """One cost row's ``name``, ``type`` and predicted microseconds (``us``)."""

    __slots__ = ("name", "type", "us")

    def __init__(self, name: str, type: str, us: float):  # noqa: A002 -- the row's field
        self._set(name=name, type=type, us=us)


class Prediction(Record):
    """Predicted latency of one network: each row's microseconds, and the fixed cost per call."""

    __slots__ = ("layers", "fixed_us")

    def __init__(self, layers: tuple[LayerPrediction, ...], fixed_us: float):
        self._set(layers=layers, fixed_us=fixed_us)

    @property
    def total_us(self) -> float:
        return self.fixed_us + sum(layer.us for layer in self.layers)

    @property
    def total_ms(self) -> float:
        return self.total_us / 1e3

    def to_dict(self) -> dict:
        return {
            "layers": [{"name": p.name, "type": p.type, "predicted_ms": p.us / 1e3} for p in self],
            "fixed_ms": self.fixed_us / 1e3,
            "total_ms": self.total_ms,
        }

    def __iter__(self):
        return iter(self.layers)


# -- the calibration file
# ------------------------------------------------------------------------------


def _finite(where: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidArgument(f"calibration: {where} must be a finite number, got {value!r}")
    return float(value)


_TYPE_NAMES = {dict: "an object", int: "an integer", str: "a string", float: "a number"}


def _field(data: dict, key: str, kind: type, where: str = ""):
    """``data[key]``, which must be of type ``kind`` (an int passes for a float)."""
    if not isinstance(data, dict) or key not in data:
        raise InvalidArgument(f"calibration: missing field {where}{key!r}")
    value = data[key]
    accepted = (int, float) if kind is float else kind
    if not isinstance(value, accepted) or isinstance(value, bool):
        raise InvalidArgument(
            f"calibration: field {where}{key!r} must be {_TYPE_NAMES[kind]}, "
            f"got {type(value).__name__}"
        )
    return value


def _check_numbers(value, where: str) -> None:
    """Every number anywhere in ``value`` finite (JSON's NaN and Infinity are refused)."""
    if isinstance(value, dict):
        for key, item in value.items():
            _check_numbers(item, f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_numbers(item, f"{where}[{index}]")
    elif isinstance(value, float) and not math.isfinite(value):
        raise InvalidArgument(f"calibration: {where} must be a finite number, got {value!r}")


class Calibration(Record):
    """Fitted coefficients of one machine, thread count and engine, with where they came from.

    ``coefficients``: kind -> feature -> microseconds per unit (:data:`FEATURE_UNITS`);
    ``fixed_us``: the cost of one call of a whole network; ``machine``: ``cpu``, ``isa``,
    ``logical_cpus``, ``cache_bytes`` (last-level cache, where ``dram_bytes`` start);
    ``versions``: ``torch``, ``mnetcalc``, ``python``; ``fit``: the fit's
    ``samples``, ``rmspe`` and ``residuals`` (per calibration sample: measured and fitted
    microseconds); ``baselines``: the two reference predictors fitted on the same timings
    (``mult_adds_us_per_million``: time proportional to mult-adds; ``roofline``: ``peak_gflops``,
    ``bandwidth_gbs`` and ``scale`` of the roofline bound)."""

    __slots__ = (
        "coefficients",
        "fixed_us",
        "threads",
        "machine",
        "versions",
        "fit",
        "baselines",
        "created",
        "engine",
        "precision",
        "batch",
    )

    def __init__(
        self,
        coefficients: dict,
        fixed_us: float,
        threads: int,
        machine: dict,
        versions: dict,
        fit: dict,
        baselines: dict,
        created: str = "",
        engine: str = ENGINE,
        precision: str = PRECISION,
        batch: int = BATCH,
    ):
        self._set(
            coefficients=coefficients,
            fixed_us=fixed_us,
            threads=threads,
            machine=machine,
            versions=versions,
            fit=fit,
            baselines=baselines,
            created=created,
            engine=engine,
            precision=precision,
            batch=batch,
        )

    @property
    def cache_bytes(self) -> int:
        """The last-level cache size the calibration's machine reported (8 MiB if unknown)."""
        return int(self.machine.get("cache_bytes") or DEFAULT_CACHE_BYTES)

    @property
    def lanes(self) -> int:
        """float32 lanes of the machine's widest vector instructions."""
        return vector_lanes(self.machine.get("isa", ()))

    def layer_us(self, row: LayerCost, previous: LayerCost | None = None) -> float:
        """Predicted microseconds of one cost row (``previous``: the row before it, if any)."""
        (us,) = self._row_us((row,), previous)
        return us

    def _row_us(self, rows, previous=None) -> list[float]:
        """The predicted microseconds of each row of ``rows`` (``previous``: the row before the
        first). What does not change from row to row is looked up once: the cache size, the vector
        lanes and, per row type, its kind's coefficients (in the order of :data:`KINDS`)."""
        cache_bytes, lanes = self.cache_bytes, self.lanes
        terms: dict[str, tuple | None] = {}  # row type -> its kind's terms (None: runs nothing)
        times = []
        for row in rows:
            entry = terms.get(row.type, _UNSEEN)
            if entry is _UNSEEN:
                entry = terms[row.type] = self._terms(row)
            if entry is None:
                times.append(0.0)
            else:
                pairs, lane = entry
                values = _values(row, previous, cache_bytes, lanes, lane)
                times.append(sum([coefficient * values[index] for index, coefficient in pairs]))
            previous = row
        return times

    def _terms(self, row) -> tuple[tuple, bool] | None:
        """The terms of the kind of ``row``'s type: ``((index in _values, coefficient), ...)``
        in the order of the kind's features, and whether ``lane_mult_adds`` is among them; None
        for a type that runs nothing."""
        kind = row_kind(row)
        if kind is None:
            return None
        if kind not in self.coefficients:
            raise InvalidArgument(
                f"this calibration has no coefficients for layer kind {kind!r} (layer "
                f"{row.name!r}); calibrate again with this version of mnetcalc",
                "latency",
            )
        fitted, features = self.coefficients[kind], KINDS[kind]
        pairs = tuple((_INDEX[feature], fitted.get(feature, 0.0)) for feature in features)
        return pairs, "lane_mult_adds" in features

    def predict(self, rows) -> Prediction:
        """Predicted latency of a network: its cost report (or any iterable of cost rows)."""
        rows = tuple(rows)
        times = self._row_us(rows)
        layers = tuple(
            LayerPrediction(row.name, row.type, us) for row, us in zip(rows, times, strict=True)
        )
        return Prediction(layers, self.fixed_us)

    def total_ms(self, rows) -> float:
        """``predict(rows).total_ms`` without a record per row (``mnetcalc choose`` asks it of
        every published network)."""
        return (self.fixed_us + sum(self._row_us(rows))) / 1e3

    def other_cpu(self) -> str | None:
        """None if made on this CPU, else a one-line note saying on which."""
        here = cpu_model()
        there = self.machine.get("cpu", "unknown CPU")
        if there == here:
            return None
        return f"note: this calibration was made on {there}, not on this machine's {here}"

    def describe(self) -> str:
        """One line: where and how the calibration was made."""
        rmspe = self.fit.get("rmspe")
        fitted = f", fit RMSPE {100 * rmspe:.1f} %" if isinstance(rmspe, int | float) else ""
        return (
            f"calibrated on {self.machine.get('cpu', 'unknown CPU')}, {self.threads} thread(s), "
            f"{self.engine} {self.precision} batch {self.batch}, torch "
            f"{self.versions.get('torch')}{fitted}"
        )

    def to_dict(self) -> dict:
        """The file's content: ``schema``, ``created``, ``machine``, ``threads``, ``engine``,
        ``precision``, ``batch``, ``versions``, ``features`` (units), ``fixed_us``,
        ``coefficients``, ``baselines``, ``fit``."""
        return {
            "schema": SCHEMA_VERSION,
            "created": self.created,
            "machine": self.machine,
            "threads": self.threads,
            "engine": self.engine,
            "precision": self.precision,
            "batch": self.batch,
            "versions": self.versions,
            "features": FEATURE_UNITS,
            "fixed_us": self.fixed_us,
            "coefficients": self.coefficients,
            "baselines": self.baselines,
            "fit": self.fit,
        }

    def to_json(self) -> str:
        """The calibration file's text (JSON)."""
        return json.dumps(self.to_dict(), indent=1, allow_nan=False)

    def save(self, path) -> None:
        """Write the calibration file to ``path``."""
        with open(path, "w", encoding="utf-8") as out:
            out.write(self.to_json() + "\n")

    @classmethod
    def from_dict(cls, data) -> Calibration:
        """A calibration from a file's parsed JSON, checked field by field."""
        if not isinstance(data, dict):
            raise InvalidArgument("calibration: the file must hold a JSON object")
        schema = data.get("schema")
        if schema != SCHEMA_VERSION:
            raise InvalidArgument(
                f"calibration: schema version {schema!r} is not supported "
                f"(this mnetcalc reads version {SCHEMA_VERSION}); calibrate again"
            )
        _check_numbers(data, "file")
        coefficients = _field(data, "coefficients", dict)
        checked: dict[str, dict[str, float]] = {}
        for kind, fitted in coefficients.items():
            if not isinstance(fitted, dict):
                raise InvalidArgument(f"calibration: coefficients of {kind!r} must be an object")
            checked[kind] = {}
            for feature, value in fitted.items():
                if feature not in FEATURE_UNITS:
                    raise InvalidArgument(
                        f"calibration: unknown feature {feature!r} in coefficients of {kind!r}"
                    )
                checked[kind][feature] = _finite(f"coefficients.{kind}.{feature}", value)
        threads = _field(data, "threads", int)
        if threads < 1:
            raise InvalidArgument(f"calibration: threads must be at least 1, got {threads}")
        engine = _field(data, "engine", str)
        precision = _field(data, "precision", str)
        batch = _field(data, "batch", int)
        if (engine, precision, batch) != (ENGINE, PRECISION, BATCH):
            raise InvalidArgument(
                f"calibration: engine {engine!r}, precision {precision!r}, batch {batch} is not "
                f"supported (only {ENGINE!r}, {PRECISION!r}, batch {BATCH})"
            )
        machine = _field(data, "machine", dict)
        _field(machine, "cpu", str, "machine.")
        return cls(
            coefficients=checked,
            fixed_us=_finite("fixed_us", _field(data, "fixed_us", float)),
            threads=threads,
            machine=machine,
            versions=_field(data, "versions", dict),
            fit=_field(data, "fit", dict),
            baselines=_field(data, "baselines", dict),
            created=data.get("created", ""),
            engine=engine,
            precision=precision,
            batch=batch,
        )

    @classmethod
    def from_json(cls, text: str) -> Calibration:
        """A calibration from the text of a file (the browser's paste box calls this)."""
        if len(text.encode("utf-8")) > MAX_FILE_BYTES:
            raise InvalidArgument(
                f"calibration: larger than {MAX_FILE_BYTES} bytes, no calibration file is"
            )
        try:
            data = json.loads(text, parse_constant=_refuse_constant)
        except InvalidArgument:
            raise
        except ValueError as error:
            first = str(error).splitlines()[0] if str(error) else type(error).__name__
            raise InvalidArgument(f"calibration: not valid JSON ({first})") from None
        return cls.from_dict(data)


def _refuse_constant(name: str):
    raise InvalidArgument(f"calibration: non-finite number {name} in the file")


def load_calibration(path) -> Calibration:
    """Read and check a calibration file (its size is checked before it is read)."""
    try:
        size = os.path.getsize(path)
    except OSError as error:
        raise InvalidArgument(
            f"calibration: cannot read {str(path)!r} ({error.strerror})", "latency"
        ) from None
    if size > MAX_FILE_BYTES:
        raise InvalidArgument(
            f"calibration: {str(path)!r} has {size} bytes, more than any calibration file "
            f"({MAX_FILE_BYTES})"
        )
    try:
        with open(path, encoding="utf-8") as source:
            text = source.read()
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidArgument(f"calibration: cannot read {str(path)!r} ({error})") from None
    return Calibration.from_json(text)


#: The calibration shipped in the package: the machine that built the book.
SHIPPED = "calibration_default.json"


def shipped_path() -> str:
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), SHIPPED)


def shipped_calibration() -> Calibration:
    """The calibration of the machine that built the book, shipped with the package."""
    return load_calibration(shipped_path())


def predict(rows, calibration: Calibration | None = None) -> Prediction:
    """Predicted latency of a cost report (default calibration: :func:`shipped_calibration`)."""
    return (calibration or shipped_calibration()).predict(rows)


__all__ = [
    "FEATURE_UNITS",
    "KINDS",
    "MAX_FILE_BYTES",
    "ROW_KINDS",
    "SCHEMA_VERSION",
    "Calibration",
    "LayerPrediction",
    "Prediction",
    "load_calibration",
    "predict",
    "register_kind",
    "row_features",
    "row_kind",
    "shipped_calibration",
]

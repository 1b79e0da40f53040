"""The calibration file (schema 2): :class:`Calibration`, one model per thread count of one machine,
read and checked with :func:`load_calibration` (a bad file of any shape, size or content raises
:class:`~mnetcalc.validation.InvalidArgument` in one line, which the command line prints with exit
status 2). Standard library only."""

from __future__ import annotations

import json
import math
import os

from ..core.record import Record
from ..validation import InvalidArgument
from .features import BATCH, DEFAULT_CACHE_BYTES, ENGINE, FEATURE_UNITS, PRECISION, vector_lanes
from .model import Estimate, LayerPrediction, Prediction, ThreadModel

#: Version of the calibration file's layout; a file of another version is refused.
SCHEMA_VERSION = 2

#: No calibration file is larger (a real one is tens of kilobytes); a larger one is refused unread.
MAX_FILE_BYTES = 2_000_000

#: What every latency of a calibration is.
STATISTIC = "median wall time per call"

#: A model whose prediction of its own reference network is further than this factor (either
#: way) from the reference's measured median is absurd, and so is the file.
REFERENCE_TOLERANCE = 10.0

#: A prediction further than this factor (either way) from the same model's prediction of the
#: reference network is absurd: refused, never printed.
PREDICTION_RANGE = 1000.0

#: The calibration shipped in the package: the machine that built the book.
SHIPPED = "calibration_default.json"

#: Calibration's fields (``_reference_us`` is derived: each model's prediction of the reference).
FIELDS = (
    "models",
    "machine",
    "reference",
    "versions",
    "created",
    "engine",
    "precision",
    "batch",
    "statistic",
    "features",
    "provisional",
)


def _refuse(message: str):
    raise InvalidArgument(f"calibration: {message}")


def _number(value, where: str, minimum: float | None = None) -> float:
    """``value`` as a finite float (an int passes; a bool does not), at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        _refuse(f"{where} must be a number, got {type(value).__name__}")
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        _refuse(f"{where} must be a finite number, got {str(value)[:30]}")
    if minimum is not None and number < minimum:
        _refuse(f"{where} must be at least {minimum:g}, got {number:g}")
    return number


_TYPE_NAMES = {
    dict: "an object",
    int: "an integer",
    str: "a string",
    list: "a list",
    bool: "true/false",
}


def _field(data: dict, key: str, kind: type, where: str = "", default=None):
    """``data[key]``, which must be of type ``kind`` (missing: ``default``, or refused if None)."""
    if key not in data:
        if default is None:
            _refuse(f"missing field {where}{key!r}")
        return default
    value = data[key]
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        _refuse(f"field {where}{key!r} must be {_TYPE_NAMES[kind]}, got {type(value).__name__}")
    return value


def _check_numbers(data) -> None:
    """Every number anywhere in ``data`` finite (iteratively: a deeply nested file is no
    problem)."""
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, float) and not math.isfinite(value):
            _refuse(f"non-finite number {value!r} in the file")


class Calibration(Record):
    """One machine's calibration: a :class:`~mnetcalc.latency_model.model.ThreadModel` per thread
    count (``models``: threads -> model), the ``machine`` (``cpu``, ``isa``, ``logical_cpus``,
    ``cache_bytes``: the last-level cache, where ``dram_bytes`` start), the ``reference`` network
    (``label``, ``network``, ``options``) every timing was taken relative to, ``versions``,
    ``created``, what was timed (``engine``, ``precision``, ``batch``, ``statistic``), the
    features' units and whether the file is ``provisional``. Checked when made: a model whose key
    is not its thread count, negative, all-zero or non-finite coefficients, a reference timing
    that is not positive or out of order (p10 <= median <= p90), a negative drift or a model that
    predicts its own reference network more than 10x away from its measured median raise
    :class:`~mnetcalc.validation.InvalidArgument`."""

    __slots__ = (*FIELDS, "_reference_us")

    def __init__(
        self,
        models: dict,
        machine: dict,
        reference: dict,
        versions: dict | None = None,
        created: str = "",
        engine: str = ENGINE,
        precision: str = PRECISION,
        batch: int = BATCH,
        statistic: str = STATISTIC,
        features: dict | None = None,
        provisional: bool = False,
    ):
        if not isinstance(models, dict) or not models:
            _refuse("no model: 'models' must hold one model per thread count")
        models = {threads: models[threads] for threads in sorted(models)}
        self._set(
            models=models,
            machine=machine,
            reference=reference,
            versions={} if versions is None else versions,
            created=created,
            engine=engine,
            precision=precision,
            batch=batch,
            statistic=statistic,
            features=dict(FEATURE_UNITS) if features is None else features,
            provisional=bool(provisional),
        )
        for threads, model in models.items():
            _check_model(threads, model)
        object.__setattr__(self, "_reference_us", {})
        report = self.reference_cost()
        for threads, model in models.items():
            us = model.total_us(report.layers, self.cache_bytes, self.lanes)
            measured = 1e3 * model.reference_ms["median"]
            if not (math.isfinite(us) and us > 0) or not (
                1 / REFERENCE_TOLERANCE <= us / measured <= REFERENCE_TOLERANCE
            ):
                _refuse(
                    f"the model of {threads} thread(s) predicts its own reference network "
                    f"({self.reference_label}) at {us / 1e3:.4g} ms, but it ran at "
                    f"{measured / 1e3:.4g} ms: more than {REFERENCE_TOLERANCE:g}x off, absurd"
                )
            self._reference_us[threads] = us

    def fields(self) -> dict:
        return {name: getattr(self, name) for name in FIELDS}

    # -- which model

    @property
    def thread_counts(self) -> tuple[int, ...]:
        return tuple(self.models)

    @property
    def default_threads(self) -> int:
        """1 if the file has a model of 1 thread, else its smallest thread count."""
        return 1 if 1 in self.models else min(self.models)

    def model(self, threads: int | None = None) -> ThreadModel:
        """The model of ``threads`` (None: :attr:`default_threads`); a thread count the file lacks
        is refused in one line naming those it has."""
        threads = self.default_threads if threads is None else threads
        try:
            return self.models[threads]
        except (KeyError, TypeError):
            counts = ", ".join(str(t) for t in self.models)
            raise InvalidArgument(
                f"threads {threads}: the calibration has no model of {threads} thread(s), only "
                f"of {counts}; give one of those, or run mnetcalc calibrate --threads {threads}",
                "threads",
            ) from None

    # -- the machine and the reference

    @property
    def cache_bytes(self) -> int:
        return int(self.machine.get("cache_bytes") or DEFAULT_CACHE_BYTES)

    @property
    def lanes(self) -> int:
        return vector_lanes(self.machine.get("isa", ()))

    @property
    def cpu(self) -> str:
        return self.machine.get("cpu", "unknown CPU")

    @property
    def reference_label(self) -> str:
        ref = self.reference
        return ref.get("label") or f"{ref.get('network')} {ref.get('options')}"

    def reference_cost(self):
        """The cost report of the reference network (refused in one line if the file's
        ``reference`` names no network this mnetcalc can build)."""
        from ..networks.registry import network_cost

        ref = self.reference
        try:
            return network_cost(ref["network"], **ref["options"])
        except (InvalidArgument, TypeError, ValueError, KeyError, OverflowError) as error:
            first = str(error).splitlines()[0] if str(error) else type(error).__name__
            _refuse(f"reference network {ref.get('network')!r}: {first}")

    def other_cpu(self) -> str | None:
        """None if made on this CPU (:func:`mnetcalc.machine.cpu_model`), else one line saying on
        which: ``made on X, not on this machine's Y``."""
        from ..machine import cpu_model

        here = cpu_model()
        return None if self.cpu == here else f"made on {self.cpu}, not on this machine's {here}"

    def describe(self, threads: int | None = None) -> str:
        """One line: where and how the calibration was made (``threads``: the model used)."""
        counts = " and ".join(str(t) for t in self.models)
        used = f"; predicting for {threads} thread(s)" if threads is not None else ""
        provisional = " (provisional)" if self.provisional else ""
        return (
            f"made on {self.cpu}{provisional} with models of {counts} thread(s){used}; "
            f"{self.engine}() {self.precision} batch {self.batch}, {self.statistic}, torch "
            f"{self.versions.get('torch')}"
        )

    # -- predictions

    def _checked(self, total_us: float, threads: int, what: str = "this network") -> float:
        """``total_us`` if it is a prediction one can print, else refused: zero, negative,
        non-finite or more than :data:`PREDICTION_RANGE` times away from the reference's."""
        reference = self._reference_us[threads]
        if not (math.isfinite(total_us) and total_us > 0):
            _refuse(f"it predicts {total_us / 1e3:.4g} ms for {what}: absurd")
        ratio = total_us / reference
        if not 1 / PREDICTION_RANGE <= ratio <= PREDICTION_RANGE:
            _refuse(
                f"it predicts {total_us / 1e3:.4g} ms for {what}, {ratio:.3g}x its reference "
                f"network's {reference / 1e3:.4g} ms: beyond what the calibration can predict"
            )
        return total_us

    def layer_us(self, row, previous=None, threads: int | None = None) -> float:
        """Predicted microseconds of one cost row (``previous``: the row before it, if any)."""
        (us,) = self.model(threads).row_us((row,), self.cache_bytes, self.lanes, previous)
        return us

    def predict(self, rows, threads: int | None = None) -> Prediction:
        """Predicted latency of a network (its cost report, or any iterable of cost rows) at
        ``threads`` (None: :attr:`default_threads`): each row, the median and the interval."""
        threads = self.default_threads if threads is None else threads
        model = self.model(threads)
        rows = tuple(rows)
        times = model.row_us(rows, self.cache_bytes, self.lanes)
        layers = tuple(
            LayerPrediction(row.name, row.type, us) for row, us in zip(rows, times, strict=True)
        )
        low, high = model.low_factor, model.high_factor
        prediction = Prediction(layers, model.fixed_us, threads, low, high)
        self._checked(prediction.total_us, threads)
        return prediction

    def estimate(self, rows, threads: int | None = None, what: str = "this network") -> Estimate:
        """The median and interval of :meth:`predict` without a record per row (``choose`` asks
        it of every published network)."""
        threads = self.default_threads if threads is None else threads
        model = self.model(threads)
        median = self._checked(model.total_us(rows, self.cache_bytes, self.lanes), threads, what)
        median /= 1e3
        return Estimate(median, median * model.low_factor, median * model.high_factor, threads)

    def total_ms(self, rows, threads: int | None = None) -> float:
        """The predicted median in ms (``estimate(rows).median_ms``)."""
        return self.estimate(rows, threads).median_ms

    # -- the file

    def to_dict(self) -> dict:
        """The file's content, schema 2."""
        data = {"schema": SCHEMA_VERSION, "created": self.created}
        if self.provisional:
            data["provisional"] = True
        data.update(
            machine=self.machine,
            engine=self.engine,
            precision=self.precision,
            batch=self.batch,
            statistic=self.statistic,
            versions=self.versions,
            features=self.features,
            reference=self.reference,
            models={str(t): model.to_dict() for t, model in self.models.items()},
        )
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=1, allow_nan=False)

    def save(self, path) -> None:
        with open(path, "w", encoding="utf-8") as out:
            out.write(self.to_json() + "\n")

    @classmethod
    def from_dict(cls, data) -> Calibration:
        """A calibration from a file's parsed JSON, checked field by field."""
        if not isinstance(data, dict):
            _refuse("the file must hold a JSON object")
        schema = data.get("schema")
        if schema == 1 and not isinstance(schema, bool | float):
            _refuse(
                "made by an older mnetcalc (schema 1, fastest call at one thread); run "
                "`mnetcalc calibrate` again"
            )
        if schema != SCHEMA_VERSION or isinstance(schema, bool | float):
            _refuse(
                f"schema version {str(schema)[:30]} is not supported (this mnetcalc reads "
                f"version {SCHEMA_VERSION}); run `mnetcalc calibrate` again"
            )
        _check_numbers(data)
        engine = _field(data, "engine", str)
        precision = _field(data, "precision", str)
        batch = _field(data, "batch", int)
        if (engine, precision, batch) != (ENGINE, PRECISION, BATCH):
            _refuse(
                f"engine {engine[:30]!r}, precision {precision[:30]!r}, batch {batch} is not "
                f"supported (only {ENGINE!r}, {PRECISION!r}, batch {BATCH})"
            )
        machine = _field(data, "machine", dict)
        _field(machine, "cpu", str, "machine.")
        isa = _field(machine, "isa", list, "machine.", ())
        if not all(isinstance(flag, str) for flag in isa):
            _refuse("field machine.'isa' must be a list of strings")
        if "cache_bytes" in machine:
            _number(_field(machine, "cache_bytes", int, "machine."), "machine.cache_bytes", 1)
        reference = _field(data, "reference", dict)
        _field(reference, "network", str, "reference.")
        _field(reference, "options", dict, "reference.")
        _field(reference, "label", str, "reference.", "")
        models = _field(data, "models", dict)
        if not models:
            _refuse("'models' is empty: no thread count has a model")
        parsed = {}
        for key, model in models.items():
            threads = _parse_model(key, model)
            parsed[threads.threads] = threads
        return cls(
            models=parsed,
            machine=machine,
            reference=reference,
            versions=_field(data, "versions", dict, "", {}),
            created=_field(data, "created", str, "", ""),
            engine=engine,
            precision=precision,
            batch=batch,
            statistic=_field(data, "statistic", str, "", STATISTIC),
            features=_field(data, "features", dict, "", dict(FEATURE_UNITS)),
            provisional=_field(data, "provisional", bool, "", False),
        )

    @classmethod
    def from_json(cls, text: str) -> Calibration:
        """A calibration from the text of a file (the browser's paste box calls this)."""
        if len(text) > MAX_FILE_BYTES or len(text.encode("utf-8", "replace")) > MAX_FILE_BYTES:
            _refuse(f"larger than {MAX_FILE_BYTES} bytes, no calibration file is")
        try:
            data = json.loads(text, parse_constant=_refuse_constant)
        except InvalidArgument:
            raise
        except RecursionError:
            _refuse("not valid JSON (nested too deeply)")
        except ValueError as error:
            first = str(error).splitlines()[0] if str(error) else type(error).__name__
            _refuse(f"not valid JSON ({first[:80]})")
        return cls.from_dict(data)


def _check_model(threads, model) -> None:
    """The values of one thread count's model (its structure is :func:`_parse_model`'s)."""
    where = f"models.{threads}"
    if not isinstance(model, ThreadModel):
        _refuse(f"{where} must be a thread count's model")
    if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
        _refuse(f"thread count {threads!r} must be a positive integer")
    if model.threads != threads:
        _refuse(f"the model under {threads!r} says threads {model.threads!r}: they disagree")
    _number(model.fixed_us, f"{where}.fixed_us", 0)
    total = 0.0
    for kind, fitted in model.coefficients.items():
        for feature, value in fitted.items():
            total += _number(value, f"{where}.coefficients.{kind}.{feature}", 0)
    if not total > 0:
        _refuse(f"every coefficient of {where} is zero: it would predict every network at 0 ms")
    ref = model.reference_ms
    p10, median, p90 = (_number(ref.get(k), f"{where}.reference_ms.{k}") for k in KEYS)
    if not 0 < p10 <= median <= p90:
        _refuse(
            f"{where}.reference_ms must have 0 < p10 <= median <= p90, got {p10:g}, {median:g}, "
            f"{p90:g}"
        )
    _number(model.drift, f"{where}.drift", 0)
    low = _number(model.model_error.get("p10"), f"{where}.model_error.p10")
    high = _number(model.model_error.get("p90"), f"{where}.model_error.p90")
    if not -1 < low <= high:
        _refuse(f"{where}.model_error must have -1 < p10 <= p90, got {low:g}, {high:g}")
    if model.margin < 0 or not math.isfinite(model.margin):
        _refuse(f"{where} implies a negative margin ({model.margin:g})")


#: The reference timing's quantiles, in the order they must hold.
KEYS = ("p10", "median", "p90")


def _parse_model(key, data) -> ThreadModel:
    """One entry of ``models``, its structure checked."""
    where = f"models.{str(key)[:20]}."
    if not isinstance(data, dict):
        _refuse(f"{where[:-1]} must be an object, got {type(data).__name__}")
    threads = _field(data, "threads", int, where)
    if threads < 1:
        _refuse(f"{where}threads must be a positive integer, got {threads}")
    if key != str(threads):
        _refuse(f"the model under key {str(key)[:20]!r} says threads {threads}: they disagree")
    coefficients = _field(data, "coefficients", dict, where)
    for kind, fitted in coefficients.items():
        if not isinstance(fitted, dict):
            _refuse(f"{where}coefficients.{kind[:30]} must be an object")
        for feature in fitted:
            if feature not in FEATURE_UNITS:
                _refuse(f"unknown feature {feature[:30]!r} in {where}coefficients.{kind[:30]}")
    reference_ms = _field(data, "reference_ms", dict, where)
    for name in KEYS:
        if name not in reference_ms:
            _refuse(f"missing field {where}reference_ms.{name!r}")
    model_error = _field(data, "model_error", dict, where)
    for name in ("p10", "p90"):
        if name not in model_error:
            _refuse(f"missing field {where}model_error.{name!r}")
    return ThreadModel(
        threads=threads,
        fixed_us=_number(_field_any(data, "fixed_us", where), f"{where}fixed_us", 0),
        coefficients=coefficients,
        reference_ms=reference_ms,
        drift=_number(_field_any(data, "drift", where), f"{where}drift", 0),
        model_error=model_error,
        fit=_field(data, "fit", dict, where, {}),
        baselines=_field(data, "baselines", dict, where, {}),
    )


def _field_any(data: dict, key: str, where: str):
    if key not in data:
        _refuse(f"missing field {where}{key!r}")
    return data[key]


def _refuse_constant(name: str):
    _refuse(f"non-finite number {name} in the file")


def load_calibration(path) -> Calibration:
    """Read and check a calibration file (its size is checked before it is read)."""
    try:
        size = os.path.getsize(path)
    except (OSError, ValueError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise InvalidArgument(
            f"calibration: cannot read {str(path)!r} ({reason})", "calibration"
        ) from None
    if size > MAX_FILE_BYTES:
        _refuse(
            f"{str(path)!r} has {size} bytes, more than any calibration file ({MAX_FILE_BYTES})"
        )
    try:
        with open(path, encoding="utf-8") as source:
            text = source.read()
    except (OSError, UnicodeDecodeError) as error:
        first = str(error).splitlines()[0][:100]
        _refuse(f"cannot read {str(path)!r} ({first})")
    return Calibration.from_json(text)


def shipped_path() -> str:
    """The shipped calibration's path (``mnetcalc/calibration_default.json``)."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    return os.path.join(package, SHIPPED)


def shipped_calibration() -> Calibration:
    """The calibration of the machine that built the book, shipped with the package."""
    return load_calibration(shipped_path())

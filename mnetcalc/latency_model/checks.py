"""The calibration file's checks: its structure, field by field (:func:`parsed_file`), and each
thread count's model's values (:func:`check_model`). Every problem raises
:class:`~mnetcalc.validation.InvalidArgument` in one line starting ``calibration:``. Standard
library only."""

from __future__ import annotations

import math

from ..validation import LIMITS, InvalidArgument
from .features import BATCH, ENGINE, FEATURE_UNITS, PRECISION
from .model import ThreadModel

#: Version of the calibration file's layout; a file of another version is refused.
SCHEMA_VERSION = 2

#: What every latency of a calibration is.
STATISTIC = "median wall time per call"

#: The most threads a model may be of (as ``bench --threads`` allows).
MAX_THREADS = LIMITS["threads"]


def refuse(message: str):
    """Raise the one-line error of a bad calibration."""
    raise InvalidArgument(f"calibration: {message}")


def number(value, where: str, minimum: float | None = None) -> float:
    """``value`` as a finite float (an int passes; a bool does not), at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        refuse(f"{where} must be a number, got {type(value).__name__}")
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        refuse(f"{where} must be a finite number, got {str(value)[:30]}")
    if minimum is not None and number < minimum:
        refuse(f"{where} must be at least {minimum:g}, got {number:g}")
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
            refuse(f"missing field {where}{key!r}")
        return default
    value = data[key]
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        refuse(f"field {where}{key!r} must be {_TYPE_NAMES[kind]}, got {type(value).__name__}")
    return value


def check_numbers(data) -> None:
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
            refuse(f"non-finite number {value!r} in the file")


def parsed_file(data) -> dict:
    """The keyword arguments of :class:`~mnetcalc.latency_model.Calibration` from a file's parsed
    JSON, its structure checked field by field (the values are checked by the class)."""
    if not isinstance(data, dict):
        refuse("the file must hold a JSON object")
    schema = data.get("schema")
    if schema is None and "models" not in data and "coefficients" not in data:
        refuse("not a calibration file (no schema, no models); `mnetcalc calibrate` writes one")
    if schema == 1 and not isinstance(schema, bool | float):
        refuse(
            "made by an older mnetcalc (schema 1, fastest call at one thread); run "
            "`mnetcalc calibrate` again"
        )
    if schema != SCHEMA_VERSION or isinstance(schema, bool | float):
        refuse(
            f"schema version {repr(schema)[:30]} is not supported (this mnetcalc reads "
            f"version {SCHEMA_VERSION}); run `mnetcalc calibrate` again"
        )
    check_numbers(data)
    engine = _field(data, "engine", str)
    precision = _field(data, "precision", str)
    batch = _field(data, "batch", int)
    if (engine, precision, batch) != (ENGINE, PRECISION, BATCH):
        refuse(
            f"engine {engine[:30]!r}, precision {precision[:30]!r}, batch {batch} is not "
            f"supported (only {ENGINE!r}, {PRECISION!r}, batch {BATCH})"
        )
    machine = _field(data, "machine", dict)
    _field(machine, "cpu", str, "machine.")
    isa = _field(machine, "isa", list, "machine.", ())
    if not all(isinstance(flag, str) for flag in isa):
        refuse("field machine.'isa' must be a list of strings")
    if "cache_bytes" in machine:
        number(_field(machine, "cache_bytes", int, "machine."), "machine.cache_bytes", 1)
    reference = _field(data, "reference", dict)
    _field(reference, "network", str, "reference.")
    _field(reference, "options", dict, "reference.")
    _field(reference, "label", str, "reference.", "")
    models = _field(data, "models", dict)
    if not models:
        refuse("'models' is empty: no thread count has a model")
    parsed = {}
    for key, model in models.items():
        threads = _parse_model(key, model)
        parsed[threads.threads] = threads
    return dict(
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


def check_model(threads, model) -> None:
    """The values of one thread count's model (its structure is :func:`_parse_model`'s)."""
    where = f"models.{threads}"
    if not isinstance(model, ThreadModel):
        refuse(f"{where} must be a thread count's model")
    if isinstance(threads, bool) or not isinstance(threads, int) or not 1 <= threads <= MAX_THREADS:
        refuse(f"thread count {str(threads)[:20]} must be a whole number from 1 to {MAX_THREADS}")
    if model.threads != threads:
        refuse(f"the model under {threads!r} says threads {model.threads!r}: they disagree")
    number(model.fixed_us, f"{where}.fixed_us", 0)
    total = 0.0
    for kind, fitted in model.coefficients.items():
        for feature, value in fitted.items():
            total += number(value, f"{where}.coefficients.{kind}.{feature}", 0)
    if not total > 0:
        refuse(f"every coefficient of {where} is zero: it would predict every network at 0 ms")
    ref = model.reference_ms
    p10, median, p90 = (number(ref.get(k), f"{where}.reference_ms.{k}") for k in KEYS)
    if not 0 < p10 <= median <= p90:
        refuse(
            f"{where}.reference_ms must have 0 < p10 <= median <= p90, got {p10:g}, {median:g}, "
            f"{p90:g}"
        )
    number(model.drift, f"{where}.drift", 0)
    low = number(model.model_error.get("p10"), f"{where}.model_error.p10")
    high = number(model.model_error.get("p90"), f"{where}.model_error.p90")
    if not -1 < low <= high:
        refuse(f"{where}.model_error must have -1 < p10 <= p90, got {low:g}, {high:g}")
    if model.margin < 0 or not math.isfinite(model.margin):
        refuse(f"{where} implies a negative margin ({model.margin:g})")


#: The reference timing's quantiles, in the order they must hold.
KEYS = ("p10", "median", "p90")


def _parse_model(key, data) -> ThreadModel:
    """One entry of ``models``, its structure checked."""
    where = f"models.{str(key)[:20]}."
    if not isinstance(data, dict):
        refuse(f"{where[:-1]} must be an object, got {type(data).__name__}")
    threads = _field(data, "threads", int, where)
    if not 1 <= threads <= MAX_THREADS:
        refuse(f"{where}threads must be from 1 to {MAX_THREADS}, got {str(threads)[:20]}")
    if key != str(threads):
        refuse(f"the model under key {str(key)[:20]!r} says threads {threads}: they disagree")
    coefficients = _field(data, "coefficients", dict, where)
    for kind, fitted in coefficients.items():
        if not isinstance(fitted, dict):
            refuse(f"{where}coefficients.{kind[:30]} must be an object")
        for feature in fitted:
            if feature not in FEATURE_UNITS:
                refuse(f"unknown feature {feature[:30]!r} in {where}coefficients.{kind[:30]}")
    reference_ms = _field(data, "reference_ms", dict, where)
    for name in KEYS:
        if name not in reference_ms:
            refuse(f"missing field {where}reference_ms.{name!r}")
    model_error = _field(data, "model_error", dict, where)
    for name in ("p10", "p90"):
        if name not in model_error:
            refuse(f"missing field {where}model_error.{name!r}")
    return ThreadModel(
        threads=threads,
        fixed_us=number(_field_any(data, "fixed_us", where), f"{where}fixed_us", 0),
        coefficients=coefficients,
        reference_ms=reference_ms,
        drift=number(_field_any(data, "drift", where), f"{where}drift", 0),
        model_error=model_error,
        fit=_field(data, "fit", dict, where, {}),
        baselines=_field(data, "baselines", dict, where, {}),
    )


def _field_any(data: dict, key: str, where: str):
    if key not in data:
        refuse(f"missing field {where}{key!r}")
    return data[key]


def refuse_constant(name: str):
    refuse(f"non-finite number {name} in the file")

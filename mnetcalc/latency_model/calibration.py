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
from .checks import (
    SCHEMA_VERSION,
    STATISTIC,
    check_model,
    parsed_file,
    refuse,
    refuse_constant,
)
from .features import (
    BATCH,
    DEFAULT_CACHE_BYTES,
    ENGINE,
    FEATURE_UNITS,
    PRECISION,
    as_rows,
    vector_lanes,
)
from .model import Estimate, LayerPrediction, Prediction, ThreadModel

#: No calibration file is larger (a real one is tens of kilobytes); a larger one is refused unread.
MAX_FILE_BYTES = 2_000_000

#: A model whose prediction of its own reference network is further than this factor (either
#: way) from the reference's measured median is absurd, and so is the file.
REFERENCE_TOLERANCE = 10.0

#: A prediction further than this factor (either way) from the same model's prediction of the
#: reference network is absurd: refused, never printed.
PREDICTION_RANGE = 1000.0

#: The calibration shipped in the package, made by mnetcalc's authors on the CPU it names.
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
            refuse("no model: 'models' must hold one model per thread count")
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
            check_model(threads, model)
        object.__setattr__(self, "_reference_us", {})
        report = self.reference_cost()
        for threads, model in models.items():
            us = model.total_us(report.layers, self.cache_bytes, self.lanes)
            measured = 1e3 * model.reference_ms["median"]
            if not (math.isfinite(us) and us > 0) or not (
                1 / REFERENCE_TOLERANCE <= us / measured <= REFERENCE_TOLERANCE
            ):
                refuse(
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
        """The thread counts the file has a model for, in the file's order."""
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
        """The last-level cache of the calibration's machine in bytes (8 MiB where unknown)."""
        return int(self.machine.get("cache_bytes") or DEFAULT_CACHE_BYTES)

    @property
    def lanes(self) -> int:
        """float32 numbers per vector register of the calibration's CPU (16, 8 or 4)."""
        return vector_lanes(self.machine.get("isa", ()))

    @property
    def cpu(self) -> str:
        """The CPU model the calibration was made on."""
        return self.machine.get("cpu", "unknown CPU")

    @property
    def reference_label(self) -> str:
        """The reference network's label (``mobilenet_v1 0.5/160``)."""
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
            refuse(f"reference network {ref.get('network')!r}: {first}")

    def other_cpu(self) -> str | None:
        """None if made on this CPU (``mnetcalc.latency_model.machine.cpu_model``), else one
        line saying on which: ``made on X, not on this machine's Y``."""
        from .machine import cpu_model

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
            refuse(f"it predicts {total_us / 1e3:.4g} ms for {what}: absurd")
        ratio = total_us / reference
        if not 1 / PREDICTION_RANGE <= ratio <= PREDICTION_RANGE:
            refuse(
                f"it predicts {total_us / 1e3:.4g} ms for {what}, {ratio:.3g}x its reference "
                f"network's {reference / 1e3:.4g} ms: beyond what the calibration can predict"
            )
        return total_us

    def layer_us(
        self,
        row,
        previous=None,
        threads: int | None = None,
        fused: bool | None = None,
        unfused: bool = False,
    ) -> float:
        """Predicted microseconds of one cost row (``previous``: the row before it, if any;
        ``fused``: whether it runs in the partition of that row, default the guess of
        :func:`~mnetcalc.latency_model.features.fused_with`, which cannot see whether
        ``previous``'s output also feeds a later residual sum:
        :func:`~mnetcalc.latency_model.features.fusion` of the whole network can; ``unfused``:
        its network runs without fusion, :func:`~mnetcalc.latency_model.features.runs_unfused`)."""
        flags = None if fused is None else (fused,)
        model = self.model(threads)
        (us,) = model.row_us((row,), self.cache_bytes, self.lanes, previous, flags, unfused)
        return us

    def predict(self, rows, threads: int | None = None) -> Prediction:
        """Predicted latency of a network (its cost report or any iterable of cost rows, its
        configuration, or its name) at ``threads`` (None: :attr:`default_threads`): each row, the
        median and the interval."""
        threads = self.default_threads if threads is None else threads
        model = self.model(threads)
        rows = as_rows(cost_rows(rows))
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
        total_us = model.total_us(cost_rows(rows), self.cache_bytes, self.lanes)
        median = self._checked(total_us, threads, what)
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
        """The calibration file's text (JSON, no NaN or infinity)."""
        return json.dumps(self.to_dict(), indent=1, allow_nan=False)

    def save(self, path) -> None:
        """Write the calibration file to ``path``."""
        with open(path, "w", encoding="utf-8") as out:
            out.write(self.to_json() + "\n")

    @classmethod
    def from_dict(cls, data) -> Calibration:
        """A calibration from a file's parsed JSON, checked field by field
        (``mnetcalc.latency_model.checks.parsed_file``)."""
        return cls(**parsed_file(data))

    @classmethod
    def from_json(cls, text: str) -> Calibration:
        """A calibration from the text of a file (the browser's paste box calls this)."""
        if len(text) > MAX_FILE_BYTES or len(text.encode("utf-8", "replace")) > MAX_FILE_BYTES:
            refuse(f"larger than {MAX_FILE_BYTES} bytes, no calibration file is")
        try:
            data = json.loads(text, parse_constant=refuse_constant)
        except InvalidArgument:
            raise
        except RecursionError:
            refuse("not valid JSON (nested too deeply)")
        except ValueError as error:
            first = str(error).splitlines()[0] if str(error) else type(error).__name__
            refuse(f"not valid JSON ({first[:80]})")
        return cls.from_dict(data)


def cost_rows(network):
    """The cost rows of ``network``: a cost report (or any iterable of rows), a network's
    configuration (its ``cost()``) or a network's name (its default configuration)."""
    if isinstance(network, str):
        from ..networks.registry import network_cost

        return network_cost(network)
    cost = getattr(network, "cost", None)
    return cost() if callable(cost) else network


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
        refuse(f"{str(path)!r} has {size} bytes, more than any calibration file ({MAX_FILE_BYTES})")
    try:
        with open(path, encoding="utf-8") as source:
            text = source.read()
    except (OSError, UnicodeDecodeError) as error:
        first = str(error).splitlines()[0][:100]
        refuse(f"cannot read {str(path)!r} ({first})")
    return Calibration.from_json(text)


def shipped_path() -> str:
    """The shipped calibration's path (``mnetcalc/calibration_default.json``)."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    return os.path.join(package, SHIPPED)


def shipped_calibration() -> Calibration:
    """The calibration shipped with the package (made by its authors, on the CPU it names)."""
    return load_calibration(shipped_path())

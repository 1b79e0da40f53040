"""From mult-adds to milliseconds: a per-layer latency model calibrated on one CPU (torch-free).

This package is the latency model's torch-free side, one module per concern: the features of a
cost row and the layer kinds (:mod:`~mnetcalc.latency_model.features`), a thread count's
coefficients and its predictions (:mod:`~mnetcalc.latency_model.model`), the calibration file, read
and checked (:mod:`~mnetcalc.latency_model.calibration`, :mod:`~mnetcalc.latency_model.checks`),
where a command finds it (:mod:`~mnetcalc.latency_model.lookup`), the machine a measurement or a
calibration comes from (:mod:`~mnetcalc.latency_model.machine`), the published checkpoints
(:mod:`~mnetcalc.latency_model.checkpoints`) and which of them fits a budget
(:mod:`~mnetcalc.latency_model.choose`: ``mnetcalc choose``). The timing that produces a
calibration needs torch and lives in :mod:`mnetcalc.runtime` (``calibrate``, ``latency``).

Latency, everywhere: the median wall-clock time per call of ``mnetcalc.runtime.model.optimize()``'s
model, batch 1, float32, at a stated thread count, as ``mnetcalc bench --optimize`` measures it.

A network's predicted median is a fixed cost per call plus the sum of its layers' predicted times.
Each cost row of a report (:class:`~mnetcalc.core.network.NetworkCost`) is costed as
``optimize()`` runs it: BatchNorm folded and the ReLU fused into the convolution; a ``tap`` row
runs nothing. oneDNN Graph fuses further than one row (MobileNet v1 0.5/160's 28 layers with
weights, 27 convolutions and the classifier, run as 16 oneDNN partitions): a 3x3 layer after the
1x1 layer that feeds it (unless that 1x1's output also feeds a later residual sum), or a residual
sum after its convolution, runs in the partition of the row before it and is charged no call
(:func:`fused_with`, :func:`fusion`; the rule was read from torch's profiler with torch 2.13 and
is not re-read by a calibration); a depthwise layer so fused is of its own kind,
``conv_dw_fused`` (:data:`FUSED_DEPTHWISE`), since its input never leaves the cache. A network
that oneDNN Graph fails on (MobileNetV4's hybrids: their attention) runs unfused through aten's
kernels (:func:`runs_unfused`); its convolutions are of kinds of their own
(:data:`UNFUSED_KINDS`). A layer's time is linear in a few features of its row, with
coefficients of its *kind* (:data:`KINDS`)::

    time(row) = sum(coefficient[kind][feature] * value(feature, row))

with the features ``calls`` (1 per partition the row starts; in a network run unfused, 1 per
row), ``mult_adds`` (millions), ``bytes``
(1e6, as :func:`mnetcalc.traffic.layer_traffic` counts them, float32), ``dram_bytes`` (beyond the
last-level cache) and ``lane_mult_adds`` (channels rounded up to the vector width). Coefficients
are in microseconds per unit. Kinds without arithmetic (pooling, ``lrn``, ``concat``, ``add``) have
``calls`` and ``bytes`` only; ``conv_dw_fused`` has no ``calls`` (it never starts a partition) and
no ``dram_bytes``, and ``conv_dw_unfused`` no ``dram_bytes``.

Every timing of a calibration is taken relative to a fixed *reference network* timed in the same
rounds, so that the machine's drift cancels; the coefficients are then scaled by the reference's
median over the run. Each thread count's model (:class:`ThreadModel`) keeps the reference's
spread (``reference_ms`` p10/median/p90, ``drift``) and the model's own leave-one-network-out
error (``model_error``), which give each prediction an interval::

    high = median * (reference p90 / reference median) / (1 + min(0, model_error.p10))
    low  = median * (reference p10 / reference median) / (1 + max(0, model_error.p90))

and the margin it implies, ``high / median - 1``. ``choose`` keeps a pick only if ``high`` fits
the budget (``--margin M``: ``median * (1 + M)``).

The calibration file (schema 2, :data:`SCHEMA_VERSION`) holds one model per thread count of one
machine: :class:`Calibration`, read and checked with :func:`load_calibration` (a bad file of any
shape, size or content raises :class:`~mnetcalc.validation.InvalidArgument` in one line, and so
does a file whose predictions would be absurd). The package ships the calibration of the machine
that built the book: :func:`shipped_calibration`. A command that names no calibration uses
:func:`default_calibration` (``$MNETCALC_CALIBRATION``, else ``./mnetcalc-calibration.json``, else
the shipped one; :func:`calibration_source` says which).

API for callers (``table --latency``, ``bench --latency``, ``choose``, the book)::

    cal = load_calibration("my.json")        # or shipped_calibration(), default_calibration()
    cal, source = open_calibration(None)      # the default lookup, and where it found it
    cal.thread_counts, cal.default_threads    # (1, 2), 1 (1 if present, else the smallest)
    est = cal.estimate(report, threads=2)     # Estimate: the whole network at 2 threads
    est.median_ms, est.low_ms, est.high_ms, est.margin, est.upper(margin=None)
    pred = cal.predict(report, threads=None)  # Prediction: per row too (default thread count)
    cal.predict(MobileNetConfig(0.5), 2)      # a configuration, or a name ("mobilenet_v2"), too
    pred.median_ms == pred.total_ms, pred.low_ms, pred.high_ms, pred.layers[0].us, pred.fixed_us
    cal.total_ms(report, threads)             # the median alone
    cal.model(threads)                        # ThreadModel; a count the file lacks is refused
    cal.other_cpu()                           # None, or "made on X, not on this machine's Y"
    header(cal, source, threads)              # the one line a command prints above its output

A cost report for a bench display: ``cal.estimate(result.cost, threads=T)`` (refuses in one line
a ``T`` the file has no model of).

Extending to new layer types: give the row type a kind with :func:`register_kind` (and calibrate
samples containing it); a row type with no kind raises ``InvalidArgument`` naming it, and a
calibration that lacks a kind a network needs says so.

Standard library only, like the rest of the calculator: it runs in the browser (Pyodide).
"""

from __future__ import annotations

from .calibration import (
    MAX_FILE_BYTES,
    PREDICTION_RANGE,
    REFERENCE_TOLERANCE,
    SCHEMA_VERSION,
    SHIPPED,
    STATISTIC,
    Calibration,
    load_calibration,
    shipped_calibration,
    shipped_path,
)
from .features import (
    BATCH,
    DEFAULT_CACHE_BYTES,
    ENGINE,
    FEATURE_UNITS,
    FUSED_DEPTHWISE,
    KINDS,
    PRECISION,
    ROW_KINDS,
    UNFUSED_KINDS,
    UNFUSING_TYPES,
    UnfusedRows,
    feeds_a_sum,
    fused_with,
    fusion,
    lane_mult_adds,
    network_features,
    register_kind,
    row_features,
    row_kind,
    runs_unfused,
    vector_lanes,
)
from .lookup import (
    ENV_VARIABLE,
    LOCAL_FILE,
    SHIPPED_NAME,
    CalibrationSource,
    calibration_source,
    default_calibration,
    header,
    open_calibration,
)
from .model import Estimate, LayerPrediction, Prediction, ThreadModel


def predict(rows, calibration: Calibration | None = None, threads: int | None = None) -> Prediction:
    """Predicted latency of a cost report (default calibration: :func:`default_calibration`)."""
    return (calibration or default_calibration()).predict(rows, threads)


__all__ = [
    "BATCH",
    "DEFAULT_CACHE_BYTES",
    "ENGINE",
    "ENV_VARIABLE",
    "FEATURE_UNITS",
    "KINDS",
    "LOCAL_FILE",
    "MAX_FILE_BYTES",
    "PRECISION",
    "PREDICTION_RANGE",
    "REFERENCE_TOLERANCE",
    "ROW_KINDS",
    "SCHEMA_VERSION",
    "SHIPPED",
    "SHIPPED_NAME",
    "STATISTIC",
    "Calibration",
    "CalibrationSource",
    "Estimate",
    "LayerPrediction",
    "Prediction",
    "ThreadModel",
    "calibration_source",
    "default_calibration",
    "FUSED_DEPTHWISE",
    "UNFUSED_KINDS",
    "UNFUSING_TYPES",
    "UnfusedRows",
    "feeds_a_sum",
    "fused_with",
    "fusion",
    "network_features",
    "header",
    "lane_mult_adds",
    "load_calibration",
    "open_calibration",
    "predict",
    "register_kind",
    "row_features",
    "row_kind",
    "runs_unfused",
    "shipped_calibration",
    "shipped_path",
    "vector_lanes",
]

"""``mnetcalc table --latency``: the per-layer table with each layer's predicted milliseconds
(:mod:`mnetcalc.latency_model`), as text, markdown, csv or JSON. Standard library only."""

from __future__ import annotations

import textwrap

from ..core.layers import ROW_KEYS
from ..core.network import NetworkCost
from ..latency_model import Calibration, Prediction
from .tables import (
    aligned,
    csv_text,
    describe,
    input_shape,
    json_text,
    markdown_table,
    millions,
    percent,
    type_stride,
)

HEADER = ("layer", "type / stride", "input size", "MAdds (M)", "predicted ms", "% time")
RIGHT = (False, False, False, True, True, True)


def ms(us: float) -> str:
    return f"{us / 1e3:.3f}"


def _cells(report: NetworkCost, prediction: Prediction) -> list[list[str]]:
    total = prediction.total_us
    rows = [
        [
            row.name,
            type_stride(row),
            input_shape(row),
            millions(row.mult_adds),
            ms(layer.us),
            percent(layer.us / total),
        ]
        for row, layer in zip(report.layers, prediction.layers, strict=True)
    ]
    fixed = prediction.fixed_us
    rows.append(["(per call)", "fixed cost", "", "", ms(fixed), percent(fixed / total)])
    return rows


def _total(report: NetworkCost, prediction: Prediction) -> list[str]:
    return ["total", "", "", millions(report.mult_adds), ms(prediction.total_us), percent(1.0)]


def heading(prediction: Prediction) -> str:
    """The whole network's median and interval, and the command that measures it."""
    return (
        f"Predicted: median {prediction.median_ms:.3f} ms, interval {prediction.low_ms:.3f}-"
        f"{prediction.high_ms:.3f} ms (p10-p90; margin +{100 * prediction.margin:.1f} % over the "
        f"median) at {prediction.threads} thread(s); measure with mnetcalc bench --optimize "
        f"--threads {prediction.threads} (its median)."
    )


def render_latency_table(
    report: NetworkCost,
    calibration: Calibration,
    fmt: str,
    prediction: Prediction | None = None,
    *,
    threads: int | None = None,
    source=None,
    title: str | None = None,
) -> str:
    """The report's layers with their predicted times, and the total with its interval, in
    ``fmt`` (``threads``: the calibration's model; ``source``: where the calibration came from,
    a :class:`~mnetcalc.latency_model.CalibrationSource`; ``title``: the line that says which
    calibration, :func:`mnetcalc.latency_model.header`)."""
    prediction = prediction or calibration.predict(report, threads)
    if title is None:
        title = f"latency: calibration {calibration.describe(prediction.threads)}"
    if fmt == "json":
        data = report.to_dict()
        for layer, predicted in zip(data["layers"], prediction.layers, strict=True):
            layer["predicted_ms"] = predicted.us / 1e3
        data["total"]["predicted_ms"] = prediction.total_ms
        data["total"]["fixed_ms"] = prediction.fixed_us / 1e3
        data["total"]["median_ms"] = prediction.median_ms
        data["total"]["low_ms"] = prediction.low_ms
        data["total"]["high_ms"] = prediction.high_ms
        data["total"]["margin"] = prediction.margin
        data["calibration"] = {
            "source": None if source is None else source.describe(),
            "file": None if source is None else source.path,
            "cpu": calibration.cpu,
            "other_cpu": calibration.other_cpu(),
            "threads": prediction.threads,
            "thread_counts": list(calibration.thread_counts),
            "engine": calibration.engine,
            "precision": calibration.precision,
            "batch": calibration.batch,
            "statistic": calibration.statistic,
            "created": calibration.created,
            "provisional": calibration.provisional,
            "header": title,
        }
        return json_text(data)
    if fmt == "csv":
        blank = [""] * (len(ROW_KEYS) - 2)
        rows = [
            [*(getattr(row, key) for key in ROW_KEYS), f"{layer.us / 1e3:.6f}", "", ""]
            for row, layer in zip(report.layers, prediction.layers, strict=True)
        ]
        fixed = ["(per call)", "fixed", *blank, f"{prediction.fixed_us / 1e3:.6f}", "", ""]
        total = [
            "total",
            "total",
            *blank,
            f"{prediction.median_ms:.6f}",
            f"{prediction.low_ms:.6f}",
            f"{prediction.high_ms:.6f}",
        ]
        header = (*ROW_KEYS, "predicted_ms", "low_ms", "high_ms")
        return csv_text(header, [*rows, fixed, total])
    cells, total = _cells(report, prediction), _total(report, prediction)
    if fmt == "markdown":
        bold = [f"**{cell}**" if cell else "" for cell in total]
        return "\n".join(
            [
                f"**{describe(report)}**",
                "",
                title,
                "",
                heading(prediction),
                "",
                markdown_table(HEADER, [*cells, bold], RIGHT),
            ]
        )
    return "\n".join(
        [
            describe(report),
            *textwrap.wrap(title, width=80, break_on_hyphens=False),
            *textwrap.wrap(heading(prediction), width=80, break_on_hyphens=False),
            "",
            aligned(HEADER, cells, RIGHT, total),
        ]
    )

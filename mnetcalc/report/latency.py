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


def heading(calibration: Calibration) -> str:
    return (
        f"Predicted latency ({calibration.describe()}); check with mnetcalc bench --optimize "
        f"--threads {calibration.threads} (its min)."
    )


def render_latency_table(
    report: NetworkCost, calibration: Calibration, fmt: str, prediction: Prediction | None = None
) -> str:
    """The report's layers with their predicted times, and the total, in ``fmt``."""
    prediction = prediction or calibration.predict(report)
    if fmt == "json":
        data = report.to_dict()
        for layer, predicted in zip(data["layers"], prediction.layers, strict=True):
            layer["predicted_ms"] = predicted.us / 1e3
        data["total"]["predicted_ms"] = prediction.total_ms
        data["total"]["fixed_ms"] = prediction.fixed_us / 1e3
        data["calibration"] = {
            "cpu": calibration.machine.get("cpu"),
            "threads": calibration.threads,
            "engine": calibration.engine,
            "precision": calibration.precision,
            "batch": calibration.batch,
            "created": calibration.created,
        }
        return json_text(data)
    if fmt == "csv":
        rows = [
            [*(getattr(row, key) for key in ROW_KEYS), f"{layer.us / 1e3:.6f}"]
            for row, layer in zip(report.layers, prediction.layers, strict=True)
        ]
        fixed = [
            "(per call)",
            "fixed",
            *[""] * (len(ROW_KEYS) - 2),
            f"{prediction.fixed_us / 1e3:.6f}",
        ]
        return csv_text((*ROW_KEYS, "predicted_ms"), [*rows, fixed])
    cells, total = _cells(report, prediction), _total(report, prediction)
    if fmt == "markdown":
        bold = [f"**{cell}**" if cell else "" for cell in total]
        return "\n".join(
            [
                f"**{describe(report)}**",
                "",
                heading(calibration),
                "",
                markdown_table(HEADER, [*cells, bold], RIGHT),
            ]
        )
    return "\n".join(
        [
            describe(report),
            *textwrap.wrap(heading(calibration), width=80),
            "",
            aligned(HEADER, cells, RIGHT, total),
        ]
    )

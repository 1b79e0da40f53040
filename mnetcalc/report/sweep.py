"""``mnetcalc sweep``: the grid of totals, one row per configuration, labelled the paper's way
(:func:`mnetcalc.report.tables.model_label`), as text, Markdown, CSV or JSON. No computation happens
here."""

from __future__ import annotations

from collections.abc import Sequence

from .tables import aligned, csv_text, json_text, markdown_table, millions, model_label

SWEEP_HEADER = ("model", "alpha", "resolution", "MAdds (M)", "params (M)")
SWEEP_RIGHT = (False, True, True, True, True)


def sweep_records(reports: Sequence) -> list[dict]:
    """One record per report: its label, its configuration (the same keys for every network) and
    its totals."""
    records = []
    for r in reports:
        fields = r.config.report_fields()
        label = model_label(
            fields["alpha"], fields["resolution"], fields["variant"], fields["network"]
        )
        records.append(
            {
                "model": label,
                **fields,
                "mult_adds": r.mult_adds,
                "params": r.params,
                "bias_params": r.bias_params,
                "bn_params": r.bn_params,
                "total_params": r.total_params,
            }
        )
    return records


def render_sweep(reports: Sequence, fmt: str) -> str:
    records = sweep_records(reports)
    if fmt == "json":
        return json_text(records)
    if fmt == "csv":  # the network's own options (a dict) are the JSON's
        keys = [key for key in (records[0] if records else ()) if key != "options"]
        return csv_text(keys, [["" if rec[k] is None else rec[k] for k in keys] for rec in records])
    rows = [
        [
            rec["model"],
            "-" if rec["alpha"] is None else f"{rec['alpha']:g}",
            str(rec["resolution"]),
            millions(rec["mult_adds"], 2),
            millions(rec["params"], 2),
        ]
        for rec in records
    ]
    if fmt == "markdown":
        return markdown_table(SWEEP_HEADER, rows, SWEEP_RIGHT)
    return aligned(SWEEP_HEADER, rows, SWEEP_RIGHT)

"""Rendering ``mnetcalc choose``'s ranking as text, Markdown, CSV and JSON. No computation here."""

from __future__ import annotations

from collections.abc import Sequence

from .tables import aligned, csv_text, json_text, markdown_table

CHOICE_HEADER = (
    "rank",
    "checkpoint",
    "top-1 (%)",
    "latency (ms)",
    "size f32 (MB)",
    "size int8 (MB)",
    "MAdds (M)",
    "memory (MB)",
    "Pareto",
)
CHOICE_RIGHT = (True, False, True, True, True, True, True, True, False)


def choice_records(choices) -> list[dict]:
    """One plain dict per choice, in rank order: the fields of CSV and JSON."""
    return [
        {
            "rank": rank,
            "checkpoint": c.checkpoint.name,
            "family": c.checkpoint.family,
            "quantized": c.checkpoint.quantized,
            "top1": c.checkpoint.top1,
            "latency_ms": round(c.latency_ms, 4),
            "size_mb_float32": round(c.size_mb_float32, 4),
            "size_mb_int8": round(c.size_mb_int8, 4),
            "mult_adds": c.mult_adds,
            "memory_mb": round(c.memory_mb, 4),
            "pareto": c.pareto,
        }
        for rank, c in enumerate(choices, 1)
    ]


def _cells(records: Sequence[dict]) -> list[list[str]]:
    return [
        [
            str(r["rank"]),
            r["checkpoint"],
            f"{r['top1']:.1f}",
            f"{r['latency_ms']:.2f}",
            f"{r['size_mb_float32']:.2f}",
            f"{r['size_mb_int8']:.2f}",
            f"{r['mult_adds'] / 1e6:.1f}",
            f"{r['memory_mb']:.3f}",
            "*" if r["pareto"] else "",
        ]
        for r in records
    ]


def latency_note(choices, calibration) -> str:
    """What the latency column is: where and how it was calibrated, and, when 8-bit checkpoints
    are ranked, that their latency is predicted at the calibration's precision."""
    machine = calibration.machine.get("cpu", "unknown CPU")
    note = (
        f"latency predicted for {machine}, {calibration.threads} thread(s), "
        f"{calibration.engine}() {calibration.precision} batch {calibration.batch}"
    )
    if any(c.checkpoint.quantized for c in choices):
        note += (
            f"; 8-bit checkpoints (_quant): int8 size, latency predicted as "
            f"{calibration.precision} (the calibration's precision, not measured in int8)"
        )
    return note


def render_choices(choices, budget, calibration, source: str, fmt: str) -> str:
    """The ranking under a title that says the budget and where the latencies come from."""
    records = choice_records(choices)
    note = latency_note(choices, calibration)
    if fmt == "json":
        return json_text(
            {
                "budget": budget.fields(),
                "calibration": source,
                "machine": calibration.machine.get("cpu", "unknown CPU"),
                "threads": calibration.threads,
                "latency_precision": calibration.precision,
                "note": note,
                "choices": records,
            }
        )
    if fmt == "csv":
        keys = list(records[0])
        return csv_text(keys, [[r[k] for k in keys] for r in records])
    title = (
        f"{len(records)} published checkpoint{'s' if len(records) != 1 else ''} fit "
        f"{budget.describe()}, ranked by published top-1; {note} ({source}); "
        "* = on the accuracy-latency Pareto front"
    )
    if fmt == "markdown":
        return "\n".join(
            [f"**{title}**", "", markdown_table(CHOICE_HEADER, _cells(records), CHOICE_RIGHT)]
        )
    return "\n".join([title, "", aligned(CHOICE_HEADER, _cells(records), CHOICE_RIGHT)])

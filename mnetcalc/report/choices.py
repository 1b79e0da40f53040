"""Rendering ``mnetcalc choose``'s ranking as text, Markdown, CSV and JSON. No computation here:
every number is the :class:`~mnetcalc.latency_model.choose.Choice`'s."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from .tables import aligned, csv_text, json_text, markdown_table

CHOICE_HEADER = (
    "rank",
    "checkpoint",
    "trainer",
    "top-1 (%)",
    "median (ms)",
    "interval (ms)",
    "size f32 (MB)",
    "size int8 (MB)",
    "MAdds (M)",
    "memory (MB)",
    "Pareto",
)
CHOICE_RIGHT = (True, False, False, True, True, True, True, True, True, True, False)


def choice_records(choices) -> list[dict]:
    """One plain dict per choice, in rank order: the fields of CSV and JSON (``latency_ms`` is
    the median; ``margin``: the margin over the median the budget was held to; ``options``: the
    network's options, ``command``: the ``mnetcalc bench`` command that times it)."""
    from ..latency_model.choose import option_words

    return [
        {
            "rank": rank,
            "checkpoint": c.checkpoint.name,
            "family": c.checkpoint.family,
            "quantized": c.checkpoint.quantized,
            "top1": c.checkpoint.top1,
            "latency_ms": round(c.latency.median_ms, 4),
            "low_ms": round(c.latency.low_ms, 4),
            "high_ms": round(c.latency.high_ms, 4),
            "margin": round(c.margin_used, 4),
            "threads": c.latency.threads,
            "size_mb_float32": round(c.size_mb_float32, 4),
            "size_mb_int8": round(c.size_mb_int8, 4),
            "mult_adds": c.mult_adds,
            "memory_mb": round(c.memory_mb, 4),
            "pareto": c.pareto,
            "trainer": c.trainer,
            "extra_data": bool(getattr(c.checkpoint, "extra_data", False)),
            "network": c.checkpoint.network,
            "options": dict(c.checkpoint.options),
            "network_options": " ".join(option_words(c.checkpoint)[2:]),
            "command": c.command,
        }
        for rank, c in enumerate(choices, 1)
    ]


def _cells(records: Sequence[dict]) -> list[list[str]]:
    return [
        [
            str(r["rank"]),
            r["checkpoint"],
            r["trainer"],
            f"{r['top1']:.1f}",
            f"{r['latency_ms']:.2f}",
            f"{r['low_ms']:.2f}-{r['high_ms']:.2f}",
            f"{r['size_mb_float32']:.2f}",
            f"{r['size_mb_int8']:.2f}",
            f"{r['mult_adds'] / 1e6:.1f}",
            f"{r['memory_mb']:.3f}",
            "*" if r["pareto"] else "",
        ]
        for r in records
    ]


def fit_rule(choices, budget) -> str:
    """How a pick was held to the latency budget: the interval's upper end (and the margin it
    implies) or the median times 1 + the margin given."""
    if budget.latency_ms is None or not choices:
        return "no latency budget"
    first = choices[0]
    if first.margin is None:
        return (
            f"a pick fits --latency-ms only if the upper end of its p10-p90 interval does (the "
            f"calibration's margin: +{100 * first.margin_used:.1f} % over the median)"
        )
    if first.margin == 0:
        return "a pick fits --latency-ms if its median does (--margin 0: the median alone)"
    return f"a pick fits --latency-ms if its median x (1 + {first.margin:g}) does (--margin)"


def latency_note(choices, calibration) -> str:
    """What the latency columns are and, when 8-bit checkpoints are ranked, that their latency is
    predicted at the calibration's precision."""
    note = f"latency: {calibration.statistic}, predicted median and p10-p90 interval"
    if any(c.checkpoint.quantized for c in choices):
        note += (
            f"; 8-bit checkpoints (_quant, _uint8): int8 size, latency predicted as "
            f"{calibration.precision} (the calibration's precision, not measured in int8)"
        )
    return note


def render_choices(choices, budget, calibration, source, header: str, fmt: str) -> str:
    """The ranking under a title that says the budget, how a pick was held to it, and where the
    latencies come from (``header``: :func:`mnetcalc.latency_model.header`'s line)."""
    records = choice_records(choices)
    note = latency_note(choices, calibration)
    rule = fit_rule(choices, budget)
    if fmt == "json":
        return json_text(
            {
                "budget": budget.fields(),
                "calibration": source.describe(),
                "calibration_file": source.path,
                "machine": calibration.cpu,
                "other_cpu": calibration.other_cpu(),
                "threads": choices[0].latency.threads,
                "thread_counts": list(calibration.thread_counts),
                "margin": choices[0].margin,
                "fit_rule": rule,
                "latency_precision": calibration.precision,
                "header": header,
                "note": note,
                "choices": records,
            }
        )
    if fmt == "csv":  # no header line: each row names its calibration and where it was made
        keys = [key for key in records[0] if key != "options"]
        where = [source.path or "shipped", calibration.cpu]
        rows = [[*(r[k] for k in keys), *where] for r in records]
        return csv_text([*keys, "calibration", "calibration_cpu"], rows)
    title = (
        f"{len(records)} published checkpoint{'s' if len(records) != 1 else ''} fit "
        f"{budget.describe()}, ranked by published top-1; {rule}; {note}; "
        "* = on the accuracy-latency Pareto front"
    )
    commands = [f"{r['rank']:>4}  {r['command']}" for r in records]
    if fmt == "markdown":
        cells = _cells(records)
        rows = [[*row, f"`{r['command']}`"] for row, r in zip(cells, records, strict=True)]
        return "\n".join(
            [
                f"**{title}**",
                "",
                header,
                "",
                markdown_table((*CHOICE_HEADER, "command"), rows, (*CHOICE_RIGHT, False)),
            ]
        )
    return "\n".join(
        [
            *textwrap.wrap(title, width=80, break_on_hyphens=False),
            *textwrap.wrap(header, width=80, break_on_hyphens=False),
            "",
            aligned(CHOICE_HEADER, _cells(records), CHOICE_RIGHT),
            "",
            "the command that times each pick (its network and options):",
            *commands,
        ]
    )

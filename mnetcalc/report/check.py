"""``mnetcalc table --check``: the calculator's rows beside fvcore's count of the real PyTorch
model.

The counting happens in :mod:`mnetcalc.runtime.counting`; this module only lays the result out.
"""

from __future__ import annotations

import textwrap

from ..core.network import NetworkCost
from ..runtime.counting import CountCheck
from .tables import aligned, csv_text, describe, json_text, markdown_table, millions, thousands

CHECK_HEADER = (
    "layer",
    "type",
    "MAdds (M)",
    "fvcore MAdds (M)",
    "params",
    "fvcore params",
    "agree",
)
CHECK_RIGHT = (False, False, True, True, True, True, False)
CSV_KEYS = (
    "name",
    "type",
    "analytic_mult_adds",
    "fvcore_mult_adds",
    "analytic_params",
    "fvcore_params",
    "agrees",
)


def _agree(flag: bool) -> str:
    return "yes" if flag else "NO"


def _cells(name, kind, mult_adds, fvcore_mult_adds, params, fvcore_params, agrees) -> list[str]:
    return [
        name,
        kind,
        millions(mult_adds),
        millions(fvcore_mult_adds),
        thousands(params),
        thousands(fvcore_params),
        _agree(agrees),
    ]


def layer_cells(check: CountCheck) -> list[list[str]]:
    return [_cells(*(row.to_dict()[key] for key in CSV_KEYS)) for row in check.layers]


def total_cells(check: CountCheck) -> list[str]:
    return _cells(
        "total",
        "",
        check.analytic_total_mult_adds,
        check.fvcore_total_mult_adds,
        check.analytic_total_params,
        check.fvcore_total_params,
        check.totals_agree,
    )


def verdict(check: CountCheck) -> str:
    """One sentence: do fvcore and the calculator agree, and if not, where not."""
    lines = []
    if check.agrees:
        lines.append(
            f"fvcore agrees exactly with the calculator on all {len(check.layers)} layers and "
            "on the "
            "totals (mult-adds of conv and fc layers; params = weights + biases + BatchNorm "
            "scale/shift)."
        )
    else:
        bad = ", ".join(row.name for row in check.disagreements()) or "the totals"
        lines.append(f"fvcore DISAGREES with the calculator: {bad}.")
    if check.unsupported_ops:
        ops = ", ".join(f"{op} ({n}x)" for op, n in sorted(check.unsupported_ops.items()))
        lines.append(f"Operators fvcore met outside the counting convention: {ops}.")
    return "\n".join(textwrap.fill(line, width=80) for line in lines)


def render_check(check: CountCheck, report: NetworkCost, fmt: str = "text") -> str:
    """``check`` (of ``report``) in one of the formats text, markdown, csv and json."""
    if fmt == "json":
        return json_text(check.to_dict())
    if fmt == "csv":
        return csv_text(
            CSV_KEYS, [[row.to_dict()[key] for key in CSV_KEYS] for row in check.layers]
        )
    if fmt == "markdown":
        table = markdown_table(CHECK_HEADER, [*layer_cells(check), total_cells(check)], CHECK_RIGHT)
        title = f"**{describe(report)}**: calculator vs fvcore on the PyTorch model"
    else:
        table = aligned(CHECK_HEADER, layer_cells(check), CHECK_RIGHT, total_cells(check))
        title = f"{describe(report)}\ncounted twice: calculator vs fvcore on the PyTorch model"
    return "\n".join([title, "", table, "", verdict(check)])

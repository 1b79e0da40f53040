"""``mnetcalc table --check``: the calculator's rows beside fvcore's count of the real PyTorch model.

Imported by the CLI only when ``--check`` is given (it needs torch and fvcore); the counting happens in
:mod:`mnetcalc.counting`, this module only lays the result out.
"""

from __future__ import annotations

import textwrap

from .counting import CountCheck, check_counts
from .formatting import aligned, csv_text, describe, json_text, markdown_table, millions, thousands
from .network import NetworkCost

CHECK_HEADER = ("layer", "type", "MAdds (M)", "fvcore MAdds (M)", "params", "fvcore params", "agree")
CHECK_RIGHT = (False, False, True, True, True, True, False)
CSV_KEYS = ("name", "type", "analytic_mult_adds", "fvcore_mult_adds", "analytic_params", "fvcore_params", "agrees")


def _agree(flag: bool) -> str:
    return "yes" if flag else "NO"


def _cells(check: CountCheck) -> list[list[str]]:
    rows = [
        [
            row.name,
            row.type,
            millions(row.analytic_mult_adds),
            millions(row.fvcore_mult_adds),
            thousands(row.analytic_params),
            thousands(row.fvcore_params),
            _agree(row.agrees),
        ]
        for row in check.layers
    ]
    totals_agree = (
        check.analytic_total_mult_adds == check.fvcore_total_mult_adds
        and check.analytic_total_params == check.fvcore_total_params
    )
    rows.append(
        [
            "total",
            "",
            millions(check.analytic_total_mult_adds),
            millions(check.fvcore_total_mult_adds),
            thousands(check.analytic_total_params),
            thousands(check.fvcore_total_params),
            _agree(totals_agree),
        ]
    )
    return rows


def verdict(check: CountCheck) -> str:
    """One sentence: do fvcore and the calculator agree, and if not, where not."""
    lines = []
    if check.agrees:
        lines.append(
            f"fvcore agrees exactly with the calculator on all {len(check.layers)} layers and on the totals "
            "(mult-adds of conv and fc layers; params = weights + biases + BatchNorm scale/shift)."
        )
    else:
        bad = ", ".join(row.name for row in check.disagreements()) or "the totals"
        lines.append(f"fvcore DISAGREES with the calculator: {bad}.")
    if check.unsupported_ops:
        ops = ", ".join(f"{op} ({n}x)" for op, n in sorted(check.unsupported_ops.items()))
        lines.append(f"Operators fvcore met outside the counting convention: {ops}.")
    return "\n".join(textwrap.fill(line, width=80) for line in lines)


def render_check(report: NetworkCost, fmt: str = "text") -> str:
    """The comparison for ``report`` in one of the CLI's formats (text, markdown, csv, json)."""
    check = check_counts(report)
    if fmt == "json":
        return json_text(check.to_dict())
    if fmt == "csv":
        return csv_text(CSV_KEYS, [[row.to_dict()[key] for key in CSV_KEYS] for row in check.layers])
    cells = _cells(check)
    if fmt == "markdown":
        table = markdown_table(CHECK_HEADER, cells, CHECK_RIGHT)
        title = f"**{describe(report)}**: calculator vs fvcore on the PyTorch model"
    else:
        table = aligned(CHECK_HEADER, cells, CHECK_RIGHT)
        *body, total = table.split("\n")
        table = "\n".join([*body, body[1], total])
        title = f"{describe(report)}\ncounted twice: calculator vs fvcore on the PyTorch model"
    return "\n".join([title, "", table, "", verdict(check)])

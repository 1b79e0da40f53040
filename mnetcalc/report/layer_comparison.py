"""``mnetcalc layer``: paper Table 3, one layer's mult-adds and parameters as it is made
separable and thinned step by step, with each layer's shape, costs and separable / standard ratio,
as text, Markdown, CSV or JSON. No computation happens here."""

from __future__ import annotations

from collections.abc import Sequence

from .tables import aligned, csv_text, json_text, markdown_table, millions

LAYER_COMPARISON_HEADER = ("layer / modification", "MAdds (M)", "params (M)")


def _ratio_line(c) -> str:
    return (
        f"separable / standard mult-adds = {float(c.ratio):.4f}; "
        f"1/N + 1/Dk² = 1/{c.n} + 1/{c.dk * c.dk} = {float(c.formula_ratio):.4f}"
    )


def _shape(c) -> str:
    return f"Dk={c.dk}, M={c.m}, N={c.n}, Df={c.df}"


def render_layer(
    steps: Sequence[tuple[str, int, int]],
    final,
    fmt: str = "text",
    *,
    layer=None,
    multipliers: dict | None = None,
) -> str:
    """``steps`` are Table 3's rows (label, mult-adds, params); ``final`` is the LayerComparison of
    the last row's layer (after the multipliers), ``layer`` the one of the first rows (before them;
    None: not shown), ``multipliers`` what was applied (``{"alpha": ..., "rho": ...}``). Every
    format holds the same: the steps, and each layer's shape, costs and ratio."""

    def fields(c) -> dict | None:
        return None if c is None else {"dk": c.dk, "m": c.m, "n": c.n, "df": c.df, **c.to_dict()}

    if fmt == "json":
        data = {
            **(multipliers or {}),
            "steps": [{"step": label, "mult_adds": ma, "params": p} for label, ma, p in steps],
            "layer": fields(layer),
            "final": fields(final),
        }
        return json_text(data)
    if fmt == "csv":
        return csv_text(("step", "mult_adds", "params"), steps)
    rows = [[label, millions(ma), millions(p)] for label, ma, p in steps]
    table = (markdown_table if fmt == "markdown" else aligned)(
        LAYER_COMPARISON_HEADER, rows, (False, True, True)
    )
    lines = []
    if layer is not None:
        lines += [f"The layer: {_shape(layer)}", f"  {_ratio_line(layer)}", ""]
    lines += [table, ""]
    if layer is None or final != layer:
        given = ", ".join(f"{k} {v:g}" for k, v in (multipliers or {}).items())
        lines += [
            f"After {given or 'the multipliers'}: {_shape(final)} (the last row)",
            f"  standard {millions(final.standard[0])} M mult-adds, "
            f"separable {millions(final.separable[0])} M",
            f"  {_ratio_line(final)}",
        ]
    return "\n".join(lines).rstrip()

"""What the book's chapters share for showing results in a notebook: gluing values into the prose,
showing a Markdown table, check marks and percentages.

The chapters are executed notebooks whose prose quotes computed numbers through myst-nb's ``glue``;
these helpers keep that plumbing out of the chapters. The module imports neither torch nor numpy,
and IPython and myst-nb only when a function that needs them is called, so that the pure helpers
(:func:`mark`, :func:`in_percent`, :func:`plain`) work anywhere.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..report.tables import markdown_table

CHECK = "✓"
CROSS = "✗"


def mark(flag: bool) -> str:
    """A check mark for a reproduced number, a cross for one that is not."""
    return CHECK if flag else CROSS


def in_percent(fraction: float) -> float:
    """A fraction (0.917) as percent (91.7), for prose and tables that quote percentages."""
    return 100 * fraction


def plain(value):
    """``value`` as a plain Python number if it is a numpy scalar (whose repr, e.g.
    ``np.float64(0.5)``, glue would otherwise paste into the prose), else unchanged."""
    item = getattr(value, "item", None)
    if callable(item) and type(value).__module__ == "numpy":
        return item()
    return value


def note(name: str, value) -> None:
    """Glue ``value`` under ``name`` for the prose ({glue:text}), without showing it here."""
    from myst_nb import glue

    glue(name, plain(value), display=False)


def note_md(name: str, text: str) -> None:
    """Glue a piece of Markdown under ``name`` for the prose ({glue:md})."""
    from IPython.display import Markdown
    from myst_nb import glue

    glue(name, Markdown(text), display=False)


def note_figure(name: str, figure) -> None:
    """Glue a matplotlib figure under ``name`` for a {glue:figure} directive, and close it so that
    the cell does not show it a second time."""
    import matplotlib.pyplot as plt
    from myst_nb import glue

    glue(name, figure, display=False)
    plt.close(figure)


def show_table(header: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[bool]) -> None:
    """Show a table as Markdown in the cell's output (``right``: which columns align right)."""
    from IPython.display import Markdown, display

    display(Markdown(markdown_table(header, rows, right)))


#: The columns of :func:`printed_table`: our exact count next to the paper's, with a mark each.
PRINTED_HEADER = (
    "model",
    "accuracy (paper)",
    "mult-adds (M)",
    "paper",
    "",
    "weights (M)",
    "paper",
    "",
)
PRINTED_RIGHT = (False, True, True, True, False, True, True, False)


def printed_table(rows) -> tuple[str, list[str]]:
    """A Markdown table of rows of a paper's table (:mod:`mnetcalc.paper`): each row's exact
    mult-adds and weights next to the printed ones, marked reproduced or not; and the labels of
    the rows that miss either."""
    from ..report.tables import millions

    cells, misses = [], []
    for row in rows:
        cost = row.cost()
        ma_ok = row.reproduces_mult_adds(cost.mult_adds / 1e6)
        p_ok = row.reproduces_params(cost.params / 1e6)
        if not (ma_ok and p_ok):
            misses.append(row.label)
        cells.append(
            [
                row.label,
                row.accuracy + "%",
                millions(cost.mult_adds, 2),
                row.mult_adds,
                mark(ma_ok),
                millions(cost.params, 3),
                row.params,
                mark(p_ok),
            ]
        )
    return markdown_table(PRINTED_HEADER, cells, PRINTED_RIGHT), misses

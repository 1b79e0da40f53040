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

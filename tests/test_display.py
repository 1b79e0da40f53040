"""The chapters' shared display helpers (mnetcalc.book.display): pure helpers checked directly, the
glue and display ones with myst-nb's glue and IPython's display replaced by recorders."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mnetcalc.book import display


def test_mark():
    assert display.mark(True) == "✓"
    assert display.mark(False) == "✗"


@given(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False))
def test_in_percent_is_a_hundred_times_the_fraction(fraction):
    assert display.in_percent(fraction) == 100 * fraction


def test_in_percent_examples():
    assert display.in_percent(0.5) == 50
    assert display.in_percent(1) == 100


@pytest.mark.parametrize(
    "value, expected",
    [
        (np.float64(0.25), 0.25),
        (np.int64(7), 7),
        (np.float32(0.5), 0.5),
        (np.bool_(True), True),
    ],
)
def test_plain_turns_numpy_scalars_into_python_numbers(value, expected):
    result = display.plain(value)
    assert result == expected
    assert type(result).__module__ == "builtins"
    assert repr(result) == repr(expected)  # no "np.float64(...)" in the prose


@pytest.mark.parametrize("value", [3, 2.5, "Intel Xeon", None, [1, 2]])
def test_plain_leaves_other_values_alone(value):
    assert display.plain(value) is value


@pytest.fixture
def glued(monkeypatch):
    """Replace myst_nb.glue by a recorder; yields the list of (name, value, display) calls."""
    myst_nb = pytest.importorskip("myst_nb")
    calls = []
    monkeypatch.setattr(
        myst_nb, "glue", lambda name, value, display=True: calls.append((name, value, display))
    )
    return calls


def test_note_glues_without_display_and_as_plain_python(glued):
    display.note("answer", np.float64(91.5))
    display.note("label", "0.25 MobileNet-28")
    assert glued == [("answer", 91.5, False), ("label", "0.25 MobileNet-28", False)]
    assert type(glued[0][1]) is float


def test_note_md_glues_markdown(glued):
    from IPython.display import Markdown

    display.note_md("verdict", "in the *paper's* direction")
    ((name, value, shown),) = glued
    assert (name, shown) == ("verdict", False)
    assert isinstance(value, Markdown)
    assert value.data == "in the *paper's* direction"


def test_note_figure_glues_and_closes(glued):
    plt = pytest.importorskip("matplotlib.pyplot")
    fig, _ = plt.subplots()
    display.note_figure("fig_x", fig)
    assert glued == [("fig_x", fig, False)]
    assert not plt.fignum_exists(fig.number)


def test_show_table_displays_a_markdown_table(monkeypatch):
    ipython_display = pytest.importorskip("IPython.display")
    shown = []
    monkeypatch.setattr(ipython_display, "display", lambda obj: shown.append(obj))
    display.show_table(["model", "MAdds (M)"], [["a", "1.5"], ["bb", "22.0"]], [False, True])
    (table,) = shown
    lines = table.data.splitlines()
    assert lines[0].split("|")[1:3] == [" model ", " MAdds (M) "]
    assert lines[1].replace(" ", "") == "|:---|---:|"  # left-, then right-aligned
    assert [line.split("|")[1].strip() for line in lines[2:]] == ["a", "bb"]


def test_import_is_light():
    """Importing the module pulls in neither torch, numpy, IPython nor myst_nb."""
    code = (
        "import sys, mnetcalc.book.display; "
        "print(sorted(m for m in ('torch', 'numpy', 'IPython', 'myst_nb', 'matplotlib') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"

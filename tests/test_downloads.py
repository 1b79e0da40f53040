"""A chapter downloaded from the site runs outside the repository (issue 26, point 7).

The download button of a chapter (sphinx-book-theme, ``use_download_button``) serves
``_build/html/_sources/<page>.ipynb``, a copy of the executed notebook in
``_build/jupyter_execute``. A reader runs it in a fresh kernel in some other folder, where the
package and its requirements are installed and nothing else of the repository is. Each test here
does that for one chapter: a fresh kernel (nbclient), its working folder a new temporary folder
outside the repository, its ``sys.path`` holding the package under test (a folder with a symbolic
link to it, nothing else of the checkout) and the installed requirements.

What runs, and why not everything: executing every chapter in full costs what the book build's
execution costs (over a quarter of an hour on 2 cores, most of it training and timing), a second
time. A chapter fails outside the repository when it reaches for something that is not installed:
a module next to the chapter (review item 30: ``from from_scratch import ...``), a package missing
from the requirements, a file read by a relative path. The first two show at import time, the
third in a chapter's set-up. So each test runs, in that kernel, the chapter's first code cell (its
set-up: imports, settings, the data it loads) as it is, then every import statement of every other
cell (solutions included), each as a cell of its own so that a failure names it. That is a few
seconds a chapter, the cost of starting a kernel and importing torch.

Marked ``site``: ``make test`` runs it after the book build, with the other tests of the built
site.
"""

from __future__ import annotations

import ast
import os
from pathlib import Path

import pytest
from site_support import PAGES, ROOT, SITE, missing

import mnetcalc

pytestmark = pytest.mark.site

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

DOWNLOADS = SITE / "_sources"
#: Seconds a probe cell may take (the set-up cells of the timing chapters measure the memory).
CELL_TIMEOUT = 600


def is_notebook(docname: str) -> bool:
    """A page executed as a notebook: a MyST file with a kernel in its front matter."""
    text = (ROOT / f"{docname}.md").read_text(encoding="utf-8")
    if not text.startswith("---"):
        return False
    front = text.split("---", 2)[1]
    return "kernelspec:" in front


NOTEBOOKS = [page for page in PAGES if is_notebook(page)]


def python_source(cell_source: str) -> str:
    """A code cell's source as Python: IPython's magics (``%time``, ``!ls``) transformed."""
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager().transform_cell(cell_source)


def import_statements(source: str) -> list[str]:
    """Every import statement in ``source``, at any depth (inside a function too), in order."""
    tree = ast.parse(python_source(source))
    found = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        and not (isinstance(node, ast.ImportFrom) and node.module == "__future__")
    ]
    found.sort(key=lambda node: (node.lineno, node.col_offset))
    return [ast.unparse(node) for node in found]


def probe(notebook) -> list[str]:
    """The cells to run: the first code cell whole, then each distinct import of the others."""
    code = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    if not code:
        return []
    imports: list[str] = []
    for source in code[1:]:
        for statement in import_statements(source):
            if statement not in imports:
                imports.append(statement)
    return [code[0], *imports]


def guard(package_dir: Path) -> str:
    """The first cell: the kernel sees no part of the repository but the package under test."""
    return "\n".join(
        [
            "import os, sys",
            "from pathlib import Path",
            f"repo = Path({str(ROOT)!r})",
            "assert not Path.cwd().resolve().is_relative_to(repo), Path.cwd()",
            "seen = [p for p in sys.path if p and Path(p).resolve() in (repo, repo / 'book')]",
            "assert not seen, f'the repository is on sys.path: {seen}'",
            "import mnetcalc",
            "where = Path(mnetcalc.__file__).resolve().parent",
            f"assert where == Path({str(package_dir)!r}), where",
        ]
    )


def test_every_chapter_is_a_notebook_page():
    """The parametrization sees the chapters (not an empty list that would test nothing)."""
    assert "book/intro" in NOTEBOOKS and "book/architecture" in NOTEBOOKS
    assert "genindex" not in NOTEBOOKS


def test_the_probe_finds_every_import():
    source = "import math\n%matplotlib inline\ndef f():\n    from torch import nn\n"
    assert import_statements(source) == ["import math", "from torch import nn"]


@pytest.mark.parametrize("docname", NOTEBOOKS)
def test_downloaded_notebook_runs_outside_the_repository(docname, tmp_path_factory):
    path = DOWNLOADS / f"{docname}.ipynb"
    if not path.is_file():
        missing(f"no downloadable notebook {path} (run `make book`)")
    notebook = nbformat.read(path, as_version=4)
    cells = probe(notebook)
    assert cells, f"{docname}: no code cell"

    # Outside the repository: the temporary folder must not be inside it (a TMPDIR in the checkout
    # would defeat the test).
    folder = tmp_path_factory.mktemp("download")
    assert not folder.resolve().is_relative_to(ROOT), folder
    package_dir = Path(mnetcalc.__file__).resolve().parent
    installed = folder / "installed"
    installed.mkdir()
    (installed / "mnetcalc").symlink_to(package_dir, target_is_directory=True)
    work = folder / "work"
    work.mkdir()

    runnable = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(guard(package_dir))]
        + [nbformat.v4.new_code_cell(source) for source in cells],
        metadata={"kernelspec": notebook.metadata.get("kernelspec", {})},
    )
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    env["PYTHONPATH"] = str(installed)
    client = nbclient.NotebookClient(
        runnable,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(work)}},
    )
    try:
        client.execute(env=env)
    except nbclient.exceptions.CellExecutionError as error:
        pytest.fail(f"{docname}.ipynb, run outside the repository:\n{error}")

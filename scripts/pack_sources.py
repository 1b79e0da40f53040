"""Pack a Python package's torch-free sources (every ``*.py`` under it, recursively, except the
modules that import torch, fvcore or numpy at their top level) and its JSON data files (the shipped
latency calibration) into a zip.

Used by ``make web-assets`` to put this checkout's ``mnetcalc`` into the book's site, where the
live calculator page unpacks it into Pyodide's file system. The page runs the command line's
``table``, ``layer`` and ``sweep``, which import none of the torch side; shipping it would only
make the download larger. Names are sorted and dated 2026-01-01, so the same sources give the same
zip, byte for byte.

    python scripts/pack_sources.py OUT.zip PACKAGE_DIR
"""

from __future__ import annotations

import ast
import sys
import zipfile
from pathlib import Path

FIXED_DATE = (2026, 1, 1, 0, 0, 0)

#: Packages whose import at a module's top level keeps the module out of the zip (Pyodide has no
#: torch; the calculator never needs the others).
HEAVY = ("torch", "fvcore", "numpy")


def top_level_imports(source: str) -> set[str]:
    """The top-level packages a module imports when it is imported (not inside functions)."""
    return _imports(ast.parse(source).body)


def _imports(statements) -> set[str]:
    names: set[str] = set()
    for node in statements:
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
        elif isinstance(node, (ast.If, ast.With, ast.Try)):  # e.g. a warnings.catch_warnings block
            inner = [*node.body, *getattr(node, "orelse", []), *getattr(node, "finalbody", [])]
            for handler in getattr(node, "handlers", []):
                inner += handler.body
            names |= _imports(inner)
    return names


def torch_free(path: Path) -> bool:
    return not top_level_imports(path.read_text(encoding="utf-8")) & set(HEAVY)


def pack(out: Path, package: Path) -> list[str]:
    """Write every torch-free ``*.py`` and every ``*.json`` below ``package`` into ``out`` (paths
    relative to its parent)."""
    files = [
        *(path for path in package.rglob("*.py") if torch_free(path)),
        *package.rglob("*.json"),
    ]
    names = sorted(path.relative_to(package.parent).as_posix() for path in files)
    with zipfile.ZipFile(out, "w") as archive:
        for name in names:
            info = zipfile.ZipInfo(name, FIXED_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, (package.parent / name).read_bytes())
    return names


if __name__ == "__main__":
    out, package = Path(sys.argv[1]), Path(sys.argv[2])
    names = pack(out, package)
    print(f"{out}: {len(names)} files from {package}/")

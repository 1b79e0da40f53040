"""Pack a Python package's sources (every ``*.py`` under it, recursively, and its JSON data files
such as the shipped latency calibration) into a zip.

Used by ``make web-assets`` to put this checkout's ``mnetcalc`` into the book's site, where the
live calculator page unpacks it into Pyodide's file system. Names are sorted and dated
2026-01-01, so the same sources give the same zip, byte for byte.

    python scripts/pack_sources.py OUT.zip PACKAGE_DIR
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

FIXED_DATE = (2026, 1, 1, 0, 0, 0)


def pack(out: Path, package: Path) -> list[str]:
    """Write every ``*.py`` and ``*.json`` below ``package`` into ``out`` (paths relative to its
    parent)."""
    files = [*package.rglob("*.py"), *package.rglob("*.json")]
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

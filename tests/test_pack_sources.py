"""scripts/pack_sources.py ships the torch-free part of mnetcalc to the live calculator page: no
module that imports torch, fvcore or numpy, and enough for the page's command lines to run with
torch unimportable."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import pack_sources  # noqa: E402


def test_the_bundle_leaves_the_torch_side_out_and_runs_the_calculator(tmp_path):
    out = tmp_path / "mnetcalc.zip"
    names = pack_sources.pack(out, ROOT / "mnetcalc")
    assert "mnetcalc/model.py" not in names and "mnetcalc/counting.py" not in names
    assert {"mnetcalc/cli/__init__.py", "mnetcalc/networks/registry.py"} <= set(names)
    for name in names:
        assert not pack_sources.top_level_imports((ROOT / name).read_text()) & {"torch", "numpy"}
    with zipfile.ZipFile(out) as archive:
        archive.extractall(tmp_path / "site")
    probe = (
        "import sys; sys.modules['torch'] = sys.modules['numpy'] = None; "
        "from mnetcalc.cli import main; "
        "codes = [main(a.split()) for a in ('table --network googlenet', 'layer', 'sweep')]; "
        "sys.exit(max(codes))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path / "site",
        env={"PYTHONPATH": str(tmp_path / "site")},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr

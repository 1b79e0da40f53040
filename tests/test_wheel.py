"""The package describes itself and installs without extras (issue 27): the wheel builds, installs
into a fresh virtual environment with no other package, and there ``mnetcalc table``,
``mnetcalc list`` and ``mnetcalc choose --mult-adds-m 300`` run without ever trying to import
torch (a meta path finder records any attempt); the version follows mnetcalc.__version__ and
CHANGELOG.md names it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import mnetcalc

ROOT = Path(__file__).resolve().parents[1]

#: Installed in the fresh environment as sitecustomize.py: any import of torch (or numpy, fvcore)
#: is written to the file named by $MNETCALC_IMPORT_LOG and fails.
BLOCKER = """
import os, sys

class Blocker:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("torch", "numpy", "fvcore"):
            with open(os.environ["MNETCALC_IMPORT_LOG"], "a") as log:
                log.write(name + "\\n")
            raise ModuleNotFoundError(f"blocked: {name}", name=name)
        return None

sys.meta_path.insert(0, Blocker())
"""


def test_pyproject_describes_today_s_package():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert "version" in project["dynamic"]
    for words in ("MobileNet v1, V2, V3", "latency model", "checkpoints"):
        assert words in project["description"]
    assert project["dependencies"] == []
    assert {"torch", "book"} <= set(project["optional-dependencies"])
    changelog = (ROOT / "CHANGELOG.md").read_text()
    assert f"## {mnetcalc.__version__}" in changelog


def test_the_wheel_installs_and_runs_without_extras_and_never_imports_torch(tmp_path):
    # Built from a copy of what the wheel needs, so that the build's egg-info stays out of the
    # checkout, and run without this checkout on PYTHONPATH.
    source = tmp_path / "source"
    shutil.copytree(
        ROOT / "mnetcalc", source / "mnetcalc", ignore=shutil.ignore_patterns("__pycache__")
    )
    for name in ("pyproject.toml", "README.md", "CHANGELOG.md"):
        shutil.copy(ROOT / name, source / name)
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    dist = tmp_path / "dist"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "-q",
            "-w",
            str(dist),
            str(source),
        ],
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=clean,
    )
    wheels = list(dist.glob("mnetcalc-*.whl"))
    assert len(wheels) == 1 and mnetcalc.__version__ in wheels[0].name
    venv = tmp_path / "venv"
    subprocess.run(
        [sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True, env=clean
    )
    python = venv / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheels[0])],
        check=True,
        capture_output=True,
        text=True,
    )
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    (Path(site) / "sitecustomize.py").write_text(BLOCKER)
    log = tmp_path / "imports.log"
    env = {"PATH": str(venv / "bin"), "MNETCALC_IMPORT_LOG": str(log), "HOME": str(tmp_path)}
    for args in (["table"], ["list"], ["choose", "--mult-adds-m", "300"], ["--version"]):
        done = subprocess.run(
            [str(venv / "bin" / "mnetcalc"), *args],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
        )
        assert done.returncode == 0, (args, done.stderr)
        assert done.stdout.strip()
    assert not log.exists(), log.read_text()
    # the installed package is the wheel's, not this checkout
    where = subprocess.run(
        [str(python), "-c", "import mnetcalc; print(mnetcalc.__file__, mnetcalc.__version__)"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=True,
    ).stdout
    assert str(venv) in where and mnetcalc.__version__ in where
    # and the calibration file the latency model ships came with it
    shipped = subprocess.run(
        [str(python), "-c", "import mnetcalc; print(mnetcalc.shipped_calibration().thread_counts)"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert shipped.returncode == 0, shipped.stderr

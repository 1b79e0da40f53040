"""The rule of tests/conftest.py: with MNETCALC_REQUIRE_ALL=1 (make test) a skip fails the run."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

MISSING = "import_me_and_fail_i12"  # a package that is not installed anywhere

SKIPPING_TEST = f"""
import pytest
def test_fine(): pass
def test_needs_a_package(): pytest.importorskip("{MISSING}")
"""
SKIPPING_MODULE = f"""
import pytest
pytest.importorskip("{MISSING}")
def test_never_runs(): pass
"""


def run_pytest(folder: Path, require_all: bool) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key != "MNETCALC_REQUIRE_ALL"}
    if require_all:
        env["MNETCALC_REQUIRE_ALL"] = "1"
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(folder)]
    return subprocess.run(command, capture_output=True, text=True, env=env, cwd=folder, timeout=120)


@pytest.fixture
def suite(tmp_path):
    def write(**modules):
        shutil.copy(Path(__file__).with_name("conftest.py"), tmp_path / "conftest.py")
        for name, text in modules.items():
            (tmp_path / f"{name}.py").write_text(text)
        return tmp_path

    return write


@pytest.mark.parametrize("modules", [{"test_a": SKIPPING_TEST}, {"test_b": SKIPPING_MODULE}])
def test_a_skip_passes_normally_and_fails_under_require_all(suite, modules):
    folder = suite(**modules)
    normal = run_pytest(folder, require_all=False).returncode
    assert normal in (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED)
    strict = run_pytest(folder, require_all=True)
    assert strict.returncode == pytest.ExitCode.TESTS_FAILED, strict.stdout
    expected = f"MNETCALC_REQUIRE_ALL=1 allows no skip: Skipped: could not import '{MISSING}'"
    assert expected in strict.stdout


def test_a_skipped_module_does_not_stop_the_other_tests(suite):
    folder = suite(test_a=SKIPPING_TEST, test_b=SKIPPING_MODULE)
    strict = run_pytest(folder, require_all=True)
    assert strict.returncode == pytest.ExitCode.TESTS_FAILED
    assert "1 failed, 1 passed" in strict.stdout and "FAILED test_b.py" in strict.stdout

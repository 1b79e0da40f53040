"""Shared test fixtures, and the rule that makes a skip a failure where nothing may be missing.

``make test`` installs everything, then runs pytest with ``MNETCALC_REQUIRE_ALL=1``: there, a test
or a whole module that skips (``pytest.importorskip`` of a package that did not import, a missing
site or browser) is reported as a failure, so that a broken installation cannot pass as "all green
but skipped". Without the variable a skip stays a skip (e.g. the calculator's tests on a machine
without torch).
"""

import os

import pytest

REQUIRE_ALL = "MNETCALC_REQUIRE_ALL"


def skips_are_failures() -> bool:
    return os.environ.get(REQUIRE_ALL) == "1"


def not_allowed(report) -> str:
    reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
    return f"skipped, but {REQUIRE_ALL}=1 allows no skip: {reason}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.skipped and not hasattr(report, "wasxfail") and skips_are_failures():
        report.outcome = "failed"
        report.longrepr = not_allowed(report)


#: Modules skipped whole at collection (a module-level ``pytest.importorskip``): (module, reason).
SKIPPED_MODULES: list[tuple[str, str]] = []


def pytest_collectreport(report):
    # Recorded rather than turned into a collection error, which would stop the whole run: the other
    # tests still run, and the session fails at the end.
    if report.skipped and skips_are_failures():
        SKIPPED_MODULES.append((report.nodeid, not_allowed(report)))


def pytest_sessionfinish(session, exitstatus):
    passing = (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED)
    if SKIPPED_MODULES and session.exitstatus in passing:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter):
    if SKIPPED_MODULES:
        terminalreporter.section(f"modules skipped under {REQUIRE_ALL}=1", red=True)
        for module, reason in SKIPPED_MODULES:
            terminalreporter.line(f"FAILED {module}: {reason}", red=True)


@pytest.fixture(scope="module")
def one_torch_thread():
    """Run a module's torch work on one thread: the answers are the same, and on a busy 2-core
    machine two OpenMP threads that wait for each other at every layer make the suite several times
    slower.
    (Opt in with ``pytestmark = pytest.mark.usefixtures("one_torch_thread")``.)"""
    torch = pytest.importorskip("torch")
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)

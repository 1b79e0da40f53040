"""Shared test fixtures, and the rule that makes a skip a failure where nothing may be missing.

``make test`` installs everything, then runs pytest with ``MNETCALC_REQUIRE_ALL=1``: there, a test
or a whole module that skips (``pytest.importorskip`` of a package that did not import, a missing
site or browser) is reported as a failure, so that a broken installation cannot pass as "all green
but skipped". Without the variable a skip stays a skip (e.g. the calculator's tests on a machine
without torch).
"""

import functools
import http.server
import os
import threading
from pathlib import Path

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


@pytest.fixture(autouse=True)
def no_calibration_of_the_caller(monkeypatch):
    """Every test sees the calibration lookup of a clean shell: no ``$MNETCALC_CALIBRATION`` of the
    caller's and no ``./mnetcalc-calibration.json`` a ``calibrate`` left in the folder the tests
    run from (``shipped`` is what the lookup finds without either), and the machine's own CPU
    (no ``$MNETCALC_CPU_MODEL``). Tests of the lookup itself set them again."""
    monkeypatch.setenv("MNETCALC_CALIBRATION", "shipped")
    monkeypatch.delenv("MNETCALC_CPU_MODEL", raising=False)


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


# -- the built site, served on 127.0.0.1, and one browser for every site test module


@pytest.fixture(scope="session")
def site() -> Path:
    from site_support import SITE, missing  # the site tests' own module (needs yaml): on demand

    if not (SITE / "index.html").is_file():
        missing(f"no built book at {SITE} (run `make book`)")
    return SITE


@pytest.fixture(scope="session")
def server(site):
    """A static file server for the site on 127.0.0.1, on a free port."""
    from site_support import LOCAL_HOST, QuietHandler

    handler = functools.partial(QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer((LOCAL_HOST, 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://{LOCAL_HOST}:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser_context():
    from site_support import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS, missing

    if not CHROMIUM.exists():
        missing(f"{CHROMIUM} not found (Debian package chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.set_default_timeout(TIMEOUT_MS)
        yield context
        context.close()
        browser.close()

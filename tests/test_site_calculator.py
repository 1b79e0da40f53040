"""Browser test of the live calculator page (book/calculator.md) of the built book.

The page runs this checkout's mnetcalc in Pyodide. For command lines given by ``?cmd=`` and typed
into its forms, what the page shows must equal, character for character, what ``mnetcalc`` prints
in a terminal of 80 columns (run here as a subprocess); the totals the network form shows must be
the library's; no request may leave 127.0.0.1; and pages without the calculator must not fetch
anything of Pyodide. The server and browser fixtures are conftest.py's.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from site_support import is_external

import mnetcalc
import mnetcalc.browser
import mnetcalc.latency_model

pytestmark = pytest.mark.site

ROOT = Path(__file__).resolve().parents[1]
PAGE = "book/calculator.html"
CALCULATOR = "#mnetcalc-calculator"
OUTPUT = f"{CALCULATOR} .calc-output"
DEFAULT_COMMAND = "table --alpha 0.25 --res 128"
#: What only the calculator page may fetch.
PYODIDE_PATHS = ("/_static/pyodide/", "/_static/calculator/", "/_static/calculator.js")


def terminal(line: str, cpu: str | None = None) -> tuple[int, str]:
    """Exit status and what ``mnetcalc LINE`` prints (stdout, then stderr) under COLUMNS=80
    (``cpu``: as on a machine with that CPU, ``$MNETCALC_CPU_MODEL``)."""
    env = {**os.environ, "COLUMNS": "80", "PYTHONPATH": str(ROOT)}
    if cpu is not None:
        env["MNETCALC_CPU_MODEL"] = cpu
    done = subprocess.run(
        [sys.executable, "-m", "mnetcalc", *shlex.split(line)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=False,
    )
    return done.returncode, done.stdout + done.stderr


@dataclass
class Opened:
    page: object
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def runs(self) -> int:
        return int(self.page.get_attribute(CALCULATOR, "data-runs") or 0)

    def wait_for_run(self, after: int) -> None:
        """Wait until the calculator has run more than ``after`` commands (or failed to start)."""
        self.page.wait_for_function(
            "([selector, after]) => { const root = document.querySelector(selector);"
            " return root.dataset.error || Number(root.dataset.runs || 0) > after; }",
            arg=[CALCULATOR, after],
        )
        error = self.page.get_attribute(CALCULATOR, "data-error")
        assert not error, f"the calculator did not start: {error}"

    def shown(self) -> tuple[int, str]:
        status = int(self.page.get_attribute(OUTPUT, "data-status"))
        return status, self.page.text_content(OUTPUT)


def opened(context, url: str, wait_for_calculator: bool = True) -> Opened:
    """A new tab on ``url``, recording every request it makes and refusing external ones."""
    page = context.new_page()
    seen = Opened(page)

    def route(route):
        seen.requests.append(route.request.url)
        route.abort() if is_external(route.request.url) else route.continue_()

    page.route("**/*", route)
    page.on("pageerror", lambda error: seen.errors.append(str(error)))
    page.goto(url, wait_until="load")
    if wait_for_calculator:
        seen.wait_for_run(0)
    return seen


@pytest.fixture
def open_page(server, browser_context):
    """open_page(path) -> Opened: a fresh tab on ``path`` (closed after the test)."""
    tabs: list[Opened] = []

    def load(path: str, wait_for_calculator: bool = True) -> Opened:
        tabs.append(opened(browser_context, f"{server}/{path}", wait_for_calculator))
        return tabs[-1]

    yield load
    for seen in tabs:
        seen.page.close()


@pytest.fixture(scope="module")
def calculator(server, browser_context):
    """One calculator tab shared by the tests that type into it (Python starts once)."""
    seen = opened(browser_context, f"{server}/{PAGE}")
    yield seen
    seen.page.close()


def type_command(seen: Opened, line: str) -> None:
    """Type ``line`` into the command box, press Enter, wait for its output."""
    runs = seen.runs()
    box = seen.page.locator(f"{CALCULATOR} .calc-command input[name=cmd]")
    box.fill(line)
    box.press("Enter")
    seen.wait_for_run(runs)


COMMANDS = [
    "table --alpha 0.5 --res 160",
    "table --alpha 0.75 --res 192 --variant shallow --format markdown",
    "table --network googlenet --format json",
    "table --classes 10 --format csv",
    "layer --dk 3 --m 512 --n 512 --df 14 --alpha 0.75 --rho 0.714",
    "sweep --alpha 1,0.5 --res 224,160",
    "table --alpha -1",  # bad input: the CLI's one-line error, status 2
    "sweep --res 224,abc",
]


@pytest.mark.parametrize("line", COMMANDS)
def test_cmd_in_the_url_shows_what_the_terminal_prints(open_page, line):
    seen = open_page(f"{PAGE}?cmd={quote(line)}")
    assert seen.shown() == terminal(line)
    assert not seen.errors, seen.errors


def test_without_cmd_the_default_table_is_shown(open_page):
    seen = open_page(PAGE)
    status, text = seen.shown()
    assert (status, text) == terminal(DEFAULT_COMMAND)
    assert text.startswith("MobileNet v1 (separable), alpha 0.25, resolution 128")
    query = parse_qs(urlsplit(seen.page.url).query)
    assert query == {"cmd": [DEFAULT_COMMAND]}


@pytest.mark.parametrize(
    "line",
    [
        "sweep --alpha 0.75 --res 192 --format csv",
        "mnetcalc table --network alexnet --classes '100'",  # a leading `mnetcalc`, shell quoting
        "layer --dk 5 --m 32 --n 64 --df 56 --format json",
        "table --res 0",
        "table --alpha 1 --bogus",  # argparse's own error
    ],
)
def test_typed_command_shows_what_the_terminal_prints(calculator, line):
    seen = calculator
    type_command(seen, line)
    assert seen.shown() == terminal(line.removeprefix("mnetcalc "))
    # The URL now carries the command, so the result can be linked.
    assert parse_qs(urlsplit(seen.page.url).query) == {"cmd": [line]}


def test_argparse_choice_error_differs_only_in_quoting(calculator):
    """argparse words "invalid choice" by the Python version: the page runs Python 3.14, which
    lists the choices unquoted; Python 3.11 quotes them. Everything else is the same line."""
    line = "table --format yaml"
    type_command(calculator, line)
    status, text = calculator.shown()
    expected_status, expected = terminal(line)
    assert status == expected_status == 2
    assert text.count("\n") == 1 and text.startswith("mnetcalc: error: argument --format: invalid")
    assert text.replace("'", "") == expected.replace("'", "")


def form_command(seen: Opened) -> str:
    return seen.page.input_value(f"{CALCULATOR} .calc-command input[name=cmd]")


@pytest.mark.parametrize(
    "fields, expected",
    [
        ({"alpha": "0.5", "res": "160"}, mnetcalc.mobilenet_v1_cost(0.5, resolution=160)),
        (
            {"variant": "standard", "alpha": "0.75", "res": "96", "classes": "10"},
            mnetcalc.mobilenet_v1_cost(0.75, resolution=96, num_classes=10, variant="standard"),
        ),
        ({"network": "alexnet"}, mnetcalc.alexnet_cost()),
        ({"network": "vgg16", "res": "160"}, mnetcalc.vgg16_cost(160)),
        (
            {"network": "mobilenet_v3", "variant": "small", "alpha": "0.75"},
            mnetcalc.network_cost("mobilenet_v3", alpha=0.75, variant="small"),
        ),
    ],
    ids=["alpha-res", "standard", "alexnet", "vgg16", "v3-small"],
)
def test_network_form_shows_the_librarys_totals(calculator, fields, expected):
    seen = calculator
    type_command(seen, DEFAULT_COMMAND)  # the form follows the result: back to its defaults
    form = f"{CALCULATOR} .calc-network"
    for name, value in fields.items():
        runs = seen.runs()
        element = seen.page.locator(f"{form} [name={name}]")
        if name in ("network", "variant"):
            element.select_option(value)
        else:
            element.fill(value)
            element.dispatch_event("change")
        seen.wait_for_run(runs)
    totals = seen.page.locator(f"{CALCULATOR} .calc-totals")
    assert int(totals.get_attribute("data-mult-adds")) == expected.mult_adds
    assert int(totals.get_attribute("data-params")) == expected.params
    # One bar per layer, and the table is the one the terminal prints for the form's command.
    assert seen.page.locator(f"{CALCULATOR} .calc-chart rect").count() == len(expected.layers)
    assert seen.shown() == terminal(form_command(seen))


def fill_field(seen: Opened, selector: str, value: str) -> None:
    """Type ``value`` into a form's field, as a change, and wait for the command it runs."""
    runs = seen.runs()
    seen.page.locator(selector).fill(value)
    seen.page.locator(selector).dispatch_event("change")
    seen.wait_for_run(runs)


def test_layer_form_shows_table_3(calculator):
    seen = calculator
    fill_field(seen, f"{CALCULATOR} .calc-layer [name=m]", "256")
    line = form_command(seen)
    assert line == "layer --dk 3 --m 256 --n 512 --df 14 --alpha 0.75 --rho 0.714"
    assert seen.shown() == terminal(line)


def test_no_script_errors(calculator):
    assert not calculator.errors, calculator.errors


def test_no_request_leaves_the_machine(open_page):
    seen = open_page(f"{PAGE}?cmd={quote('table --network squeezenet')}")
    external = sorted({url for url in seen.requests if is_external(url)})
    assert not external, "the calculator requests external URLs:\n" + "\n".join(external)
    fetched = {urlsplit(url).path.rsplit("/", 1)[-1] for url in seen.requests}
    assert {"pyodide.asm.wasm", "python_stdlib.zip", "mnetcalc.zip"} <= fetched


@pytest.mark.parametrize("path", ["book/intro.html", "book/multipliers.html"])
def test_pages_without_the_calculator_load_nothing_of_pyodide(open_page, path):
    seen = open_page(path, wait_for_calculator=False)
    seen.page.wait_for_load_state("networkidle")
    loaded = [url for url in seen.requests if any(p in urlsplit(url).path for p in PYODIDE_PATHS)]
    assert not loaded, f"{path} loads calculator files: {loaded}"
    assert seen.requests, "the browser recorded no request at all"


# -- choose, table --latency and the reader's calibration ----------------------------------------

#: The CPU of the shipped calibration: the page runs on another "machine" (wasm32), so the header
#: of a latency output says there that the calibration was made on another CPU, naming the
#: browser's; the terminal run as that CPU (``$MNETCALC_CPU_MODEL``) prints the same.
SHIPPED_CPU = mnetcalc.latency_model.shipped_calibration().machine["cpu"]
CHOOSE_FORM = f"{CALCULATOR} .calc-choose"
CALIBRATION_FORM = f"{CALCULATOR} .calc-calibration"


def page_cpu(text: str) -> str | None:
    """The CPU the page's Python reports, as a latency header names it (None: no such header)."""
    import re

    found = re.search(r"not on this machine's (.+?): the predictions", " ".join(text.split()))
    return found.group(1) if found else None


@pytest.mark.parametrize(
    "line",
    [
        "choose --latency-ms 3",
        "choose --size-mb 8 --family v2 --format markdown",
        "choose --latency-ms 2 --quantized --format csv",
        "table --alpha 0.5 --res 160 --latency shipped",
        "choose --latency-ms 0.01",  # nothing fits: one line naming the nearest miss, status 2
    ],
)
def test_choose_and_latency_show_what_the_terminal_prints(calculator, line):
    type_command(calculator, line)
    status, text = calculator.shown()
    expected_status, expected = terminal(line, page_cpu(text))
    assert status == expected_status and text == expected
    if status == 2:  # an error is one line, alone: no word of the foreign CPU
        assert text.count("\n") == 1 and "note" not in text
    if status == 0 and line.startswith("choose") and "csv" not in line:  # says which calibration
        assert "shipped" in text


def test_choose_form_writes_the_command(calculator):
    seen = calculator
    runs = seen.runs()
    seen.page.locator(f"{CHOOSE_FORM} [name=family]").select_option("v2")
    seen.wait_for_run(runs)
    # a budget that some V2 checkpoint fits with any plausible calibration's margin
    fill_field(seen, f"{CHOOSE_FORM} [name=latency]", "20")
    line = form_command(seen)
    assert line == "choose --latency-ms 20 --family v2"
    status, text = seen.shown()
    assert status == 0 and text == terminal(line, page_cpu(text))[1]
    assert "mobilenet_v1" not in text


def made_up_calibration(cpu: str) -> str:
    """The shipped calibration with every time per unit doubled and another CPU's name."""
    import json

    data = mnetcalc.latency_model.shipped_calibration().to_dict()
    data["machine"] = {**data["machine"], "cpu": cpu}
    for model in data["models"].values():
        model["coefficients"] = {
            kind: {feature: 2 * value for feature, value in fitted.items()}
            for kind, fitted in model["coefficients"].items()
        }
    return json.dumps(data)


def paste_calibration(seen: Opened, text: str) -> None:
    runs = seen.runs()
    seen.page.locator(f"{CALIBRATION_FORM} textarea[name=text]").fill(text)
    seen.page.locator(f"{CALIBRATION_FORM} button[type=submit]").click()
    seen.wait_for_run(runs)


def test_a_pasted_calibration_is_used(calculator, tmp_path):
    seen = calculator
    text = made_up_calibration("Reader CPU 42")
    paste_calibration(seen, text)
    try:
        line = form_command(seen)
        page_path = mnetcalc.browser.CALIBRATION_FILE
        assert line.startswith("choose ") and line.endswith(f"--calibration {page_path}")
        assert "Reader CPU 42" in seen.page.text_content(
            f"{CALIBRATION_FORM} .calc-calibration-status"
        )
        local = tmp_path / "cal.json"
        local.write_text(text)
        shown_status, shown = seen.shown()
        cpu = page_cpu(shown)
        status, expected = terminal(line.replace(page_path, str(local)), cpu)
        assert shown_status == status == 0
        # the same ranking and header (the header names the file's path, which wraps its line
        # differently here and there), saying on stdout that the file comes from another CPU
        said = " ".join(shown.split())
        assert said == " ".join(expected.replace(str(local), page_path).split())
        assert f"made on Reader CPU 42, not on this machine's {cpu}" in said
    finally:
        runs = seen.runs()
        seen.page.locator(f"{CALIBRATION_FORM} button[name=shipped]").click()
        seen.wait_for_run(runs)
    assert "--calibration" not in form_command(seen)


@pytest.mark.parametrize(
    "text",
    [
        "{",
        '{"schema": 99}',
        made_up_calibration(SHIPPED_CPU).replace('"fixed_us": ', '"fixed_us": NaN, "was": ', 1),
    ],
    ids=["corrupt", "other-schema", "NaN"],
)
def test_a_bad_pasted_calibration_shows_the_one_line_error(calculator, tmp_path, text):
    seen = calculator
    paste_calibration(seen, text)
    status, shown = seen.shown()
    local = tmp_path / "bad.json"
    local.write_text(text)
    assert (status, shown) == terminal(f"choose --latency-ms 5 --calibration {local}")
    assert status == 2 and shown.count("\n") == 1 and "calibration" in shown
    assert "--calibration" not in form_command(seen)

"""How fast is the live calculator page (book/calculator.md)? Issue 11: first table <= 3 s,
each recomputation <= 100 ms.

Serves the built site (_build/html) on 127.0.0.1 and opens the calculator page in headless
Chromium (Debian's /usr/bin/chromium through Playwright, with tests/test_site.py's settings):

* **first table**: from navigation to the first table shown (the page records
  ``performance.now()``, which counts from navigation start, at each stage of its start-up:
  pyodide.mjs loaded, Python started, mnetcalc unpacked, first table shown), cold (each load in a
  fresh browser context, empty cache) and warm (loaded again in the same context);
* **recomputation**: on one loaded page, the width field is changed and a change event sent; the
  time from the event to the new table in the page (the page runs the command as text and as JSON
  and redraws the chart), and to the next frame painted.

References from the same run: the same command lines run by CPython in this process through
``mnetcalc.browser.run`` (the recomputation's work without WebAssembly), and ``python -m mnetcalc
table`` as a fresh process (a terminal user's first table). Medians over the repetitions; nothing
is asserted. As the machine may be shared, each load also reports the CPU time that Chromium's
processes (and the Playwright driver) spent until the first table: steadier than wall time.

    .venv/bin/python benchmarks/calculator_page.py [--loads 5] [--changes 20]
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
from site_support import CHROMIUM, CHROMIUM_ARGS, LOCAL_HOST, SITE, QuietHandler  # noqa: E402

from mnetcalc import browser  # noqa: E402
from mnetcalc.latency_model.machine import MachineInfo  # noqa: E402

PAGE = "book/calculator.html"
#: The standard library as the npm package ships it (sources only), for the comparison.
SOURCE_STDLIB = ROOT / "node_modules" / "pyodide" / "python_stdlib.zip"
FIRST_COMMAND = "table --alpha 0.25 --res 128"
#: The width values the recomputation cycles through (resolution 128, as the page starts).
ALPHAS = ("0.5", "0.75", "1", "0.25")
#: The stages static/calculator.js records (data-stages: "step:ms ..."), by step number.
STAGE_NAMES = {
    "1": "page script running",
    "2": "pyodide.mjs loaded",
    "3": "Python started",
    "4": "mnetcalc unpacked",
    "5": "first table shown",
}
#: The CPU time Chromium (all its processes) and the driver spent until the first table.
CPU = "CPU time, all processes"
SIMD_FLAGS = ("sse4_2", "avx", "avx2", "avx512f")

CHANGE_ALPHA = """async ([value]) => {
  const root = document.getElementById("mnetcalc-calculator");
  const field = root.querySelector(".calc-network [name=alpha]");
  const runs = Number(root.dataset.runs);
  field.value = value;
  const start = performance.now();
  field.dispatchEvent(new Event("change", { bubbles: true }));
  const shown = performance.now();
  if (Number(root.dataset.runs) !== runs + 1) throw new Error("the change ran no command");
  await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
  return [shown - start, performance.now() - start];
}"""


def cpu_flags() -> str:
    """The SIMD extensions the CPU reports (WebAssembly SIMD maps onto them), from /proc/cpuinfo."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            flags = next(line for line in info if line.startswith("flags")).split(":", 1)[1].split()
    except (OSError, StopIteration):
        return "unknown"
    return " ".join(flag for flag in SIMD_FLAGS if flag in flags) or "none of " + ", ".join(
        SIMD_FLAGS
    )


def descendants_cpu_seconds() -> float:
    """CPU time (user + system) used so far by the live processes descended from this one (the
    Playwright driver and Chromium's processes), from /proc: on a shared machine the CPU a page
    load costs is steadier than its wall time."""
    parent, cpu = {}, {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2 :].split()
        pid = int(stat.parent.name)
        parent[pid] = int(fields[1])
        cpu[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    me, total = os.getpid(), 0.0
    for pid, seconds in cpu.items():
        ancestor = parent.get(pid)
        while ancestor and ancestor != me:
            ancestor = parent.get(ancestor)
        if ancestor == me:
            total += seconds
    return total


def serve(site: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer((LOCAL_HOST, 0), handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://{LOCAL_HOST}:{httpd.server_address[1]}"


def first_table(context, url: str) -> dict[str, float]:
    """One load in ``context``: ms from navigation start to each stage the page records."""
    page = context.new_page()
    try:
        cpu_before = descendants_cpu_seconds()
        page.goto(url)
        page.wait_for_function(
            "() => { const r = document.getElementById('mnetcalc-calculator').dataset;"
            " return r.error || (r.stages || '').includes(' 5:'); }",
            timeout=120_000,
        )
        cpu = 1000 * (descendants_cpu_seconds() - cpu_before)
        data = page.evaluate("() => ({...document.getElementById('mnetcalc-calculator').dataset})")
        if data.get("error"):
            raise RuntimeError(f"the calculator did not start: {data['error']}")
        stages = dict(item.split(":") for item in data["stages"].split())
        return {STAGE_NAMES[step]: float(ms) for step, ms in stages.items()} | {CPU: cpu}
    finally:
        page.close()


def loads(chromium, url: str, count: int) -> dict[str, list[dict]]:
    """``count`` cold loads (each in a fresh context: empty cache), alternating with ``count``
    cold loads served Pyodide's own standard library (.py only, as npm ships it) instead of the
    site's compiled one; then ``count`` warm loads (again in the last context: files from the
    browser's cache, compiled WebAssembly possibly too)."""
    runs: dict[str, list[dict]] = {"cold": [], "cold, stdlib as .py only": [], "warm": []}
    for _ in range(count):
        context = chromium.new_context()
        context.route("**/python_stdlib.zip", lambda route: route.fulfill(path=SOURCE_STDLIB))
        runs["cold, stdlib as .py only"].append(first_table(context, url))
        context.close()
        context = chromium.new_context()
        runs["cold"].append(first_table(context, url))
        if len(runs["cold"]) < count:
            context.close()
    runs["warm"] = [first_table(context, url) for _ in range(count)]
    context.close()
    return runs


def recomputations(chromium, url: str, changes: int) -> tuple[list[float], list[float]]:
    """ms from a changed width to the new table in the page, and to the next frame, ``changes``
    times."""
    context = chromium.new_context()
    try:
        page = context.new_page()
        page.goto(url)
        page.wait_for_function("() => document.getElementById('mnetcalc-calculator').dataset.runs")
        shown, painted = [], []
        for index in range(changes):
            a, b = page.evaluate(CHANGE_ALPHA, [ALPHAS[index % len(ALPHAS)]])
            shown.append(a)
            painted.append(b)
        return shown, painted
    finally:
        context.close()


def cpython_recomputation(changes: int) -> list[float]:
    """ms for the page's work per change (the command as text, then as JSON) in CPython."""
    times = []
    for index in range(changes):
        line = f"table --alpha {ALPHAS[index % len(ALPHAS)]} --res 128"
        start = time.perf_counter()
        browser.run(line)
        browser.run(line + " --format json")
        times.append(1000 * (time.perf_counter() - start))
    return times


def terminal_first_table(runs: int) -> list[float]:
    """ms for ``python -m mnetcalc table ...`` as a fresh process."""
    env = {**os.environ, "COLUMNS": "80", "PYTHONPATH": str(ROOT)}
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "mnetcalc", *FIRST_COMMAND.split()],
            check=True,
            stdout=subprocess.DEVNULL,
            env=env,
        )
        times.append(1000 * (time.perf_counter() - start))
    return times


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=5, help="cold page loads (default 5)")
    parser.add_argument("--changes", type=int, default=20, help="recomputations (default 20)")
    args = parser.parse_args(argv)
    if not (SITE / PAGE).is_file():
        parser.error(f"no {SITE / PAGE}: build the book first")
    from playwright.sync_api import sync_playwright

    load_before = os.getloadavg()[0]
    httpd, base = serve(SITE)
    url = f"{base}/{PAGE}"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
            )
            version = chromium.version
            runs = loads(chromium, url, args.loads)
            shown, painted = recomputations(chromium, url, args.changes)
            chromium.close()
    finally:
        httpd.shutdown()
        httpd.server_close()
    cpython = cpython_recomputation(args.changes)
    terminal = terminal_first_table(args.loads)

    machine = MachineInfo.current(threads=os.cpu_count() or 1)
    print(f"machine: {machine.describe()}; CPU flags: {cpu_flags()}")
    print(f"browser: Chromium {version} (headless); load average before the run {load_before:.2f}")
    for kind, measured in runs.items():
        print(
            f"\nfirst table, {args.loads} {kind} loads of {PAGE} (ms from navigation start,"
            " median [min-max]):"
        )
        for stage in (*STAGE_NAMES.values(), CPU):
            values = [load[stage] for load in measured]
            print(
                f"  {stage:23} {statistics.median(values):7.0f}"
                f"  [{min(values):.0f}-{max(values):.0f}]"
            )
    first = statistics.median(load["first table shown"] for load in runs["cold"])
    source = statistics.median(
        load["first table shown"] for load in runs["cold, stdlib as .py only"]
    )
    print(f"\ncold first table, compiled stdlib / .py-only stdlib: {first / source:.2f}")
    term = statistics.median(terminal)
    print(
        f"  reference: `python -m mnetcalc {FIRST_COMMAND}` as a fresh process: {term:.0f} ms;"
        f" cold page / terminal = {first / term:.1f}"
    )
    print(f"\nrecomputation, {args.changes} changes of the width field (ms, median [min-max]):")
    for name, values in (("new table in the page", shown), ("next frame painted", painted)):
        print(
            f"  {name:23} {statistics.median(values):7.1f}  [{min(values):.1f}-{max(values):.1f}]"
        )
    ref = statistics.median(cpython)
    print(
        f"  reference: the same work in CPython (mnetcalc.browser.run, text + JSON): {ref:.1f} ms;"
        f" Pyodide / CPython = {statistics.median(shown) / ref:.1f}"
    )
    print(f"\nload average after the run {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

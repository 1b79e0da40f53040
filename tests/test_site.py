"""Browser test of the built book (`make book` -> _build/html).

Serves _build/html from 127.0.0.1 and opens every page of _toc.yml in headless Chromium (Debian's
/usr/bin/chromium, driven by Playwright), then checks what a reader would see: math typeset by
MathJax, figures loaded, widgets rendered by the site's own widget manager, the static fallback
of the multipliers chapter visible, no script errors, no broken local links to assets, and no
request to any host but 127.0.0.1. A full-page screenshot of each chapter goes to
_build/screenshots/<chapter>.png for a person to look at.

Without a built site these tests skip, unless MNETCALC_REQUIRE_SITE=1 (set by `make test`),
which turns a missing site or browser into a failure.
"""

from __future__ import annotations

import functools
import http.server
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

pytestmark = pytest.mark.site

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "_build" / "html"
SCREENSHOTS = ROOT / "_build" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOCAL_HOST = "127.0.0.1"
# The multipliers chapter shows this element on the static site in place of its live widget.
WIDGET_FALLBACK = ".widget-fallback"
FALLBACK_PAGE = "book/multipliers"
STUB_TEXT = "This chapter is being written."
TIMEOUT_MS = 60_000


def toc_pages(toc: Path = ROOT / "_toc.yml") -> list[str]:
    """Every document of the table of contents, root first, as docnames ("book/intro")."""
    data = yaml.safe_load(toc.read_text())
    pages = [data["root"]]

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                pages.append(node["file"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk({key: value for key, value in data.items() if key != "root"})
    return [str(Path(page).with_suffix("")) for page in pages]


PAGES = toc_pages()


def missing(reason: str):
    """Fail when the site is required (make test), skip otherwise."""
    if os.environ.get("MNETCALC_REQUIRE_SITE") == "1":
        pytest.fail(reason + " (MNETCALC_REQUIRE_SITE=1)")
    pytest.skip(reason)


def is_external(url: str) -> bool:
    """True for any URL that would leave this machine."""
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about"):
        return False
    return parts.hostname != LOCAL_HOST


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass


@pytest.fixture(scope="session")
def site() -> Path:
    if not (SITE / "index.html").is_file():
        missing(f"no built book at {SITE} (run `make book`)")
    return SITE


@pytest.fixture(scope="session")
def server(site):
    """A static file server for the site on 127.0.0.1, on a free port."""
    handler = functools.partial(QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer((LOCAL_HOST, 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://{LOCAL_HOST}:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=10)


@dataclass
class Visit:
    """One page as loaded by the browser, with everything it asked the network for."""

    page: object
    requests: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    script_errors: list[str] = field(default_factory=list)


@pytest.fixture(scope="session")
def browser_context():
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


@pytest.fixture(scope="session")
def visit(server, browser_context):
    """visit(docname) -> Visit: load a page once (cached), wait for math and widgets, screenshot."""
    visits: dict[str, Visit] = {}

    def load(docname: str) -> Visit:
        if docname in visits:
            return visits[docname]
        page = browser_context.new_page()
        seen = Visit(page)

        def route(route):
            url = route.request.url
            seen.requests.append(url)
            # Nothing may leave the machine: record the request and refuse it.
            if is_external(url):
                route.abort()
            else:
                route.continue_()

        page.route("**/*", route)
        page.on("pageerror", lambda error: seen.script_errors.append(str(error)))
        page.on(
            "response",
            lambda response: response.status >= 400
            and seen.failed.append(f"{response.status} {response.url}"),
        )
        page.on("requestfailed", lambda request: seen.failed.append(f"failed {request.url}"))
        page.goto(f"{server}/{docname}.html", wait_until="load")
        # MathJax (deferred) typesets after load; its startup promise settles when it is done.
        page.evaluate(
            "() => (window.MathJax && MathJax.startup && MathJax.startup.promise)"
            " ? MathJax.startup.promise.then(() => true) : true"
        )
        # The widget manager renders each widget view script into a .widget-subarea.
        page.wait_for_function(
            "() => document.querySelectorAll('script[type=\"application/vnd.jupyter.widget-view+json\"]')"
            ".length <= document.querySelectorAll('.widget-subarea').length"
        )
        page.wait_for_load_state("networkidle")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{Path(docname).name}.png"), full_page=True)
        visits[docname] = seen
        return seen

    yield load
    for seen in visits.values():
        seen.page.close()


@pytest.mark.parametrize("docname", PAGES)
def test_no_request_leaves_the_machine(visit, docname):
    seen = visit(docname)
    external = sorted({url for url in seen.requests if is_external(url)})
    assert not external, f"{docname} requests external URLs:\n" + "\n".join(external)
    assert seen.requests, "the browser recorded no request at all"


@pytest.mark.parametrize("docname", PAGES)
def test_every_local_resource_loads(visit, docname):
    seen = visit(docname)
    assert not seen.failed, f"{docname}: requests that failed:\n" + "\n".join(seen.failed)


@pytest.mark.parametrize("docname", PAGES)
def test_no_script_errors(visit, docname):
    seen = visit(docname)
    assert not seen.script_errors, f"{docname}: JavaScript errors:\n" + "\n".join(seen.script_errors)


@pytest.mark.parametrize("docname", PAGES)
def test_math_is_typeset(visit, docname):
    page = visit(docname).page
    # Sphinx wraps each formula in a .math element; MathJax replaces the TeX inside with mjx-container.
    formulas = page.locator("article .math").count()
    if formulas == 0:
        pytest.skip(f"{docname} has no math")
    typeset = page.locator("article .math mjx-container").count()
    assert typeset == formulas, f"{docname}: {typeset} of {formulas} formulas typeset"
    errors = page.locator("article mjx-merror").all_inner_texts()
    assert not errors, f"{docname}: TeX errors: {errors}"


@pytest.mark.parametrize("docname", PAGES)
def test_figures_are_present(visit, docname):
    page = visit(docname).page
    images = page.locator("article img")
    if images.count() == 0:
        pytest.skip(f"{docname} has no figures")
    broken = page.evaluate(
        "() => Array.from(document.querySelectorAll('article img'))"
        ".filter(img => !(img.complete && img.naturalWidth > 0)).map(img => img.src)"
    )
    assert not broken, f"{docname}: images that did not load: {broken}"


@pytest.mark.parametrize("docname", PAGES)
def test_widgets_render(visit, docname):
    page = visit(docname).page
    views = page.locator('script[type="application/vnd.jupyter.widget-view+json"]').count()
    if views == 0:
        pytest.skip(f"{docname} has no widgets")
    rendered = page.locator(".widget-subarea .jupyter-widgets").count()
    assert rendered >= views, f"{docname}: {rendered} widgets rendered for {views} views"


def test_widget_fallback_is_visible(visit):
    page = visit(FALLBACK_PAGE).page
    if STUB_TEXT in page.inner_text("article"):
        pytest.skip(f"{FALLBACK_PAGE} is still a stub")
    fallback = page.locator(WIDGET_FALLBACK)
    assert fallback.count() >= 1, f"{FALLBACK_PAGE} has no {WIDGET_FALLBACK} element"
    assert fallback.first.is_visible(), f"{WIDGET_FALLBACK} is hidden on {FALLBACK_PAGE}"
    box = fallback.first.bounding_box()
    assert box and box["height"] > 20, f"{WIDGET_FALLBACK} is empty: {box}"


def test_screenshots_of_every_chapter(visit):
    for docname in PAGES:
        visit(docname)
    shots = {path.stem for path in SCREENSHOTS.glob("*.png")}
    assert {Path(docname).name for docname in PAGES} <= shots

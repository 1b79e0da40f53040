"""Browser test of the built book (`make book` -> _build/html).

Serves _build/html from 127.0.0.1 and opens every page of _toc.yml in headless Chromium (Debian's
/usr/bin/chromium, driven by Playwright), then checks what a reader would see. Every page: no
script errors, no broken local links to assets, no request to any host but 127.0.0.1, every image
and widget on it loaded (by the site's own widget manager). Every chapter of :data:`CHAPTERS` also
shows what the table says it must: at least so many figures and tables, math typeset by MathJax.
A page that is not in the table (a new one) gets the checks of every page only. A full-page
screenshot of each page goes to _build/screenshots/<page>.png for a person to look at.

Without a built site these tests skip, unless MNETCALC_REQUIRE_SITE=1 (set by `make test`),
which turns a missing site or browser into a failure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest
from site_support import (  # noqa: F401 - the benchmark and other site tests import these here
    CHROMIUM,
    CHROMIUM_ARGS,
    LOCAL_HOST,
    PAGES,
    ROOT,
    SCREENSHOTS,
    SITE,
    QuietHandler,
    is_external,
)

pytestmark = pytest.mark.site


@dataclass(frozen=True)
class Shows:
    """What a chapter's page must show (counted from its source: one figure per matplotlib figure
    the chapter draws, glued or shown, one table per table its code displays)."""

    figures: int  #: at least this many figures (images the build made, in _images/)
    tables: int  #: at least this many tables
    math: bool = True  #: formulas, every one typeset


#: Every chapter and what it must show. A chapter that loses its figures, tables or math fails; a
#: page not listed here gets only the checks of every page.
CHAPTERS = {
    "book/intro": Shows(figures=1, tables=0),  # the 16 models (plt.show, no glue)
    # fig-dsc-shapes, fig-dsc-filters, fig-dsc-reduction; the fvcore check, Table 3
    "book/depthwise_separable": Shows(figures=3, tables=2),
    # fig-dsc-rank-one, fig-dsc-blocks
    "book/separable_representation": Shows(figures=2, tables=0),
    # fig-arch-shape; Table 1
    "book/architecture": Shows(figures=1, tables=1),
    # fig-arch-per-layer, fig-arch-intensity; Table 2
    "book/architecture_cost": Shows(figures=2, tables=1),
    # fig-mult-laws, fig-mult-grid; Tables 6 and 7
    "book/multipliers": Shows(figures=2, tables=2),
    # fig-mult-accuracy; Tables 4 and 5
    "book/accuracy_vs_cost": Shows(figures=1, tables=2),
    # fig-memory-layers; the checkpoints that fit 256 KiB
    "book/memory": Shows(figures=1, tables=1),
    # fig-giants-vgg
    "book/giants": Shows(figures=1, tables=0),
    # fig-giants-lesson; Tables 8 and 9 recomputed, the claims
    "book/giants_compared": Shows(figures=1, tables=2),
    # fig-app-tradeoff; cost against accuracy, Table 10 with its recount, Table 11 and PlaNet's
    # costs, Tables 12 and 14 as printed
    "book/applications": Shows(figures=1, tables=6),
    # fig-app-detection; Table 13 as printed, SSD's parts
    "book/detection": Shows(figures=1, tables=2),
    # samples, the one-cycle schedule, curves; the stem-stride table
    "book/training": Shows(figures=3, tables=1),
    # confusion matrix, the misclassified images, depthwise filters
    "book/evaluation": Shows(figures=3, tables=0),
    # fig-abl-divergence, fig-abl-twins; every run, the four twins against the paper
    "book/ablations": Shows(figures=2, tables=2),
    # fig-lat-single
    "book/latency": Shows(figures=1, tables=0),
    # fig-lat-grid; the grid's table
    "book/mult_adds_and_time": Shows(figures=1, tables=1),
    # fig-lat-profile, fig-lat-roofline; the profile's table by layer type
    "book/roofline": Shows(figures=2, tables=1),
    # fig-lat-optimize; the preparation steps, the engines, the price of a layer
    "book/deployment": Shows(figures=1, tables=3),
    # fig-dw-levels; the precision ladder, the roofs
    "book/quantization": Shows(figures=1, tables=2),
    # fig-v2-grid, fig-v2-checkpoints; TF-slim's table
    "book/mobilenet_v2": Shows(figures=2, tables=1),
    # fig-v3-activations, fig-v3-family; Large and Small against the printed totals, the checkpoints
    "book/mobilenet_v3": Shows(figures=2, tables=2),
    # fig-v4-blocks, fig-v4-family; the UIB forms at one shape, the five networks against timm
    "book/mobilenet_v4": Shows(figures=2, tables=2),
    # the table of every symbol; the glossary shows formulas only
    "book/notation": Shows(figures=0, tables=1),
    "book/glossary": Shows(figures=0, tables=0),
    "book/conventions": Shows(figures=1, tables=1),  # fig-conv-heatmap; how much each moves
    # Tables 4-9 by convention (mult-adds, parameters)
    "book/errata": Shows(figures=0, tables=2),
    # fig-err-search; the head-size search of Tables 12 and 14, every cost cell of Tables 10-14
    # with its verdict
    "book/errata_applications": Shows(figures=1, tables=2),
    # fig-lat-coefficients; the kinds' features
    "book/latency_model": Shows(figures=1, tables=1),
    # fig-lat-residuals; the predictors, the families
    "book/latency_validation": Shows(figures=1, tables=2),
    # fig-choose-front, fig-choose-phone; the budgets, chosen and measured
    "book/choosing": Shows(figures=2, tables=1),
}


@dataclass
class Visit:
    """One page as loaded by the browser, with everything it asked the network for."""

    page: object
    requests: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    script_errors: list[str] = field(default_factory=list)


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
            lambda response: (
                response.status >= 400 and seen.failed.append(f"{response.status} {response.url}")
            ),
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
            "() => document.querySelectorAll("
            "'script[type=\"application/vnd.jupyter.widget-view+json\"]')"
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
    assert not seen.script_errors, f"{docname}: JavaScript errors:\n" + "\n".join(
        seen.script_errors
    )


def test_every_chapter_of_the_table_is_in_the_book():
    assert set(CHAPTERS) <= set(PAGES), f"not in _toc.yml: {sorted(set(CHAPTERS) - set(PAGES))}"


@pytest.mark.parametrize("docname", PAGES)
def test_every_image_loads(visit, docname):
    page = visit(docname).page
    broken = page.evaluate(
        "() => Array.from(document.querySelectorAll('article img'))"
        ".filter(img => !(img.complete && img.naturalWidth > 0)).map(img => img.src)"
    )
    assert not broken, f"{docname}: images that did not load: {broken}"


def widgets(page) -> tuple[int, int]:
    """(widget views on the page, widgets the widget manager rendered)."""
    views = page.locator('script[type="application/vnd.jupyter.widget-view+json"]').count()
    return views, page.locator(".widget-subarea .jupyter-widgets").count()


@pytest.mark.parametrize("docname", PAGES)
def test_every_widget_renders(visit, docname):
    views, rendered = widgets(visit(docname).page)
    assert rendered >= views, f"{docname}: {rendered} widgets rendered for {views} views"


@pytest.mark.parametrize("docname", PAGES)
def test_no_tex_errors(visit, docname):
    errors = visit(docname).page.locator("article mjx-merror").all_inner_texts()
    assert not errors, f"{docname}: TeX errors: {errors}"


@pytest.mark.parametrize("docname", CHAPTERS)
def test_chapter_math_is_typeset(visit, docname):
    page = visit(docname).page
    # Sphinx wraps each formula in a .math element; MathJax replaces its TeX with mjx-container.
    formulas = page.locator("article .math").count()
    typeset = page.locator("article .math mjx-container").count()
    if CHAPTERS[docname].math:
        assert formulas > 0, f"{docname} shows no math"
    assert typeset == formulas, f"{docname}: {typeset} of {formulas} formulas typeset"


@pytest.mark.parametrize("docname", CHAPTERS)
def test_chapter_shows_its_figures(visit, docname):
    # Figures drawn by the chapter's code: the build writes each image into _images/.
    images = visit(docname).page.locator('article img[src*="_images/"]').count()
    expected = CHAPTERS[docname].figures
    assert images >= expected, f"{docname}: {images} figures, expected at least {expected}"


@pytest.mark.parametrize("docname", CHAPTERS)
def test_chapter_shows_its_tables(visit, docname):
    tables = visit(docname).page.locator("article table").count()
    expected = CHAPTERS[docname].tables
    assert tables >= expected, f"{docname}: {tables} tables, expected at least {expected}"


def test_screenshots_of_every_chapter(visit):
    for docname in PAGES:
        visit(docname)
    shots = {path.stem for path in SCREENSHOTS.glob("*.png")}
    assert {Path(docname).name for docname in PAGES} <= shots

"""Browser test of the book's reference apparatus in the built site (_build/html): numbered and
captioned figures with alt text, citations resolved into the bibliography, the bibliography,
notation and glossary pages rendered, and every {term} link leading to its definition.

Uses the server and headless Chromium of tests/conftest.py (same skip/fail rules: without a built
site these tests skip unless MNETCALC_REQUIRE_SITE=1). What each page should contain is read from
its source in book/, so the test follows the chapters as they change.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from site_support import PAGES, ROOT

pytestmark = pytest.mark.site

BIBLIOGRAPHY = "book/bibliography"
GLOSSARIES = ("book/glossary", "book/notation")
# {cite}`a,b`, {cite:p}`a`, {cite:t}`a`: the keys cited in a page's source.
CITE = re.compile(r"\{cite(?::[a-z]+)?\}`([^`]+)`")
# :name: fig-x (glue:figure, figure) or "name: fig-x" under a code cell's mystnb.figure metadata.
FIGURE_NAME = re.compile(r"^\s*:?name: (fig-[\w-]+)\s*$", re.MULTILINE)
TERM = re.compile(r"\{term\}`")


def source(docname: str) -> str:
    return (ROOT / f"{docname}.md").read_text(encoding="utf-8")


def cited_keys(docname: str) -> set[str]:
    return {key.strip() for keys in CITE.findall(source(docname)) for key in keys.split(",")}


def figure_names(docname: str) -> list[str]:
    return FIGURE_NAME.findall(source(docname))


@pytest.fixture(scope="module")
def open_page(server, browser_context):
    """open_page(docname) -> a Playwright page with the loaded document (cached per module)."""
    pages = {}

    def load(docname: str):
        if docname not in pages:
            page = browser_context.new_page()
            page.route(
                "**/*",
                lambda route: (
                    route.abort() if "127.0.0.1" not in route.request.url else route.continue_()
                ),
            )
            page.goto(f"{server}/{docname}.html", wait_until="load")
            pages[docname] = page
        return pages[docname]

    yield load
    for page in pages.values():
        page.close()


def test_reference_pages_are_in_the_table_of_contents():
    assert {BIBLIOGRAPHY, *GLOSSARIES} <= set(PAGES)


# Only the pages whose source names figures, cites or links terms: a page without any has nothing
# to check here (and test_site.py's CHAPTERS says how many figures each chapter must show).
@pytest.mark.parametrize("docname", [docname for docname in PAGES if figure_names(docname)])
def test_figures_are_numbered_captioned_and_described(open_page, docname):
    names = figure_names(docname)
    page = open_page(docname)
    for name in names:
        figure = page.locator(f"figure#{name}")
        assert figure.count() == 1, f"{docname}: no figure with id {name}"
        number = figure.locator("figcaption .caption-number")
        assert number.count() == 1 and re.match(r"Fig\. \d+", number.inner_text()), (
            f"{docname}: figure {name} is not numbered"
        )
        caption = figure.locator("figcaption").inner_text()
        assert len(caption) > len(number.inner_text()) + 20, f"{docname}: {name} has no caption"
        images = figure.locator("img")
        assert images.count() >= 1, f"{docname}: figure {name} shows no image"
        for alt in images.evaluate_all("imgs => imgs.map(img => img.alt)"):
            assert len(alt) > 30, f"{docname}: figure {name} has no alt text ({alt!r})"
    # Every figure on the page is a numbered one: no image outside a figure in a chapter's prose.
    loose = page.evaluate(
        "() => Array.from(document.querySelectorAll('article img'))"
        ".filter(img => !img.closest('figure')).length"
    )
    assert loose == 0, f"{docname}: {loose} image(s) without a figure and caption"


@pytest.mark.parametrize("docname", [docname for docname in PAGES if cited_keys(docname)])
def test_citations_resolve_into_the_bibliography(open_page, docname):
    keys = cited_keys(docname)
    page = open_page(docname)
    text = page.inner_text("article")
    assert "{cite" not in text, f"{docname}: a citation role was not parsed"
    for key in keys:
        assert key not in text, f"{docname}: citation key {key} shown as text (unresolved)"
    targets = page.evaluate(
        "() => Array.from(document.querySelectorAll('article a[href*=\"bibliography.html#\"]'))"
        ".map(a => a.getAttribute('href').split('#')[1])"
    )
    assert len(set(targets)) >= len(keys), (
        f"{docname}: {len(keys)} works cited, {len(set(targets))} linked to the bibliography"
    )
    bibliography = open_page(BIBLIOGRAPHY)
    for target in set(targets):
        assert bibliography.locator(f"[id='{target}']").count() == 1, (
            f"{docname}: citation link #{target} has no entry in the bibliography"
        )


def test_bibliography_lists_every_cited_work(open_page):
    cited = set().union(*(cited_keys(docname) for docname in PAGES))
    page = open_page(BIBLIOGRAPHY)
    entries = page.locator("article .citation")
    # One entry per work cited anywhere in the book, each with authors, title and year.
    assert entries.count() == len(cited), f"{entries.count()} entries for {len(cited)} cited works"
    texts = entries.all_inner_texts()
    assert any("MobileNets" in t and "2017" in t for t in texts)
    assert all(re.search(r"(19|20)\d\d", t) for t in texts), "an entry without a year"


@pytest.mark.parametrize("docname", GLOSSARIES)
def test_glossary_pages_render_their_terms(open_page, docname):
    page = open_page(docname)
    terms = page.locator("article dl.glossary dt[id^='term-']")
    defined = len(re.findall(r"^\S[^\n]*\n  \S", source(docname), re.MULTILINE))
    assert terms.count() >= 5 and terms.count() == defined, (
        f"{docname}: {terms.count()} terms rendered, {defined} in the source"
    )
    assert all(d.strip() for d in page.locator("article dl.glossary dd").all_inner_texts())


@pytest.mark.parametrize("docname", [docname for docname in PAGES if TERM.search(source(docname))])
def test_term_links_resolve(open_page, docname):
    uses = len(TERM.findall(source(docname)))
    page = open_page(docname)
    links = page.evaluate(
        "() => Array.from(document.querySelectorAll('article .std-term'))"
        ".map(span => { const a = span.closest('a'); return a ? a.getAttribute('href') : null; })"
    )
    assert len(links) >= uses, f"{docname}: {uses} term roles, {len(links)} rendered"
    assert None not in links, f"{docname}: a {{term}} without a link (undefined term)"
    for href in links:
        target_page, _, anchor = href.partition("#")
        docname_of_target = (
            str((Path(docname).parent / target_page).with_suffix("")) if target_page else docname
        )
        assert anchor.startswith("term-"), f"{docname}: term link {href} is not to a term"
        glossary = open_page(docname_of_target)
        assert glossary.locator(f"[id='{anchor}']").count() == 1, f"{docname}: {href} is broken"


MIN_INDEX_ENTRIES = 100


def test_general_index_is_full_and_reachable(site):
    """Sphinx's general index (genindex.html, listed in _toc.yml) holds at least 100 entries, each
    linking into a page of the book, and the introduction links to it."""
    index = (site / "genindex.html").read_text(encoding="utf-8")
    body = index[index.find('id="A"') :]
    entries = re.findall(r"<li><a href=\"book/[\w/-]+\.html#", body)
    assert len(entries) >= MIN_INDEX_ENTRIES, (
        f"{len(entries)} index entries link into the book (at least {MIN_INDEX_ENTRIES})"
    )
    assert "genindex" in PAGES, "the index is not in the table of contents"
    intro = (site / "book" / "intro.html").read_text(encoding="utf-8")
    assert 'href="../genindex.html"' in intro

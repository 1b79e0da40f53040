"""The built site opened from disk (issue 26, point 9): a reader who built the book and
double-clicked a page opens it as a ``file://`` URL. The live calculator cannot load Pyodide there
(the browser refuses the module import); instead of "Failed to fetch dynamically imported module"
it says in one line how to serve the site. The browser fixture is conftest.py's."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.site

SERVE = "python -m http.server -d _build/html"


def test_the_calculator_from_disk_says_how_to_serve_the_site(site, browser_context):
    page = browser_context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto((site / "book" / "calculator.html").as_uri())
        root = page.locator("#mnetcalc-calculator")
        page.wait_for_function(
            "document.getElementById('mnetcalc-calculator').dataset.error !== undefined"
        )
        assert root.get_attribute("data-error") == "file"
        status = page.locator(".calc-status-text").inner_text()
        assert SERVE in status, status
        assert "\n" not in status.strip(), status
        assert "Failed to fetch" not in status
        assert not errors, errors
    finally:
        page.close()

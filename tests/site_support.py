"""What the browser tests of the built book share: where the site and the browser are, the
local server's handler, the table of contents, and what counts as leaving the machine. The
fixtures built on these (``site``, ``server``, ``browser_context``) are in conftest.py, so that
every test module uses the same browser."""

from __future__ import annotations

import http.server
import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

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

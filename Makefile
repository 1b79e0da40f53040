# Two commands do all set-up on a fresh machine:
#   make book   -- install everything and build the book into _build/html
#   make test   -- install everything, run the tests (book build and browser check included)
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: book test lab system-deps venv web-assets clean

venv: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -r requirements.txt
	$(BIN)/python -m pip install -q --no-deps -e .
	touch $@

system-deps:
	bash scripts/install-system-deps.sh

# The browser code the site serves itself (widget manager, RequireJS): installed from npm as
# pinned in package-lock.json into node_modules/, copied to _build/web-assets/, which _config.yml
# adds to the site's _static. Nothing third-party is committed.
NPM_STAMP := node_modules/.package-lock.json
WEB := _build/web-assets/ipywidgets
WIDGETS_DIST := node_modules/@jupyter-widgets/html-manager/dist

web-assets: $(WEB)/.copied

$(NPM_STAMP): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	touch $@

$(WEB)/.copied: $(NPM_STAMP)
	rm -rf $(WEB) && mkdir -p $(WEB)
	cp $(WIDGETS_DIST)/embed-amd.js $(WIDGETS_DIST)/*.{woff2,woff,ttf,eot,svg} $(WEB)/
	cp node_modules/requirejs/require.js $(WEB)/
	touch $@

# -W: any warning fails the build; -n: nitpicky cross-references; --keep-going: report them all.
JB_BUILD := $(BIN)/jupyter-book build . -W -n --keep-going

# The execution cache (_build/.jupyter_cache) re-runs a chapter only when its own code changes.
# Outputs computed by an older mnetcalc or other pinned packages would be stale: clear the cache
# whenever those change.
CACHE_STAMP := _build/.jupyter_cache.inputs
$(CACHE_STAMP): $(wildcard mnetcalc/*.py mnetcalc/*/*.py) requirements.txt
	rm -rf _build/.jupyter_cache
	mkdir -p _build && touch $@

book: system-deps $(STAMP) web-assets $(CACHE_STAMP)
	$(JB_BUILD)

# Lint (ruff, configured in pyproject.toml), unit tests, then the book build, then the browser test
# of the built site (which must exist: MNETCALC_REQUIRE_SITE=1 turns "no site to test" into a
# failure instead of a skip). Everything is installed here, so MNETCALC_REQUIRE_ALL=1 makes any
# skip a failure (tests/conftest.py).
test: system-deps $(STAMP) web-assets $(CACHE_STAMP)
	$(BIN)/ruff check mnetcalc tests benchmarks
	MNETCALC_REQUIRE_ALL=1 $(BIN)/python -m pytest -m "not site"
	$(JB_BUILD)
	MNETCALC_REQUIRE_ALL=1 MNETCALC_REQUIRE_SITE=1 $(BIN)/python -m pytest -m site

# JupyterLab on the repository, opening the chapters (book/*.md) as notebooks through jupytext.
# The viewer setting goes into .venv's own Jupyter config, not the user's.
LAB_SETTINGS := $(VENV)/etc/jupyter/labconfig/default_setting_overrides.json

lab: $(STAMP)
	$(BIN)/python -m pip install -q -r requirements-lab.txt
	$(BIN)/jupytext-config --settings-file $(LAB_SETTINGS) set-default-viewer markdown myst
	$(BIN)/jupyter lab

clean:
	rm -rf _build

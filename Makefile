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

# The live calculator page (book/calculator.md, static/calculator.js) runs this checkout's mnetcalc
# in the reader's browser with Pyodide: the interpreter, copied from node_modules/pyodide (the files
# a pure-Python package needs), its standard library compiled to bytecode by that same Pyodide
# under Node.js (scripts/compile_stdlib.mjs: the first table in about 0.4 of the time), and every
# mnetcalc/**/*.py packed into one zip that the page unpacks into Pyodide's file system. All of
# it lands in _static/ (see above).
PYODIDE := _build/web-assets/pyodide
PYODIDE_FILES := pyodide.mjs pyodide.asm.mjs pyodide.asm.wasm pyodide-lock.json
MNETCALC_ZIP := _build/web-assets/calculator/mnetcalc.zip
# The folders too: a deleted module changes only its folder's time.
MNETCALC_SOURCES := $(shell find mnetcalc -name __pycache__ -prune -o \( -type d -o -name '*.py' -o -name '*.json' \) -print)

web-assets: $(PYODIDE)/.copied $(MNETCALC_ZIP)

$(PYODIDE)/.copied: $(NPM_STAMP) scripts/compile_stdlib.mjs
	rm -rf $(PYODIDE) && mkdir -p $(PYODIDE)
	cp $(addprefix node_modules/pyodide/,$(PYODIDE_FILES)) $(PYODIDE)/
	node scripts/compile_stdlib.mjs node_modules/pyodide $(PYODIDE)/python_stdlib.zip
	touch $@

$(MNETCALC_ZIP): $(MNETCALC_SOURCES) scripts/pack_sources.py
	mkdir -p $(dir $@)
	$(PYTHON) scripts/pack_sources.py $@ mnetcalc

# -W: any warning fails the build; -n: nitpicky cross-references; --keep-going: report them all.
# Sphinx copies the static files only when it rewrites some page ("no targets are out of date"
# copies nothing), so the web assets are copied into the site again after every build: a changed
# mnetcalc or npm package then reaches the live calculator page even when no chapter changed.
JB_BUILD := $(BIN)/jupyter-book build . -W -n --keep-going && cp -R _build/web-assets/. _build/html/_static/

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
	$(BIN)/ruff format --check mnetcalc tests benchmarks
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

# Two commands do all set-up on a fresh machine:
#   make book   -- install everything and build the book into _build/html
#   make test   -- install everything, run the tests (book build and browser check included)
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: book test system-deps venv clean

venv: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -r requirements.txt
	$(BIN)/python -m pip install -q --no-deps -e .
	touch $@

system-deps:
	bash scripts/install-system-deps.sh

book: system-deps $(STAMP)
	$(BIN)/mnetcalc table --alpha 0.25 --res 128

test: system-deps $(STAMP)
	$(BIN)/python -m pytest

clean:
	rm -rf _build

# nn-blog: `make serve` to read the blog locally, `make test` for everything CI runs.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
# One BLAS thread per process: the render service parallelises across processes instead.
export OPENBLAS_NUM_THREADS ?= 1
export MKL_NUM_THREADS ?= 1
export OMP_NUM_THREADS ?= 1

.PHONY: help test test-python lint bench render clean
.DEFAULT_GOAL := help

help:
	@echo "make serve   set up what is missing, render figures, build and serve the blog at 127.0.0.1:4000"
	@echo "make site    the same without serving: builds _site/"
	@echo "make test    everything CI runs: ruff, the Python suite, the site's build, RSpec and browser tests"
	@echo "make render  render stale figures into assets/ (nn-blog render)"
	@echo "make bench   benchmarks (writes docs/benchmarks.md tables and _data/generated/benchmarks.json)"

# Run a noisy installer with its output in a log: one line saying what is installed, and the
# log's tail only when it fails (a fresh machine's `make test` stays readable).
QUIET_DEF = quiet() { what="$$1"; shift; log=$$(mktemp); echo "setup: $$what"; \
	if "$$@" >"$$log" 2>&1; then rm -f "$$log"; else rc=$$?; \
	echo "setup: failed ($$what, exit $$rc); the end of its output:"; tail -n 25 "$$log"; \
	rm -f "$$log"; return $$rc; fi; };
QUIET = $(QUIET_DEF) quiet

# The build's libraries at the versions the figures were drawn with (constraints.txt): the
# render's cache keys hash them, so an unpinned install would redraw every figure (issue 21).
CONSTRAINTS := constraints.txt

$(VENV)/.runtime: pyproject.toml $(CONSTRAINTS)
	@test -x $(PY) || { $(QUIET) "Python venv in $(VENV)" $(PYTHON) -m venv $(VENV); }
	@$(QUIET) "pip (upgrade)" $(PY) -m pip install -q --upgrade pip
	@$(QUIET) "nn-blog and its runtime dependencies (pip, pinned by $(CONSTRAINTS))" \
		$(PY) -m pip install -q -c $(CONSTRAINTS) -e '.[serve]'
	@touch $@

$(VENV)/.test: pyproject.toml $(CONSTRAINTS) $(VENV)/.runtime
	@$(QUIET) "test dependencies: pytest, ruff, torch, playwright, ... (pip)" \
		$(PY) -m pip install -q -c $(CONSTRAINTS) -e '.[test]'
	@touch $@

lint: $(VENV)/.test
	$(VENV)/bin/ruff check .

# node and Chromium too: tests/test_export.py runs the browser engine in Node, the live demo in Chromium
test-python: test-deps site-setup $(VENV)/.test
	$(VENV)/bin/pytest -q -n 2 --ignore=tests/site

test: lint test-python test-site

render: $(VENV)/.runtime
	$(VENV)/bin/nn-blog render

bench: $(VENV)/.test
	$(PY) benchmarks/run.py

clean:
	rm -rf _site .jekyll-cache .pytest_cache .ruff_cache

include mk/site.mk

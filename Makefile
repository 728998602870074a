# copath: two commands set up everything they need on a fresh machine.
#   make demo   runs the flagship model on the bundled data and writes out/demo/
#   make test   runs the test suite (under 10 minutes on 2 cores)
# Both create .venv with Python >= 3.12 if it is missing.
#   make docs         builds the documentation site into docs/_build/html (warnings are errors)
#   make gallery      re-runs the notebooks into docs/gallery/ (their stored outputs in the site)
#   make wheel-check  builds the wheel and uses it from a fresh venv outside the checkout

VENV    := .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed
OUT     ?= out/demo
PYTEST_ARGS ?=

# First interpreter among these that runs and is >= 3.12 (pyenv shims fail for
# versions not selected; .python-version selects 3.12 in this folder).
CANDIDATES := python3.13 python3.12 python3
FIND_PYTHON = for c in $(CANDIDATES); do \
	  if $$c -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; then \
	    echo $$c; exit 0; fi; done; exit 1

.PHONY: demo test test-slow bench calibrate venv clean docs gallery wheel-check

venv: $(STAMP)

$(STAMP): pyproject.toml
	@if [ ! -x $(PY) ]; then \
	  base=$$($(FIND_PYTHON)) || { echo "error: copath needs Python >= 3.12; none of $(CANDIDATES) is. Install one (e.g. 'pyenv install 3.12') and retry." >&2; exit 1; }; \
	  echo "Creating $(VENV) with $$base ($$($$base --version))"; \
	  $$base -m venv $(VENV); \
	fi
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	@touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/copath demo --out $(OUT)

test: $(STAMP)
	$(PY) -m pytest -m "not slow" $(PYTEST_ARGS)

test-slow: $(STAMP)
	$(PY) -m pytest -m slow $(PYTEST_ARGS)

# Benchmarks run in their own venv: pathmc (compared against) pins PyMC < 6.4, and that
# must not change the venv the tests run in.
BENCH_VENV := .venv-bench
BENCH_STAMP := $(BENCH_VENV)/.installed

$(BENCH_STAMP): pyproject.toml
	@if [ ! -x $(BENCH_VENV)/bin/python ]; then \
	  base=$$($(FIND_PYTHON)) || { echo "error: copath needs Python >= 3.12; none of $(CANDIDATES) is." >&2; exit 1; }; \
	  $$base -m venv $(BENCH_VENV); \
	fi
	$(BENCH_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(BENCH_VENV)/bin/python -m pip install --quiet -e ".[bench]"
	@touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	for b in benchmarks/bench_*.py; do $(BENCH_VENV)/bin/python $$b || exit 1; done

calibrate: $(BENCH_STAMP)
	$(BENCH_VENV)/bin/python benchmarks/bench_calibration.py
	$(BENCH_VENV)/bin/python benchmarks/bench_calibration.py --model calibration_pathway --unobserved fear --sims 100 --wrong-sims 0

# The documentation site is built in its own venv (the docs extra: Sphinx, the PyData theme,
# MyST, myst-nb), with warnings as errors; the notebooks are shown from their stored outputs.
DOCS_VENV := .venv-docs
DOCS_STAMP := $(DOCS_VENV)/.installed
DOCS_OUT ?= docs/_build/html

$(DOCS_STAMP): pyproject.toml
	@if [ ! -x $(DOCS_VENV)/bin/python ]; then \
	  base=$$($(FIND_PYTHON)) || { echo "error: copath needs Python >= 3.12; none of $(CANDIDATES) is." >&2; exit 1; }; \
	  $$base -m venv $(DOCS_VENV); \
	fi
	$(DOCS_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(DOCS_VENV)/bin/python -m pip install --quiet -e ".[docs]"
	@touch $(DOCS_STAMP)

docs: $(DOCS_STAMP)
	$(DOCS_VENV)/bin/python -m sphinx -W --keep-going -b html docs $(DOCS_OUT)

gallery: $(STAMP)
	$(PY) scripts/execute_gallery.py

wheel-check: $(STAMP)
	$(PY) scripts/wheel_check.py

clean:
	rm -rf $(VENV) $(BENCH_VENV) $(DOCS_VENV) docs/_build out .pytest_cache

# thermo-book: every command a newcomer needs.  `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
NB_DIR := notebooks
CHAPTERS := $(basename $(notdir $(wildcard $(NB_DIR)/*.md)))
BUILD  := book/_build

# One BLAS thread per process: parallelism comes from joblib processes (see
# thermo_helpers/config.py and ../shared notes on OpenBLAS next to cvxpy).
export OPENBLAS_NUM_THREADS ?= 1
export OMP_NUM_THREADS ?= 1
export MKL_NUM_THREADS ?= 1
export PYDEVD_DISABLE_FILE_VALIDATION := 1
export THERMO_PROGRESS ?= 0
export THERMO_SCALE ?= book

.PHONY: help env browser book site-stored student test test-fast notebooks notebook \
        assignments bench clean distclean

help:  ## list the targets
	@grep -E '^[a-z%-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | column -t -s $$'\t'

# ---------------------------------------------------------------- environment
$(STAMP): requirements-lock.txt pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found; set PYTHON=/path/to/python3.11"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-lock.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

env: $(STAMP)  ## create .venv and install the pinned environment

browser:  ## install Debian's chromium for the site test (needs root and apt)
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "error: install Chromium (Debian: sudo apt-get install chromium)"; exit 1; fi; }

# ---------------------------------------------------------------- the book
book: $(STAMP)  ## execute every chapter (cached) and build the site in book/_build/html
	$(BIN)/jupyter-book build book -W -n --keep-going
	@echo "Open $(BUILD)/html/index.html in a browser."

site-stored: $(STAMP)  ## build the site from the stored .ipynb outputs (no execution) in book/_build/stored/_build/html
	@mkdir -p $(BUILD)
	$(BIN)/python book/variant_config.py stored > $(BUILD)/_config_stored.yml
	$(BIN)/jupyter-book build book -W -n --keep-going --config $(BUILD)/_config_stored.yml --path-output $(BUILD)/stored

student: $(STAMP)  ## student edition of the site (solutions hidden) in book/_build/student/_build/html
	@mkdir -p $(BUILD)
	$(BIN)/python book/variant_config.py student > $(BUILD)/_config_student.yml
	$(BIN)/jupyter-book build book -W -n --keep-going --config $(BUILD)/_config_student.yml --path-output $(BUILD)/student

# ---------------------------------------------------------------- notebooks
notebooks: $(STAMP)  ## sync every .md/.ipynb pair and re-execute to refresh stored outputs
	@for nb in $(CHAPTERS); do $(MAKE) --no-print-directory notebook NB=$$nb || exit 1; done

notebook: $(STAMP)  ## one chapter: make notebook NB=double_descent
	@test -n "$(NB)" || { echo "usage: make notebook NB=<name>  (one of: $(CHAPTERS))"; exit 2; }
	$(BIN)/jupytext --quiet --sync $(NB_DIR)/$(NB).md
	cd $(NB_DIR) && ../$(BIN)/jupyter execute --inplace --timeout=1200 $(NB).ipynb
	$(BIN)/jupytext --quiet --sync $(NB_DIR)/$(NB).ipynb

assignments: $(STAMP)  ## student notebooks without solutions in build/assignments
	$(BIN)/python book/make_assignments.py $(NB_DIR) build/assignments

# ---------------------------------------------------------------- checks
test: $(STAMP) browser site-stored student  ## run every test: unit, theory-vs-simulation, nbval, site
	$(BIN)/python -m pytest --nbval-lax --nbval-current-env -p no:cacheprovider tests $(NB_DIR)

test-fast: $(STAMP)  ## unit tests only (no notebooks, no site)
	$(BIN)/python -m pytest -m "not slow and not site" tests

bench: $(STAMP)  ## run the benchmarks and write benchmarks/results.md
	$(BIN)/python -m benchmarks.run --out benchmarks/results.md

# ---------------------------------------------------------------- cleaning
clean:  ## remove built sites and scratch files, keep the execution cache and .venv
	rm -rf $(BUILD)/html $(BUILD)/jupyter_execute $(BUILD)/.doctrees $(BUILD)/stored $(BUILD)/student build
	find . -name __pycache__ -not -path './.venv/*' -prune -exec rm -rf {} +

distclean: clean  ## also drop the execution cache and .venv
	rm -rf $(BUILD) $(VENV)

# ---------------------------------------------------------------- paper edition
# The chapters at THERMO_SCALE=paper (the talk's dimensions), stored in notebooks/paper/ with
# their wall times in notebooks/paper/timings.json; see README "The paper edition".
# THERMO_PAPER_ONLY=intro,max_margin restricts paper / test-paper to those chapters.
PAPER_BUILD := $(BUILD)/paper
.PHONY: paper paper-site test-paper

paper: $(STAMP)  ## execute every chapter at THERMO_SCALE=paper into notebooks/paper/ (long), then build its site
	$(BIN)/python book/paper_edition.py execute; rc=$$?; \
	$(BIN)/python book/paper_edition.py table --write README.md && \
	$(MAKE) --no-print-directory paper-site && exit $$rc

paper-site: $(STAMP)  ## site of the stored paper notebooks (no execution) in book/_build/paper/_build/html
	@mkdir -p $(BUILD)
	$(BIN)/python book/paper_edition.py config > $(BUILD)/_config_paper.yml
	$(BIN)/python book/paper_edition.py toc > $(BUILD)/_toc_paper.yml
	$(BIN)/jupyter-book build book -W -n --keep-going --config $(BUILD)/_config_paper.yml \
	  --toc $(CURDIR)/$(BUILD)/_toc_paper.yml --path-output $(PAPER_BUILD)
	@echo "Open $(PAPER_BUILD)/_build/html/index.html in a browser."

test-paper: $(STAMP)  ## nbval on the stored paper notebooks at THERMO_SCALE=paper (not part of make test)
	@nbs="$$($(BIN)/python book/paper_edition.py stored)" || exit 2; \
	if [ -n "$$nbs" ]; then \
	  THERMO_SCALE=paper THERMO_PAPER_TEST=1 $(BIN)/python -m pytest --nbval-lax --nbval-current-env \
	    --nbval-cell-timeout=14400 -p no:cacheprovider $$nbs; rc=$$?; \
	else echo "[paper] no stored paper notebook to test"; rc=1; fi; \
	$(BIN)/python book/paper_edition.py check && exit $$rc || exit 1

# The default site links each chapter into the paper site: build it before the site checks.
test: paper-site

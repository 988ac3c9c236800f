# thermo-book: every command a newcomer needs.  `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Python 3.11, 3.12 or 3.13: the first of python3, python3.13, python3.12, python3.11 (and
# pyenv's installed versions) that runs and is supported, unless PYTHON= is given.
SUPPORTED_PY := 3.11 3.12 3.13
PY_OK := import sys; sys.exit(not ((3, 11) <= sys.version_info[:2] <= (3, 13)))
PYENV_PYTHONS := $(shell ls -1d $(HOME)/.pyenv/versions/3.1[123].*/bin/python3 2>/dev/null | sort -rV)
find_python = $(firstword $(foreach p,$(1),$(shell $(p) -c '$(PY_OK)' >/dev/null 2>&1 && command -v $(p))))
ifeq ($(origin PYTHON),undefined)
PYTHON := $(call find_python,python3 python3.13 python3.12 python3.11 $(PYENV_PYTHONS))
endif
VENV   ?= .venv
# A second supported Python for CI (a minor version other than PYTHON's), in its own venv.
py_minor = $(shell $(1) -c 'import sys; print(*sys.version_info[:2], sep=".")' 2>/dev/null)
ALT_PYTHON ?= $(firstword $(foreach p,python3.13 python3.12 python3.11 $(PYENV_PYTHONS),$(if $(filter-out \
  $(call py_minor,$(PYTHON)),$(filter $(SUPPORTED_PY),$(call py_minor,$(p)))),$(shell command -v $(p)))))
ALT_VENV ?= .venv-alt
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
NB_DIR := notebooks
CHAPTERS := $(basename $(notdir $(wildcard $(NB_DIR)/*.md)))
BUILD  := book/_build
ASSIGNMENTS ?= build/assignments
GRADES ?= build/grades.csv
# nbval: the README's test command.  PYTEST_NB_WORKERS spreads notebooks over processes.
NBVAL  := --nbval-lax --nbval-current-env -p no:cacheprovider
PYTEST_NB_WORKERS ?= 2
# OpenBLAS kernels that this CPU runs besides its own: each changes the last bits of BLAS results,
# which is what another machine does (test-portable).
PORTABLE_CORETYPES ?= Sandybridge Prescott

# One BLAS thread per process: parallelism comes from joblib processes (see
# thermo_helpers/config.py and ../shared notes on OpenBLAS next to cvxpy).
export OPENBLAS_NUM_THREADS ?= 1
export OMP_NUM_THREADS ?= 1
export MKL_NUM_THREADS ?= 1
export PYDEVD_DISABLE_FILE_VALIDATION := 1
export THERMO_PROGRESS ?= 0
export THERMO_SCALE ?= book

.PHONY: help env lock lab browser tex npm book pdf format format-check screenshots site-stored student test test-fast test-portable test-alt \
        test-course notebooks notebook assignments grade bench clean distclean

help:  ## list the targets
	@grep -E '^[a-z%-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | column -t -s $$'\t'

# ---------------------------------------------------------------- environment
$(STAMP): requirements-lock.txt pyproject.toml
	@test -n "$(PYTHON)" || { echo "error: no Python $(SUPPORTED_PY) found; install one or set PYTHON=/path/to/python3.12"; exit 1; }
	@$(PYTHON) -c '$(PY_OK)' || { echo "error: $(PYTHON) is not Python $(SUPPORTED_PY)"; exit 1; }
	@want=$$($(PYTHON) -c 'import sys; print(sys.version_info[:2])'); \
	have=$$($(BIN)/python -c 'import sys; print(sys.version_info[:2])' 2>/dev/null || true); \
	if [ -n "$$have" ] && [ "$$have" != "$$want" ]; then echo "$(VENV) has Python $$have, not $$want: recreating it"; rm -rf $(VENV); fi
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-lock.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	$(BIN)/python book/lab_settings.py $(VENV)
	touch $@

env: $(STAMP)  ## create .venv and install the pinned environment (PYTHON=python3.12 to choose)

lock:  ## re-resolve requirements-lock.txt for Python 3.11-3.13 with uv (keeps current pins where possible)
	test -x $(VENV)-uv/bin/uv || { $(PYTHON) -m venv $(VENV)-uv && $(VENV)-uv/bin/python -m pip install --quiet uv==0.13.8; }
	$(VENV)-uv/bin/uv pip compile pyproject.toml --extra book --extra test --extra lab --extra course --extra cluster \
	  --universal --python-version 3.11 --no-annotate -o requirements-lock.txt

lab: $(STAMP)  ## open the chapters in JupyterLab (.md chapters open as notebooks through jupytext)
	$(BIN)/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) $(NB_DIR)

browser:  ## install Debian's chromium for the site test (needs root and apt)
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "error: install Chromium (Debian: sudo apt-get install chromium)"; exit 1; fi; }

# Debian's TeX for `make pdf` (xelatex through latexmk; FreeFont is Sphinx's default xelatex
# font; poppler-utils gives pdftotext for the PDF check).  Installed like `make browser`.
TEX_PACKAGES := texlive-latex-extra texlive-fonts-recommended texlive-xetex latexmk \
  fonts-freefont-otf poppler-utils
tex:  ## install Debian's TeX packages for the PDF (needs root and apt)
	@missing=""; for p in $(TEX_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "apt-get install$$missing"; apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  else echo "error: install TeX (Debian: sudo apt-get install$$missing)"; exit 1; fi; fi

# ---------------------------------------------------------------- the book
book: $(STAMP) npm  ## execute every chapter (cached) and build the site in book/_build/html
	$(BIN)/python book/ledger.py write
	$(BIN)/jupyter-book build book -W -n --keep-going
	@echo "Open $(BUILD)/html/index.html in a browser."

site-stored: $(STAMP) npm  ## build the site from the stored .ipynb outputs (no execution) in book/_build/stored/_build/html
	@mkdir -p $(BUILD)
	$(BIN)/python book/ledger.py write
	$(BIN)/python book/variant_config.py stored > $(BUILD)/_config_stored.yml
	$(BIN)/jupyter-book build book -W -n --keep-going --config $(BUILD)/_config_stored.yml --path-output $(BUILD)/stored

student: $(STAMP) npm  ## student edition of the site (solutions hidden) in book/_build/student/_build/html
	@mkdir -p $(BUILD)
	$(BIN)/python book/ledger.py write
	$(BIN)/python book/variant_config.py student > $(BUILD)/_config_student.yml
	$(BIN)/jupyter-book build book --all -W -n --keep-going --config $(BUILD)/_config_student.yml --path-output $(BUILD)/student

# The whole book as one PDF through LaTeX (xelatex, latexmk), from the stored outputs like
# site-stored; book/pdf_check.py then checks that every chapter is in it and that no line of
# code, output or table runs past the margin.  The PDF is copied to $(PDF), where every
# site built afterwards links it (book/_ext/reader.py).
PDF := $(BUILD)/thermo-book.pdf
pdf: $(STAMP) tex  ## the whole book as one PDF in book/_build/thermo-book.pdf (LaTeX; `make tex` installs it)
	@mkdir -p $(BUILD)
	$(BIN)/python book/ledger.py write
	$(BIN)/python book/variant_config.py stored > $(BUILD)/_config_pdf.yml
	rm -f $(PDF)
	$(BIN)/jupyter-book build book --builder pdflatex --config $(BUILD)/_config_pdf.yml --path-output $(BUILD)/pdf
	$(BIN)/python book/pdf_check.py $(BUILD)/pdf/_build/latex/thermo-book.pdf --log $(BUILD)/pdf/_build/latex/thermo-book.log
	cp $(BUILD)/pdf/_build/latex/thermo-book.pdf $(PDF)
	@echo "The book as one PDF: $(PDF) (sites built from now on link it; make site-stored)"

test-pdf: pdf  ## the whole-book PDF: built and checked (pdf_check.py), then linked from every page of a fresh site
	$(MAKE) --no-print-directory site-stored
	THERMO_REQUIRE_PDF=1 $(BIN)/python -m pytest -q -p no:cacheprovider -m pdf tests/test_reading.py

screenshots: $(STAMP) browser site-stored  ## PNGs of the four chapters' first screen (1400x900), light and dark, in build/screenshots
	$(BIN)/python book/screenshots.py --site $(BUILD)/stored/_build/html --out build/screenshots

# ---------------------------------------------------------------- notebooks
notebooks: $(STAMP)  ## sync every .md/.ipynb pair and re-execute to refresh stored outputs
	@for nb in $(CHAPTERS); do $(MAKE) --no-print-directory notebook NB=$$nb || exit 1; done

notebook: $(STAMP)  ## one chapter: make notebook NB=double_descent
	@test -n "$(NB)" || { echo "usage: make notebook NB=<name>  (one of: $(CHAPTERS))"; exit 2; }
	$(BIN)/jupytext --quiet --sync $(NB_DIR)/$(NB).md
	cd $(NB_DIR) && ../$(BIN)/jupyter execute --inplace --timeout=1200 $(NB).ipynb
	$(BIN)/jupytext --quiet --sync $(NB_DIR)/$(NB).ipynb

# ---------------------------------------------------------------- formatting
# ruff format (line length 88 from pyproject.toml) on the code cells of the MyST chapters,
# through jupytext so the prose is untouched.  Run `make notebooks` (or `make notebook NB=...`)
# afterwards: the paired .ipynb must carry the same code.  format-check is what `make test`
# checks (tests/test_reading.py).
CHAPTER_MD := $(wildcard $(NB_DIR)/*.md)
format: $(STAMP)  ## format the chapters' code with ruff through jupytext (then `make notebooks`)
	$(BIN)/jupytext --quiet --pipe "$(CURDIR)/$(BIN)/ruff format -" $(CHAPTER_MD)

format-check: $(STAMP)  ## fail if `make format` would change a chapter's code (cell by cell)
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/test_reading.py -k formatted_with_ruff

# ---------------------------------------------------------------- the course
assignments: $(STAMP)  ## per chapter: a student notebook and an otter-grader autograder in build/assignments
	$(BIN)/python book/make_assignments.py $(NB_DIR) $(ASSIGNMENTS)

grade: $(STAMP)  ## grade a folder of student notebooks: make grade SUBMISSIONS=dir (build/grades.csv, build/grades_feedback/)
	@test -n "$(SUBMISSIONS)" || { echo "usage: make grade SUBMISSIONS=<folder of <student>/<chapter>.ipynb> [GRADES=out.csv]"; exit 2; }
	@test -d $(ASSIGNMENTS) || $(MAKE) --no-print-directory assignments
	$(BIN)/python book/grading/grade.py --assignments $(ASSIGNMENTS) --out $(GRADES) $(SUBMISSIONS)

# ---------------------------------------------------------------- checks
npm: node_modules/.package-lock.json  ## install axe-core (accessibility test) and uPlot (the explorables) (npm ci from package-lock.json)
node_modules/.package-lock.json: package.json package-lock.json
	@command -v npm >/dev/null || { echo "error: install Node.js and npm (Debian: apt-get install npm)"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

test: $(STAMP) browser npm site-stored student  ## run every test: unit, theory-vs-simulation, nbval, site, accessibility, grading
	$(BIN)/python -m pytest -n $(PYTEST_NB_WORKERS) --dist loadfile $(NBVAL) tests $(NB_DIR)

test-fast: $(STAMP)  ## unit tests only (no notebooks, no site, no grading)
	$(BIN)/python -m pytest -m "not slow and not site and not course" tests

test-portable: $(STAMP)  ## nbval on every chapter under other OpenBLAS kernels (PORTABLE_CORETYPES)
	@for k in $(PORTABLE_CORETYPES); do echo "== OPENBLAS_CORETYPE=$$k"; \
	  OPENBLAS_CORETYPE=$$k $(BIN)/python -m pytest -n $(PYTEST_NB_WORKERS) --dist loadfile $(NBVAL) $(NB_DIR) || exit 1; done

test-alt:  ## unit tests and nbval on every chapter under a second Python (ALT_PYTHON, in .venv-alt)
	@test -n "$(ALT_PYTHON)" || { echo "error: no second Python among $(SUPPORTED_PY) besides $(PYTHON)"; exit 1; }
	$(MAKE) --no-print-directory env VENV=$(ALT_VENV) PYTHON=$(ALT_PYTHON)
	$(ALT_VENV)/bin/python -m pytest -n $(PYTEST_NB_WORKERS) --dist loadfile $(NBVAL) -m "not site and not course" tests $(NB_DIR)

test-course: $(STAMP)  ## the grading pipeline end to end (reference, student-style, stripped and planted submissions; feedback)
	$(BIN)/python -m pytest -m course tests

bench: $(STAMP)  ## run the benchmarks and write benchmarks/results.md
	$(BIN)/python -m benchmarks.run --out benchmarks/results.md

# ---------------------------------------------------------------- cleaning
clean:  ## remove built sites and scratch files, keep the execution cache and .venv
	rm -rf $(BUILD)/html $(BUILD)/jupyter_execute $(BUILD)/.doctrees $(BUILD)/stored $(BUILD)/student build
	find . -name __pycache__ -not -path './.venv*' -prune -exec rm -rf {} +

distclean: clean  ## also drop the execution cache, the environments and node_modules
	rm -rf $(BUILD) $(VENV) $(VENV)-* node_modules

# ---------------------------------------------------------------- paper edition
# The chapters at THERMO_SCALE=paper (the talk's dimensions), stored in notebooks/paper/ with
# their wall times in notebooks/paper/timings.json; see README "The paper edition".
# THERMO_PAPER_ONLY=intro,max_margin restricts paper / test-paper to those chapters.
PAPER_BUILD := $(BUILD)/paper
.PHONY: paper paper-site test-paper test-pdf

paper: $(STAMP)  ## execute every chapter at THERMO_SCALE=paper into notebooks/paper/ (long), then build its site
	@mkdir -p $(BUILD)
	rc=0; $(BIN)/python book/paper_edition.py execute || rc=$$?; echo $$rc > $(BUILD)/.paper_rc
	$(BIN)/python book/paper_edition.py table --write README.md
	$(MAKE) --no-print-directory paper-site
	@exit $$(cat $(BUILD)/.paper_rc)

paper-site: $(STAMP) npm  ## site of the stored paper notebooks (no execution) in book/_build/paper/_build/html
	@mkdir -p $(BUILD)
	$(BIN)/python book/paper_edition.py sync
	$(BIN)/python book/ledger.py write --edition paper
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

# The default site links each chapter into the paper site and carries a copy of it: build it
# before every default site (book/_ext/paper_links.py).
test: paper-site
book site-stored student: paper-site

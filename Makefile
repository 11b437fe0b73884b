# ascready: two commands do all the set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# Every development and test tool, and the runtime dependencies, pinned with hashes: compiled
# by `make lock` from pyproject.toml ([project] dependencies and [dependency-groups] dev).
LOCK   := requirements-dev.txt
# The stamp is named after the lock and pyproject.toml, so a change to either (also by switching
# branches) installs again.
STAMP  := $(VENV)/.installed-$(shell cat $(LOCK) pyproject.toml | cksum | cut -d' ' -f1)
LATEST := .venv-latest
export PIP_DISABLE_PIP_VERSION_CHECK = 1

.PHONY: demo test lint typecheck imports pytest browser-tools test-latest lock bench fuzz schemas pictures clean

# Exactly the versions in the lock, every file checked against its hash, then ascready itself
# without dependencies and without build isolation (hatchling and editables come from the
# lock), so nothing unpinned is downloaded. pip check fails when pyproject.toml asks for
# something the lock lacks: run `make lock`.
$(STAMP): $(LOCK) pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/python -m pip check
	@rm -f $(VENV)/.installed-*
	@touch $@

## demo: install; validate the example repository in evidence/, report its gaps, render its
## self-assessment (Markdown, HTML, Word; public and internal) and return pack, and export its
## evidence register workbook into build/; then start a new council's repository in
## build/new-council, fill its measures from the example ASCOF table, and validate it
demo: $(STAMP)
	$(BIN)/ascready --version
	$(BIN)/ascready validate evidence
	$(BIN)/ascready gaps evidence
	@mkdir -p build
	$(BIN)/ascready gaps evidence --format markdown --out build/gaps.md --force
	$(BIN)/ascready gaps evidence --format xlsx --out build/gaps.xlsx --force
	@for audience in public internal; do for fmt in md html docx; do \
	  $(BIN)/ascready render evidence --audience $$audience --format $$fmt \
	    --out build/self-assessment-$$audience.$$fmt --force || exit 1; done; done
	$(BIN)/ascready render evidence --pack build/information-return-pack.zip --force
	$(BIN)/ascready export evidence --out build/evidence-register.xlsx --force
	$(BIN)/ascready export evidence --audience public --out build/evidence-register-public.xlsx --force
	@rm -rf build/new-council
	$(BIN)/ascready init build/new-council --council "Demo Council" --ons-code E06000998 --region "South West"
	$(BIN)/ascready import-metrics evidence/files/ascof-2025-26-extract.csv --repo build/new-council \
	  --source https://digital.nhs.example/ascof/2025-26
	$(BIN)/ascready validate build/new-council

## test: lint (ruff), type-check (mypy), check the layers (lint-imports) and run the tests
## (pytest) under coverage
test: lint typecheck imports pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

# The contract is in .importlinter: each layer imports only the layers below it; no cycles.
imports: $(STAMP)
	$(BIN)/lint-imports --no-logo

# Branch coverage of src/ascready, measured in the pytest process ([tool.coverage] in
# pyproject.toml). The floor (fail_under) applies to the whole suite only, not to a selection
# given with PYTEST_ARGS.
COVERAGE = --cov --cov-report=term:skip-covered $(if $(PYTEST_ARGS),--cov-fail-under=0)
pytest: $(STAMP) browser-tools
	$(BIN)/python -m pytest -q $(COVERAGE) $(PYTEST_ARGS)

# chromium (apt-get, as root) and axe-core (npm) for tests/test_render_browser.py; never fails
browser-tools:
	@bash tools/install-browser-tools.sh $(VENV)/browser-tools

## lock: refresh requirements-dev.txt: the newest release of every dependency that
## pyproject.toml allows, for every platform, with hashes. LOCK_ARGS= (empty) keeps the
## current pins and only adds what is new; LOCK_ARGS="--upgrade-package rich" upgrades one.
## Uses the uv pinned in the lock.
LOCK_ARGS ?= --upgrade
lock:
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@awk '/^uv==/ { p = 1 } p { print } p && !/\\$$/ { p = 0 }' $(LOCK) > $(VENV)/uv-lock.txt
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r $(VENV)/uv-lock.txt
	$(BIN)/uv pip compile --quiet pyproject.toml --group dev --universal --generate-hashes \
	  --custom-compile-command "make lock" $(LOCK_ARGS) -o $(LOCK)

## test-latest: the same checks as `make test`, in .venv-latest with the newest release of
## everything that pyproject.toml allows, ignoring the lock, so that a new release that breaks
## ascready is seen before it breaks a council's CI or the next `make lock`. Lists at the end
## the packages held back by a cap.
test-latest:
	rm -rf $(LATEST)
	$(PYTHON) -m venv $(LATEST)
	$(LATEST)/bin/python -m pip install --quiet --upgrade pip
	$(LATEST)/bin/python -m pip install --quiet --upgrade --upgrade-strategy eager -e . --group dev
	$(LATEST)/bin/python -m pip check
	@touch $(LATEST)/.installed-latest
	$(MAKE) --no-print-directory VENV=$(LATEST) STAMP=$(LATEST)/.installed-latest test
	@echo "Newer releases that pyproject.toml's caps (or another package) hold back:"
	@out=$$($(LATEST)/bin/python -m pip list --outdated --exclude-editable --exclude setuptools \
	  2>/dev/null) && echo "$${out:-  none}" || echo "  (the package index could not be asked)"

## pictures: the README's pictures of the example's Word file (first pages, via LibreOffice)
## and HTML page (desktop and phone, via Chromium), in docs/pictures/
pictures: $(STAMP) browser-tools
	$(BIN)/python tools/pictures.py

## bench: time validate on a synthetic 10,000-item repository; prints ratios
bench: $(STAMP)
	$(BIN)/python bench/bench.py

## fuzz: run validate, gaps, render, export and diff on 2,000 mutated copies of the example
## repository (FUZZ_EXAMPLES=n for more or fewer; new cases each run); fails on a bug (exit 3)
## or a hang, and prints how many repositories and commands it ran and how long it took
FUZZ_EXAMPLES ?= 2000
fuzz: $(STAMP)
	ASCREADY_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -q -m fuzz tests/test_fuzz.py

## schemas: regenerate schemas/ from the models
schemas: $(STAMP)
	$(BIN)/ascready schema --out schemas --force

clean:
	rm -rf $(VENV) $(LATEST) build dist .pytest_cache .mypy_cache .ruff_cache .import_linter_cache .coverage

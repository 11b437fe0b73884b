# ascready: two commands do all the set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
export PIP_DISABLE_PIP_VERSION_CHECK = 1

.PHONY: demo test lint typecheck pytest bench schemas clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@rm -f $(VENV)/.installed-*
	@touch $@

## demo: install, then validate the bundled example repository in evidence/ and report its gaps
demo: $(STAMP)
	$(BIN)/ascready --version
	$(BIN)/ascready validate evidence
	$(BIN)/ascready gaps evidence
	@mkdir -p build
	$(BIN)/ascready gaps evidence --format markdown --out build/gaps.md --force
	$(BIN)/ascready gaps evidence --format xlsx --out build/gaps.xlsx --force

## test: lint (ruff), type-check (mypy) and run the tests (pytest)
test: lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

## bench: time validate on a synthetic 10,000-item repository; prints ratios
bench: $(STAMP)
	$(BIN)/python bench/bench.py

## schemas: regenerate schemas/ from the models
schemas: $(STAMP)
	$(BIN)/ascready schema --out schemas --force

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache

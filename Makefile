# ascready: two commands do all the set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
export PIP_DISABLE_PIP_VERSION_CHECK = 1

.PHONY: demo test lint typecheck pytest browser-tools bench schemas clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
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

## test: lint (ruff), type-check (mypy) and run the tests (pytest)
test: lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP) browser-tools
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

# chromium (apt-get, as root) and axe-core (npm) for tests/test_render_browser.py; never fails
browser-tools:
	@bash tools/install-browser-tools.sh $(VENV)/browser-tools

## bench: time validate on a synthetic 10,000-item repository; prints ratios
bench: $(STAMP)
	$(BIN)/python bench/bench.py

## schemas: regenerate schemas/ from the models
schemas: $(STAMP)
	$(BIN)/ascready schema --out schemas --force

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache

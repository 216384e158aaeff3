# Two entry points for a fresh machine: `make run` and `make test`.
# Both create the virtual environment and install what they need.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run examples test lint typecheck pytest pytest-postgres messages bench clean
POSTGRES_URL ?= postgresql://postgres@127.0.0.1:5432/lupustrial

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

## The study's web application on SQLite with the demo study: http://127.0.0.1:8000/
run: $(STAMP)
	$(BIN)/lupustrial web demo

## Score the shipped example assessments and screen the example candidates.
examples: $(STAMP)
	$(BIN)/lupustrial score examples/assessment-active-nephritis.json --format text
	$(BIN)/lupustrial score examples/assessments.jsonl --format text
	$(BIN)/lupustrial eligibility examples/screening-eligible.json --format text
	$(BIN)/lupustrial eligibility examples/screening-ineligible.json --format text
	$(BIN)/lupustrial eligibility examples/screening-incomplete.json --format text

## The whole test suite: lint, format check, types, tests. CI runs exactly this.
test: $(STAMP) lint typecheck pytest pytest-postgres

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy src/lupustrial/clinical src/lupustrial/protocol src/lupustrial/prescreen src/lupustrial/coding src/lupustrial/safety

pytest: $(STAMP)
	$(BIN)/pytest

## The web application's tests again on PostgreSQL, where one is reachable.
pytest-postgres: $(STAMP)
	@if $(BIN)/python -c "import psycopg; psycopg.connect('$(POSTGRES_URL:/lupustrial=/postgres)', connect_timeout=3).close()" 2>/dev/null; then \
		echo "PostgreSQL reachable: the web application's tests on PostgreSQL"; \
		DATABASE_URL=$(POSTGRES_URL) $(BIN)/pytest tests/edc; \
	else \
		echo "PostgreSQL not reachable at $(POSTGRES_URL): the web application was tested on SQLite only"; \
	fi

## Update the Japanese catalogue from the sources, then compile it (docs/i18n.md).
## Translate the new entries of the .po file, then run it again.
messages: $(STAMP)
	cd src/lupustrial/edc && LUPUSTRIAL_DATA_DIR=$(CURDIR)/var $(abspath $(BIN))/python -m django makemessages --locale ja --no-obsolete --settings lupustrial.edc.settings
	cd src/lupustrial/edc && LUPUSTRIAL_DATA_DIR=$(CURDIR)/var $(abspath $(BIN))/python -m django compilemessages --locale ja --settings lupustrial.edc.settings

## Benchmarks are not tests: they print ratios measured in one run.
bench: $(STAMP)
	$(BIN)/python benchmarks/bench_batch_scoring.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

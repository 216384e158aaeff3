# Two entry points for a fresh machine: `make run` and `make test`.
# Both create the virtual environment and install what they need.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck pytest bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

## Score the shipped example assessments and screen the example candidates.
run: $(STAMP)
	$(BIN)/lupustrial score examples/assessment-active-nephritis.json --format text
	$(BIN)/lupustrial score examples/assessments.jsonl --format text
	$(BIN)/lupustrial eligibility examples/screening-eligible.json --format text
	$(BIN)/lupustrial eligibility examples/screening-ineligible.json --format text
	$(BIN)/lupustrial eligibility examples/screening-incomplete.json --format text

## The whole test suite: lint, format check, types, tests. CI runs exactly this.
test: $(STAMP) lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy src/lupustrial/clinical src/lupustrial/protocol

pytest: $(STAMP)
	$(BIN)/pytest

## Benchmarks are not tests: they print ratios measured in one run.
bench: $(STAMP)
	$(BIN)/python benchmarks/bench_batch_scoring.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

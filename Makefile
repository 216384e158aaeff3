# Two entry points for a fresh machine: `make run` and `make test`.
# Both create the virtual environment and install what they need from the lock files in
# requirements/ (hash-checked, the same versions on every machine), saying what they do.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
RUNTIME_LOCK := requirements/runtime.txt
SPARK_LOCK := requirements/spark.txt
DEV_LOCK := requirements/dev.txt
# The lock files resolve against PyPI as it was at this moment, so that `make lock` gives the
# same files on any machine until this date is moved (which is how dependencies are updated).
LOCK_DATE ?= 2026-12-06T00:00:00Z
RUNTIME_STAMP := $(VENV)/.runtime-installed
STAMP := $(VENV)/.installed

.PHONY: run examples test lint typecheck pytest pytest-postgres messages bench clean lock system-deps system-deps-runtime
POSTGRES_URL ?= postgresql://postgres@127.0.0.1:5432/lupustrial

$(BIN)/python:
	@echo "== make: creating the virtual environment $(VENV) with $(PYTHON)"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# What the running system needs, and nothing else (no test tools, no Spark).
$(RUNTIME_STAMP): $(RUNTIME_LOCK) pyproject.toml | $(BIN)/python
	@echo "== make: installing the runtime dependencies from $(RUNTIME_LOCK) (locked, hash-checked)"
	$(BIN)/pip install --progress-bar off --require-hashes -r $(RUNTIME_LOCK)
	@echo "== make: installing lupustrial itself (editable; its dependencies are the locked ones)"
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

# The runtime plus the Spark engine and the development tools (tests, lint, types, locks).
$(STAMP): $(DEV_LOCK) $(RUNTIME_LOCK) pyproject.toml | $(BIN)/python
	@echo "== make: installing the development dependencies from $(DEV_LOCK) (locked, hash-checked)"
	$(BIN)/pip install --progress-bar off --require-hashes -r $(DEV_LOCK)
	@echo "== make: installing lupustrial itself (editable; its dependencies are the locked ones)"
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(RUNTIME_STAMP) $@

## Debian packages the PDFs need (Pango, Japanese fonts); installed when missing and root.
system-deps-runtime:
	@scripts/system-deps runtime

## Debian packages the tests also need (Chromium, poppler-utils).
system-deps:
	@scripts/system-deps test

# uv comes with the development lock; this rule is for a checkout whose lock files are gone.
$(BIN)/uv: | $(BIN)/python
	$(BIN)/pip install --quiet 'uv>=0.5'

## Recompile the lock files from pyproject.toml (after changing a dependency or LOCK_DATE).
UV_COMPILE = $(BIN)/uv pip compile pyproject.toml --universal --python-version 3.11 \
	--generate-hashes --exclude-newer $(LOCK_DATE) --custom-compile-command "make lock" --quiet
lock: | $(BIN)/uv
	@echo "== make: compiling the lock files in requirements/ with uv (PyPI as of $(LOCK_DATE))"
	$(UV_COMPILE) -o $(RUNTIME_LOCK)
	$(UV_COMPILE) --extra spark -c $(RUNTIME_LOCK) -o $(SPARK_LOCK)
	$(UV_COMPILE) --extra dev -c $(SPARK_LOCK) -o $(DEV_LOCK)

## The study's web application on SQLite with the demo study: http://127.0.0.1:8000/
run: system-deps-runtime $(RUNTIME_STAMP)
	$(BIN)/lupustrial web demo

## Score the shipped example assessments and screen the example candidates.
examples: $(RUNTIME_STAMP)
	$(BIN)/lupustrial score examples/assessment-active-nephritis.json --format text
	$(BIN)/lupustrial score examples/assessments.jsonl --format text
	$(BIN)/lupustrial eligibility examples/screening-eligible.json --format text
	$(BIN)/lupustrial eligibility examples/screening-ineligible.json --format text
	$(BIN)/lupustrial eligibility examples/screening-incomplete.json --format text

## The whole test suite: lint, format check, types, tests. CI runs exactly this.
# After the installs, two checks run at a time (CI's machine has two cores and each check uses
# about one): lint, then the SQLite pass, beside the types, then the PostgreSQL pass. That halves
# the wall time of the suite (the ceiling is 15 minutes). A failing check stops the next from
# starting, as before; each check's output is printed whole when it ends (-Otarget), so the two
# passes' dots and failures do not interleave.
test: system-deps $(STAMP)
	@$(MAKE) --no-print-directory -j2 -Otarget lint typecheck pytest pytest-postgres

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

# mypy strict (pyproject.toml [tool.mypy]) on the whole package, its tests and benchmarks,
# the web application with django-stubs' plugin. Cold cache about 55 s of CPU, warm about 2 s. The plugin loads the
# settings, which would write var/secret_key when no key is set, racing the SQLite pass that
# starts beside it on a fresh clone: it gets a key of its own (it signs nothing).
typecheck: $(STAMP)
	LUPUSTRIAL_SECRET_KEY=mypy-loads-the-settings-and-signs-nothing $(BIN)/mypy src/lupustrial tests benchmarks

# The PostgreSQL-only tests skip here and run in pytest-postgres (tests/edc/postgresql.py).
# POSTGRES_URL names the database prescreen's PostgreSQL engine test uses (tests/prescreen).
pytest: $(STAMP)
	LUPUSTRIAL_POSTGRESQL_PASS_FOLLOWS=1 POSTGRES_URL=$(POSTGRES_URL) $(BIN)/pytest

## The web application's tests again on PostgreSQL, where one is reachable.
# Its own pytest cache: `make test` runs it beside the SQLite pass, whose cache it would overwrite.
# Every test of tests/edc runs here too, except those marked SQLITE_IN_SUBPROCESSES
# (tests/edc/postgresql.py): they run commands in fresh shells on their own SQLite data directory
# and never open the test database, so here they would repeat the SQLite pass's test unchanged.
pytest-postgres: $(STAMP)
	@if $(BIN)/python -c "import psycopg; psycopg.connect('$(POSTGRES_URL:/lupustrial=/postgres)', connect_timeout=3).close()" 2>/dev/null; then \
		echo "PostgreSQL reachable: the web application's tests on PostgreSQL"; \
		DATABASE_URL=$(POSTGRES_URL) $(BIN)/pytest -o cache_dir=.pytest_cache/postgresql tests/edc; \
	elif [ "$$CI" = "true" ]; then \
		echo "PostgreSQL not reachable at $(POSTGRES_URL): CI=true needs it (its PostgreSQL-only tests cannot be skipped)"; \
		exit 1; \
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
	$(BIN)/python benchmarks/bench_score_command.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

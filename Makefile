# TimeTracker. `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 5000
# Test workers: one per core, at most 4.
TEST_WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 2); [ $$n -gt 4 ] && n=4; echo $$n)

.DEFAULT_GOAL := help
.PHONY: help install run catalogs check-catalogs test test-browser test-servers test-exhaustive test-fast lint format typecheck bench bench-quick bench-workers css lighthouse db-upgrade demo clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP) ## Create .venv and install the app with its development tools

instance/secret_key:
	@mkdir -p instance
	@$(PYTHON) -c 'import secrets; print(secrets.token_hex(32))' > $@
	@chmod 600 $@

db-upgrade: $(STAMP) instance/secret_key ## Apply the migrations to the database (SQLite under instance/ by default)
	SECRET_KEY=$$(cat instance/secret_key) $(BIN)/timetracker db upgrade

demo: db-upgrade ## Load the demo data if the database is empty
	SECRET_KEY=$$(cat instance/secret_key) $(BIN)/timetracker demo-data --if-empty

run: demo ## Set everything up and serve the app with demo data on http://127.0.0.1:5000
	@echo "TimeTracker on http://$(HOST):$(PORT)"
	SECRET_KEY=$$(cat instance/secret_key) $(BIN)/timetracker serve --host $(HOST) --port $(PORT)

catalogs: $(STAMP) ## Extract the strings to translate, update the German and French catalogs, compile them
	$(BIN)/python -m timetracker.catalogs update

check-catalogs: $(STAMP) ## Fail when a string is missing from a catalog, fuzzy, empty, or a catalog is not compiled
	$(BIN)/python -m timetracker.catalogs check

# Marker selection, e.g. TEST_MARKERS="not postgres and not redis" (empty: every test of the target).
TEST_MARKERS ?=
and_markers = $(if $(TEST_MARKERS), and ($(TEST_MARKERS)))
test: $(STAMP) ## Run the test suite (PostgreSQL too when TEST_DATABASE_URL is set); the browser tests, the server tests and the exhaustive route enumerations are `make test-browser`, `make test-servers` and `make test-exhaustive`
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile -q -m "not browser and not servers and not exhaustive$(and_markers)"

test-browser: $(STAMP) ## The browser tests (tests/e2e: Chromium against the served app, the HTML checker); .ci/run runs them
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile -q -m "browser and not servers and not exhaustive$(and_markers)"

test-servers: $(STAMP) ## The tests that start real servers and programs (nginx, gunicorn, LibreOffice, a wheel); .ci/run runs them
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile -q -m "servers$(and_markers)"

test-exhaustive: $(STAMP) ## Every route with every kind of value at its boundaries, and fuzzed (tests/security); .ci/run runs it
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist load -q -m "exhaustive$(and_markers)"

test-fast: $(STAMP) ## The suite without the browser tests, for the edit-test loop (as `make test`, without collecting tests/e2e)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile -q --ignore=tests/e2e -m "not servers and not exhaustive$(and_markers)"

lint: $(STAMP) ## ruff check and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP) ## Format the code
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: $(STAMP) ## mypy on the package
	$(BIN)/mypy timetracker

bench: $(STAMP) ## Benchmark the portal at 1,000,000 entries (ARGS="--entries 100000" to change)
	$(BIN)/python -m bench $(or $(ARGS),--entries 1000000)

bench-quick: $(STAMP) ## Smoke run of the benchmark (10,000 entries): checks the harness works, asserts nothing
	$(BIN)/python -m bench --entries 10000 --quick

css: $(STAMP) ## Rebuild Bootstrap's reduced stylesheet after a new class in a template, script or Python string; commit the result
	$(BIN)/python -m timetracker.assets.purge

lighthouse: $(STAMP) ## Lighthouse mobile performance of five portal and staff pages (Node.js, Debian's chromium); results in bench/results/
	npm install --no-save --no-audit --no-fund --prefix "$$PWD/.cache/lighthouse" lighthouse@12.8.2
	CHROME_PATH=/usr/bin/chromium $(BIN)/python -m bench.lighthouse

bench-workers: $(STAMP) ## Compare gunicorn's worker models (sync, threads) on the mixed page set (ARGS to change the scale)
	$(BIN)/python -m bench --compare-workers $(or $(ARGS),--entries 100000)

clean: ## Remove the virtualenv and caches (keeps instance/)
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache .hypothesis

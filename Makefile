# Two entry points (see README): `make portal` and `make test`. Everything else is set up on demand.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: portal test lint bench

$(STAMP): pyproject.toml scripts/system-packages.sh
	scripts/system-packages.sh
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

## Run the portal: create the environment, migrate SQLite, load reference/national/demo data, serve 127.0.0.1:8000.
portal: $(STAMP)
	$(BIN)/tsunagari setup --demo
	$(BIN)/tsunagari serve --host 127.0.0.1 --port 8000

## Run every test (SQLite by default; set DATABASE_URL=postgres://… to run on PostgreSQL), then lint.
test: $(STAMP)
	$(BIN)/pytest
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

## Run the benchmarks and rewrite BENCHMARKS.md.
bench: $(STAMP)
	$(BIN)/python bench/run.py

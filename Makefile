# Two entry points (see README): `make portal` and `make test`. Everything else is set up on demand.
# The interpreter the virtualenv is made from: see scripts/venv-python.sh (Debian's python3.11 first).
PYTHON ?= $(shell scripts/venv-python.sh)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: portal test lint bench messages

$(STAMP): pyproject.toml scripts/system-packages.sh scripts/venv-python.sh tests/a11y/package-lock.json
	scripts/system-packages.sh
	cd tests/a11y && npm ci --no-audit --no-fund --silent
	$(PYTHON) -m venv --clear $(VENV)
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

## Run the benchmarks and rewrite BENCHMARKS.md (search, navigator, the navigator under load with wrk, then the
## helpline: voice webhooks under load on PostgreSQL, a year in the simulator, a trial period's statistics; cases,
## survey and network; the machine's floor below the application).
bench: $(STAMP)
	scripts/bench-packages.sh
	$(BIN)/python bench/run.py
	$(BIN)/python bench/run.py --only load
	$(BIN)/python bench/run.py --only helpline
	$(BIN)/python bench/run.py --only cases
	$(BIN)/python bench/run.py --only survey
	$(BIN)/python bench/run.py --only network
	$(BIN)/python bench/run.py --only floor

## Re-extract user text into the catalogues after changing templates, code, flow.yaml or the vocabulary.
messages: $(STAMP)
	$(BIN)/python -m tsunagari.core.msgid_sources
	# Public pages only: staff consoles (helpline) are Japanese-only for now and stay out of these catalogues.
	cd src/tsunagari && ../../$(BIN)/tsunagari manage makemessages --no-location --no-obsolete --ignore 'helpline/*' --ignore 'core/templates/registration/*' \
	  -l ja -l ja_Easy -l en -l zh_Hans -l zh_Hant -l ko -l vi -l ne -l id -l tl -l th -l pt_BR -l es
	$(BIN)/python -c "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'tsunagari.settings'); django.setup(); from tsunagari.core.catalogues import fix_headers; fix_headers()"

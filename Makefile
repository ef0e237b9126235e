# MVOI monitoring warehouse. The two commands: `make build` and `make test`.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export MVOI_DB_PATH ?= warehouse/mvoi.duckdb
export DBT_PROFILES_DIR := $(CURDIR)
DBT := $(BIN)/dbt

.PHONY: build test env lint dbt-build python-test docs sample lock clean

## env: create the project-local virtual environment from the lock file (once)
env: $(STAMP)

$(STAMP): requirements-lock.txt pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found; install Python 3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-virtualenv -r requirements-lock.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

## build: seed, build and document the warehouse on the sample (or on MVOI_RAW_DIR)
build: env
	@mkdir -p warehouse
	@echo "== landing: $${MVOI_RAW_DIR:-bundled sample (seeds/sample)}"
	$(DBT) build
	$(DBT) docs generate --quiet
	@echo
	@echo "Build database : $(MVOI_DB_PATH)"
	@echo "dbt docs       : target/index.html  (serve with: $(DBT) docs serve --port 8080)"

## test: every check the project has: sqlfluff lint, dbt build with all tests, Python tests
test: env lint dbt-build python-test

lint: env
	$(BIN)/sqlfluff lint models analyses snapshots tests --processes 2

dbt-build: env
	@mkdir -p warehouse
	$(DBT) build

python-test: env
	$(BIN)/pytest -q

## sample: regenerate the bundled sample in seeds/sample with the generator
sample: env
	$(BIN)/mvoi generate --out seeds/sample --invoice-lines 3000 --seed 20261128 --fault-rate 0.01 --format csv --dbt-seed-properties

## lock: refresh requirements-lock.txt from requirements.txt (needs the registries)
lock:
	rm -rf /tmp/mvoi-lock && $(PYTHON) -m venv /tmp/mvoi-lock
	/tmp/mvoi-lock/bin/pip install --quiet -r requirements.txt setuptools wheel
	{ echo "# Lock file: every direct and transitive dependency, exact. Regenerate with 'make lock'."; \
	  /tmp/mvoi-lock/bin/pip freeze --all; } > requirements-lock.txt

clean:
	rm -rf target logs warehouse

# MVOI monitoring warehouse. The two commands: `make build` and `make test`.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# every output of a build lives under one folder (mvoi/paths.py; finer variables override)
export MVOI_WAREHOUSE_DIR ?= warehouse
export DBT_TARGET_PATH ?= $(MVOI_WAREHOUSE_DIR)/target
export DBT_LOG_PATH ?= $(MVOI_WAREHOUSE_DIR)/logs
export DBT_PROFILES_DIR := $(CURDIR)
DBT := $(BIN)/dbt

.PHONY: build test env browser lint dbt-build metadata python-test sample lock clean

## env: create the project-local virtual environment from the lock file (once), and install the
## GX Data Docs' scripts and styles pinned in mvoi/gx_docs_assets.json (once; needs the npm registry)
env: $(STAMP)
	@$(BIN)/python scripts/install_gx_docs_assets.py

$(STAMP): requirements-lock.txt pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found; install Python 3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-virtualenv -r requirements-lock.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

## build: build, gate, publish, document and report the warehouse on the sample (or MVOI_RAW_DIR)
# One build per warehouse at a time; a failed test or gate blocks only the publication
# (mvoi/build.py says what runs and in which order).
build: env
	$(BIN)/mvoi build

## test: every check the project has: sqlfluff lint, dbt build with all tests and both GX gates,
## the metadata gate, and the Python tests (which drive the real pipeline in temp folders)
test: env browser lint dbt-build metadata python-test

browser:
	bash scripts/install_browser.sh

lint: env
	$(BIN)/ruff check mvoi tests/python scripts
	$(BIN)/sqlfluff lint models analyses snapshots tests --processes 2

dbt-build: env
	@mkdir -p $(MVOI_WAREHOUSE_DIR)
	$(DBT) build
	$(BIN)/mvoi validate --gate all
	$(DBT) build --select dq_scorecard_evidence+ --quiet
	$(DBT) compile --select path:analyses --quiet

metadata: env
	$(DBT) docs generate --quiet
	$(BIN)/mvoi check-metadata

# Two pytest workers (pytest-xdist), one test module each at a time: most tests wait on a dbt
# build that keeps about one core busy, so two builds at once use both. PYTEST_WORKERS=0 runs serially.
PYTEST_WORKERS ?= 2
python-test: env
	$(BIN)/pytest -q -n $(PYTEST_WORKERS) --dist loadfile --durations=25

## sample: regenerate the bundled sample (sample/, an ordinary landing folder) with the generator
sample: env
	$(BIN)/mvoi generate --out sample --invoice-lines 3000 --seed 20261128 --fault-rate 0.003 --format csv

## lock: refresh requirements-lock.txt from requirements.txt (needs the registries)
lock:
	rm -rf /tmp/mvoi-lock && $(PYTHON) -m venv /tmp/mvoi-lock
	/tmp/mvoi-lock/bin/pip install --quiet -r requirements.txt setuptools wheel
	{ echo "# Lock file: every direct and transitive dependency, exact. Regenerate with 'make lock'."; \
	  /tmp/mvoi-lock/bin/pip freeze --all; } > requirements-lock.txt

clean:
	rm -rf target logs $(MVOI_WAREHOUSE_DIR)

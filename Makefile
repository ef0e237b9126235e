# MVOI monitoring warehouse. The two commands: `make build` and `make test`.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export MVOI_DB_PATH ?= warehouse/mvoi.duckdb
export MVOI_PUBLISHED_PATH ?= warehouse/mvoi_published.duckdb
export DBT_PROFILES_DIR := $(CURDIR)
DBT := $(BIN)/dbt

.PHONY: build test env browser lint dbt-build metadata python-test sample lock clean

## env: create the project-local virtual environment from the lock file (once)
env: $(STAMP)

$(STAMP): requirements-lock.txt pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found; install Python 3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-virtualenv -r requirements-lock.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

## build: build, gate, publish, document and report the warehouse on the sample (or MVOI_RAW_DIR)
# A failed dbt test or gate blocks only the publication: every step still runs, the build
# database keeps the quarantine, the scorecard and the marts, and make exits non-zero.
# The previous run_results.json is removed first: a build that stops in its landing hook
# writes none, and the publication step must not mistake the last build's results for it.
build: env
	@mkdir -p warehouse
	@echo "== landing: $${MVOI_RAW_DIR:-bundled sample (seeds/sample)}"
	@status=0; \
	rm -f "$${DBT_TARGET_PATH:-target}/run_results.json"; \
	$(DBT) build || status=1; \
	$(BIN)/mvoi gate-and-publish || status=1; \
	$(DBT) build --select dq_scorecard_evidence+ --quiet || status=1; \
	$(DBT) docs generate --quiet || status=1; \
	if [ -f "$(MVOI_PUBLISHED_PATH)" ]; then $(BIN)/mvoi report --out warehouse/kpi_report.html || status=1; fi; \
	echo; \
	echo "Build database : $(MVOI_DB_PATH)"; \
	echo "Published      : $(MVOI_PUBLISHED_PATH) (read-only for BI tools; Parquet in warehouse/export/)"; \
	echo "KPI report     : warehouse/kpi_report.html"; \
	echo "dbt docs       : target/index.html  (serve: $(DBT) docs serve --port 8080)"; \
	echo "GX Data Docs   : gx/uncommitted/data_docs/local_site/index.html"; \
	exit $$status

## test: every check the project has: sqlfluff lint, dbt build with all tests and both GX gates,
## the metadata gate, and the Python tests (which drive the real pipeline in temp folders)
test: env browser lint dbt-build metadata python-test

browser:
	bash scripts/install_browser.sh

lint: env
	$(BIN)/sqlfluff lint models analyses snapshots tests --processes 2

dbt-build: env
	@mkdir -p warehouse
	$(DBT) build
	$(BIN)/mvoi validate --gate all
	$(DBT) build --select dq_scorecard_evidence+ --quiet
	$(DBT) compile --select path:analyses --quiet

metadata: env
	$(DBT) docs generate --quiet
	$(BIN)/mvoi check-metadata

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

# Communiqué: `make run` builds the warehouse from seeds/, `make test` runs the test suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.8
UV := .tools/bin/uv
export UV_PROJECT_ENVIRONMENT := $(abspath $(VENV))
export PATH := $(abspath $(BIN)):$(PATH)
export DAGSTER_HOME := $(abspath .dagster_home)
export DAGSTER_DISABLE_TELEMETRY := 1
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export PYTHONPATH := $(abspath .)

REDIS := /usr/bin/redis-server

.PHONY: run run-distributed test lint dev clean docs docs-serve bench corpus gold setup bi bi-stop test-bi

## set-up: .venv is (re)built when pyproject.toml or uv.lock is newer than it
$(UV):
	$(PYTHON) -m pip install --quiet --disable-pip-version-check --target .tools uv==$(UV_VERSION)

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --locked --quiet
	touch $@

DBT_SOURCES := $(shell find dbt_project/models dbt_project/seeds dbt_project/macros -type f) dbt_project/dbt_project.yml

setup: $(VENV)/.synced $(DAGSTER_HOME)/dagster.yaml dbt_project/target/manifest.json

$(DAGSTER_HOME)/dagster.yaml: dagster.yaml
	mkdir -p $(DAGSTER_HOME) && cp dagster.yaml $@

# dagster-dbt loads the manifest at import: parse only when the dbt project changed
dbt_project/target/manifest.json: $(VENV)/.synced $(DBT_SOURCES)
	cd dbt_project && $(abspath $(BIN))/dbt parse --quiet

## run: ingest, extract, build the marts and run every check on COMMUNIQUE_DOCUMENTS
run: setup
	$(BIN)/python -m orchestration.run

test: setup $(REDIS)
	$(BIN)/pytest -q

## run-distributed: the same assets on Redis + two dagster-celery workers + the daemon, one month per run
run-distributed: setup $(REDIS)
	$(BIN)/python -m orchestration.distributed

lint: setup
	$(BIN)/ruff check orchestration tests scripts benchmarks
	$(BIN)/ruff format --check orchestration tests scripts benchmarks
	$(BIN)/sqlfluff lint dbt_project/models

## dev: the Dagster UI on http://127.0.0.1:3070
dev: setup
	$(BIN)/dagster dev -h 127.0.0.1 -p 3070

## gold: build a warehouse from the gold documents and score it
gold: setup
	COMMUNIQUE_DOCUMENTS=../shared/gold/docs COMMUNIQUE_WAREHOUSE=warehouse/gold.duckdb $(BIN)/python -m orchestration.run
	$(BIN)/python ../shared/tools/score_gold.py warehouse/gold.duckdb ../shared/gold/dev.jsonl ../shared/gold/dates.jsonl

clean:
	rm -rf warehouse .dagster_home .dagster_distributed dbt_project/target dbt_project/logs site

## corpus: a generated scale corpus, N documents (default 100000), under corpus/ (gitignored)
N ?= 100000
corpus: setup
	$(BIN)/python -m benchmarks.generate_corpus --documents $(N) --out corpus/gen-$(N)

## bench: every stage on a generated corpus of N documents (default 20000); records benchmarks/results/
BENCH_N ?= 20000
# BENCH_ONLY: some of stages pipeline incremental overhead scaleout (all when empty); BENCH_COLD=1: drop the
# OS caches before the daily run (root only)
BENCH_ONLY ?=
bench: setup
	$(BIN)/python -m benchmarks.run --documents $(BENCH_N) $(if $(BENCH_ONLY),--only $(BENCH_ONLY)) $(if $(BENCH_COLD),--cold)

## docs: Great Expectations Data Docs and the dbt docs site, built into site/ (gitignored)
docs: setup
	$(BIN)/python -m orchestration.docs_site

## docs-serve: the dbt docs site on http://127.0.0.1:8580 (its catalog needs a web server)
docs-serve:
	cd site/dbt && $(abspath $(BIN))/python -m http.server 8580 --bind 127.0.0.1

## bi: Apache Superset over the published snapshot, built from scratch, on http://127.0.0.1:8088
BI_VENV := .venv-bi
BI_HOME := .superset_home
BI_PORT ?= 8088
SNAPSHOT := $(dir $(abspath $(or $(COMMUNIQUE_WAREHOUSE),warehouse/communique.duckdb)))serving/communique.duckdb

$(BI_VENV)/.installed: bi/requirements.txt bi/constraints.txt
	test -x $(BI_VENV)/bin/python || $(PYTHON) -m venv $(BI_VENV)
	$(BI_VENV)/bin/pip install --quiet --disable-pip-version-check -r bi/requirements.txt -c bi/constraints.txt
	touch $@

# Debian's redis-server: the broker of the distributed profile (its test runs in `make test`)
$(REDIS):
	apt-get update -qq && apt-get install -y -qq redis-server

/usr/bin/chromium:
	apt-get update -qq && apt-get install -y -qq chromium

bi: $(BI_VENV)/.installed
	test -f $(SNAPSHOT) || $(MAKE) run
	bi/superset.sh down $(BI_HOME)
	bi/superset.sh up $(SNAPSHOT) $(BI_HOME) $(BI_PORT)
	@echo "Superset is serving on http://127.0.0.1:$(BI_PORT)/superset/dashboard/communique-overview/"
	@echo "login: admin / admin   (stop it with: make bi-stop)"

bi-stop:
	bi/superset.sh down $(BI_HOME)

## test-bi: Superset from scratch in a temporary home; every chart returns rows; a screenshot that is not blank
test-bi: setup $(BI_VENV)/.installed /usr/bin/chromium
	test -f $(SNAPSHOT) || $(MAKE) run
	home=$$(mktemp -d) && trap 'bi/superset.sh down '$$home' ; rm -rf '$$home EXIT INT TERM; \
	  bi/superset.sh up $(SNAPSHOT) $$home 8089 && \
	  bi/superset.sh check $$home 8089 $$home/dashboard.png && \
	  mkdir -p warehouse && cp $$home/dashboard.png warehouse/dashboard.png && \
	  DASHBOARD_SCREENSHOT=$$home/dashboard.png $(BIN)/pytest -q tests/bi

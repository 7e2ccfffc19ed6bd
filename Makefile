# The two commands of the README:
#   make demo   set up, generate demo data, build the warehouse, print one login per role,
#               serve the dashboard on 127.0.0.1
#   make test   set up, run the whole test suite (lint included)
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
DATA ?= data
SCALE ?= tiny
SEED ?= 42
PORT ?= 8501
# `make demo VERBOSE=1`: a line per build step and per dbt node that did not pass.
VERBOSE ?=

export DO_NOT_TRACK := 1
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export STREAMLIT_BROWSER_GATHER_USAGE_STATS := false
export DAGSTER_DISABLE_TELEMETRY := true

.PHONY: setup demo test lint

$(VENV)/.installed: pyproject.toml requirements.lock scripts/setup.sh
	bash scripts/setup.sh
	touch $@

setup: $(VENV)/.installed

demo: setup
	$(VENV)/bin/dangan generate --scale $(SCALE) --seed $(SEED) --out $(DATA)/demo
	$(VENV)/bin/dangan build --marketing-url sqlite:///$(DATA)/demo/marketing.sqlite \
		--archive-url sqlite:///$(DATA)/demo/archive.sqlite \
		--scans $(DATA)/demo/scans --warehouse $(DATA)/warehouse.duckdb \
		--as-of "$$($(PY) -m ingest.synthetic.manifest $(DATA)/demo as_of)" $(if $(VERBOSE),--verbose)
	$(VENV)/bin/dangan users --warehouse $(DATA)/warehouse.duckdb demo
	$(VENV)/bin/dangan dashboard --warehouse $(DATA)/warehouse.duckdb --port $(PORT)

# sqlfluff renders the models with dbt, which opens a DuckDB file (a model looks for the
# frozen months); a scratch file under dbt/target keeps it off any real warehouse.
lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	mkdir -p dbt/target
	DANGAN_DBT_DB=dbt/target/sqlfluff.duckdb $(VENV)/bin/sqlfluff lint dbt/models

test: setup lint
	$(VENV)/bin/python -m pytest

# What a newcomer types. `make run` and `make test` are the README's two commands.
SHELL := /bin/bash
export DAGSTER_HOME := $(CURDIR)/warehouse/dagster_home
UV ?= $(shell command -v uv 2>/dev/null || echo "python3 -m uv")

.PHONY: env run test test-fast lint format dev bench embeddings clean

env: ## build the environment from uv.lock
	@command -v uv >/dev/null 2>&1 || python3 -m pip install --quiet uv
	$(UV) sync --frozen
	@mkdir -p "$(DAGSTER_HOME)" && touch "$(DAGSTER_HOME)/dagster.yaml"

run: env ## materialize every asset into warehouse/taskvalue.duckdb
	$(UV) run --frozen dagster job execute -m orchestration.definitions -j refresh_job

test: env ## the whole test suite (CI runs this)
	$(UV) run --frozen pytest

test-fast: env ## unit tests only, no end-to-end runs over ../shared/data
	$(UV) run --frozen pytest -m "not slow and not browser"

lint: env
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .

format: env
	$(UV) run --frozen ruff format .
	$(UV) run --frozen ruff check --fix .

dev: env ## the Dagster UI on http://127.0.0.1:3000
	$(UV) run --frozen dagster dev -m orchestration.definitions -h 127.0.0.1 -p 3000

bench: env ## print timings and peak memory (see bench/)
	$(UV) run --frozen python -m bench.ingest

clean:
	rm -rf warehouse/work warehouse/taskvalue.duckdb warehouse/exports warehouse/reports

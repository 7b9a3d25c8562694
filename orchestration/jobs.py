"""Jobs. DuckDB takes one writer per file, so every job runs in process (see ../shared/STACK.md)."""

from __future__ import annotations

from dagster import AssetSelection, define_asset_job, in_process_executor

# The run queue starts one run with this tag at a time (orchestration/dagster.yaml): every job that
# writes the work database carries it.
WRITER_TAGS = {"taskvalue/writer": "work_db"}
# A writer run that hangs (a download trickling forever, a stuck lock) would hold the queue above,
# and every later refresh would wait behind it. With run monitoring on (orchestration/dagster.yaml),
# the daemon fails a run older than this; a full refresh takes under a minute once the sources are
# local, and first downloads minutes.
MAX_RUNTIME_S = 3 * 3600
JOB_TAGS = {**WRITER_TAGS, "dagster/max_runtime": str(MAX_RUNTIME_S)}

refresh_job = define_asset_job(
    "refresh_job",
    selection=AssetSelection.all(),
    executor_def=in_process_executor,
    tags=JOB_TAGS,
    description="Refresh everything: acquire sources, stage, model, report, and publish the warehouse.",
)


def build_jobs():
    return [refresh_job]

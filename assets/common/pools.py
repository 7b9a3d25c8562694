"""The concurrency pool of every asset that writes the work database.

DuckDB takes one writer per file, and two refreshes interleaving table by table would mix two
configurations (publish refuses such a file, see assets/publish/assets.py). The run queue keeps the
tagged writer jobs apart (`taskvalue/writer`), but a Materialize from the asset graph runs Dagster's
implicit asset job, which carries no tag. Every asset is in this pool instead, and the shipped
instance file (orchestration/dagster.yaml) limits pools to one run at a time (granularity `run`), so
such a run waits in the queue too.
"""

WORK_DB_POOL = "taskvalue_work_db"

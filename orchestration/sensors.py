"""Sensors (and the jobs only they use).

inventory_files_sensor watches the inventory directory. When a file is added, removed or its
content changes (the overrides file included), it requests `inventory_refresh_job`, which
re-materializes only the inventory assets, the domains config tables, and everything downstream of
them (matches, coverage, the published warehouse), not the OES/O*NET sources. Stopped by default;
turn it on in the UI or start with TASKVALUE_INVENTORY_SENSOR=on.
"""

import hashlib
import json
import os
from pathlib import Path
from stat import S_ISREG

from dagster import (
    AssetSelection,
    DefaultSensorStatus,
    RunRequest,
    SensorEvaluationContext,
    SkipReason,
    define_asset_job,
    in_process_executor,
    sensor,
)

from assets.common.env import env_flag
from assets.inventory.assets import DOMAIN_CONFIG, FILES, OVERRIDES, QUARANTINE, TASKS
from assets.inventory.ingest import inventory_files
from orchestration.jobs import WRITER_TAGS
from orchestration.resources import TaskvalueSettings

# The inventory and the domains config it is read against (an edited config/domains.toml reaches
# the matches and coverage with this job, not only with refresh_job), and everything downstream.
INVENTORY_REFRESH_SELECTION = AssetSelection.assets(
    TASKS, QUARANTINE, FILES, OVERRIDES, *DOMAIN_CONFIG
).downstream()

inventory_refresh_job = define_asset_job(
    "inventory_refresh_job",
    selection=INVENTORY_REFRESH_SELECTION,
    executor_def=in_process_executor,
    tags=WRITER_TAGS,
    description="Re-ingest the task inventory and rebuild everything downstream of it (matches, coverage, publish).",
)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def inventory_state(directory: Path, previous: dict | None = None) -> dict[str, list]:
    """{relative name: [size, mtime_ns, sha256]}; a file whose size and mtime did not change keeps
    its previous hash, so an idle directory costs one stat per file."""
    previous = previous or {}
    state: dict[str, list] = {}
    if not directory.is_dir():
        return state
    for path in inventory_files(directory):  # the files the ingest reads, linked directories included
        name = path.relative_to(directory).as_posix()
        try:
            stat = path.stat()
            if not S_ISREG(stat.st_mode):  # a FIFO or device: hashing it would block (ingest: unreadable)
                raise OSError(0, "not a regular file")
            old = previous.get(name)
            if old and old[0] == stat.st_size and old[1] == stat.st_mtime_ns:
                state[name] = old
            else:
                state[name] = [stat.st_size, stat.st_mtime_ns, _sha256(path)]
        except OSError:  # a broken link, no permission, or gone since listing: the ingest reports it
            state[name] = [None, None, None]
    return state


def content_key(state: dict[str, list]) -> str:
    """What a run depends on: names and contents (a touch without a change requests nothing)."""
    payload = json.dumps({name: entry[2] for name, entry in state.items()}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


@sensor(
    job=inventory_refresh_job,
    minimum_interval_seconds=60,
    default_status=(
        DefaultSensorStatus.RUNNING
        if env_flag("TASKVALUE_INVENTORY_SENSOR", os.environ.get("TASKVALUE_INVENTORY_SENSOR") or "0")
        else DefaultSensorStatus.STOPPED
    ),
    description="Requests inventory_refresh_job when files in the inventory directory are added, removed or changed.",
)
def inventory_files_sensor(context: SensorEvaluationContext, settings: TaskvalueSettings):
    previous = json.loads(context.cursor) if context.cursor else {}
    state = inventory_state(settings.inventory, previous.get("files"))
    key = content_key(state)
    generation = int(previous.get("generation", 0))
    if previous.get("key") == key:
        # keep refreshed mtimes
        context.update_cursor(json.dumps({"files": state, "key": key, "generation": generation}))
        return SkipReason(f"no change in {len(state)} inventory file(s)")
    changed = sorted(
        set(state) ^ set(previous.get("files", {}))
        | {n for n in state if n in previous.get("files", {}) and previous["files"][n][2] != state[n][2]}
    )
    generation += 1
    context.update_cursor(json.dumps({"files": state, "key": key, "generation": generation}))
    # Dagster skips a run_key it has seen: the generation makes a reverted edit (same content as an
    # earlier state) a new request, while a retried tick of the same change is still deduplicated
    return RunRequest(
        run_key=f"{key}:{generation}",
        tags={"taskvalue/inventory_changed": ", ".join(changed)[:200] or "(no inventory files)"},
    )


JOBS: list = [inventory_refresh_job]
SENSORS: list = [inventory_files_sensor]

"""Sensors (and the jobs only they use).

inventory_files_sensor watches what a refresh of the inventory reads: the files the ingest reads
(its own reserved-name rule: `.DS_Store`, editor lock, swap, backup and temporary files do not
count), the overrides file wherever TASKVALUE_INVENTORY_OVERRIDES puts it, any other
`_override*.<data file type>` in the directory (the overrides asset refuses one it would not read;
an editor backup such as `_overrides.csv~` is ignored), and the domains file. When one is added,
removed or its content changes, it requests `inventory_refresh_job`, which re-materializes only the
inventory assets, the domains config tables, and everything downstream of them (matches, coverage,
the published warehouse), not the OES/O*NET sources. A change is acted on once the changed files
have not been modified for SETTLE_S seconds, so a file still being written is not read half. Its
first tick (no cursor) requests nothing when the files are those the published warehouse was built
from, as the reading assets recorded them (published_inputs). Stopped by default; turn it on in the
UI or start with TASKVALUE_INVENTORY_SENSOR=on.
"""

import hashlib
import json
import os
import time
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from datetime import UTC, datetime, timedelta
from pathlib import Path
from stat import S_ISREG

from dagster import (
    AssetKey,
    AssetSelection,
    DagsterInstance,
    DagsterInvariantViolationError,
    DagsterRunStatus,
    DefaultSensorStatus,
    RunRequest,
    RunsFilter,
    SensorEvaluationContext,
    SkipReason,
    define_asset_job,
    in_process_executor,
    sensor,
)

from assets.common.env import env_flag
from assets.common.inputs import READ_FILES, path_key, sha256_of
from assets.coverage.config import CoverageSettings
from assets.inventory.assets import DOMAIN_CONFIG, FILES, OVERRIDES, QUARANTINE, TASKS, overrides_path
from assets.inventory.config import InventorySettings
from assets.inventory.inventory_files import inventory_files, is_reserved
from assets.inventory.overrides import is_overrides_name
from orchestration.jobs import JOB_TAGS
from orchestration.resources import TaskvalueSettings

# The inventory and the domains config it is read against (an edited config/domains.toml reaches
# the matches and coverage with this job, not only with refresh_job), the tier order the coverage
# settings' tier counts shape (TASKVALUE_COVERAGE_BOTTOM_TIERS/TOP_TIERS), and everything downstream.
INVENTORY_REFRESH_SELECTION = AssetSelection.assets(
    TASKS, QUARANTINE, FILES, OVERRIDES, *DOMAIN_CONFIG, AssetKey(["int", "domain_tier_order"])
).downstream()

inventory_refresh_job = define_asset_job(
    "inventory_refresh_job",
    selection=INVENTORY_REFRESH_SELECTION,
    executor_def=in_process_executor,
    tags=JOB_TAGS,
    description="Re-ingest the task inventory and rebuild everything downstream of it (matches, coverage, publish).",
)


# A file modified less than this long ago may still be being written (a copy, an export, a sync):
# the tick waits for the next one rather than start a run that reads it half.
SETTLE_S = 10.0


def watched_files(
    directory: Path, overrides: Path | None = None, config_files: Iterable[Path] = ()
) -> dict[str, Path]:
    """{name: path} of what a refresh reads: the files the ingest reads (not reserved: a `.DS_Store`
    or an editor's `.~lock.x#` changes nothing), `_overrides.*` files in the directory (the overrides
    asset reads the CSV and refuses the others; `_overrides.csv~`, `_overrides.bak` are backups, not
    watched), and the overrides file itself, named by its absolute
    path when it lies outside the directory; listed even while it does not exist, so that its
    appearance is a change. `config_files` (the domains file) are named by their absolute paths."""
    found: dict[str, Path] = {}
    if directory.is_dir():
        for path in inventory_files(directory):  # linked directories included, as the ingest lists them
            rel = path.relative_to(directory)
            if not is_reserved(rel) or is_overrides_name(path):
                found[rel.as_posix()] = path
    if overrides is not None:
        try:
            name = overrides.relative_to(directory).as_posix()
        except ValueError:
            name = overrides.absolute().as_posix()
        found.setdefault(name, overrides)
    for path in config_files:
        found.setdefault(path.absolute().as_posix(), path)
    return found


def inventory_state(
    directory: Path,
    previous: dict | None = None,
    overrides: Path | None = None,
    config_files: Iterable[Path] = (),
) -> dict[str, list]:
    """{name: [size, mtime_ns, sha256, inode, ctime_ns]} of the watched files; a file whose size,
    mtime, inode and ctime did not change keeps its previous hash, so an idle directory costs one
    stat per file. The inode and ctime catch what size and mtime miss: a file replaced by one of the
    same size with its mtime set back (`cp -p`, `touch -d`, a link re-pointed), since setting an
    mtime updates the ctime, and a replaced file has another inode. (An entry of an older cursor,
    without them, is hashed again once.)"""
    previous = previous or {}
    state: dict[str, list] = {}
    for name, path in watched_files(directory, overrides, config_files).items():
        try:
            stat = path.stat()
            if not S_ISREG(stat.st_mode):  # a FIFO or device: hashing it would block (ingest: unreadable)
                raise OSError(0, "not a regular file")
            old = previous.get(name)
            signature = [stat.st_size, stat.st_mtime_ns, stat.st_ino, stat.st_ctime_ns]
            if old and [*old[:2], *old[3:5]] == signature:
                state[name] = old
            else:
                state[name] = [stat.st_size, stat.st_mtime_ns, sha256_of(path), stat.st_ino, stat.st_ctime_ns]
        except OSError:  # missing, a broken link, no permission, gone since listing: the run reports it
            state[name] = [None, None, None, None, None]
    return state


def content_key(state: dict[str, list]) -> str:
    """What a run depends on: names and contents (a touch without a change requests nothing)."""
    payload = json.dumps({name: entry[2] for name, entry in state.items()}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


# The assets that read the watched files record what they read (assets/common/inputs.py); a run of
# one of these whole jobs that published ran everything between them and the published warehouse.
READERS = [FILES, OVERRIDES, *DOMAIN_CONFIG]
PUBLISHED = AssetKey(["warehouse", "published"])
WHOLE_JOBS = ("refresh_job", "inventory_refresh_job")


def published_inputs(
    instance: DagsterInstance | None, warehouse: Path, whole: AbstractSet[AssetKey] = frozenset()
) -> tuple[str, dict[str, str | None]] | None:
    """(run id, {absolute path: sha256}) of the watched files the published warehouse was built from;
    None when that cannot be told for certain: never published, the last publish wrote another file
    than `warehouse` or the file there is not the one it wrote (deleted, or replaced by a refresh this
    instance did not record), the last publish was not a whole refresh_job / inventory_refresh_job
    run (a selection in the UI may have skipped the matches), a reader materialized after it (a run
    that failed before publishing), or a reader recorded nothing (materialized before readers
    recorded their files). None means a refresh is requested."""
    published = instance and instance.get_latest_materialization_event(PUBLISHED)
    if published is None or published.asset_materialization is None:
        return None
    if not _is_the_published_file(published.asset_materialization.metadata, warehouse):
        return None
    run = instance.get_run_by_id(published.run_id)
    if run is None or run.job_name not in WHOLE_JOBS:
        return None
    # a selection that holds everything an inventory refresh rebuilds is whole too: the UI's
    # "Materialize all" launches refresh_job with every asset listed
    if run.asset_selection and not (whole and run.asset_selection >= whole):
        return None
    recorded: dict[str, str | None] = {}
    for key in READERS:
        event = instance.get_latest_materialization_event(key)
        if event is None or event.run_id != published.run_id or event.asset_materialization is None:
            return None
        entry = event.asset_materialization.metadata.get(READ_FILES)
        if entry is None:
            return None
        for path, sha in entry.value.items():
            if recorded.setdefault(path, sha) != sha:  # read twice, changed in between
                return None
    return published.run_id, recorded


IN_FLIGHT = [
    DagsterRunStatus.QUEUED,
    DagsterRunStatus.NOT_STARTED,
    DagsterRunStatus.STARTING,
    DagsterRunStatus.STARTED,
    DagsterRunStatus.CANCELING,
]


# A refresh queued or running since less than this is waited for (see the sensor); an older one is
# taken for stale: a killed `taskvalue refresh` leaves its run STARTED until someone cleans it up.
WAIT_FOR_RUN_S = 3600


def refresh_in_flight(instance: DagsterInstance | None, within_s: float | None = None) -> bool:
    """Whether a refresh that publishes is queued or running (created within the last `within_s`
    seconds, when given): it may publish other files than these (an edit reverted while the run for
    it is under way), so the published ones settle nothing."""
    if instance is None:
        return False
    since = datetime.now(UTC) - timedelta(seconds=within_s) if within_s is not None else None
    return any(
        instance.get_run_records(RunsFilter(job_name=job, statuses=IN_FLIGHT, created_after=since), limit=1)
        for job in WHOLE_JOBS
    )


def _is_the_published_file(metadata: dict, warehouse: Path) -> bool:
    recorded = {key: getattr(metadata.get(key), "value", None) for key in ("path", "bytes", "mtime_ns")}
    if None in recorded.values():  # published before the mtime was recorded: cannot tell
        return False
    try:
        stat = warehouse.stat()
        same_path = Path(recorded["path"]).resolve() == warehouse.resolve()
    except OSError:
        return False
    return same_path and (stat.st_size, stat.st_mtime_ns) == (recorded["bytes"], recorded["mtime_ns"])


def inventory_refresh_keys(context: SensorEvaluationContext) -> AbstractSet[AssetKey]:
    """What inventory_refresh_job rebuilds, resolved in the sensor's repository (empty without one:
    then only a run without a selection counts as whole)."""
    repository = context.repository_def
    if repository is None:
        return frozenset()
    return frozenset(INVENTORY_REFRESH_SELECTION.resolve(list(set(repository.assets_defs_by_key.values()))))


def instance_of(context: SensorEvaluationContext) -> DagsterInstance | None:
    """The sensor's instance; None for a context built in a test without one."""
    try:
        return context.instance
    except DagsterInvariantViolationError:
        return None


def by_path(directory: Path, state: dict[str, list]) -> dict[str, str | None]:
    """The state's hashes keyed like the readers' record: by absolute path (names in the directory
    are relative to it, others are absolute already)."""
    return {path_key(directory / name): entry[2] for name, entry in state.items()}


def first_epoch(context: SensorEvaluationContext) -> str:
    """The epoch of a cursor-less tick (first start, or after the cursor is cleared): the same when
    that tick is evaluated again (a retry must request the run key Dagster already has, so it is
    deduplicated), different after a reset. Dagster keeps the sensor's last requested run key and
    its start time across a cursor reset: after a reset the last run key is one of the previous
    epoch, so the new epoch differs from every earlier one (a uuid did, but differed on a retry too).
    An epoch that requested no run leaves the last run key as it was and may be repeated, harmlessly:
    none of its keys was ever used."""
    seed = f"{context.last_sensor_start_time!r}|{context.last_run_key!r}"
    return hashlib.sha256(seed.encode()).hexdigest()[:12]


@sensor(
    job=inventory_refresh_job,
    minimum_interval_seconds=60,
    default_status=(
        DefaultSensorStatus.RUNNING
        if env_flag("TASKVALUE_INVENTORY_SENSOR", os.environ.get("TASKVALUE_INVENTORY_SENSOR") or "0")
        else DefaultSensorStatus.STOPPED
    ),
    description="Requests inventory_refresh_job when inventory files, the overrides file or the domains file "
    "are added, removed or changed (once they have not changed for 10 s).",
)
def inventory_files_sensor(
    context: SensorEvaluationContext,
    settings: TaskvalueSettings,
    inventory_settings: InventorySettings,
    coverage_settings: CoverageSettings,
):
    previous = json.loads(context.cursor) if context.cursor else {}
    if not settings.inventory.is_dir():
        # a moved directory, or a share whose mount point is gone: every file would look deleted
        return SkipReason(
            f"inventory directory {settings.inventory} is missing or not a directory "
            "(TASKVALUE_INVENTORY_DIR): no refresh is requested until it is back"
        )
    overrides = overrides_path(settings, inventory_settings)
    domains = coverage_settings.domains_path_in(settings.project_dir)
    state = inventory_state(settings.inventory, previous.get("files"), overrides, [domains])
    key = content_key(state)
    generation = int(previous.get("generation", 0))
    # Run keys are unique across cursor resets: a new cursor starts a new epoch (a reset restarts the
    # generation at 1, and `<content>:1` could be a key Dagster has seen, so it would skip the run).
    # A cursor written before epochs existed keeps a fixed one, so its retried ticks still dedupe.
    epoch = previous.get("epoch") or ("0" if previous else first_epoch(context))
    cursor = {"files": state, "key": key, "generation": generation, "epoch": epoch}
    if previous.get("key") == key:
        context.update_cursor(json.dumps(cursor))  # keep refreshed mtimes
        return SkipReason(f"no change in {len(state)} watched inventory file(s)")
    instance = instance_of(context)
    if refresh_in_flight(instance, WAIT_FOR_RUN_S):
        # a refresh run by hand just after the edit reads these very files: compare with what it
        # publishes once it ends, rather than queue a second run behind it (the cursor stays, so
        # the next tick sees the change again)
        return SkipReason(
            "a refresh is queued or running: the inventory files are compared with what it publishes "
            "once it ends"
        )
    # first tick, a reset cursor, or a refresh run by hand since the last tick: the published
    # warehouse may already be built from these files
    built = published_inputs(instance, settings.warehouse, inventory_refresh_keys(context))
    if (
        built is not None
        and built[1] == by_path(settings.inventory, state)
        and not refresh_in_flight(instance)
    ):
        context.update_cursor(json.dumps(cursor))
        return SkipReason(
            f"the {len(state)} watched inventory file(s) are those the published warehouse was "
            f"built from (run {built[0][:8]}): a refresh is requested when one changes"
        )
    changed = sorted(
        set(state) ^ set(previous.get("files", {}))
        | {n for n in state if n in previous.get("files", {}) and previous["files"][n][2] != state[n][2]}
    )
    now_ns = time.time_ns()
    # (an mtime in the future, a clock skewed on another machine, does not hold the run back)
    unsettled = [
        n for n in changed if n in state and state[n][1] and 0 <= now_ns - state[n][1] < SETTLE_S * 1e9
    ]
    if unsettled:  # the cursor keeps the last state acted on, so the next tick sees the change again
        return SkipReason(
            f"waiting for {', '.join(unsettled)} to settle: modified less than {SETTLE_S:.0f} s ago, "
            "and a file still being written would be read half"
        )
    cursor["generation"] = generation = generation + 1
    context.update_cursor(json.dumps(cursor))
    # Dagster skips a run_key it has seen: the generation makes a reverted edit (same content as an
    # earlier state) a new request, while a retried tick of the same change (same cursor) is still
    # deduplicated
    return RunRequest(
        run_key=f"{key}:{epoch}:{generation}",
        tags={
            "taskvalue/inventory_changed": (
                ", ".join(changed)[:200] or "(no inventory files)"
                if previous
                # a cursor-less tick compares with nothing: say why it runs, not that every file changed
                else "first tick: the files could not be confirmed as those of the published warehouse"
            )
        },
    )


JOBS: list = [inventory_refresh_job]
SENSORS: list = [inventory_files_sensor]

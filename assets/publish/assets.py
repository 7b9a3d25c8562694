"""The publish asset: swaps the refreshed warehouse into place for readers (see swap.py)."""

from collections.abc import Mapping, Sequence
from pathlib import Path

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    EventLogRecord,
    MaterializeResult,
    MetadataValue,
    asset,
)
from dagster_duckdb import DuckDBResource

from assets.common.code_version import code_version
from assets.common.pools import WORK_DB_POOL
from assets.coverage.outputs import exports_dir, reports_dir
from assets.publish.consistency import tables_not_as_published
from assets.publish.outputs import sync_outputs
from assets.publish.swap import PublishError, publish
from orchestration.resources import TaskvalueSettings

GROUP = "publish"


def build_publish_asset(table_assets: Sequence[AssetsDefinition]):
    upstream = [k for a in table_assets for k in a.keys]

    @asset(
        pool=WORK_DB_POOL,
        key=AssetKey(["warehouse", "published"]),
        deps=list(upstream),
        group_name=GROUP,
        kinds={"duckdb"},
    )
    def published(
        context: AssetExecutionContext, settings: TaskvalueSettings, duckdb: DuckDBResource
    ) -> MaterializeResult:
        """The warehouse file analysts and BI tools open (warehouse/taskvalue.duckdb), swapped in whole.

        Runs after every table is built and its blocking checks passed, so readers only ever see a
        complete, checked warehouse. A run that rebuilt only some tables publishes only if every
        other table is still the published one (see assets/publish/consistency.py). Then the
        refresh's reports and exports are copied to warehouse/reports and warehouse/exports.
        """
        family = _run_family(context)
        failure: Exception | None = None
        with duckdb.get_connection() as con:
            # DuckDBResource closes its connection only on a normal exit: any error is raised after it
            try:
                # read while this connection holds the work database: no other run can write it now
                # (a write another run finished just before is re-checked once the copy is made)
                latest = _latest_materializations(context, upstream)
                rebuilt = _rebuilt_tables(latest, family, upstream)
                existing = {
                    f"{s}.{t}"
                    for s, t in con.execute(
                        "select schema_name, table_name from duckdb_tables() where database_name = current_database()"
                    ).fetchall()
                }
                windows = _family_windows(context, family)
                problems = _written_by_overlapping_runs(latest, family, windows)
                problems += _built_before_upstream(table_assets, latest, family, existing)
                if rebuilt is not None:
                    problems += tables_not_as_published(con, settings.warehouse, rebuilt)
                if not problems:
                    tables = con.execute(
                        "select schema_name || '.' || table_name, estimated_size from duckdb_tables() order by 1"
                    ).fetchall()
                    target = publish(
                        con,
                        _work_db(settings, duckdb),
                        settings.warehouse,
                        before_swap=lambda: _refuse_late_overlaps(context, upstream, family, windows),
                    )
            except Exception as exc:
                failure = exc
        if failure is not None:
            raise failure
        if problems:
            raise _mixing(problems)
        copied = sum(
            sync_outputs(where(settings, staged=True), where(settings))
            for where in (reports_dir, exports_dir)
        )
        stat = target.stat()
        return MaterializeResult(
            metadata={
                "path": MetadataValue.path(str(target)),
                "bytes": MetadataValue.int(stat.st_size),
                # which file this publish left in place (the inventory sensor's first tick checks it)
                "mtime_ns": MetadataValue.int(stat.st_mtime_ns),
                "tables": MetadataValue.int(len(tables)),
                # a figure that moved between two publishes of the same source files moved with the code
                "code_version": MetadataValue.text(code_version()),
                "report_and_export_files": MetadataValue.int(copied),
                "table_list": MetadataValue.md("\n".join(f"- `{t}` ({n:,} rows)" for t, n in tables)),
            }
        )

    return published


def _run_family(context: AssetExecutionContext) -> set[str]:
    """This run and the runs it re-executes ("re-execute from failure" reuses their tables)."""
    ids, run = set(), context.instance.get_run_by_id(context.run.run_id)
    while run is not None and run.run_id not in ids:
        ids.add(run.run_id)
        run = context.instance.get_run_by_id(run.parent_run_id) if run.parent_run_id else None
    return ids


def _family_windows(context: AssetExecutionContext, family: set[str]) -> list[tuple[float, float]]:
    """When each run of the family ran: (start, end) in epoch seconds, end infinite while it runs."""
    windows = []
    for run_id in family:
        record = context.instance.get_run_record_by_id(run_id)
        if record is not None and record.start_time is not None:
            windows.append((record.start_time, record.end_time or float("inf")))
    return windows


def _written_by_overlapping_runs(
    latest: Mapping[AssetKey, EventLogRecord], family: set[str], windows: list[tuple[float, float]]
) -> list[str]:
    """Tables another run rebuilt while this run, or a run it re-executes, was running.

    Two refreshes writing one working database interleave table by table: each later table of one run
    may read the other's, and the file holds a mix of both configurations. The run queue keeps
    writer runs apart; this catches runs outside it (`dagster job execute`, a Materialize from the
    asset graph) as long as they record into the same Dagster instance. A run that ran between a
    failed run and its re-execution did not overlap either: what it left is judged like any earlier
    refresh's tables (`_built_before_upstream`, `tables_not_as_published`).
    """
    return [
        f"{'.'.join(key.path)}: rebuilt "
        + (f"by run {record.run_id}" if record.run_id else "outside any run (a reported materialization)")
        + " while this run was running (two refreshes overlapped)"
        for key, record in sorted(latest.items(), key=lambda item: item[0].to_user_string())
        if record.run_id not in family and any(start <= record.timestamp <= end for start, end in windows)
    ]


def _refuse_late_overlaps(
    context: AssetExecutionContext,
    upstream: Sequence[AssetKey],
    family: set[str],
    windows: list[tuple[float, float]],
) -> None:
    """Between another run's last write and Dagster recording it lie a few milliseconds in which this
    run may have opened the work database: look again, with the copy made and not yet swapped in.
    The windows stand (this run's is still open), so only the materializations are read again."""
    late = _written_by_overlapping_runs(_latest_materializations(context, upstream), family, windows)
    if late:
        raise _mixing(late)


def _mixing(problems: list[str]) -> PublishError:
    return PublishError(
        f"publishing this run's working database would mix two refreshes ({len(problems)}):\n- "
        + "\n- ".join(problems[:20])
        + "\nThe previous warehouse stays published; run refresh_job to rebuild everything."
    )


def _latest_materializations(
    context: AssetExecutionContext, upstream: Sequence[AssetKey]
) -> dict[AssetKey, EventLogRecord]:
    """The newest materialization record of each upstream asset that has one in this instance."""
    latest = {}
    for key in upstream:
        if records := context.instance.fetch_materializations(key, limit=1).records:
            latest[key] = records[0]
    return latest


def _built_before_upstream(
    table_assets: Sequence[AssetsDefinition],
    latest: Mapping[AssetKey, EventLogRecord],
    family: set[str],
    existing: set[str],
) -> list[str]:
    """Tables of the working database last built before something upstream of them that this run
    (or a run it re-executes) rebuilt: computed from the old inputs.

    A UI subset such as `marts.inventory_task_matches` alone would publish new matches beside old
    coverage. Judged on the order of the materializations, not on the run's asset selection: a
    re-execution of selected steps records its parent's selection (none for a whole job), and a
    re-execution from failure of such a run executes publish alone. Event storage ids order the
    materializations across runs (the latest one is the highest). Tables not built yet cannot be
    stale; reports and exports are files, not checked.
    """
    children: dict[AssetKey, set[AssetKey]] = {}
    for assets_def in table_assets:
        for key, parents in assets_def.asset_deps.items():
            for parent in parents:
                children.setdefault(parent, set()).add(key)
    stale = set()
    for key, record in latest.items():
        if record.run_id not in family:
            continue
        todo, seen = list(children.get(key, ())), set()
        while todo:
            child = todo.pop()
            if child in seen:
                continue
            seen.add(child)
            todo.extend(children.get(child, ()))
            name, built = ".".join(child.path), latest.get(child)
            if name in existing and (built is None or built.storage_id < record.storage_id):
                stale.add(name)
    return [
        f"{name}: downstream of what this run rebuilds, but not selected (last built before its inputs)"
        for name in sorted(stale)
    ]


def _rebuilt_tables(
    latest: Mapping[AssetKey, EventLogRecord], family: set[str], upstream: Sequence[AssetKey]
) -> set[str] | None:
    """schema.table of the tables this run (or a run it re-executes) materialized last, or None
    when every table was.

    Read from the materialization events: a job defined on a subset (inventory_refresh_job) records
    no asset selection on its runs, and publish runs after every selected table anyway.
    """
    rebuilt = {key for key, record in latest.items() if record.run_id in family}
    if rebuilt >= set(upstream):
        return None
    return {".".join(key.path) for key in rebuilt if len(key.path) == 2}


def _work_db(settings: TaskvalueSettings, duckdb: DuckDBResource) -> Path:
    """The file the table assets wrote: the `duckdb` resource's database. `settings.work_db` must be
    the same file (outputs are staged beside it); a run config that moved only one of them would
    publish another file than the one this run built, so it is refused."""
    written = Path(duckdb.database).expanduser().resolve()
    if written != settings.work_db.expanduser().resolve():
        raise PublishError(
            f"the duckdb resource writes {written} but settings.work_db_path is {settings.work_db}: "
            "publishing would copy another file than the one this run built. Set the work database "
            "with TASKVALUE_WORK_DB (it configures both) instead of overriding only "
            "resources.settings.config.work_db_path or resources.duckdb.config.database."
        )
    return written

"""The publish asset: swaps the refreshed warehouse into place for readers (see swap.py)."""

from collections.abc import Sequence

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    AssetSelection,
    MaterializeResult,
    MetadataValue,
    asset,
)
from dagster_duckdb import DuckDBResource

from assets.coverage.outputs import exports_dir, reports_dir
from assets.publish.consistency import tables_not_as_published
from assets.publish.outputs import sync_outputs
from assets.publish.swap import PublishError, publish
from orchestration.resources import TaskvalueSettings

GROUP = "publish"


def build_publish_asset(table_assets: Sequence[AssetsDefinition]):
    upstream = [k for a in table_assets for k in a.keys]

    @asset(
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
        rebuilt = _rebuilt_tables(context, upstream)
        with duckdb.get_connection() as con:
            existing = {
                f"{s}.{t}"
                for s, t in con.execute(
                    "select schema_name, table_name from duckdb_tables() where database_name = current_database()"
                ).fetchall()
            }
            problems = _downstream_left_out(context, table_assets, upstream, existing)
            if rebuilt is not None:
                problems += tables_not_as_published(con, settings.warehouse, rebuilt)
            if problems:
                raise PublishError(
                    "this run rebuilt only part of the warehouse, and publishing it would mix two refreshes "
                    f"({len(problems)}):\n- "
                    + "\n- ".join(problems[:20])
                    + "\nThe previous warehouse stays published; run refresh_job to rebuild everything."
                )
            tables = con.execute(
                "select schema_name || '.' || table_name, estimated_size from duckdb_tables() order by 1"
            ).fetchall()
            target = publish(con, settings.work_db, settings.warehouse)
        copied = sum(
            sync_outputs(where(settings, staged=True), where(settings))
            for where in (reports_dir, exports_dir)
        )
        return MaterializeResult(
            metadata={
                "path": MetadataValue.path(str(target)),
                "bytes": MetadataValue.int(target.stat().st_size),
                "tables": MetadataValue.int(len(tables)),
                "report_and_export_files": MetadataValue.int(copied),
                "table_list": MetadataValue.md("\n".join(f"- `{t}` ({n:,} rows)" for t, n in tables)),
            }
        )

    return published


def _run_family(context: AssetExecutionContext) -> set[str]:
    """This run and the runs it re-executes ("re-execute from failure" reuses their tables)."""
    ids, run = set(), context.instance.get_run_by_id(context.run_id)
    while run is not None and run.run_id not in ids:
        ids.add(run.run_id)
        run = context.instance.get_run_by_id(run.parent_run_id) if run.parent_run_id else None
    return ids


def _downstream_left_out(
    context: AssetExecutionContext,
    table_assets: Sequence[AssetsDefinition],
    upstream: Sequence[AssetKey],
    existing: set[str],
) -> list[str]:
    """Tables of the working database downstream of the run's selection that it does not rebuild
    (a UI subset such as `marts.inventory_task_matches` alone would publish new matches beside old
    coverage). Tables not built yet cannot be stale; reports and exports are files, not checked."""
    run = context.instance.get_run_by_id(context.run_id)
    selected = set(run.asset_selection or ()) & set(upstream) if run is not None else set()
    if not selected:  # a whole job: refresh_job, or inventory_refresh_job (defined downstream-closed)
        return []
    downstream = AssetSelection.assets(*selected).downstream().resolve(table_assets, allow_missing=True)
    names = sorted(".".join(key.path) for key in downstream & set(upstream) - selected)
    return [
        f"{name}: downstream of what this run rebuilds, but not selected"
        for name in names
        if name in existing
    ]


def _rebuilt_tables(context: AssetExecutionContext, upstream: Sequence[AssetKey]) -> set[str] | None:
    """schema.table of the tables this run (or the run it re-executes) materialized, or None when
    every table was.

    Read from the materialization events: a job defined on a subset (inventory_refresh_job) records
    no asset selection on its runs, and publish runs after every selected table anyway.
    """
    family = _run_family(context)
    rebuilt = {
        key
        for key in upstream
        if (latest := context.instance.fetch_materializations(key, limit=1).records)
        and latest[0].run_id in family
    }
    if rebuilt >= set(upstream):
        return None
    return {".".join(key.path) for key in rebuilt if len(key.path) == 2}

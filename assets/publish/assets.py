"""The publish asset: swaps the refreshed warehouse into place for readers (see swap.py)."""

from collections.abc import Sequence

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset
from dagster_duckdb import DuckDBResource

from assets.coverage.outputs import exports_dir, reports_dir
from assets.publish.consistency import tables_not_as_published
from assets.publish.outputs import sync_outputs
from assets.publish.swap import PublishError, publish
from orchestration.resources import TaskvalueSettings

GROUP = "publish"


def build_publish_asset(upstream: Sequence[AssetKey]):
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
            if rebuilt is not None:
                problems = tables_not_as_published(con, settings.warehouse, rebuilt)
                if problems:
                    raise PublishError(
                        "this run rebuilt only part of the warehouse, and other tables in the working "
                        f"database are not the published ones ({len(problems)}):\n- "
                        + "\n- ".join(problems[:20])
                        + "\nPublishing would mix two refreshes. The previous warehouse stays published; "
                        "run refresh_job to rebuild everything."
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


def _rebuilt_tables(context: AssetExecutionContext, upstream: Sequence[AssetKey]) -> set[str] | None:
    """schema.table of the tables this run materialized, or None when it rebuilt every one.

    Read from the run's own materialization events: a job defined on a subset (inventory_refresh_job)
    records no asset selection on its runs, and publish runs after every selected table anyway.
    """
    rebuilt = {
        key
        for key in upstream
        if (latest := context.instance.fetch_materializations(key, limit=1).records)
        and latest[0].run_id == context.run_id
    }
    if rebuilt >= set(upstream):
        return None
    return {".".join(key.path) for key in rebuilt if len(key.path) == 2}

"""The publish asset: swaps the refreshed warehouse into place for readers (see swap.py)."""

from collections.abc import Sequence

from dagster import AssetKey, MaterializeResult, MetadataValue, asset
from dagster_duckdb import DuckDBResource

from assets.publish.swap import publish
from orchestration.resources import TaskvalueSettings

GROUP = "publish"


def build_publish_asset(upstream: Sequence[AssetKey]):
    @asset(
        key=AssetKey(["warehouse", "published"]),
        deps=list(upstream),
        group_name=GROUP,
        kinds={"duckdb"},
    )
    def published(settings: TaskvalueSettings, duckdb: DuckDBResource) -> MaterializeResult:
        """The warehouse file analysts and BI tools open (warehouse/taskvalue.duckdb), swapped in whole.

        Runs after every table is built and its blocking checks passed, so readers only ever see a
        complete, checked warehouse.
        """
        with duckdb.get_connection() as con:
            tables = con.execute(
                "select schema_name || '.' || table_name, estimated_size from duckdb_tables() order by 1"
            ).fetchall()
            target = publish(con, settings.work_db, settings.warehouse)
        return MaterializeResult(
            metadata={
                "path": MetadataValue.path(str(target)),
                "bytes": MetadataValue.int(target.stat().st_size),
                "tables": MetadataValue.int(len(tables)),
                "table_list": MetadataValue.md("\n".join(f"- `{t}` ({n:,} rows)" for t, n in tables)),
            }
        )

    return published

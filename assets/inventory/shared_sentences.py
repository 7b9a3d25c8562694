"""int.inventory_shared_sentences: the sentences the inventory repeats, and which of them the matcher
drops as boilerplate.

The matcher read the boilerplate it found and told no one: a team whose sandbox preamble sat in 28%
of its tasks, under the 30% cut, saw most coding tasks matched on "network access disabled" and
could not tell why without a second run. Found once here, the list is a table to read and the
matches asset drops exactly what it says.
"""

import polars as pl
from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset
from dagster_duckdb import DuckDBResource

from assets.common.pools import WORK_DB_POOL
from assets.common.results import table_result
from assets.common.sql_models import load_model
from assets.common.warehouse import build_sql_model, has_table
from assets.inventory.config import InventorySettings
from assets.inventory.matching.prose_pool import prose_all
from assets.inventory.matching.text import boilerplate_floor, shared_sentences

SHARED = AssetKey(["int", "inventory_shared_sentences"])
TASKS = AssetKey(["staging", "inventory_tasks"])


@asset(
    pool=WORK_DB_POOL,
    key=SHARED,
    deps=[TASKS],
    group_name="int",
    kinds={"python", "duckdb", "sql"},
    description=load_model("int", "inventory_shared_sentences").description,  # the table comment's text
)
def inventory_shared_sentences(
    context: AssetExecutionContext, inventory_settings: InventorySettings, duckdb: DuckDBResource
) -> MaterializeResult:
    """Sentences in 3 or more inventory task descriptions, with whether the matcher drops them."""
    share = inventory_settings.boilerplate_share
    model = load_model("int", "inventory_shared_sentences")
    with duckdb.get_connection() as con:
        # every accepted task, as the matches asset reads them (query_tasks): one row per task
        descriptions = [
            r[0] for r in con.execute("select description from staging.inventory_tasks").fetchall()
        ]
        shared, tasks = shared_sentences(prose_all(descriptions), code_removed=True)
        del descriptions
        floor = boilerplate_floor(tasks, share)
        frame = pl.DataFrame(
            {"sentence": list(shared), "tasks": list(shared.values())},
            schema={"sentence": pl.String, "tasks": pl.Int64},
        )
        con.register("inventory_shared_sentences_frame", frame.to_arrow())
        try:
            fingerprint = con.execute(INVENTORY_FINGERPRINT).fetchall()[0][0]
            build_sql_model(
                con,
                model,
                {
                    "all_tasks": float(max(tasks, 1)),
                    "floor": floor,
                    "share": share,
                    "fingerprint": fingerprint,
                },
            )
        finally:
            con.unregister("inventory_shared_sentences_frame")
        # the table's own verdict, not the rule again
        dropped, kept = con.execute(
            f"select count(*) filter (where is_boilerplate), count(*) filter (where not is_boilerplate) "
            f"from {model.qualified}"
        ).fetchall()[0]
        context.log.info(
            f"{dropped} sentences in at least {floor:,} of {tasks:,} tasks dropped as boilerplate; "
            f"{kept} shared by fewer kept"
        )
        return table_result(
            con,
            model.qualified,
            order_by="tasks desc, sentence",
            extra={
                "boilerplate_share": MetadataValue.float(share),
                "boilerplate_floor_tasks": MetadataValue.int(floor),
                "sentences_dropped": MetadataValue.int(dropped),
                "sentences_shared_and_kept": MetadataValue.int(kept),
            },
        )


# Which inventory the table was counted on: the descriptions' hashes combined (any order, one pass).
INVENTORY_FINGERPRINT = (
    "select coalesce(bit_xor(hash(task_id, coalesce(description, ''))), 0) from staging.inventory_tasks"
)


def boilerplate_sentences(con, share: float, log=None) -> set[str] | None:
    """What the matcher drops: the table's boilerplate sentences, when the table was counted on this
    inventory at this share. None otherwise, and the matcher finds them itself at `share`: no table
    (a selection that never built it), an empty one (nothing to check it by), or a stale one (a
    selection that re-ran the matches after the inventory or the setting changed), which `log` hears
    of, since the table and the index then describe another run."""
    if not has_table(con, "int", "inventory_shared_sentences"):
        return None
    built = con.execute(
        "select distinct boilerplate_share, inventory_fingerprint from int.inventory_shared_sentences"
    ).fetchall()
    if not built:
        return None
    current = con.execute(INVENTORY_FINGERPRINT).fetchall()[0][0]
    if built != [(share, current)]:
        if log is not None:
            log(
                "int.inventory_shared_sentences was counted on another inventory or boilerplate share than "
                f"this run's ({share}): the matcher found the boilerplate itself; materialize "
                "int/inventory_shared_sentences too, so that the table and the index report say what was dropped"
            )
        return None
    return {
        r[0]
        for r in con.execute(
            "select sentence from int.inventory_shared_sentences where is_boilerplate"
        ).fetchall()
    }

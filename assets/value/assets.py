"""Value-model assets: seeds and configuration tables, the int layer, and the marts (see DOMAIN.md)."""

from pathlib import Path

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    MaterializeResult,
    MetadataValue,
    asset,
)
from dagster_duckdb import DuckDBResource

from assets.common.pools import WORK_DB_POOL
from assets.common.results import table_result
from assets.common.warehouse import replace_table_from_frame
from assets.value import attributes, seeds
from assets.value.config import ValueSettings, attribute_file
from assets.value.sql_assets import sql_model_asset
from orchestration.resources import TaskvalueSettings

INT = "int"
MARTS = "marts"


# the label check compares the mapping with the release's work activities, so build after them
LABELLED_SOURCES = ["onet_content_model_reference", "onet_iwa_reference", "onet_dwa_reference"]


@asset(
    pool=WORK_DB_POOL,
    key=AssetKey([INT, "activity_labels"]),
    deps=[AssetKey(["staging", t]) for t in LABELLED_SOURCES],
    group_name=INT,
    kinds={"polars", "duckdb"},
)
def activity_labels(duckdb: DuckDBResource) -> MaterializeResult:
    """The reviewable label mapping sql/seeds/activity_labels.csv: work activity -> nature, digital."""
    frame = seeds.read_activity_labels()
    with duckdb.get_connection() as con:
        replace_table_from_frame(
            con,
            "int.activity_labels",
            frame,
            table_doc="Label mapping from sql/seeds/activity_labels.csv (GWA rows, refined by IWA/DWA rows).",
            column_docs=seeds.LABEL_DOCS,
        )
        return table_result(
            con, "int.activity_labels", extra={"seed": MetadataValue.path(str(seeds.LABELS_CSV))}
        )


@asset(pool=WORK_DB_POOL, key=AssetKey([INT, "wage_tiers"]), group_name=INT, kinds={"polars", "duckdb"})
def wage_tiers(value_settings: ValueSettings, duckdb: DuckDBResource) -> MaterializeResult:
    """Hourly cost bands from the configured thresholds and loaded-cost multiplier."""
    frame = seeds.tier_frame(value_settings.tier_thresholds_usd, value_settings.loaded_cost_multiplier)
    with duckdb.get_connection() as con:
        replace_table_from_frame(
            con,
            "int.wage_tiers",
            frame,
            table_doc="Tiers: bands of loaded hourly cost (wage x multiplier), from ValueSettings.",
            column_docs=seeds.TIER_DOCS,
        )
        return table_result(con, "int.wage_tiers", order_by="tier_rank")


ATTRIBUTES_RAW = AssetKey([INT, "task_attributes_raw"])
EVERY_NUMBER_COLUMN = "task_attributes_raw__every_column_of_numbers_is_an_attribute"


@asset(
    pool=WORK_DB_POOL,
    key=ATTRIBUTES_RAW,
    group_name=INT,
    kinds={"polars", "duckdb"},
    check_specs=[
        AssetCheckSpec(
            EVERY_NUMBER_COLUMN,
            asset=ATTRIBUTES_RAW,
            blocking=False,
            description="Warns when a column of the task attribute file that holds numbers is not an attribute "
            "(one stray cell such as '50%' or 'NAN', or a value beyond ±100,000, removes the whole column): "
            "each with the first cell that kept it out. Text columns (labels) are not warned about.",
        )
    ],
)
def task_attributes_raw(
    context: AssetExecutionContext,
    settings: TaskvalueSettings,
    value_settings: ValueSettings,
    duckdb: DuckDBResource,
) -> MaterializeResult:
    """Bring-your-own task attributes, one row per file row and numeric column (see attributes.py)."""
    configured = value_settings.task_attributes_path
    path = attribute_file(settings, value_settings)  # a named file that is missing stops here
    state = "loaded"
    names: list[str] = []
    ignored: dict[str, str] = {}
    padded: list[int] = []
    stray: set[str] = set()
    if path is None:
        frame, state = attributes.empty_attributes(), "not configured"
    elif not path.is_file():  # the default file, which may be absent
        frame, state = attributes.empty_attributes(), "absent"
        context.log.warning(f"task attribute file {path} not found; the attribute marts will be empty")
    else:
        read = attributes.read_attribute_file(
            Path(path),
            value_settings.task_attributes_task_id_column,
            value_settings.task_attributes_code_column,
        )
        frame, names, ignored, padded, stray = (
            read.long,
            read.attributes,
            read.ignored,
            read.padded,
            read.stray,
        )
        if ignored:
            # labels such as E0/E1/E2 are not numbers (info); a stray '50%' or an out-of-range value
            # in a column of numbers removes it, which a CLI refresh must show (warning)
            left_out = "; ".join(f"{name!r}: {ignored[name]}" for name in sorted(read.stray))
            labels = "; ".join(f"{name!r}: {why}" for name, why in ignored.items() if name not in read.stray)
            if left_out:  # first: the key clause was the 8th of 10 among the label columns
                context.log.warning(
                    f"task attribute file {path}: {len(read.stray)} column(s) of numbers left out: {left_out}"
                )
            if labels:
                context.log.info(f"task attribute file {path}: not attributes (labels, text): {labels}")
        if read.padded:
            # an editor strips trailing tabs; but a cell left out in the middle would shift the rest
            context.log.warning(
                f"task attribute file {path}: {len(read.padded)} row(s) have fewer cells than the header "
                f"and were read with their last cells empty (rows {', '.join(map(str, read.padded[:10]))}"
                f"{', ...' if len(read.padded) > 10 else ''})"
            )
    with duckdb.get_connection() as con:
        replace_table_from_frame(
            con,
            "int.task_attributes_raw",
            frame,
            # the path as configured (relative to the project), not this machine's absolute one
            table_doc=f"Task attributes read from {configured or '(none configured)'}; one row per file row "
            "and column.",
            column_docs=attributes.RAW_DOCS,
        )
        result = table_result(
            con,
            "int.task_attributes_raw",
            extra={
                "file": MetadataValue.text(str(path or "")),
                "state": MetadataValue.text(state),
                "attributes": MetadataValue.text(", ".join(names)),
                "ignored_columns": MetadataValue.json(ignored),
                "rows_padded": MetadataValue.int(len(padded)),
            },
        )
    # the run log alone was the only trace of a column of numbers left out; the UI shows a check
    check = AssetCheckResult(
        check_name=EVERY_NUMBER_COLUMN,
        passed=not stray,
        severity=AssetCheckSeverity.WARN,
        metadata={
            "columns_left_out": MetadataValue.json({name: ignored[name] for name in sorted(stray)}),
            # markdown too: the command line prints it (it skips JSON)
            "columns": MetadataValue.md(
                "\n".join(f"- {name!r}: {ignored[name]}" for name in sorted(stray)) or "none"
            ),
            "file": MetadataValue.text(str(path or "")),
        },
    )
    return MaterializeResult(metadata=result.metadata, check_results=[check])


SQL_ASSETS = [
    sql_model_asset(INT, "onet_oes_crosswalk", group=INT, order_by="onet_soc_code"),
    sql_model_asset(INT, "task_weight_variants", group=INT),
    sql_model_asset(INT, "task_weights", group=INT),
    sql_model_asset(INT, "dwa_labels", group=INT),
    sql_model_asset(INT, "task_labels", group=INT),
    sql_model_asset(MARTS, "task_value", group=MARTS, order_by="priority_rank"),
    sql_model_asset(MARTS, "occupation_value", group=MARTS),
    sql_model_asset(MARTS, "task_family_value", group=MARTS),
    sql_model_asset(MARTS, "sector_occupation_value", group=MARTS),
    sql_model_asset(MARTS, "join_quality", group=MARTS),
    sql_model_asset(MARTS, "weighting_sensitivity", group=MARTS),
    sql_model_asset(MARTS, "task_attribute_value", group=MARTS),
    sql_model_asset(MARTS, "task_attribute_unmatched", group=MARTS),
    sql_model_asset(MARTS, "occupation_attribute_value", group=MARTS),
]

VALUE_ASSETS = [activity_labels, wage_tiers, task_attributes_raw, *SQL_ASSETS]

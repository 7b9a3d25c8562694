"""Staging assets: one typed, documented table per source file in schema `staging`.

Each table is replaced in the same transaction as its row in `meta.file_loads` (file, sha256, rows
read and loaded), so `staging.source_files` always describes the tables that are really there.
"""

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import duckdb
import polars as pl
from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset
from dagster_duckdb import DuckDBResource

from assets.common.errors import TaskvalueError
from assets.common.pools import WORK_DB_POOL
from assets.common.results import table_result
from assets.common.sql_models import load_model
from assets.common.warehouse import build_sql_model, comment_statements, has_table, replace_table_from_frame
from assets.ingest.catalog import ONET_FILES
from assets.staging import oes, onet, soc
from assets.staging.typed import docs
from orchestration.resources import TaskvalueSettings

GROUP = "staging"

FILE_LOADS_DDL = """
create table if not exists meta.file_loads (
    target_table varchar primary key,
    source varchar, release varchar, file_name varchar, path varchar, sha256 varchar,
    rows_read bigint, rows_loaded bigint, status varchar, loaded_at timestamp
)"""
# every warehouse table and column carries a description (README, data dictionary): this one too
FILE_LOADS_DOC = (
    "Bookkeeping of the staging layer: which source file each staging table was last loaded from, "
    "written in the same transaction as the table (staging.source_files is built from it)."
)
FILE_LOADS_COLUMNS = {
    "target_table": "Staging table loaded (schema.table).",
    "source": "Source of the file (oes_national, oes_sector, onet, soc).",
    "release": "Release or vintage of the file.",
    "file_name": "File name inside the release.",
    "path": "Where the file was read from (mirror or cache).",
    "sha256": "SHA-256 of the file read.",
    "rows_read": "Data rows read from the file.",
    "rows_loaded": "Rows written to the staging table.",
    "status": "loaded, or absent (an optional file the release does not have: the table is empty).",
    "loaded_at": "When the table was loaded (UTC).",
}


def _file_row(con: duckdb.DuckDBPyConnection, ingest_table: str, file_key: str) -> dict:
    # without the table, DuckDB would look for a Python object of that name (the module `soc`) and
    # fail with "not suitable for replacement scans"
    if not has_table(con, "ingest", ingest_table):
        raise TaskvalueError(
            f"ingest.{ingest_table} is not in the work database: materialize ingest/{ingest_table} first "
            f"(or select it too, e.g. --select 'key:ingest/{ingest_table}+')"
        )
    row = con.execute(
        f"select source, release, file_name, path, sha256, acquired_via from ingest.{ingest_table} where file_key = ?",
        [file_key],
    ).fetchone()
    if row is None:
        raise RuntimeError(f"ingest.{ingest_table} has no file {file_key!r}; materialize ingest first")
    return dict(zip(["source", "release", "file_name", "path", "sha256", "acquired_via"], row, strict=True))


def _load(
    con: duckdb.DuckDBPyConnection,
    qualified: str,
    frame: pl.DataFrame,
    file: dict,
    rows_read: int,
    table_doc: str,
    column_docs: dict[str, str],
    status: str = "loaded",
) -> None:
    con.execute("create schema if not exists meta")
    con.execute(FILE_LOADS_DDL)
    for statement in comment_statements("meta.file_loads", FILE_LOADS_DOC, FILE_LOADS_COLUMNS):
        con.execute(statement)
    # Nothing was configured to load: the table is empty and source_files lists no file for it.
    forget = ("delete from meta.file_loads where target_table = ?", [qualified])
    upsert = (
        "insert or replace into meta.file_loads values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            qualified,
            file["source"],
            file["release"],
            file["file_name"],
            file["path"],
            file["sha256"],
            rows_read,
            frame.height,
            status,
            # UTC, as documented: current_timestamp into a TIMESTAMP column is the session's local time
            dt.datetime.now(dt.UTC).replace(tzinfo=None),
        ],
    )
    replace_table_from_frame(
        con,
        qualified,
        frame,
        table_doc=table_doc,
        column_docs=column_docs,
        extra_statements=[forget if status == "not_configured" else upsert],
    )


def _staging_asset(
    table: str,
    description: str,
    ingest_table: str,
    file_key: Callable[[TaskvalueSettings], str | None],
    parse: Callable[[str, TaskvalueSettings], tuple[pl.DataFrame, int, str]],
    column_docs: dict[str, str],
    order_by: str | None = None,
):
    """A staging asset that parses one file named in `ingest.<ingest_table>` into `staging.<table>`.

    `file_key` returns None for an optional comparison input nobody configured: the table is then
    empty, with state 'not_configured' in its metadata and no row in staging.source_files.
    """

    @asset(
        pool=WORK_DB_POOL,
        key=AssetKey(["staging", table]),
        deps=[AssetKey(["ingest", ingest_table])],
        group_name=GROUP,
        kinds={"polars", "duckdb"},
        description=description,
    )
    def _asset(
        context: AssetExecutionContext, settings: TaskvalueSettings, duckdb: DuckDBResource
    ) -> MaterializeResult:
        qualified = f"staging.{table}"
        with duckdb.get_connection() as con:
            key = file_key(settings)
            if key is None:
                file = {
                    "source": ingest_table,
                    "release": None,
                    "file_name": "",
                    "path": None,
                    "sha256": None,
                }
                frame, rows_read, _ = parse(None, settings)
                status = "not_configured"
            else:
                file = _file_row(con, ingest_table, key)
                frame, rows_read, status = parse(file["path"], settings)
            _load(con, qualified, frame, file, rows_read, description, column_docs, status)
            extra = {
                "source_file": MetadataValue.path(file["path"] or f"({status}) {file['file_name']}"),
                "sha256": MetadataValue.text(file["sha256"] or ""),
                "rows_read": MetadataValue.int(rows_read),
                "state": MetadataValue.text(status),
            }
            if status == "not_configured":
                context.log.info(f"{qualified}: nothing configured to load; left empty")
            elif status != "loaded":
                context.log.warning(f"{file['file_name']} is {status} in {file['source']} {file['release']}")
            return table_result(con, qualified, order_by=order_by, extra=extra)

    return _asset


def _oes_parser(vintage: Callable[[TaskvalueSettings], int]):
    def parse(path: str, settings: TaskvalueSettings):
        frame, rows = oes.parse(Path(path), vintage(settings))
        return frame, rows, "loaded"

    return parse


def _onet_parser(key: str):
    def parse(path: str | None, settings: TaskvalueSettings):
        if path is None:  # optional file absent from this release: a state, not an error
            return onet.empty(key), 0, "absent"
        frame, rows = onet.parse(key, Path(path))
        return frame, rows, "loaded"

    return parse


OES_DOCS = oes.column_docs()
oes_national = _staging_asset(
    "oes_national",
    "OES national cross-industry employment and wages, configured vintage; one row per OCC_CODE at every "
    "level (total, major, minor, broad, detailed). Markers are flags, never zeros.",
    "oes_national",
    lambda s: "national",
    _oes_parser(lambda s: s.oes_vintage),
    OES_DOCS,
)
oes_national_previous = _staging_asset(
    "oes_national_previous",
    "OES national cross-industry data of the previous vintage, for release-change comparisons.",
    "oes_national",
    lambda s: "national_previous",
    _oes_parser(lambda s: s.oes_previous_vintage),
    OES_DOCS,
)
oes_sector = _staging_asset(
    "oes_sector",
    "OES national estimates by NAICS sector, configured vintage; one row per (sector, OCC_CODE).",
    "oes_sector",
    lambda s: "natsector",
    _oes_parser(lambda s: s.oes_vintage),
    OES_DOCS,
)

ONET_DESCRIPTIONS = {
    "occupations": "O*NET occupations (Occupation Data): code, title, description.",
    "task_statements": "O*NET task statements: one row per Task ID, with its occupation and Core/Supplemental type.",
    "task_ratings": "O*NET Task Ratings (FT, IM, RT scales). Empty, with state 'absent', when the release file is not present.",
    "tasks_to_dwas": "O*NET links from tasks to Detailed Work Activities.",
    "dwa_reference": "O*NET Detailed Work Activities with their IWA and GWA.",
    "iwa_reference": "O*NET Intermediate Work Activities with their GWA.",
    "content_model_reference": "O*NET content model elements (GWA names live under 4.A).",
    "job_zones": "O*NET job zone (preparation level 1-5) per occupation.",
    "emerging_tasks": "O*NET emerging tasks: new or revised task statements written by O*NET analysts.",
    "task_categories": "O*NET task rating categories (FT frequency 1-7).",
    "technology_skills": "O*NET Technology Skills: the software each occupation's workers use (matching's "
    "technology prior). Empty, with state 'absent', when the release file is not present.",
}
ONET_ASSETS = [
    _staging_asset(
        f"onet_{key}",
        ONET_DESCRIPTIONS[key],
        "onet",
        (lambda k: lambda s: k)(key),
        _onet_parser(key),
        docs(onet.SPECS[key]),
    )
    for key in ONET_FILES
]
onet_task_statements_previous = _staging_asset(
    "onet_task_statements_previous",
    "O*NET task statements of the previous release (onet_previous_release), for marts.onet_release_changes. "
    "Empty, with state 'not_configured' when no previous release is set, or 'absent' when the mirror or "
    "archive does not have it.",
    "onet",
    lambda s: "task_statements_previous" if s.onet_previous_release else None,
    _onet_parser("task_statements"),
    docs(onet.SPECS["task_statements"]),
)

soc_structure = _staging_asset(
    "soc_structure",
    "SOC 2018 structure: every major, minor, broad and detailed code with its enclosing groups.",
    "soc",
    lambda s: "structure",
    lambda path, s: (*soc.parse(Path(path)), "loaded"),
    {**docs(soc.COLUMNS), **soc.DERIVED_DOCS},
)

STAGING_TABLE_ASSETS = [
    oes_national,
    oes_national_previous,
    oes_sector,
    *ONET_ASSETS,
    onet_task_statements_previous,
    soc_structure,
]


@asset(
    pool=WORK_DB_POOL,
    key=AssetKey(["staging", "source_files"]),
    deps=[a.key for a in STAGING_TABLE_ASSETS],
    group_name=GROUP,
    kinds={"duckdb", "sql"},
    description=load_model("staging", "source_files").description,  # the table comment's text
)
def source_files(duckdb: DuckDBResource) -> MaterializeResult:
    """One row per loaded source file: source, release or vintage, file name, sha256, rows read, rows loaded."""
    model = load_model("staging", "source_files")
    with duckdb.get_connection() as con:
        build_sql_model(con, model)
        return table_result(con, model.qualified, order_by="source, release, file_name")


STAGING_ASSETS = [*STAGING_TABLE_ASSETS, source_files]

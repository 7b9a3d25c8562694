"""A source file of a release that lost rows since the published warehouse was built, refused.

A release's files do not change: O*NET 29.0 is what it is, and so is OES May 2024. A mirror file of
the same release with other bytes and fewer rows is damaged: a copy cut at a line boundary, an edit.
It still parses (a `Tasks to DWAs.txt` cut at a line boundary kept 10,999 of its 23,233 rows) and
published a digital value of $4.52tn for $7.13tn, so this blocking check compares each file's rows
with the published warehouse's record of the same release's file. Downloads have their own guard
(a changed checksum is refused); TASKVALUE_ACCEPT_CHANGED_CHECKSUMS lets both through on purpose.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
from dagster import AssetCheckResult, AssetCheckSeverity, AssetKey, MetadataValue, asset_check
from dagster_duckdb import DuckDBResource

from assets.common.pools import WORK_DB_POOL
from assets.common.published_reads import READ_ERRORS, unreadable_published
from assets.common.warehouse import attached_columns, attached_read_only
from orchestration.resources import TaskvalueSettings

SOURCE_FILES = AssetKey(["staging", "source_files"])


def shrunk_since_publish(con: duckdb.DuckDBPyConnection, published: Path) -> list[tuple]:
    """(table, source, release, file, rows published, rows now) for each file of a release the
    published warehouse also loaded, whose content changed and which now has fewer rows."""
    if not published.is_file():
        return []
    with attached_read_only(con, published, "published_sources") as alias:
        if not {"rows_read", "sha256"} <= attached_columns(con, alias, "staging", "source_files"):
            return []
        return con.execute(
            f"""
            select n.target_table, n.source, n.release, n.file_name, p.rows_read, n.rows_read
            from staging.source_files as n
            inner join {alias}.staging.source_files as p using (target_table, source, release, file_name)
            where n.sha256 <> p.sha256 and n.rows_read < p.rows_read
            order by n.target_table
            """
        ).fetchall()


@asset_check(
    pool=WORK_DB_POOL,
    asset=SOURCE_FILES,
    name="source_files__no_file_of_a_release_lost_rows_since_publish",
    blocking=True,
    description="Fails when a source file of the same release as the published warehouse's has other "
    "content and fewer rows (a truncated or edited copy), naming the file and both row counts; "
    "TASKVALUE_ACCEPT_CHANGED_CHECKSUMS=true accepts it.",
)
def no_file_of_a_release_lost_rows(settings: TaskvalueSettings, duckdb: DuckDBResource) -> AssetCheckResult:
    try:
        with duckdb.get_connection() as con:
            shrunk = shrunk_since_publish(con, settings.warehouse)
    except READ_ERRORS as exc:  # no comparison possible: say so, never block a refresh on it
        return unreadable_published(settings.warehouse, exc)
    lines = [
        f"- {file} ({source} {release}, {table}): {now:,} rows, {before:,} in the published warehouse"
        for table, source, release, file, before, now in shrunk
    ]
    accepted = bool(shrunk) and settings.accept_changed_checksums
    return AssetCheckResult(
        passed=not shrunk or accepted,
        severity=AssetCheckSeverity.ERROR,
        metadata={
            "files_shrunk": MetadataValue.int(len(shrunk)),
            "published_warehouse": MetadataValue.path(str(settings.warehouse)),
            "files": MetadataValue.md(
                "\n".join(lines)
                + (
                    "\n\nAccepted: TASKVALUE_ACCEPT_CHANGED_CHECKSUMS is set."
                    if accepted
                    else "\n\nA release's files do not change: restore this file from the release (or "
                    "re-download it), or set TASKVALUE_ACCEPT_CHANGED_CHECKSUMS=true if the new copy is right."
                    if shrunk
                    else ""
                )
                or "none"
            ),
        },
    )

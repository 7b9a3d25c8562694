"""Ingest assets: obtain every source file (mirror, cache or download) and record its sha256.

Each asset writes `ingest.<source>`: one row per file, with where it was found and its checksum.
Staging assets read the file paths from these tables.
"""

from collections.abc import Callable, Collection
from dataclasses import replace

import polars as pl
from dagster import AssetExecutionContext, AssetKey, MaterializeResult, asset
from dagster_duckdb import DuckDBResource

from assets.common.pools import WORK_DB_POOL
from assets.common.results import table_result
from assets.common.warehouse import replace_table_from_frame
from assets.ingest import catalog
from assets.ingest.acquire import (
    AcquiredFile,
    AcquireError,
    acquire_many,
    mirror_file,
    release_named,
    release_setting,
)
from orchestration.resources import TaskvalueSettings

GROUP = "ingest"
FILE_COLUMNS = {
    "file_key": "Which file of the source this is (e.g. task_statements, national).",
    "source": "Source: oes_national, oes_sector, onet or soc.",
    "release": "OES vintage year, O*NET release, or SOC edition.",
    "file_name": "File name as published.",
    "url": "Official download (the archive that holds the file, where it comes zipped).",
    "path": "Local path the file was read from.",
    "sha256": "sha256 of the file as read (null when absent).",
    "bytes": "File size in bytes (null when absent).",
    "acquired_via": "mirror, cache, download, manual (saved into the cache by hand), or absent (an optional "
    "file the release does not have, or a previous O*NET release missing from the mirror).",
}


def _record(files: list[tuple[str, AcquiredFile]]) -> pl.DataFrame:
    rows = [
        {
            "file_key": key,
            "source": f.entry.source,
            "release": f.entry.release,
            "file_name": f.entry.name,
            "url": f.entry.url,
            "path": str(f.path) if f.path else None,
            "sha256": f.sha256,
            "bytes": f.path.stat().st_size if f.path else None,
            "acquired_via": f.via,
        }
        for key, f in files
    ]
    return pl.DataFrame(rows, schema={k: (pl.Int64 if k == "bytes" else pl.String) for k in FILE_COLUMNS})


def _ingest_asset(
    name: str, description: str, entries: Callable[[TaskvalueSettings], list[tuple[str, catalog.SourceFile]]]
):
    @asset(
        pool=WORK_DB_POOL,
        key=AssetKey(["ingest", name]),
        group_name=GROUP,
        kinds={"python", "duckdb"},
        description=description,
    )
    def _asset(
        context: AssetExecutionContext, settings: TaskvalueSettings, duckdb: DuckDBResource
    ) -> MaterializeResult:
        wanted = entries(settings)
        # One call per asset, so files that share an archive download it at most once.
        acquired = acquire_many(settings, [entry for _, entry in wanted])
        files = [(key, got) for (key, _), got in zip(wanted, acquired, strict=True)]
        for _, got in files:
            context.log.info(f"{got.entry.relpath}: {got.via} sha256={got.sha256}")
        frame = _record(files)
        with duckdb.get_connection() as con:
            replace_table_from_frame(
                con, f"ingest.{name}", frame, table_doc=description, column_docs=FILE_COLUMNS
            )
            return table_result(con, f"ingest.{name}")

    return _asset


def _oes_national_entries(s: TaskvalueSettings) -> list[tuple[str, catalog.SourceFile]]:
    return [
        ("national", catalog.oes_national(s.oes_vintage)),
        ("national_previous", catalog.oes_national(s.oes_previous_vintage)),
    ]


def _oes_sector_entries(s: TaskvalueSettings) -> list[tuple[str, catalog.SourceFile]]:
    return [("natsector", catalog.oes_sector(s.oes_vintage))]


def _soc_entries(s: TaskvalueSettings) -> list[tuple[str, catalog.SourceFile]]:
    return [("structure", catalog.soc_structure())]


oes_national_files = _ingest_asset(
    "oes_national",
    "BLS OES national cross-industry workbooks (configured vintage and the previous one for release changes).",
    _oes_national_entries,
)
oes_sector_files = _ingest_asset(
    "oes_sector",
    "BLS OES national estimates by NAICS sector (configured vintage).",
    _oes_sector_entries,
)


def _onet_entries(s: TaskvalueSettings) -> list[tuple[str, catalog.SourceFile]]:
    entries = [(key, catalog.onet_file(s.onet_release, key)) for key in catalog.ONET_FILES]
    if s.onet_previous_release:
        # Only for the release comparison: a previous release the mirror lacks is recorded as absent.
        previous = replace(catalog.onet_file(s.onet_previous_release, "task_statements"), optional=True)
        entries.append(("task_statements_previous", previous))
    return entries


onet_files = _ingest_asset(
    "onet",
    "O*NET database text files of the configured release (Task Ratings is optional), and Task Statements "
    "of the previous release when onet_previous_release is set (optional).",
    _onet_entries,
)
soc_files = _ingest_asset(
    "soc",
    "BLS SOC 2018 structure and definitions workbook.",
    _soc_entries,
)

INGEST_ASSETS = [oes_national_files, oes_sector_files, onet_files, soc_files]
_ENTRIES = {
    oes_national_files.key: _oes_national_entries,
    oes_sector_files.key: _oes_sector_entries,
    onet_files.key: _onet_entries,
    soc_files.key: _soc_entries,
}


def refuse_mirror_gaps(settings: TaskvalueSettings, selection: Collection[AssetKey] | None = None) -> None:
    """With a mirror, refuse before a run the files it lacks that the ingest assets in `selection`
    (None: all) read (a vintage without its sector file, a release not there): each asset would stop
    at its own file, one per run. Checks presence only (hashing is the ingest's job)."""
    if settings.mirror is None or (selection is not None and not any(key in selection for key in _ENTRIES)):
        return  # (an inventory-only refresh reads no mirror file)
    if not settings.mirror.is_dir():  # a typo or an unmounted share: not 13 missing files
        raise AcquireError(
            f"the mirror {settings.mirror} (TASKVALUE_MIRROR) is "
            + ("a file, not a directory" if settings.mirror.exists() else "not there")
            + ": point it at the directory holding the mirrored releases, or unset it to download them."
        )
    missing = []
    for key, entries in _ENTRIES.items():
        if selection is not None and key not in selection:
            continue
        for _, entry in entries(settings):
            path = mirror_file(settings.mirror, entry)
            if not entry.optional and not path.is_file():
                missing.append(
                    f"{path} ({release_named(entry, release_setting(settings, entry))}; from {entry.url})"
                )
    if missing:
        raise AcquireError(
            f"the mirror {settings.mirror} (TASKVALUE_MIRROR) lacks {len(missing)} file(s) this refresh reads: "
            + "; ".join(missing)
            + ". Put them there or unset TASKVALUE_MIRROR to download them."
        )

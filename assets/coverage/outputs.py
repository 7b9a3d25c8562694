"""Assets that turn the coverage marts into files: per-domain reports and Parquet/CSV exports.

Both run on the refresh's work database after the marts' blocking checks passed and write beside
it (warehouse/work/taskvalue_outputs/{reports,exports}); the publish asset copies them to
warehouse/reports and warehouse/exports after swapping in the warehouse, so files and warehouse
describe the same refresh (assets/publish/outputs.py).
"""

import logging
from collections.abc import Sequence
from pathlib import Path

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    MaterializeResult,
    MetadataValue,
    asset,
    multi_asset,
)
from dagster_duckdb import DuckDBResource

from assets.common.errors import TaskvalueError
from assets.common.files import remove_temporaries
from assets.common.pools import WORK_DB_POOL
from assets.coverage.config import CoverageSettings, coverage_settings_from_env
from assets.coverage.domains import load_domains
from assets.coverage.exports import EXPORT_SUFFIXES, export_all, export_file_names
from assets.coverage.index_page import write_index
from assets.coverage.models import MARTS
from assets.coverage.report_paths import REPORT_SUFFIXES, report_file_names
from assets.coverage.reports import ranking_facts, write_domain_report
from orchestration.resources import TaskvalueSettings

REPORT_INPUTS = [AssetKey(list(m.key)) for m in MARTS] + [
    AssetKey(["int", "domain_aliases"]),
    AssetKey(["int", "domain_inventory_names"]),
    AssetKey(["int", "domain_members"]),
    AssetKey(["marts", "release_changes"]),
    AssetKey(["marts", "onet_release_changes"]),
]
INDEX_KEY = AssetKey(["reports", "index"])
log = logging.getLogger(__name__)


def staged_outputs(settings: TaskvalueSettings) -> Path:
    """Where a refresh writes its files until publish: named after the work DB, so it never is the
    published directory, even when the work DB sits beside the warehouse."""
    return settings.work_db.parent / f"{settings.work_db.stem}_outputs"


def reports_dir(settings: TaskvalueSettings, *, staged: bool = False) -> Path:
    """Published reports (beside the warehouse), or the refresh's own copy (staged_outputs)."""
    return (staged_outputs(settings) if staged else settings.warehouse.parent) / "reports"


def exports_dir(settings: TaskvalueSettings, *, staged: bool = False) -> Path:
    """Published exports (beside the warehouse), or the refresh's own copy (staged_outputs)."""
    return (staged_outputs(settings) if staged else settings.warehouse.parent) / "exports"


def retire_stale(directory: Path, current: set[str], suffixes: Sequence[str]) -> list[str]:
    """Delete the refresh's own output files that it no longer produces (a domain removed from the
    config, a dropped mart), so they are not published again as if current; returns their names."""
    stale = sorted(
        p.name
        for p in directory.glob("*")
        if p.is_file() and p.suffix in suffixes and not p.name.startswith(".") and p.name not in current
    )
    for name in stale:
        (directory / name).unlink(missing_ok=True)
    remove_temporaries(directory)
    return stale


# Headline figures each report asset also records as metadata (plotted over runs in the UI).
HEADLINE_METADATA = ("total_value_usd", "covered_value_usd", "value_coverage_pct")


def _number(v: float | None) -> MetadataValue:
    """A headline figure as metadata: null stays null (a domain without tasks has no coverage %), not 0."""
    return MetadataValue.null() if v is None else MetadataValue.float(round(float(v), 2))


def report_key(domain_id: str) -> AssetKey:
    return AssetKey(["reports", domain_id.replace("-", "_")])


def configured_domain_ids(path: Path | None = None) -> tuple[list[str], str | None]:
    """The domain ids the report assets are declared from at load time (one asset per domain), and
    the problem with the domains file if it cannot be read.

    A broken file must not stop the code location from loading: that would stop every schedule and
    sensor and hide the error behind a load failure. Without it only the index asset is declared; the
    run fails at `int.domain_definitions`, which reads the same file and names what to fix."""
    path = path or coverage_settings_from_env().domains_path
    try:
        return [d.id for d in load_domains(path)], None
    except TaskvalueError as e:  # includes a reserved id such as `index`
        log.warning("no per-domain report assets declared: %s", e)
        return [], str(e)


def build_report_assets(domain_ids: Sequence[str], domains_problem: str | None = None):
    report_file_names(domain_ids)  # a reserved id (index) fails here, naming the file to fix
    by_key = {report_key(d): d for d in domain_ids}
    specs = [
        AssetSpec(
            key,
            deps=REPORT_INPUTS,
            group_name="reports",
            kinds={"html", "markdown"},
            description=f"Coverage report of domain `{d}`: warehouse/reports/{d}.html and .md "
            "(copied there by warehouse/published).",
            skippable=True,
        )
        for key, d in by_key.items()
    ]
    specs.append(
        AssetSpec(
            INDEX_KEY,
            deps=[
                *REPORT_INPUTS,
                AssetKey(["staging", "inventory_quarantine"]),  # rows not loaded
                AssetKey(["int", "inventory_shared_sentences"]),  # text many tasks repeat
            ],
            group_name="reports",
            kinds={"html", "markdown"},
            description="Index page ranking every domain by uncovered value: warehouse/reports/index.html "
            "(copied there by warehouse/published)."
            + (
                f"\n\n**The domains file could not be read when this code location loaded**, so no "
                f"per-domain report asset is declared: {domains_problem} Fix the file, then reload the "
                "code location."
                if domains_problem
                else ""
            ),
            skippable=True,
        )
    )

    @multi_asset(pool=WORK_DB_POOL, specs=specs, can_subset=True, name="coverage_reports")
    def coverage_reports(
        context: AssetExecutionContext,
        settings: TaskvalueSettings,
        coverage_settings: CoverageSettings,
        duckdb: DuckDBResource,
    ):
        """Writes one Markdown + HTML report (with its chart) per selected domain, and the index page."""
        out, published = reports_dir(settings, staged=True), reports_dir(settings)
        with duckdb.get_connection() as con:
            present = {r[0] for r in con.execute("select domain_id from marts.domain_coverage").fetchall()}
            current = report_file_names(set(by_key.values()) & present)
            if out.is_dir() and (stale := retire_stale(out, current, REPORT_SUFFIXES)):
                context.log.info(f"removed {len(stale)} report files of domains no longer reported: {stale}")
            facts = ranking_facts(con)  # warehouse-wide: read once, not per domain
            for key in sorted(context.selected_asset_keys, key=str):
                if key == INDEX_KEY:
                    markdown, path = write_index(con, out)
                    yield MaterializeResult(
                        asset_key=key,
                        metadata={
                            # where readers find it once published; the refresh's own copy beside it
                            "path": MetadataValue.path(str(published / path.name)),
                            "staged_path": MetadataValue.path(str(path)),
                            "preview": MetadataValue.md(markdown),
                        },
                    )
                    continue
                domain_id = by_key[key]
                if domain_id not in present:
                    context.log.warning(f"domain {domain_id!r} is not in marts.domain_coverage; no report")
                    continue
                report = write_domain_report(con, domain_id, out, coverage_settings.rule_text(), facts=facts)
                h = report.headline
                yield MaterializeResult(
                    asset_key=key,
                    metadata={
                        "path": MetadataValue.path(str(published / report.html_path.name)),
                        "markdown_path": MetadataValue.path(str(published / report.md_path.name)),
                        "staged_path": MetadataValue.path(str(report.html_path)),
                        **{k: _number(h[k]) for k in HEADLINE_METADATA},
                        "preview": MetadataValue.md(report.preview),
                    },
                )

    return coverage_reports


def build_exports_asset(mart_keys: Sequence[AssetKey]):
    @asset(
        pool=WORK_DB_POOL,
        key=AssetKey(["warehouse", "exports"]),
        deps=list(mart_keys),
        group_name="exports",
        kinds={"parquet", "csv", "excel"},
    )
    def exports(settings: TaskvalueSettings, duckdb: DuckDBResource) -> MaterializeResult:
        """Parquet files of every mart under warehouse/exports/ (copied there when the warehouse is
        published), the RL-platform export and the review worksheet as CSV with spreadsheet formulas
        neutralised, the review worksheet as an Excel workbook, and schema.json (the data
        dictionary)."""
        out = exports_dir(settings, staged=True)
        with duckdb.get_connection() as con:
            counts = export_all(con, out)
        retire_stale(out, export_file_names(counts), EXPORT_SUFFIXES)
        listing = "\n".join(f"- `{t}.parquet` ({n:,} rows)" for t, n in counts.items())
        return MaterializeResult(
            metadata={
                "path": MetadataValue.path(str(exports_dir(settings))),
                "staged_path": MetadataValue.path(str(out)),
                "files": MetadataValue.int(len(counts)),
                "tables": MetadataValue.md(listing),
            }
        )

    return exports

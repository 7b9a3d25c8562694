"""The coverage assets and their blocking GX checks, run through Dagster on the fixture warehouse."""

from __future__ import annotations

import duckdb
from dagster import AssetKey, materialize
from dagster_duckdb import DuckDBResource

from assets.coverage.assets import TABLE_ASSETS
from assets.coverage.checks import CHECKS
from assets.coverage.outputs import build_exports_asset, build_report_assets, report_key
from orchestration.resources import settings_from_env
from tests.coverage.conftest import INSERT_MATCHES, fixture_settings, load_upstream

FIXTURE_DOMAINS = ["computer-and-mathematical", "digital-copywriting", "legal"]


def test_assets_materialize_and_every_check_passes(tmp_path):
    work = tmp_path / "work.duckdb"
    with duckdb.connect(str(work)) as con:
        load_upstream(con)
    settings = settings_from_env(
        environ={}, warehouse_path=str(tmp_path / "taskvalue.duckdb"), work_db_path=str(work)
    )
    marts = [AssetKey(["marts", t]) for t in ("domain_coverage", "coverage_gaps", "inventory_export")]
    # a mart an earlier refresh exported and this code no longer builds: retired, or it is published
    # again as if current; a file taskvalue never writes stays
    staged_exports = tmp_path / "work_outputs" / "exports"
    staged_exports.mkdir(parents=True)
    (staged_exports / "dropped_mart.parquet").write_bytes(b"stale")
    (staged_exports / "notes.txt").write_text("mine")
    result = materialize(
        [*TABLE_ASSETS, *CHECKS, build_report_assets(FIXTURE_DOMAINS), build_exports_asset(marts)],
        resources={
            "duckdb": DuckDBResource(database=str(work)),
            "coverage_settings": fixture_settings(),
            "settings": settings,
        },
    )
    assert result.success
    checks = result.get_asset_check_evaluations()
    failed = {c.check_name for c in checks if not c.passed}
    # the only failing checks are warnings: about 'Underwater basket weaving', and the fixture's legal
    # domain, whose prefix 23- matches no occupation of the fixture (a domain without tasks on purpose)
    assert failed == {
        "domain_inventory_names__every_name_matches_a_domain",
        "domain_members__every_code_rule_matches_an_occupation",
    }
    (rules,) = [c for c in checks if c.check_name == "domain_members__every_code_rule_matches_an_occupation"]
    assert rules.severity.value == "WARN" and rules.metadata["rules"].value == (
        "- legal: soc_prefix '23-' matches no O*NET occupation with tasks"
    )
    assert len(checks) == len(CHECKS)
    # each report shows as a markdown preview in its asset's metadata
    mats = {m.asset_key: m for m in result.get_asset_materialization_events()}
    preview = mats[report_key("digital-copywriting")].materialization.metadata["preview"].value
    assert preview.startswith("# Coverage report: Digital copywriting")
    assert "**50.0%**" in preview
    # written beside the work DB; warehouse/published (not in this run) copies them beside the warehouse
    staged = tmp_path / "work_outputs"
    assert (staged / "reports" / "digital-copywriting.html").is_file()
    assert (staged / "reports" / "index.html").is_file()
    assert (staged / "exports" / "inventory_export.parquet").is_file()
    assert not (staged_exports / "dropped_mart.parquet").exists()
    assert (staged_exports / "notes.txt").read_text() == "mine"
    assert not (tmp_path / "reports").exists()


def test_a_broken_mart_fails_its_blocking_check(tmp_path):
    work = tmp_path / "work.duckdb"
    with duckdb.connect(str(work)) as con:
        load_upstream(con)
        # the same inventory task twice in the matches at rank 1: the first table built on the
        # matches (the coverage rule, applied once) fails, and nothing judged on it is built
        con.execute(
            f"{INSERT_MATCHES} values ('inv-1', 1, 102, '15-1252.00', 0.9, 'high', 'text', 'high', false)"
        )
    result = materialize(
        [*TABLE_ASSETS, *CHECKS],
        resources={
            "duckdb": DuckDBResource(database=str(work)),
            "coverage_settings": fixture_settings(),
            "settings": settings_from_env(environ={}),
        },
        raise_on_error=False,
    )
    assert not result.success
    failed = {c.check_name for c in result.get_asset_check_evaluations() if not c.passed}
    assert "inventory_match_credibility__one_row_per_candidate_and_every_task_judged" in failed
    built = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert "int/inventory_match_credibility" in built
    assert "marts/inventory_grounding" not in built
    assert "int/domain_task_coverage" not in built


def test_an_excluded_status_that_misspells_an_inventory_status_warns(tmp_path):
    # TASKVALUE_COVERAGE_EXCLUDED_STATUSES=retird was accepted: the retired tasks then counted, silently
    from assets.coverage.checks import excluded_statuses_spelt_as_in_the_inventory, misspelt_statuses

    assert misspelt_statuses(["retird", "paused"], {"retired", "active", "draft"}) == {"retird": ["retired"]}
    assert (
        misspelt_statuses(["retired"], {"active", "draft"}) == {}
    )  # the default, on an inventory without it
    work = tmp_path / "work.duckdb"
    with duckdb.connect(str(work)) as con:
        load_upstream(con)
        con.execute("update staging.inventory_tasks set status = 'Retired' where task_id = 'inv-3'")
    resource = DuckDBResource(database=str(work))
    typo = excluded_statuses_spelt_as_in_the_inventory(
        duckdb=resource, coverage_settings=fixture_settings(excluded_statuses="draft, retird")
    )
    assert not typo.passed
    assert typo.metadata["unmatched_excluded_statuses"].value == "retird"
    assert "| retird | retired |" in typo.metadata["likely_misspelt"].value
    spelt = excluded_statuses_spelt_as_in_the_inventory(
        duckdb=resource, coverage_settings=fixture_settings(excluded_statuses="RETIRED")
    )
    assert spelt.passed

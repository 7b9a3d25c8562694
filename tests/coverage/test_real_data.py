"""End to end on the real data and the example inventory (one refresh shared by the slow tests)."""

from __future__ import annotations

import json

import polars as pl
import pytest

from assets.coverage.config import coverage_settings_from_env
from assets.coverage.domains import load_domains
from assets.coverage.reports import pct, usd

pytestmark = pytest.mark.slow

COPYWRITING_SOC = ("27-3043", "27-3041", "27-3042", "11-2011", "13-1161")


def rows(con, sql, params=None):
    return con.execute(sql, params or []).fetchall()


def test_one_row_per_configured_domain(real_con):
    domains = load_domains(coverage_settings_from_env(environ={}).domains_path)
    got = {r[0] for r in rows(real_con, "select domain_id from marts.domain_coverage")}
    assert got == {d.id for d in domains}
    assert len([d for d in domains if d.kind == "soc_major_group"]) == 22


def test_major_groups_partition_the_value_model(real_con):
    by_domain, total = rows(
        real_con,
        """select (select sum(total_value_usd) from marts.domain_coverage where domain_kind = 'soc_major_group'),
                  (select sum(annual_value_usd) from marts.task_value)""",
    )[0]
    assert by_domain == pytest.approx(float(total), abs=1.0)
    assert float(total) > 9e12  # about $10.3 trillion of wages in May 2024
    tasks = rows(
        real_con, "select sum(tasks_total) from marts.domain_coverage where domain_kind = 'soc_major_group'"
    )
    assert tasks[0][0] == rows(real_con, "select count(*) from marts.task_value")[0][0]


def test_digital_copywriting_is_the_five_soc_codes(real_con):
    members = {
        r[0]
        for r in rows(
            real_con, "select onet_soc_code from int.domain_members where domain_id = 'digital-copywriting'"
        )
    }
    expected = {
        r[0]
        for r in rows(
            real_con,
            "select distinct onet_soc_code from marts.task_value where left(onet_soc_code, 7) in ?",
            [list(COPYWRITING_SOC)],
        )
    }
    assert members == expected
    assert {m[:7] for m in members} == set(COPYWRITING_SOC)


def test_sector_domain_adds_up_to_the_sector_wage_bill(real_con):
    domain_value, sector_bill = rows(
        real_con,
        """select (select total_value_usd from marts.domain_coverage where domain_id = 'sector-finance-and-insurance'),
                  (select sum(s.wage_bill_usd) from marts.sector_occupation_value as s
                   where s.naics = '52' and s.wage_bill_usd > 0
                     and s.oes_code in (select oes_code from marts.task_value where annual_value_usd is not null))""",
    )[0]
    assert domain_value == pytest.approx(float(sector_bill), rel=1e-6)


def test_every_inventory_task_is_judged_and_unmatched_names_reported(real_con):
    n_inventory = rows(real_con, "select count(*) from staging.inventory_tasks")[0][0]
    assert n_inventory >= 150
    assert rows(real_con, "select count(*) from marts.inventory_grounding")[0][0] == n_inventory
    assert rows(real_con, "select count(*) from marts.inventory_export")[0][0] == n_inventory
    names = dict(rows(real_con, "select inventory_domain, domain_id from int.domain_inventory_names"))
    assert names["digital copywriting"] == "digital-copywriting"
    assert names["software engineering"] == "computer-and-mathematical"
    assert names["Architecture and Engineering Occupations"] == "architecture-and-engineering"
    assert names["games"] is None and names["reasoning puzzles"] is None
    reasons = {
        r[0] for r in rows(real_con, "select distinct ungrounded_reason from marts.inventory_grounding")
    }
    assert reasons <= {None, "no_credible_match", "low_tier_only", "physical_work", "outside_declared_domain"}
    grounded = rows(real_con, "select count(*) filter (where is_grounded) from marts.inventory_grounding")[0][
        0
    ]
    assert 0 < grounded < n_inventory


def test_the_inventory_covers_software_and_copywriting_value(real_con):
    got = dict(
        rows(
            real_con,
            "select domain_id, value_coverage_pct from marts.domain_coverage "
            "where domain_id in ('computer-and-mathematical', 'digital-copywriting', 'farming-fishing-and-forestry')",
        )
    )
    assert got["computer-and-mathematical"] > 0
    assert got["digital-copywriting"] > 0


def test_reports_hold_the_headline_numbers(real_warehouse, real_con):
    out = real_warehouse.warehouse.parent / "reports"
    head = rows(
        real_con,
        "select domain_id, total_value_usd, covered_value_usd, value_coverage_pct, uncovered_value_usd, "
        "uncovered_value_rank from marts.domain_coverage",
    )
    for domain_id, total, covered, coverage, uncovered, rank in head:
        md = (out / f"{domain_id}.md").read_text()
        assert f"**Total annual value:** {usd(total)}" in md
        assert f"**Covered value:** {usd(covered)} = **{pct(coverage)}**" in md
        assert f"**Uncovered value:** {usd(uncovered)}, rank {rank} of {len(head)} domains" in md
        assert "USDOL/ETA" in md and "pet peeve" in md
        assert (out / f"{domain_id}.html").is_file() and (out / f"{domain_id}.png").is_file()
    index = (out / "index.md").read_text()
    first = min(head, key=lambda r: (r[5], r[0]))[0]
    assert index.index(f"({first}.md)") < min(index.index(f"({d}.md)") for d, *_ in head if d != first)


def test_exports_cover_every_mart(real_warehouse, real_con):
    out = real_warehouse.warehouse.parent / "exports"
    marts = {
        r[0] for r in rows(real_con, "select table_name from duckdb_tables() where schema_name = 'marts'")
    }
    assert {p.stem for p in out.glob("*.parquet")} == marts
    schema = json.loads((out / "schema.json").read_text())
    assert {t["table"] for t in schema["tables"]} == {f"marts.{m}" for m in marts}
    rl = pl.read_parquet(out / "inventory_export.parquet")
    assert {"onet_task_id", "soc_code", "tier", "nature", "annual_value_usd"} <= set(rl.columns)
    assert rl.height == rows(real_con, "select count(*) from staging.inventory_tasks")[0][0]

"""Review of the reports and exports as a data lead reads them: no rounding that misleads, every
figure saying what it counts, and the edge cases (no tasks, no wage, no inventory, a reserved id,
'$' in chart text, a quote in the export path)."""

from __future__ import annotations

import csv
from decimal import Decimal

import duckdb
import polars as pl
import pytest
from dagster import AssetKey
from markdown_it import MarkdownIt

from assets.common.csv_cells import neutralize_cell
from assets.common.errors import SourceFormatError
from assets.coverage.charts import chart_labels, tier_chart_png
from assets.coverage.config import coverage_settings_from_env
from assets.coverage.exports import export_all
from assets.coverage.index_page import write_index
from assets.coverage.models import build_all
from assets.coverage.numbers import change_text, covered_pct, pct, usd
from assets.coverage.outputs import build_report_assets, report_key
from assets.coverage.report_paths import report_files
from assets.coverage.reports import (
    like_for_like_sentence,
    slice_table,
    write_all_reports,
    write_domain_report,
)
from tests.coverage.conftest import (
    FIXTURE,
    build_fixture_db,
    fixture_report_settings,
    load_upstream,
    materialize_reports,
)

RULE = "test rule"


# 1. numbers that read as something they are not


def test_a_nonzero_share_never_reads_as_zero_or_whole():
    # Healthcare Support on the real data: $120.63M of $295.30B covered = 0.04%, was "0.0%"
    assert pct(0.0408) == "<0.1%" and pct(0.05) == "0.1%" and pct(0) == "0.0%"
    assert pct(99.96) == ">99.9%" and pct(100) == "100.0%" and pct(99.94) == "99.9%"
    assert pct(-0.0) == "0.0%" and pct(None) == "n/a"
    # a mart rounds shares to 4 decimals: a covered value too small for that still is not 0.0%
    assert covered_pct(0.0, 120.0) == "<0.1%" and covered_pct(0.0, 0) == "0.0%"
    assert covered_pct(None, None) == "n/a"
    row = slice_table(
        "tier",
        [
            {
                "slice": "$15-25/hr",
                "tasks_total": 286,
                "tasks_covered": 1,
                "total_value_usd": 278.67e9,
                "covered_value_usd": 120.63e6,
                "value_coverage_pct": 0.0433,
            }
        ],
    ).rows[0]
    assert row[-1] == "<0.1%"


def test_money_is_scaled_after_rounding():
    assert usd(999_995) == "$1.00M"  # was "$1,000.00k"
    assert usd(999.6) == "$1.00k"  # was "$1,000"
    assert usd(999_994) == "$999.99k" and usd(999.4) == "$999"
    assert usd(999.995e9) == "$1.00T" and usd(-999_995) == "-$1.00M"


def test_release_change_says_its_direction_and_never_rounds_to_zero():
    assert change_text(1.20e6, 1.30e6) == " (up 8.3%)"
    assert change_text(100_000, 99_999) == " (down <0.1%)"  # was "(-0.0% change)"
    assert change_text(5, 5) == " (unchanged)" and change_text(0, 5) == ""


def test_the_covered_share_in_the_report_is_never_zero_when_something_is_covered(cov_con, tmp_path):
    cov_con.execute(
        "update marts.domain_coverage set value_coverage_pct = 0.0 where domain_id = 'digital-copywriting'"
    )
    md = write_domain_report(cov_con, "digital-copywriting", tmp_path, RULE).markdown
    assert "**Covered value:** $400.00k = **<0.1%** of the value" in md


# 2. each report says what its numbers are


def test_a_domain_without_tasks_says_so_instead_of_zero_value(cov_con, tmp_path):
    # the fixture's legal domain (23-) matches no occupation with tasks
    md = write_domain_report(cov_con, "legal", tmp_path, RULE).markdown
    assert "**No O\\*NET tasks:** none of this domain's rules" in md
    assert "**Total annual value:** $0" not in md and "n/a\\*\\* of the value" not in md
    assert "**n/a** of the value" not in md
    # its inventory is still reported
    assert "**Inventory:** 1 task declares this domain (active: 1)" in md


def test_tasks_without_a_wage_are_named_not_valued_at_zero(tmp_path):
    con = build_fixture_db(
        edits=[
            "insert into marts.task_value values ('35-2014.00', 303, 'Forage', '35-2014', null, null, null, "
            "null, 'physical', false, null, 10, 0.0, null, 'OES 35-2014', 1, null)"
        ]
    )
    md = write_domain_report(con, "food", tmp_path, RULE).markdown
    assert (
        "**Total annual value:** $250.00k across 1 occupation and 3 O\\*NET tasks (500 workers). 1 of the 3 "
        "tasks (1 occupation: Cooks, Restaurant) has no published OES wage: counted among the tasks, but in "
        "no value figure (their value is unknown, not $0)." in md
    )
    assert "| no tier | 1 | 0 | n/a | n/a | n/a |" in md
    con.close()


def test_a_sector_report_says_which_figures_are_the_sectors(reports_md):
    sector = reports_md["sector-finance"]
    assert "**Sector lens:** values and workers are the sector's own" in sector
    assert "Hourly wages, tiers and the gaps' $/hour are the occupations' national means" in sector
    assert "Sector lens" not in reports_md["digital-copywriting"]
    for page, md in reports_md.items():
        assert page == "index" or "Units: every value is US dollars a year" in md, page
    assert "Domains overlap" in reports_md["index"] and "do not add up" in reports_md["index"]


def test_an_occupation_sharing_its_oes_row_says_its_workers_are_a_share():
    from assets.coverage.reports import occupation_cell

    shared = {"occupation_title": "Acute Care Nurses", "onet_soc_code": "29-1141.01"}
    shared |= {"onet_codes_sharing": 5, "oes_title": "Registered Nurses"}
    assert occupation_cell(shared) == (
        "Acute Care Nurses (workers: a share of OES Registered Nurses, split among 5 O*NET occupations)"
    )
    assert occupation_cell(shared | {"onet_codes_sharing": 1}) == "Acute Care Nurses"
    assert occupation_cell(shared | {"occupation_title": "Registered Nurses"}) == (
        "Registered Nurses (workers: a share of its OES row, split among 5 O*NET occupations)"
    )
    assert occupation_cell(shared | {"onet_codes_sharing": None}) == "Acute Care Nurses"


def test_the_gap_table_says_workers_and_wage_are_the_occupations(reports_md):
    assert (
        "| # | task | occupation | annual value | occupation's workers | occupation's $/hour |"
        in (reports_md["digital-copywriting"])
    )


def test_the_index_shows_matched_inventory_beside_declared(reports_md):
    # sector-finance: no task declares it, 4 match into it (the old single "inventory" column said 0)
    row = next(line for line in reports_md["index"].splitlines() if "(sector-finance.md)" in line)
    assert row.endswith("| 0 | 4 |"), row
    assert (
        "| inventory declaring it (every status) | inventory matched to it (excluded statuses left out) |"
        in reports_md["index"]
    )


def test_an_empty_inventory_is_said_plainly(tmp_path):
    con = build_fixture_db(
        edits=["delete from staging.inventory_tasks", "delete from marts.inventory_task_matches"]
    )
    md, _ = write_index(con, tmp_path)
    assert "**Inventory:** empty: no inventory task was loaded" in md
    assert "(n/a)" not in md
    food = write_domain_report(con, "food", tmp_path, RULE).markdown
    assert "No ungrounded inventory task declares this domain or has its best credible match in it." in food
    con.close()


def test_a_report_reads_its_units_and_releases_from_the_warehouse(cov_con, tmp_path):
    cov_con.execute(
        "create table staging.source_files as select * from (values "
        "('staging.oes_national', 'oes_national', '2024'), "
        "('staging.oes_national_previous', 'oes_national', '2023'), "
        "('staging.oes_sector', 'oes_sector', '2024'), "
        "('staging.onet_task_statements', 'onet', '29.0')) as t(target_table, source, release)"
    )
    md = write_domain_report(cov_con, "food", tmp_path, RULE).markdown
    assert (
        "Units: every value is US dollars a year (a share of wage bills), never hours or headcounts; from "
        "OES May 2024 national employment and wages, the OES May 2024 sector file, O\\*NET 29.0 task "
        "statements." in md
    )


# 3. edge cases of names and paths


def test_dollar_signs_in_chart_text_are_text_not_tex():
    tiers = [{"slice": "$15-$25/hr", "total_value_usd": 10, "covered_value_usd": 5, "uncovered_value_usd": 5}]
    # was: ValueError from matplotlib's mathtext parser, failing the whole report
    png = tier_chart_png(tiers, "Paid $x\\frac{$ and more: covered vs uncovered")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_tier_without_value_is_labelled_so_in_the_chart():
    # Farming's 30 'no tier' tasks drew an empty bar under "no tier", which reads as $0
    tiers = [
        {"slice": "$15-25/hr", "total_value_usd": 14e9},
        {"slice": "no tier", "total_value_usd": None},
    ]
    assert chart_labels(tiers) == ["$15-25/hr", "no tier\n(value unknown)"]
    assert chart_labels([]) == ["(no tasks)"]


def test_no_bottom_tier_work_on_either_side_is_not_a_lean():
    # Legal on the real data: no inventory task and no value in the bottom tiers
    c = {
        "inventory_tasks_matched": 13,
        "inventory_bottom_tier_share_pct": 0.0,
        "value_bottom_tier_share_pct": 0.0,
        "bottom_tier_overweight_pct": 0.0,
        "inventory_median_hourly_wage_usd": 31.98,
        "value_median_hourly_wage_usd": 87.86,
    }
    text = like_for_like_sentence(c)
    assert text.startswith(
        "Like for like, neither the inventory nor the value has anything in the bottom tiers;"
    )
    assert "leans" not in text and "$31.98/hr" in text and "$87.86/hr" in text
    # a share that rounds to 0.0 on one side is still a comparison
    text = like_for_like_sentence(
        {**c, "value_bottom_tier_share_pct": 0.0022, "bottom_tier_overweight_pct": -0.0022}
    )
    assert "leans to the bottom tiers as much as its value does (<0.1% of the value is there)" in text


def test_a_domain_named_with_dollars_gets_its_report(cov_con, tmp_path):
    cov_con.execute(
        "update marts.domain_coverage set domain_name = 'Pay $\\frac{ to $200' where domain_id = 'food'"
    )
    report = write_domain_report(cov_con, "food", tmp_path, RULE)
    assert report.png_path.read_bytes()[:4] == b"\x89PNG"


def test_the_index_id_is_reserved(tmp_path):
    with pytest.raises(ValueError, match="domain id 'index' is reserved"):
        report_files("index")
    # was: Dagster's "conflicting AssetSpecs with the same key" when loading the definitions
    with pytest.raises(ValueError, match="reserved"):
        build_report_assets(["legal", "index"])
    # and the domains file itself is refused, so neither a refresh nor the CLI's write_all_reports
    # can let the index page overwrite the domain's report
    domains = tmp_path / "domains.toml"
    domains.write_text(
        (FIXTURE / "domains.toml").read_text()
        + '\n[[domain]]\nid = "index"\nname = "Index"\nsoc_codes = ["15-1252"]\n'
    )
    con = duckdb.connect()
    load_upstream(con)
    with pytest.raises(SourceFormatError, match="'index' is reserved"):
        build_all(con, coverage_settings_from_env(environ={}, domains_file=str(domains)))
    con.close()


def test_exports_survive_a_quote_in_the_directory(cov_con, tmp_path):
    out = tmp_path / "o'neil" / "exports"
    counts = export_all(cov_con, out)  # was: a parser error from the COPY statement
    assert pl.read_parquet(out / "domain_coverage.parquet").height == counts["domain_coverage"] == 7


def test_every_exported_column_is_nullable_whatever_the_rows_hold(cov_con, tmp_path):
    # DuckDB's COPY wrote `required` for a column without a null in this refresh's rows, so the same
    # table's files from two refreshes had different schemas, and appending them failed in Arrow
    import pyarrow as pa
    import pyarrow.parquet as pq

    cov_con.execute("update marts.inventory_export set onet_task_id = 21664")  # no null left
    first = tmp_path / "a"
    export_all(cov_con, first)
    cov_con.execute("update marts.inventory_export set onet_task_id = null where inventory_task_id = 'inv-1'")
    second = tmp_path / "b"
    export_all(cov_con, second)
    a, b = (pq.read_table(d / "inventory_export.parquet") for d in (first, second))
    assert a.schema == b.schema and a.schema.field("onet_task_id").nullable
    assert pa.concat_tables([a, b]).num_rows == 16
    for path in first.glob("*.parquet"):
        schema = pq.read_schema(path)
        assert all(f.nullable for f in schema), path.name
        nested = [f.type.value_field for f in schema if pa.types.is_list(f.type)]
        assert all(f.nullable for f in nested), path.name
    # the types are DuckDB's: exact money stays decimal
    assert pq.read_schema(first / "domain_coverage.parquet").field("covered_value_usd").type == pa.decimal128(
        20, 2
    )


def test_csv_cells_holding_lists_are_json(cov_con, tmp_path):
    assert neutralize_cell(["a", "=b"]) == '["a", "=b"]'
    assert neutralize_cell({"tier": "$15-25/hr"}) == '{"tier": "$15-25/hr"}'
    assert (
        neutralize_cell(True) == "true"
        and neutralize_cell(False) == "false"
        and neutralize_cell(None) is None
    )
    # the RL export itself has no nested column: its CSV is flat, one row per parquet row
    export_all(cov_con, tmp_path)
    with open(tmp_path / "inventory_export.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == pl.read_parquet(tmp_path / "inventory_export.parquet").height == 8
    assert not any(v.startswith("[") for r in rows for v in r.values() if v)


# 4. the Dagster metadata of a report


def test_report_metadata_keeps_an_unknown_coverage_null(tmp_path):
    result = materialize_reports(fixture_report_settings(tmp_path), ["legal", "food"])
    mats = {m.asset_key: m.materialization.metadata for m in result.get_asset_materialization_events()}
    legal, food = mats[report_key("legal")], mats[report_key("food")]
    assert legal["value_coverage_pct"].value is None  # was 0.0: no tasks is not 0% covered
    assert food["value_coverage_pct"].value == 80.0 and food["total_value_usd"].value == 250_000.0
    assert AssetKey(["reports", "index"]) not in mats


@pytest.fixture
def reports_md(cov_con, tmp_path):
    write_all_reports(cov_con, tmp_path, RULE)
    return {p.stem: p.read_text() for p in tmp_path.glob("*.md")}


# 5. the real data, read as the data lead reads it


@pytest.mark.slow
def test_real_reports_read_right(real_warehouse, real_con):
    out = real_warehouse.warehouse.parent / "reports"

    def md(domain_id: str) -> str:
        return (out / f"{domain_id}.md").read_text()

    # Healthcare Support: one task covered, 0.04% of the value
    covered, total = real_con.execute(
        "select covered_value_usd, total_value_usd from marts.domain_coverage where domain_id = 'healthcare-support'"
    ).fetchone()
    assert 0 < covered / total < 0.0005
    assert f"**Covered value:** {usd(covered)} = **<0.1%** of the value" in md("healthcare-support")
    # Farming: Fishing and Hunting Workers have no OES wage; their 30 tasks are named, not valued
    assert "30 of the 221 tasks (1 occupation: Fishing and Hunting Workers) have no published OES wage" in md(
        "farming-fishing-and-forestry"
    )
    # the sector: its own share, said in the headline, and the units and releases in the method
    sector = md("sector-finance-and-insurance")
    assert "**Sector lens:**" in sector
    assert (
        "from OES May 2024 national employment and wages, the OES May 2024 sector file, O\\*NET 29.0"
        in sector
    )
    # its release section counts each task's sector share in cents, as the headline does
    headline = real_con.execute(
        "select sum(annual_value_usd) from int.domain_task_coverage where domain_id = 'sector-finance-and-insurance'"
    ).fetchone()[0]
    assert isinstance(headline, Decimal)
    assert f", {usd(headline)} under May 2024 (up " in sector
    # a guess below the coverage rule puts no task in a domain's report: Solve sudoku grid's
    # records-clerk guess is not an office task (it was listed there, under a headline saying no
    # inventory task had its best credible match in the domain)
    office = md("office-and-administrative-support")
    assert "| PZL-002 |" not in office
    # the gap list's breadth and its headcounts: the 15 gaps are two occupations' tasks, and a fifth
    # of the Registered Nurses' OES row is no headcount BLS published
    health = md("healthcare-practitioners-and-technical")
    assert "The 15 gaps above come from 2 occupations." in health
    assert (
        "| Advanced Practice Psychiatric Nurses (workers: a share of OES Registered Nurses, split among 5 "
        "O\\*NET occupations) | $49.93B | 18 of 18 | 656,402 | $47.32 |"
    ) in health
    assert (
        "| Registered Nurses (workers: a share of its OES row, split among 5 O\\*NET occupations) |" in health
    )
    assert "| uncovered digital value | uncovered digital tasks |" in health
    # a task that claims the domain is listed with its guess for review, with no dollar figure
    retry = next(line for line in md("computer-and-mathematical").splitlines() if "| SWE-002 |" in line)
    assert retry.endswith("| none | not credible |") and "$" not in retry


def test_tildes_in_inventory_text_do_not_strike_through(cov_con, tmp_path):
    cov_con.execute(
        "update marts.inventory_grounding set title = 'Cut ~~old~~ copy ~now~' where inventory_task_id = 'inv-5'"
    )
    report = write_domain_report(cov_con, "legal", tmp_path, RULE)
    # GFM viewers (GitHub; remark-gfm in Dagster's UI, also for single tildes) strike ~~x~~ through
    rendered = MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(report.markdown)
    assert "<s>" not in rendered and "Cut ~~old~~ copy ~now~" in rendered
    assert "Cut ~~old~~ copy ~now~" in report.html_path.read_text()


def test_the_gap_heading_counts_the_rows_it_shows(reports_md):
    # was "Top 15 gaps" over a table of two rows, and over an empty one for a fully covered domain
    copy = reports_md["digital-copywriting"]
    assert "## Top 2 gaps: valuable digital work no inventory task covers" in copy
    assert (
        "2 of the 4 O\\*NET tasks are uncovered; all 2 are listed by the value model's priority score. "
        "The priority score counts digital work only" in copy
    )
    business = reports_md["business"]
    assert "## Gaps\n\nEvery O\\*NET task of the domain is covered: no gaps." in business
    assert "Top 15" not in business


def test_a_gap_list_of_digital_work_counts_the_unlisted_tasks_worth_more(cov_con, tmp_path):
    # the default priority counts digital tasks only, so an uncovered non-digital task worth more than
    # the last listed gap is not in the list: the report says how many there are
    from assets.coverage.reports import gaps_sentence, worth_more_than_last_gap

    gaps = [{"task_id": -1, "annual_value_usd": 0}]
    above = worth_more_than_last_gap(cov_con, "digital-copywriting", gaps)
    assert (
        above
        == cov_con.execute(
            "select count(*) from int.domain_task_coverage where domain_id = 'digital-copywriting' "
            "and not is_covered and annual_value_usd > 0"
        ).fetchone()[0]
        == 2
    )
    text = gaps_sentence({"tasks_total": 4, "tasks_covered": 2}, 1, digital_only=True, above=above)
    assert "2 unlisted uncovered tasks are worth more a year than #1" in text
    assert "digital work only" not in gaps_sentence({"tasks_total": 4, "tasks_covered": 2}, 2)


def test_a_task_tied_with_the_last_gap_is_a_tie_not_one_worth_more():
    # a persona's Education report said "12 unlisted uncovered tasks are worth more a year than #15":
    # they were worth $0.01 more (the largest-remainder cent) and were also counted as ties
    from assets.coverage.reports import tied_with_last_gap, worth_more_than_last_gap

    con = build_fixture_db(
        edits=[
            "update marts.task_value set priority_score = 100000, annual_value_usd = 100000, task_weight = 0.25 "
            "where task_id = 202",
            "update marts.task_value set priority_score = 100000.01, annual_value_usd = 100000.01, "
            "task_weight = 0.25 where task_id = 201",
        ]
    )
    gaps = [{"task_id": 202, "annual_value_usd": 100000}]
    assert tied_with_last_gap(con, "arts-and-media", gaps) == 1  # 201
    assert worth_more_than_last_gap(con, "arts-and-media", gaps) == 0
    # not digital: scored 0 and ranked below; a cent richer only from apportioning (equal weights in
    # one occupation): not worth more (a reader's copywriting report counted two such tasks)
    con.execute("update int.domain_task_coverage set priority_value = 0 where task_id = 201")
    assert worth_more_than_last_gap(con, "arts-and-media", gaps) == 0
    # worth more before the cents (a larger weight): counted
    con.execute("update marts.task_value set task_weight = 0.26 where task_id = 201")
    assert worth_more_than_last_gap(con, "arts-and-media", gaps) == 1
    # the last gap scored 0 too: a tie on "no priority score" says nothing of value, so a task worth
    # more is still counted (a review's one-occupation domain hid one worth twice #15)
    con.execute("update int.domain_task_coverage set priority_value = 0 where task_id = 202")
    assert worth_more_than_last_gap(con, "arts-and-media", gaps) == 1
    con.execute("update marts.task_value set task_weight = 0.24 where task_id = 201")
    assert worth_more_than_last_gap(con, "arts-and-media", gaps) == 0


def test_a_gap_in_an_occupation_the_inventory_named_says_who_may_cover_it(real_warehouse, real_con):
    # SWE-008 "Debug memory leak in Node.js worker" names Software Developers, but its text is too weak
    # to pick the statement (coverage credits "Train users…"), so "Modify existing software to correct
    # errors" was listed as a gap nobody covers; the gap now names the five SWE tasks that may
    gap = real_con.execute(
        "select gap_rank, task_uncertain_inventory_task_ids from marts.coverage_gaps "
        "where domain_id = 'computer-and-mathematical' and task_id = 21670"
    ).fetchall()
    assert gap == [(6, ["SWE-001", "SWE-003", "SWE-007", "SWE-008", "SWE-015"])]
    assert real_con.execute(
        "select count(*) filter (where len(task_uncertain_inventory_task_ids) > 0), count(*) from marts.coverage_gaps"
    ).fetchall() == [(291, 771)]  # 31 domains; 285 before court work was relabelled not digital (28 Nov),
    # 278 before IT support took in systems administrators (their gaps name the example's DevOps tasks)
    report = (real_warehouse.warehouse.parent / "reports" / "computer-and-mathematical.md").read_text()
    row = next(line for line in report.splitlines() if line.startswith("| 6 | Modify existing software"))
    assert row.endswith("| SWE-001, SWE-003, SWE-007, SWE-008, SWE-015 |")
    assert (
        "**Maybe covered by:** `SUP-003`, `SUP-004`, `SUP-011`, `SWE-001`, `SWE-003`, `SWE-007`, " in report
    )
    # one task: singular
    engineering = (
        real_warehouse.warehouse.parent / "reports" / "architecture-and-engineering.md"
    ).read_text()
    assert (
        "**Maybe covered by:** `ENG-002` named the occupation of the gaps marked with its ID, but its text"
        in (engineering)
    )


def test_the_digital_value_line_gives_its_share(real_warehouse, real_con):
    covered, total = real_con.execute(
        "select digital_covered_value_usd, digital_value_usd from marts.domain_coverage where domain_id = 'legal'"
    ).fetchone()
    assert 0 < covered < total
    legal = (real_warehouse.warehouse.parent / "reports" / "legal.md").read_text()
    assert (
        f"**Digital value covered:** {usd(covered)} of {usd(total)} ({pct(100 * covered / total)})." in legal
    )


def test_an_ungrounded_tasks_guessed_statement_shows_no_value(real_warehouse):
    # HCA-003 "Verify insurance eligibility" names Medical Secretaries; the text leans to "Complete
    # insurance or other claim forms", whose $2.91B was shown as if it were the task's
    report = (real_warehouse.warehouse.parent / "reports" / "healthcare-administration.md").read_text()
    row = next(line for line in report.splitlines() if line.startswith("| HCA-003 |"))
    assert row.endswith("| Medical Secretaries and Administrative Assistants | medium | task uncertain |")


def test_the_tie_sentence_says_judgment_first_only_when_the_value_model_ranks_so():
    # with TASKVALUE_PRIORITY_JUDGMENT_FIRST=false, 25 of 26 reports still said "judgment first"
    from assets.coverage.reports import gaps_sentence

    h = {"tasks_total": 10, "tasks_covered": 2}
    assert "priority rank, judgment first, chose which are listed." in gaps_sentence(h, 3, tied=2)
    off = gaps_sentence(h, 3, tied=2, judgment_first=False)
    assert "the value model's priority rank chose which are listed." in off and "judgment" not in off


def _index_with_domains(tmp_path, *domains: str) -> str:
    """The index report of the coverage fixture with one task more per `domains` value."""
    from assets.coverage.index_page import write_index

    rows = ", ".join(
        f"('inv-{20 + n}', 'T', 'p', '{d}', 'active', null, null, 'i.csv')" for n, d in enumerate(domains)
    )
    write_index(build_fixture_db(edits=[f"insert into staging.inventory_tasks values {rows}"]), tmp_path)
    return (tmp_path / "index.md").read_text()


def test_an_unmatched_domain_name_is_told_the_aliases_it_holds(tmp_path):
    assert (
        "'Copywriting / Misc' (1; the name holds `copywriting` of digital-copywriting), "
        "'Underwater basket weaving' (1)."
    ) in _index_with_domains(tmp_path, "Copywriting / Misc")


def test_an_unmatched_name_that_abbreviates_an_alias_is_told_that_alias_before_a_word_it_holds():
    # 28 Nov persona: 'med coding' was told it holds `coding` of computer-and-mathematical, steering
    # medical coders to software; the alias of its domain is `medical coding`
    from assets.coverage.index_page import aliases_within

    con = duckdb.connect()
    con.execute(
        "create schema int; create table int.domain_aliases (name_normalized varchar, domain_id varchar)"
    )
    con.execute(
        "insert into int.domain_aliases values ('medical coding', 'healthcare-administration'), "
        "('medical', 'healthcare'), ('coding', 'computer-and-mathematical'), ('media', 'arts'), "
        "('data', 'data-analysis'), ('databases', 'computer-and-mathematical'), "
        "('construction', 'construction'), ('consulting', 'business')"
    )
    assert (
        aliases_within(con, "med coding")
        == "the name abbreviates `medical coding` of healthcare-administration"
    )
    # a word held outright is still told, and two letters abbreviate nothing
    assert aliases_within(con, "coding tasks") == "the name holds `coding` of computer-and-mathematical"
    assert aliases_within(con, "me coding") == "the name holds `coding` of computer-and-mathematical"
    # review: 'med' was read again as `medical` and `media`; 'data' as `databases` before `data`; 'con'
    # named two domains as if either were meant
    assert aliases_within(con, "data ops") == "the name holds `data` of data-analysis"
    assert aliases_within(con, "con") == ""
    assert aliases_within(con, "med") == ""


def test_an_unmatched_name_of_an_environment_is_told_to_move_to_the_environment_column():
    # 28 Nov persona: 'browser-agent' and 'spreadsheet-agent' name where a task runs, not its work; an
    # alias would be wrong and declaring them unmapped would stop their matches from counting
    from assets.coverage.index_page import environment_hint

    assert environment_hint("browser agent").startswith("it reads as an environment, not the work: move it")
    for name in ("spreadsheets", "spreadsheet agent", "tool use", "computer use", "web agent tasks"):
        assert environment_hint(name) != "", name
    # work, or a job title: not an environment (review, 28 Nov)
    for name in (
        "revops",
        "med coding",
        "travel agent",
        "insurance agent",
        "shell scripting",
        "spreadsheet modeling",
        "agentic coding",
        "tool and die",
        "tasks",
    ):
        assert environment_hint(name) == "", name


def test_spellings_of_one_unmatched_name_are_listed_together(tmp_path):
    # 28 Nov persona: 'revops' (5) and 'RevOps' (3) were listed as two names, though one alias fixes both
    assert (
        "**Inventory domain names matching no configured domain:** 2: 'revops' / 'RevOps' (3), "
        "'Underwater basket weaving' (1)."
    ) in _index_with_domains(tmp_path, "RevOps", "revops", "revops")


def test_placeholder_domains_are_counted_as_tasks_without_a_domain_not_as_names_to_map(tmp_path):
    index = _index_with_domains(tmp_path, "N/A", "-")
    assert (
        "**Inventory tasks without a domain:** 3 (matched against every occupation, with no domain to "
        "prefer; '-', 'N/A' read as no domain)."
    ) in index
    assert "matching no configured domain:** 1: 'Underwater basket weaving' (1)." in index

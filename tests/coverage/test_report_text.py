"""What the reports say: sector-scaled release values, ungrounded tasks grouped by reason, the index's
inventory figures, escaping of inventory text, line breaks in cells, and number formatting."""

from __future__ import annotations

import re

import pytest
from markdown_it import MarkdownIt

from assets.coverage.document import Doc, Md, Table, link, to_html, to_markdown
from assets.coverage.grounding_sections import REASON_HELP
from assets.coverage.index_page import write_index
from assets.coverage.numbers import usd
from assets.coverage.reports import (
    build_domain_doc,
    slice_table,
    tied_with_last_gap,
    write_all_reports,
    write_domain_report,
)
from tests.coverage.conftest import build_fixture_db

RULE = "test rule"


def section(md: str, heading: str) -> str:
    """The text under a '## ' or '### ' heading, up to the next heading of any level."""
    return re.split(r"\n#{2,3} ", md.split(heading, 1)[1])[0]


# 1. release changes of a sector domain are the sector's part, as its headline is


def test_sector_release_changes_are_scaled_by_value_share(cov_con, tmp_path):
    # sector-finance holds 12% of 15-1252 (900k -> 1.00M nationally) and 10% of 27-3043 (300k -> 300k)
    md = write_domain_report(cov_con, "sector-finance", tmp_path, RULE).markdown
    changes = section(md, "## Release changes: OES May 2023 → May 2024")
    assert (
        "**Value of these tasks:** $138.00k under May 2023 wages and employment, $150.00k under May 2024"
        in (changes)
    )
    assert "| 15-1252.00 | 15-1252 | $108.00k | $120.00k | $12.00k |" in changes
    assert "| 27-3043.00 | 27-3043 | $30.00k | $30.00k | $0 |" in changes
    assert "$900.00k" not in changes and "$1.00M" not in changes  # the national figures
    # a code-based domain (value share 1) keeps the national values
    soft = write_domain_report(cov_con, "computer-and-mathematical", tmp_path, RULE).markdown
    assert "| 15-1252.00 | 15-1252 | $900.00k | $1.00M | $100.00k |" in soft
    assert "the domain's share of each occupation" not in soft


@pytest.mark.slow
def test_real_release_values_add_up_to_each_headline(real_warehouse, real_con):
    # every task in release_changes has a value in both vintages, so the domain's current value
    # under the release section equals its headline total (sector-finance-and-insurance: $612.02B,
    # not the $7.39T national value of its occupations)
    out = real_warehouse.warehouse.parent / "reports"
    for domain_id, total in real_con.execute(
        "select domain_id, total_value_usd from marts.domain_coverage"
    ).fetchall():
        md = (out / f"{domain_id}.md").read_text()
        assert f", {usd(total)} under May 2024" in md, domain_id
    sector = (out / "sector-finance-and-insurance.md").read_text()
    assert "$612.02B under May 2024" in sector and "$7.39T" not in sector


# 2. ungrounded tasks are grouped by reason, each with its own explanation


def test_ungrounded_tasks_are_grouped_by_reason(reports_md):
    copy = reports_md["digital-copywriting"]
    ungrounded = copy.split("## Ungrounded inventory tasks")[1].split("## Unverified")[0]
    # inv-6 (Weave, declaring an unconfigured domain) has only a guess among Writers and Authors: it
    # is no copywriting task, so it is not listed here (a headline saying no inventory task has its
    # best credible match in the domain sat above such lists) but in the index
    assert (
        "1 ungrounded inventory task declares this domain or has its best credible match in it (every "
        "status): 1 outside the declared domain." in ungrounded
    )
    assert "inv-6" not in copy
    outside = section(copy, "### Outside the declared domain (1)")
    homeless = section(reports_md["index"], "### Tasks whose grounding no domain report shows (2)")
    assert (
        "| inv-6 | Weave | active | Underwater basket weaving | ungrounded: no credible match |" in homeless
    )
    assert "pet peeve" in reports_md["index"].split("### Tasks whose grounding no domain report shows")[0]
    # inv-5 matches real work (a market research task) but declares Legal: a labelling problem
    assert "| inv-5 | Market sizing | active | Legal |" in outside and "inv-6" not in outside
    assert REASON_HELP["outside_declared_domain"].split(":")[0] in outside
    assert (
        "fix the row's `onet_soc_code` or pin when the match is, the row's domain when the label is"
        in outside
    )
    assert "looks busy" not in outside
    food = section(reports_md["food"], "### Only low-tier work (1)")
    assert "| inv-4 | Cook |" in food and "bottom-tier" in food


def test_a_report_lists_what_the_inventory_covers_and_by_which_tasks(reports_md, cov_con, tmp_path):
    # a persona's finance report counted 4 covering tasks and named only the ungrounded one (27 Nov)
    copy = section(reports_md["digital-copywriting"], "## What the inventory covers")
    assert "2 O\\*NET tasks of this domain are covered, by 2 inventory tasks. **occupation named**:" in copy
    assert (
        "| 1 | Analyse market data (**occupation named**) | Market Research Analysts and Marketing Specialists "
        "| $250.00k | mid | judgment | inv-5 |" in copy
    )
    assert (
        "| 2 | Tune search campaigns | Search Marketing Strategists | $150.00k | mid | routine | inv-8 |"
        in copy
    )
    soft = section(reports_md["computer-and-mathematical"], "## What the inventory covers")
    assert "| 1 | Write application code | Software Developers | $600.00k | high | judgment | inv-1 |" in soft
    assert "occupation named" not in soft  # no task-uncertain coverage: no legend
    made = section(reports_md["computer-and-mathematical"], "## How these numbers were made")
    assert "Matching: inventory tasks were matched onto O\\*NET by the `" in made
    assert "Grounding reasons are checked in order: rejected by a reviewer, declared unmapped domain" in made
    assert "A sector holds its share" not in soft
    # a persona's sector report said "no inventory task has its best credible match here" above a
    # list of covered tasks: the sector's share of non-characteristic occupations is said
    sector = section(reports_md["sector-finance"], "## What the inventory covers")
    assert "A sector holds its share of every occupation it employs" in sector and "| inv-1 |" in sector
    cov_con.execute("update int.domain_task_coverage set is_covered = false where domain_id = 'food'")
    food = write_domain_report(cov_con, "food", tmp_path, RULE).markdown
    assert "No O\\*NET task of this domain is covered by an inventory task." in food


def test_declared_domain_column_shows_the_configured_domain_when_names_differ(cov_con, tmp_path):
    cov_con.execute(
        "update marts.inventory_grounding set inventory_domain = 'law' where inventory_task_id = 'inv-5'"
    )
    md = write_domain_report(cov_con, "legal", tmp_path, RULE).markdown
    assert "| inv-5 | Market sizing | active | law → legal |" in md


# 3. the index counts ungrounded tasks by reason and leaves excluded statuses out of its shares


def _with_retired(**settings):
    return build_fixture_db(
        edits=["update staging.inventory_tasks set status = 'retired' where task_id = 'inv-2'"], **settings
    )


def test_index_shows_ungrounded_by_reason_without_retired_tasks(tmp_path):
    con = _with_retired()
    md, _ = write_index(con, tmp_path)
    # 8 tasks, inv-2 (grounded) retired: 7 count; 2 grounded, 4 ungrounded, 1 unverified
    assert "**Inventory:** 8 tasks; the 1 with an excluded status (retired) is left out" in md
    assert "shares of the other 7 (the excluded ones: 1 grounded, 0 ungrounded, 0 unverified)" in md
    assert "**Grounded in valuable work:** 2 (28.6%)." in md
    assert "**Ungrounded:** 4 (57.1%), by reason below." in md
    assert "**Unverified:** 1 (14.3%)" in md
    # the mart's reason column holds a value for unverified tasks too: the index says so, with counts
    assert (
        "In `marts.inventory_grounding` and the export they carry an `ungrounded_reason` without being "
        "ungrounded (`no_credible_match` 1): filter on `grounding` too." in md
    )
    assert "| no credible match | 2 | 28.6% |" in md
    assert "| only low-tier work | 1 | 14.3% |" in md
    assert "| physical work | 0 | 0.0% |" in md
    assert "| outside the declared domain | 1 | 14.3% |" in md
    # with nothing excluded the retired task counts again
    con.close()
    con = _with_retired(excluded_statuses="")
    md, _ = write_index(con, tmp_path)
    assert "**Inventory:** 8 tasks, all counted (none has an excluded status)." in md
    assert "**Grounded in valuable work:** 3 (37.5%)." in md
    con.close()


def test_the_index_lists_the_inventory_rows_that_were_not_loaded(tmp_path):
    # a persona's duplicate ID and text-less record were only in the log and a Dagster check (27 Nov)
    con = build_fixture_db()
    md, _ = write_index(con, tmp_path)
    assert "not loaded" not in md  # nothing quarantined (or no ingest in the selection): no paragraph
    con.execute("create schema if not exists staging")
    con.execute(
        "create or replace table staging.inventory_quarantine (source_file varchar, source_sheet varchar, "
        "source_row bigint, task_id varchar, reason varchar, detail varchar, raw_record varchar)"
    )
    detail = "duplicate_task_id: task_id 'LEG-002' occurs 2 times: t.jsonl row 18; t.jsonl row 20"
    con.execute(
        "insert into staging.inventory_quarantine select 't.jsonl', null, r, 'LEG-002', 'duplicate_task_id', ?, '{}' "
        "from range(18, 30) t(r)",
        [detail],
    )
    con.execute(
        "insert into staging.inventory_quarantine values ('a_b.xlsx', 'Q3', 4, null, 'missing_id', null, '')"
    )
    md, md_path = write_index(con, tmp_path)
    html = (tmp_path / "index.html").read_text()
    assert "**Inventory rows not loaded (quarantined):** 13, in no figure of these reports." in md
    assert "all 13 are in `staging.inventory_quarantine`" in md
    # a code span's content is literal (CommonMark): `a\_b.xlsx` showed its backslash in viewers
    assert "- `a_b.xlsx` sheet Q3 row 4: missing\\_id" in md  # no detail: the reason
    assert "<code>a_b.xlsx</code> sheet Q3 row 4: missing_id" in MarkdownIt("commonmark").render(md)
    assert "<code>a_b.xlsx</code> sheet Q3 row 4: missing_id" in html
    assert f"- `t.jsonl` row 18 (LEG-002): {detail}".replace("_", "\\_") in md
    assert "… and 3 more." in md  # 10 listed
    con.close()


def test_the_index_names_the_text_many_tasks_repeat_and_what_was_dropped(tmp_path):
    # a persona's sandbox preamble sat in 28% of its tasks, under the 30% cut, and pulled its coding
    # tasks toward network administrators: no report said which sentences were kept or dropped
    con = build_fixture_db()
    md, _ = write_index(con, tmp_path)
    assert "Text many tasks repeat" not in md  # no sentence shared: no paragraph
    con.execute(
        "create or replace table int.inventory_shared_sentences as select * from (values "
        "('Grading:', 8, 1.0, true, 3, 0.3), "
        "('You are in a *sandbox* with network access disabled.', 2 + 1, 0.375, true, 3, 0.3)) "
        "t(sentence, tasks, share_of_tasks, is_boilerplate, boilerplate_floor_tasks, boilerplate_share)"
    )
    md, _ = write_index(con, tmp_path)
    assert (
        "**Text many tasks repeat:** 2 sentences appear verbatim in 3 or more of the 8 tasks. 2 are in "
        "at least 3 tasks (the boilerplate share, 30.0% of the tasks, `TASKVALUE_BOILERPLATE_SHARE`) and "
        "were dropped before matching as "
        "boilerplate: “Grading:” (8 tasks, 100.0%); “You are in a \\*sandbox\\* with network access "
        "disabled.” (3 tasks, 37.5%). `int.inventory_shared_sentences` lists them all." in md
    )
    # counted at 50%: 4 of the 8 tasks, so the 3-task sentence is kept
    con.execute(
        "update int.inventory_shared_sentences set boilerplate_share = 0.5, boilerplate_floor_tasks = 4, "
        "is_boilerplate = tasks >= 4"
    )
    md, _ = write_index(con, tmp_path)
    assert "were dropped" not in md
    assert (
        "1 is in at least 4 tasks (the boilerplate share, 50.0% of the tasks, `TASKVALUE_BOILERPLATE_SHARE`) "
        "and was dropped" in md
    )
    assert (
        "The 1 kept: “You are in a \\*sandbox\\* with network access disabled.” (3 tasks, 37.5%). The "
        "matcher reads a kept sentence as each task's own words" in md
    )
    assert "name each task's occupation (`onet_soc_code`)" in md
    # at 10% of 8 tasks (1), the floor of 3 is what counts, and the paragraph says so
    con.execute(
        "update int.inventory_shared_sentences set boilerplate_share = 0.1, boilerplate_floor_tasks = 3, "
        "is_boilerplate = true"
    )
    md, _ = write_index(con, tmp_path)
    assert (
        "2 are in at least 3 tasks (never fewer than 3, though the boilerplate share, 10.0%, "
        "`TASKVALUE_BOILERPLATE_SHARE`, of them is 1) and were dropped" in md
    )
    # six sentences of one preamble tie: every one is listed, not the three that sort first
    con.execute("delete from int.inventory_shared_sentences")
    con.execute(
        "insert into int.inventory_shared_sentences select 'Sentence ' || chr(64 + i::int) || '.', 5, 0.625, "
        "false, 6, 0.7 from range(1, 7) t(i)"
    )
    con.execute(
        "insert into int.inventory_shared_sentences values ('Other.', 4, 0.5, false, 6, 0.7), "
        "('Else.', 3, 0.375, false, 6, 0.7)"
    )
    md, _ = write_index(con, tmp_path)
    assert "The most repeated of the 8 kept: “Sentence A.” (5 tasks, 62.5%); " in md
    assert "“Sentence F.” (5 tasks, 62.5%); and 2 more." in md
    con.close()


# 4. text from the inventory is literal text in the Markdown and the HTML; only the report links

XSS_TITLE = "[x](javascript:alert%281%29) <img src=x onerror=alert(1)> **b** `c` a|b _i_"


@pytest.fixture
def hostile(cov_con, tmp_path):
    cov_con.execute(
        "update marts.inventory_grounding set title = ? where inventory_task_id = 'inv-5'", [XSS_TITLE]
    )
    cov_con.execute(
        "update int.domain_inventory_names set inventory_domain = '<script>alert(1)</script>' "
        "where inventory_domain = 'Underwater basket weaving'"
    )
    cov_con.execute(
        "update marts.domain_coverage set domain_name = '[evil](javascript:alert(2))' where domain_id = 'legal'"
    )
    write_all_reports(cov_con, tmp_path, RULE)
    return tmp_path


def test_inventory_text_cannot_inject_html_or_links(hostile):
    for page in ("legal", "digital-copywriting", "index"):
        md = (hostile / f"{page}.md").read_text()
        # rendered with raw HTML allowed (the worst case of any Markdown viewer)
        rendered = MarkdownIt("commonmark").enable("table").render(md)
        page_html = (hostile / f"{page}.html").read_text()
        for out in (rendered, page_html):
            assert 'href="javascript' not in out.lower(), page
            assert not re.search(r"<a [^>]*href=\"(?!https?:|[\w./-]+\.(html|md|png)\")", out), page
            assert "<img src=x" not in out and "<script" not in out, page
    legal = (hostile / "legal.md").read_text()
    assert (
        "\\[x\\](javascript:alert%281%29) \\<img src=x onerror=alert(1)\\> \\*\\*b\\*\\* \\`c\\` a\\|b \\_i\\_"
        in legal
    )
    assert "# Coverage report: \\[evil\\](javascript:alert(2))" in legal
    html = (hostile / "legal.html").read_text()
    assert "[x](javascript:alert%281%29) &lt;img src=x onerror=alert(1)&gt; **b** `c` a|b _i_" in html
    index = (hostile / "index.md").read_text()
    assert "'\\<script\\>alert(1)\\</script\\>' (1)" in index
    # the domain's name is the text of the report's own link, escaped
    assert "| [\\[evil\\](javascript:alert(2))](legal.md) |" in index
    # the links the report itself makes still work
    assert "[Digital copywriting](digital-copywriting.md)" in index
    assert (
        '<a href="digital-copywriting.html">Digital copywriting</a>' in (hostile / "index.html").read_text()
    )


@pytest.mark.parametrize(
    "text",
    [
        "`a_b.xlsx` row 4",
        "\\`not code` and ``double``",  # an escaped backtick opens no span
        "``a `b` c``",  # a span closes at a run of its own length
        "`` `x ``",  # one space each side stripped
        "`x` and `y`",
        "`unclosed and **b**",
        "`[x](https://example.org) **b** \\_`",  # a span's content is literal
    ],
)
def test_the_html_renderer_reads_code_spans_as_commonmark_does(text):
    from assets.coverage.document import _inline

    assert _inline(text) == MarkdownIt("commonmark").renderInline(text)


def test_only_web_and_relative_links_are_made():
    assert link("a", "javascript:alert(1)") == "a"
    assert link("a", "JaVaScRiPt:alert(1)") == "a"
    assert link("a", "data:text/html,x") == "a"
    assert link("a", "index.html") == "[a](index.html)"
    assert link("a [b]", "https://example.org/x") == "[a \\[b\\]](https://example.org/x)"
    doc = Doc("t")
    doc.p("see [here](javascript:alert(1)) and [there](https://example.org)")
    html = to_html(doc)
    assert "javascript" not in html.split("<body>")[1].split("here")[0]
    assert '<a href="https://example.org">there</a>' in html and '<a href="javascript' not in html


# 5. a line break of any kind inside a cell stays inside the cell


def test_every_line_break_in_a_cell_becomes_a_space():
    doc = Doc("t")
    doc.table(
        Table(["a", "b"], [("one\rtwo\r\nthree\nfour\u2028five\x0bsix\x0cseven\u2029eight\x85nine", 1)])
    )
    md = to_markdown(doc)
    rows = [line for line in md.splitlines() if line.startswith("|")]
    assert rows == ["| a | b |", "|---|---|", "| one two three four five six seven eight nine | 1 |"]
    assert "<td>one two three four five six seven eight nine</td>" in to_html(doc)


def test_a_carriage_return_in_an_inventory_title_keeps_the_table(cov_con, tmp_path):
    cov_con.execute(
        "update marts.inventory_grounding set title = 'Market\rsizing\u2028now' where inventory_task_id = 'inv-5'"
    )
    md = write_domain_report(cov_con, "legal", tmp_path, RULE).markdown
    assert "| inv-5 | Market sizing now | active | Legal |" in md


# 6. numbers and sentences


def test_money_and_counts_read_well():
    assert usd(-115.52e6) == "-$115.52M"
    assert usd(-5) == "-$5"
    # zero is $0 (never -$0); an amount under a dollar shows its cents rather than reading as zero
    assert usd(0) == "$0" and usd(-0.0) == "$0" and usd(-0.001) == "$0"
    assert usd(-0.2) == "-$0.20" and usd(0.2) == "$0.20"
    assert usd(1286) == "$1.29k"
    # halves round up, in decimal: as floats these went down ($211.94M, $1.12M) in the published reports
    assert usd(211_945_000.0) == "$211.95M" and usd(1_125_000) == "$1.13M" and usd(2345) == "$2.35k"
    # the unit after rounding also below a dollar; no value crashes the report
    assert usd(0.995) == usd(1) == "$1" and usd(0.994) == "$0.99"
    assert usd(float("nan")) == usd(float("inf")) == "n/a" and usd(1e30).endswith("T")
    t = slice_table(
        "tier",
        [
            {
                "slice": "$15-25/hr",
                "tasks_total": 1286,
                "tasks_covered": 15,
                "total_value_usd": 7.376e10,
                "covered_value_usd": 1.026e10,
                "value_coverage_pct": 13.9,
            },
            {
                "slice": "no tier",  # the mart's values are null: no task of the slice has a wage
                "tasks_total": 30,
                "tasks_covered": 0,
                "total_value_usd": None,
                "covered_value_usd": None,
                "value_coverage_pct": None,
            },
        ],
    )
    assert t.rows == [
        ("$15-25/hr", "1,286", "15", "$73.76B", "$10.26B", "13.9%"),
        ("no tier", "30", "0", "n/a", "n/a", "n/a"),
    ]
    # a slice with a known value and nothing covered shows $0 covered, not n/a
    t = slice_table(
        "nature",
        [
            {
                "slice": "physical",
                "tasks_total": 4,
                "tasks_covered": 0,
                "total_value_usd": 2.5e5,
                "covered_value_usd": 0,
                "value_coverage_pct": 0.0,
            }
        ],
    )
    assert t.rows == [("physical", "4", "0", "$250.00k", "$0", "0.0%")]


def test_inventory_sentences_are_grammatical(reports_md):
    assert (
        "**Inventory:** 1 task declares this domain (active: 1); of these (every status), 0 are grounded, 1 ungrounded and "
        "0 unverified; no inventory task has its best credible match here (excluded statuses left out)."
        in reports_md["legal"]
    )
    assert "of them are grounded" not in reports_md["digital-copywriting"]
    assert (
        "**Concentration:** 0.0% of the 2 inventory tasks matched here sit in the bottom tiers (low), while "
        "0.0% of the value sits in the top tiers (high). Like for like, neither the inventory nor the value "
        "has anything in the bottom tiers; the median task matched here "
        "imitates work paid $40.00/hr, while half of the domain's value is earned at $35.00/hr or less."
        in reports_md["digital-copywriting"]
    )
    # no matched inventory: no "n/a of the matched inventory"
    legal = reports_md["legal"]
    assert "n/a of the matched inventory" not in legal
    assert "no inventory task (excluded statuses left out) has its best credible match here" in legal
    assert (
        "**Inventory:** 1 task declares this domain (active: 1); of these (every status), 0 are grounded, 1 ungrounded and "
        "0 unverified; 1 inventory task has its best credible match here (excluded statuses left out)."
        in reports_md["food"]
    )


def test_markdown_links_to_markdown_and_html_to_html(reports_md, reports_dir):
    assert "[All domains](index.md)" in reports_md["food"]
    assert '<a href="index.html">All domains</a>' in (reports_dir / "food.html").read_text()
    assert "[Food Preparation](food.md)" in reports_md["index"]
    assert '<a href="food.html">Food Preparation</a>' in (reports_dir / "index.html").read_text()


def test_cell_markup_is_only_for_report_made_markdown():
    doc = Doc("t")
    doc.table(Table(["a", "b"], [("**x**", Md("**y**"))]))
    assert "| \\*\\*x\\*\\* | **y** |" in to_markdown(doc)
    assert "<td>**x**</td><td><strong>y</strong></td>" in to_html(doc)


def test_build_domain_doc_escapes_the_domain_name(cov_con):
    cov_con.execute("update marts.domain_coverage set domain_name = 'A_B*C' where domain_id = 'food'")
    doc, _, _ = build_domain_doc(cov_con, "food", RULE)
    assert to_markdown(doc).startswith("# Coverage report: A\\_B\\*C\n")


@pytest.fixture
def reports_dir(cov_con, tmp_path):
    write_all_reports(cov_con, tmp_path, RULE)
    return tmp_path


@pytest.fixture
def reports_md(reports_dir):
    return {p.stem: p.read_text() for p in reports_dir.glob("*.md")}


def test_the_headline_says_how_much_coverage_rests_on_a_named_occupation_only(reports_md):
    # business: 401 (250k) covered only by inv-5's hinted floor, of 400k covered
    assert (
        "Of it, $250.00k (62.5%, 1 task) rests only on an occupation the inventory named"
        in reports_md["business"]
    )
    assert "rests only on an occupation" not in reports_md["computer-and-mathematical"]


def test_the_like_for_like_sentence_reads_right_at_its_edges():
    from assets.coverage.reports import like_for_like_sentence

    c = {
        "inventory_tasks_matched": 6,
        "value_bottom_tier_share_pct": 38.6,
        "bottom_tier_overweight_pct": -21.9,
        "inventory_median_hourly_wage_usd": 39.07,
        "value_median_hourly_wage_usd": 36.71,
    }
    # below the value's own bottom-tier share: said, not hidden behind "no more than"
    assert "leans to the bottom tiers 21.9 points less than its value does" in like_for_like_sentence(c)
    # a difference that rounds to 0.0 is no difference; one task is not a median
    one_task = like_for_like_sentence({**c, "bottom_tier_overweight_pct": 0.03, "inventory_tasks_matched": 1})
    assert "as much as its value does" in one_task and "the one task matched here imitates" in one_task
    # nothing to compare with (no valued work): no sentence at all, rather than "n/a" figures
    assert like_for_like_sentence({**c, "bottom_tier_overweight_pct": None}) == ""


@pytest.mark.slow
def test_equal_weight_gaps_are_listed_judgment_first_and_ties_at_the_cut_are_told(real_warehouse, real_con):
    # Elementary School Teachers' 37 tasks have one weight; the cent of the largest-remainder split
    # went to the lowest task IDs, and ranking gaps by cents listed 5 routine/interpersonal tasks
    # (6538, 6540, ...) before judgment tasks of the same value (6561, ...)
    rows = real_con.execute(
        "select gap_rank, task_id, nature from marts.coverage_gaps "
        "where domain_id = 'educational-instruction-and-library' and gap_rank <= 16 order by gap_rank"
    ).fetchall()
    assert [n for _, _, n in rows[:15]] == ["judgment"] * 15
    assert [t for _, t, _ in rows[10:15]] == [6561, 6562, 6563, 6566, 6567]
    assert rows[15][1:] == (6538, "routine")
    md = (real_warehouse.warehouse.parent / "reports" / "educational-instruction-and-library.md").read_text()
    tied = (
        real_con.execute(
            "select count(*) from int.domain_task_coverage as c join marts.task_value as t using (onet_soc_code, task_id) "
            "where c.domain_id = 'educational-instruction-and-library' and not c.is_covered "
            "and c.onet_soc_code = '25-2021.00' and c.priority_score > 0"
        ).fetchone()[0]
        - 15
    )
    assert tied > 0
    assert f"{tied:,} more uncovered tasks tie with #15 on the priority value before cents" in md


def test_ties_with_the_last_gap_are_counted_on_the_exact_priority_value():
    def first_gap_ties(*edits: str) -> int:
        con = build_fixture_db(edits=list(edits))
        first = con.execute(
            "select task_id from marts.coverage_gaps where domain_id = 'arts-and-media' and gap_rank = 1"
        ).fetchall()
        return tied_with_last_gap(con, "arts-and-media", [{"task_id": first[0][0]}])

    # 27-3043.00's two uncovered tasks have weights 0.75 and 0.25: no tie
    assert first_gap_ties() == 0
    # equal weights, a cent apart (the largest-remainder cent): a tie
    equal = "update marts.task_value set task_weight = 0.5, annual_value_usd = 200000 + (task_id = 201)::int * 0.01, "
    assert (
        first_gap_ties(
            equal + "priority_score = 200000 + (task_id = 201)::int * 0.01 where task_id in (201, 202)"
        )
        == 1
    )
    # no priority score (not digital) ties whatever the weights
    assert (
        first_gap_ties(
            "update marts.task_value set priority_score = 0, is_digital = false where task_id in (201, 202)"
        )
        == 1
    )


def _covered(cov_con, tmp_path) -> str:
    from assets.coverage.reports import write_domain_report

    return section(
        write_domain_report(cov_con, "digital-copywriting", tmp_path, RULE).markdown,
        "## What the inventory covers",
    )


def test_the_covered_section_counts_each_inventory_task_once_and_says_how_many_ids_are_left_out(
    cov_con, tmp_path
):
    # one inventory task covering two O*NET tasks is one inventory task (mutation audit, 27 Nov)
    cov_con.execute(
        "update int.domain_task_coverage set covering_inventory_task_ids = ['inv-5', 'inv-8'] "
        "where domain_id = 'digital-copywriting' and is_covered and covering_inventory_task_ids = ['inv-5']"
    )
    assert "are covered, by 2 inventory tasks" in _covered(cov_con, tmp_path)
    cov_con.execute(
        "update int.domain_task_coverage set covering_inventory_task_ids = ['a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7'] "
        "where domain_id = 'digital-copywriting' and is_covered and list_contains(covering_inventory_task_ids, 'inv-5')"
    )
    cov_con.execute(
        "update int.domain_task_coverage set covering_inventory_task_ids = ['b1', 'b2', 'b3', 'b4', 'b5'] "
        "where domain_id = 'digital-copywriting' and is_covered and covering_inventory_task_ids = ['inv-8']"
    )
    md = _covered(cov_con, tmp_path)
    assert "| a1, a2, a3, a4, a5 and 2 more |" in md and "| b1, b2, b3, b4, b5 |" in md


def test_one_covered_task_is_said_in_the_singular(cov_con, tmp_path):
    cov_con.execute(
        "update int.domain_task_coverage set is_covered = false "
        "where domain_id = 'digital-copywriting' and covering_inventory_task_ids = ['inv-8']"
    )
    assert "1 O\\*NET task of this domain is covered, by 1 inventory task" in _covered(cov_con, tmp_path)


def test_an_unverified_task_says_its_best_match_is_off_its_declared_domain(tmp_path):
    # inv-2 declares software; a medium text match of writers covers nothing, and the report says why
    from assets.coverage.reports import write_domain_report
    from tests.coverage.conftest import build_fixture_db

    con = build_fixture_db(
        edits=[
            "update marts.inventory_task_matches set onet_task_id = 201, onet_soc_code = '27-3043.00' "
            "where inventory_task_id = 'inv-2' and rank = 1"
        ]
    )
    md = write_domain_report(con, "computer-and-mathematical", tmp_path, RULE).markdown
    row = next(line for line in md.splitlines() if line.startswith("| inv-2 |"))
    assert row.endswith("| medium | not credible (text match outside the declared domain) |")


@pytest.fixture
def index_md(cov_con, tmp_path):
    return write_index(cov_con, tmp_path)[0]


@pytest.mark.parametrize(
    ("page", "text"),
    [
        # task coverage is its own percentage, not the value's (report-writer mutation audit, 28 Nov)
        ("food", "**Covered value:** $200.00k = **80.0%** of the value; 1 of 2 tasks (50.0%)."),
        ("sector-finance", "4 of 6 tasks (66.7%)."),
        ("digital-copywriting", "**Digital value covered:** $400.00k of $800.00k (50.0%)."),
        # the named-occupation share is of the covered value ($250k of $400k), not of the total
        ("digital-copywriting", "Of it, $250.00k (62.5%, 1 task)"),
        ("sector-finance", "Of it, $50.00k (25.0%, 1 task)"),
        # a rise reads as a rise: 900k -> 1.00M nationally
        ("computer-and-mathematical", "(up 11.1%)"),
        ("digital-copywriting", "**Tasks whose tier changed:** 0 of 1."),
        # a guessed statement shows no dollar value of its own
        (
            "digital-copywriting",
            "| inv-5 | Market sizing | active | Legal | Analyse market data | "
            "Market Research Analysts and Marketing Specialists | medium | task uncertain |",
        ),
        # one gap is one gap
        ("food", "## The top gap: valuable digital work no inventory task covers"),
        ("food", "1 of the 2 O\\*NET tasks is uncovered; it is listed by the value model's priority score."),
        # a bottom-tier gap is real work, but a task built on it would be judged low-tier: say so
        (
            "food",
            "**Bottom-tier gaps:** it sits in a bottom tier (low): the work is real and its value counts, but an "
            "inventory task built on one would be judged ungrounded (only low-tier work). Build it knowingly.",
        ),
        ("computer-and-mathematical", "no gaps.\n\n_None._"),
        # the index: uncovered before total value, the release change, the tier changes, tasks without a domain
        (
            "index",
            "| 1 | [Digital copywriting](digital-copywriting.md) | custom | $400.00k | $400.00k | $800.00k | 50.0% "
            "| 62.5% | 2 / 4 | 2 | 2 |",
        ),
        # how much of the covered value rests on a named occupation only: as the domain report says
        # ("Of it, $50.00k (25.0%, 1 task)"); nothing covered, nothing to split
        (
            "index",
            "| 4 | [Finance and Insurance (sector)](sector-finance.md) | naics sector | $40.00k | $40.00k | $240.00k "
            "| 83.3% | 25.0% | 4 / 6 | 0 | 4 |",
        ),
        (
            "index",
            "| 1 | [Arts and Media](arts-and-media.md) | soc major group | $400.00k | $400.00k | $400.00k | 0.0% |  "
            "| 0 / 2 |",
        ),
        # the uncovered value in digital tasks beside all of it: the cook's task is not digital
        (
            "index",
            "| 3 | [Food Preparation](food.md) | soc major group | $50.00k | $0 | $250.00k | 80.0% | 0.0% | 1 / 2 |",
        ),
        ("index", "$1.20M under May 2023 wages and employment, $1.30M under May 2024 (up 8.3%)"),
        ("index", "**Tasks whose tier changed:** 1 of 3."),
        (
            "index",
            "**Inventory tasks without a domain:** 1 (matched against every occupation, with no domain to prefer).",
        ),
    ],
)
def test_the_reports_say_what_was_computed(reports_md, index_md, page, text):
    assert text in (index_md if page == "index" else reports_md[page])


def test_the_index_counts_excluded_tasks_by_their_own_verdicts(tmp_path):
    # a retired task that is ungrounded (inv-4, a cook's task: low tier only) counts as ungrounded
    con = build_fixture_db(
        edits=["update staging.inventory_tasks set status = 'retired' where task_id = 'inv-4'"]
    )
    assert "(the excluded ones: 0 grounded, 1 ungrounded, 0 unverified)" in write_index(con, tmp_path)[0]

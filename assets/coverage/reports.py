"""Per-domain coverage reports (Markdown + HTML + a matplotlib chart) and the index page.

Reads the coverage marts from any DuckDB connection (the work database during a refresh, the
published warehouse from the CLI) and writes files atomically into a reports directory.
"""

from __future__ import annotations

import base64
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from assets.common.code_version import code_version
from assets.common.files import write_atomic
from assets.common.warehouse import dict_rows, has_table
from assets.coverage.attribution import BLS_ATTRIBUTION, ONET_ATTRIBUTION
from assets.coverage.charts import tier_chart_png
from assets.coverage.covered_section import covered_section
from assets.coverage.document import Doc, Image, Md, Table, md_code, md_escape, to_html, to_markdown
from assets.coverage.domains import RESERVED_IDS, normalize_name
from assets.coverage.grounding_sections import (
    UNGROUNDED_SHOWN,
    UNVERIFIED,
    grounding_table,
    lowest_score_first,
    shown_note,
    ungrounded_section,
)
from assets.coverage.index_page import uncertain_share, write_index
from assets.coverage.numbers import count, covered_pct, hourly, pct, plural, usd, wage, workers
from assets.coverage.release_sections import (
    release_changes_section,
)
from assets.coverage.report_paths import (
    INDEX_FILES,
    report_files,
)

GAPS_SHOWN = 15


# The domains file refuses ids whose report files would be the index page's (domains.RESERVED_IDS);
# checked here too for ids that come from elsewhere (a warehouse, the command line).
assert {Path(name).stem for name in INDEX_FILES} <= RESERVED_IDS


@dataclass(frozen=True)
class Report:
    domain_id: str
    markdown: str
    md_path: Path
    html_path: Path
    png_path: Path
    headline: dict
    preview: str  # the Markdown with the chart embedded, for the Dagster UI


def domain_ids(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [
        r[0] for r in con.execute("select domain_id from marts.domain_coverage order by domain_id").fetchall()
    ]


def resolve_domain(con: duckdb.DuckDBPyConnection, name: str) -> str | None:
    """A domain id from an id, a name or an alias (case-insensitive)."""

    row = con.execute(
        "select domain_id from int.domain_aliases where name_normalized = ? limit 1", [normalize_name(name)]
    ).fetchone()
    return row[0] if row else None


def slice_table(dimension: str, slices: list[dict]) -> Table:
    """Covered against total tasks and value, one row per tier or nature (marts.domain_coverage_slices)."""

    return Table(
        [dimension, "tasks", "covered tasks", "value", "covered value", "coverage"],
        [
            (
                t["slice"],
                count(t["tasks_total"]),
                count(t["tasks_covered"]),
                usd(t["total_value_usd"]),  # null when no task of the slice has a value ('no tier')
                usd(t["covered_value_usd"]),
                covered_pct(t["value_coverage_pct"], t["covered_value_usd"]),
            )
            for t in slices
        ],
        {1, 2, 3, 4, 5},
    )


def uncertain_sentence(h: dict) -> str:
    """How much of the covered value rests only on an occupation the inventory named (hinted floor)."""
    n = h.get("tasks_covered_task_uncertain") or 0
    if not n:
        return ""
    return (
        f" Of it, {usd(h['covered_value_task_uncertain_usd'])} ({uncertain_share(h)}, {plural(n, 'task')}) rests "
        "only on an occupation the inventory named: the O*NET task within it was picked on text evidence too weak "
        "to cover on its own, so the occupation is right but the task may not be. Pin the intended task in "
        "the overrides file to make it exact."
    )


def inventory_sentence(h: dict) -> str:
    """The headline's inventory bullet, in grammatical English whatever the counts."""
    declared = h["inventory_tasks_declared"] or 0
    matched = h["inventory_tasks_matched"] or 0
    # declared counts include every status; the matched count, like coverage, leaves excluded ones out
    here = (
        "no inventory task has its best credible match here (excluded statuses left out)."
        if not matched
        else f"{plural(matched, 'inventory task')} {'has its' if matched == 1 else 'have their'} best "
        "credible match here (excluded statuses left out)."
    )
    if not declared:
        return f"**Inventory:** no inventory task declares this domain; {here}"
    # the mart writes '(none)' for tasks without a status
    status = ", ".join(
        f"{'no status' if s['status'] == '(none)' else md_escape(s['status'])}: {s['inventory_tasks']:,}"
        for s in (h["inventory_tasks_by_status"] or [])
    )
    grounded, unverified = h["inventory_tasks_grounded"] or 0, h["inventory_tasks_unverified"] or 0
    ungrounded = declared - grounded - unverified
    return (
        f"**Inventory:** {plural(declared, 'task')} {'declares' if declared == 1 else 'declare'} this domain "
        f"({status or 'no status'}); of these (every status), {grounded:,} {'is' if grounded == 1 else 'are'} "
        "grounded, "
        f"{ungrounded:,} ungrounded and {unverified:,} unverified; {here}"
    )


def concentration_sentence(c: dict) -> str:
    top = (
        f"{pct(c.get('value_top_tier_share_pct'))} of the value sits in the top tiers "
        f"({md_escape(c.get('top_tiers') or 'none')})"
        if c.get("value_top_tier_share_pct") is not None
        else "the domain has no valued task"
    )
    matched = c.get("inventory_tasks_matched") or 0
    if not matched:
        return (
            f"**Concentration:** {top}; no inventory task (excluded statuses left out) has its best credible "
            "match here, so there is no inventory to compare."
        )
    return (
        f"**Concentration:** {pct(c.get('inventory_bottom_tier_share_pct'))} of the "
        f"{plural(matched, 'inventory task')} matched here "
        f"{'sits' if matched == 1 else 'sit'} in the bottom tiers "
        f"({md_escape(c.get('bottom_tiers') or 'none')}), while {top}. {like_for_like_sentence(c)}".rstrip()
    )


def like_for_like_sentence(c: dict) -> str:
    """The inventory against the domain's own value on the same yardstick: the bottom-tier share, and
    the typical hourly wage (with national tiers most domains hold no top-tier value, so the issue's
    bottom-vs-top comparison says little on its own). Empty when the domain has no valued work."""
    overweight = c.get("bottom_tier_overweight_pct")
    if overweight is None:  # no value (or no inventory) to compare with
        return ""
    overweight = float(overweight)
    if not c.get("inventory_bottom_tier_share_pct") and not c.get("value_bottom_tier_share_pct"):
        lean = None  # nothing in the bottom tiers on either side: no lean to speak of
    elif abs(overweight) < 0.05:  # shown to one decimal: "0.0 points" would read as a comparison
        lean = "as much as its value does"
    elif overweight > 0:
        lean = f"{overweight:.1f} points more than its value does"
    else:
        lean = f"{-overweight:.1f} points less than its value does"
    matched = c.get("inventory_tasks_matched") or 0
    who = "the one task matched here" if matched == 1 else "the median task matched here"
    bottom = (
        "neither the inventory nor the value has anything in the bottom tiers"
        if lean is None
        else f"the inventory leans to the bottom tiers {lean} "
        f"({pct(c.get('value_bottom_tier_share_pct'))} of the value is there)"
    )
    return (
        f"Like for like, {bottom}; {who} imitates work paid "
        f"{hourly(c.get('inventory_median_hourly_wage_usd'))}, while half of the domain's value is earned at "
        f"{hourly(c.get('value_median_hourly_wage_usd'))} or less."
    )


SECTOR_LENS = (
    "**Sector lens:** values and workers are the sector's own: each occupation counts with the sector's "
    "share of its national wage bill and employment (OES sector data). Hourly wages, tiers and the gaps' "
    "$/hour are the occupations' national means, not the sector's."
)


def one_occupation_gaps_sentence(gaps: list[dict], judgment_first: bool) -> str:
    """When one occupation holds most of the listed gaps: say so, and when its gaps are worth the same
    to the cent, that their order is a tie-break (equal task weights split its wage bill), not value."""
    counts = Counter(g["occupation_title"] for g in gaps)
    if not counts:
        return ""
    title, n = counts.most_common(1)[0]
    if n < 3 or 2 * n <= len(gaps):
        return ""
    values = [
        float(g["annual_value_usd"]) for g in gaps if g["occupation_title"] == title and g["annual_value_usd"]
    ]
    equal = len(values) == n and max(values) - min(values) <= 0.011  # apportioned cents differ by one
    head = f"**{n} of these {len(gaps)} gaps are tasks of one occupation,** {md_escape(title)}"
    if not equal:
        return head + ": its wage bill is large enough that its tasks outrank other occupations' best."
    return (
        f"{head}, each worth {usd(values[0])}: the occupation's tasks share its wage bill equally (equal task "
        f"weights), so their order is the value model's tie-break{' (judgment first)' if judgment_first else ''}, "
        "not a difference in value."
    )


def bottom_tier_gaps_sentence(gaps: list[dict], bottom: frozenset[str]) -> str:
    """Which listed gaps sit in a bottom tier (`bottom`: their labels): real, valued work, but a task
    built on one would be judged ungrounded (only low-tier work), which the list alone seemed to
    recommend."""
    ranks = [g["gap_rank"] for g in gaps if g["tier"] in bottom]
    if not ranks:
        return ""
    tiers = sorted({g["tier"] for g in gaps if g["tier"] in bottom})
    which = (
        "it" if len(gaps) == 1 else f"{len(ranks)} of these {len(gaps)} gaps (#{', #'.join(map(str, ranks))})"
    )
    return (
        f"**Bottom-tier gaps:** {which} {'sits' if len(ranks) == 1 else 'sit'} in a bottom tier "
        f"({', '.join(md_escape(t) for t in tiers)}): the work is real and its value counts, but an inventory "
        "task built on one would be judged ungrounded (only low-tier work). "
        + (
            "Build it knowingly."
            if len(gaps) == 1
            else "Build such tasks knowingly, or start with the better-paid gaps."
        )
    )


def maybe_covered_sentence(ids: list[str]) -> str:
    """What the gap table's last column means: inventory tasks whose match in a gap's occupation is
    task-uncertain, so they may be doing the gap."""
    one = len(ids) == 1
    return (
        f"**Maybe covered by:** {', '.join(md_code(i) for i in ids)} named the occupation of the gaps "
        f"marked with {'its ID' if one else 'their IDs'}, but {'its' if one else 'their'} text was too weak "
        f"to say which of that occupation's tasks {'it imitates' if one else 'they imitate'}, so coverage "
        f"credits another of them: {'it' if one else 'one of these'} may do the listed task. Pin the "
        "intended task in the overrides file to settle it."
    )


WEAK_IDS_SHOWN = 20


def weak_match_sentence(ids: list[str], in_bottom_tier: bool = False) -> str:
    """What "(weak match)" in the gap table means: the inventory task ranked the gap first, but the
    text is too weak to count (a persona's support tickets matched its own top gaps at low and the
    report said 0% covered without naming them). `in_bottom_tier`: one of those gaps is bottom-tier
    work, which a pin makes covered and the task ungrounded."""
    one = len(ids) == 1
    shown = ", ".join(md_code(i) for i in ids[:WEAK_IDS_SHOWN])
    more = f" and {len(ids) - WEAK_IDS_SHOWN:,} more" if len(ids) > WEAK_IDS_SHOWN else ""
    text = (
        f"**Weak match:** {shown}{more} ranked the gap{'' if one else 's'} marked with "
        f"{'its ID' if one else 'their IDs'} first among {'its' if one else 'their'} candidates, but too weakly to cover "
        f"{'it' if one else 'them'} (the coverage rule wants a stronger text match, or a named occupation, "
        "an explicit O*NET Task ID or a pin). If that is the work, pin the task in the overrides file or "
        "name the occupation (`onet_soc_code`) and it counts; if not, the gap stands."
    )
    if in_bottom_tier:
        text += (
            " A bottom-tier gap (above) then counts as covered, and the task as ungrounded for imitating "
            "only low-tier work."
        )
    return text


def occupation_cell(row: dict) -> str:
    """The occupation, and when its OES row is shared by several O*NET codes, that its workers are a
    share of the row's: 656,402 Advanced Practice Psychiatric Nurses are a fifth of the Registered
    Nurses (an equal split by default), not a headcount BLS published."""
    title = row["occupation_title"] or row["onet_soc_code"]
    sharing = row.get("onet_codes_sharing") or 1
    if sharing < 2:
        return title
    row_name = "its OES row" if row["oes_title"] == title else f"OES {row['oes_title']}"
    return f"{title} (workers: a share of {row_name}, split among {sharing} O*NET occupations)"


def uncovered_occupations(con: duckdb.DuckDBPyConnection, domain_id: str, digital_only: bool) -> list[dict]:
    """The domain's occupations by uncovered value (by priority score, as the gaps are ranked, when it
    counts digital work only): the gap list's top is often one large occupation's tasks."""
    value = "priority_score" if digital_only else "annual_value_usd"
    counted = "c.priority_score > 0" if digital_only else "true"  # the tasks the value counts
    return dict_rows(
        con,
        f"""
        select c.onet_soc_code, any_value(c.occupation_title) as occupation_title,
               sum(c.{value}) filter (where not c.is_covered) as uncovered_usd,
               count(*) filter (where not c.is_covered and {counted}) as uncovered_tasks,
               count(*) filter (where {counted}) as tasks,
               any_value(c.employment_reached) as employment_reached,
               any_value(c.hourly_wage_usd) as hourly_wage_usd,
               any_value(v.onet_codes_sharing) as onet_codes_sharing, any_value(v.oes_title) as oes_title
        from int.domain_task_coverage as c
        left join marts.task_value as v using (onet_soc_code, task_id)
        where c.domain_id = ?
        group by c.onet_soc_code
        having sum(c.{value}) filter (where not c.is_covered) > 0
        order by uncovered_usd desc, c.onet_soc_code
        limit {OCCUPATIONS_SHOWN}
        """,
        [domain_id],
    )


OCCUPATIONS_SHOWN = 10


def occupations_table(rows: list[dict], digital_only: bool) -> Table:
    return Table(
        [
            "occupation",
            "uncovered digital value" if digital_only else "uncovered value",
            "uncovered digital tasks" if digital_only else "uncovered tasks",
            "occupation's workers",
            "occupation's $/hour",
        ],
        [
            (
                occupation_cell(r),
                usd(r["uncovered_usd"]),
                f"{r['uncovered_tasks']:,} of {r['tasks']:,}",
                workers(r["employment_reached"]),
                wage(r["hourly_wage_usd"]),
            )
            for r in rows
        ],
        {1, 2, 3, 4},
    )


def weak_only(gap: dict) -> list[str]:
    """The gap's weak matches that did not also name its occupation (those are listed as task-uncertain)."""
    return [
        i for i in gap["weak_match_inventory_task_ids"] if i not in gap["task_uncertain_inventory_task_ids"]
    ]


def maybe_covering(gap: dict) -> list[str]:
    """The inventory tasks that may do a gap: those that named its occupation (task-uncertain), then
    those whose best match it is, too weak to count (marked)."""
    return [*gap["task_uncertain_inventory_task_ids"], *(f"{i} (weak match)" for i in weak_only(gap))]


def gap_table(gaps: list[dict]) -> Table:
    """The gap rows; workers and wage are the occupation's (in this domain), not the task's. The last
    column appears when an inventory task named a gap's occupation with a task-uncertain match, or
    matched a gap best but too weakly to cover it."""
    maybe = any(maybe_covering(g) for g in gaps)
    columns = ["#", "task", "occupation", "annual value", "occupation's workers", "occupation's $/hour"]
    columns += ["tier", "nature", "digital"] + (["maybe covered by"] if maybe else [])
    return Table(
        columns,
        [
            (
                g["gap_rank"],
                g["task"],
                occupation_cell(g),
                usd(g["annual_value_usd"]),
                workers(g["employment_reached"]),
                wage(g["hourly_wage_usd"]),
                g["tier"],
                g["nature"],
                {True: "yes", False: "no"}.get(g["is_digital"], "unknown"),
                *([", ".join(maybe_covering(g))] if maybe else []),
            )
            for g in gaps
        ],
        {0, 3, 4, 5},
    )


def unvalued_sentence(con: duckdb.DuckDBPyConnection, domain_id: str, tasks_total: int) -> str:
    """Tasks counted in the task figures but in no value figure: their occupation has no OES wage."""
    n, occupations = con.execute(
        """select count(*), list_sort(list(distinct coalesce(occupation_title, onet_soc_code)))
           from int.domain_task_coverage where domain_id = ? and annual_value_usd is null""",
        [domain_id],
    ).fetchone()
    if not n:
        return ""
    shown = ", ".join(md_escape(o) for o in occupations[:3]) + (", ..." if len(occupations) > 3 else "")
    return (
        f" {n:,} of the {tasks_total:,} tasks ({plural(len(occupations), 'occupation')}: {shown}) "
        f"{'has' if n == 1 else 'have'} no published OES wage: counted among the tasks, but in no value "
        "figure (their value is unknown, not $0)."
    )


def source_releases(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """The releases the warehouse was built from (staging.source_files): oes_national, onet, ..."""
    if not has_table(con, "staging", "source_files"):  # built without the ingest (the coverage fixtures)
        return {}
    rows = con.execute(
        """select source, any_value(release order by target_table) from staging.source_files
           where target_table in ('staging.oes_national', 'staging.oes_sector', 'staging.onet_task_statements')
           group by source"""
    ).fetchall()
    return {source: release for source, release in rows if release}


def units_sentence(con: duckdb.DuckDBPyConnection) -> str:
    """What every figure is in, and from which releases."""
    releases = source_releases(con)
    sources = [
        f"OES May {releases['oes_national']} national employment and wages"
        if "oes_national" in releases
        else "",
        f"the OES May {releases['oes_sector']} sector file" if "oes_sector" in releases else "",
        f"O*NET {releases['onet']} task statements" if "onet" in releases else "",
    ]
    sources = [x for x in sources if x]
    return "Units: every value is US dollars a year (a share of wage bills), never hours or headcounts" + (
        f"; from {', '.join(sources)}." if sources else "."
    )


def gaps_sentence(
    h: dict,
    shown: int,
    tied: int = 0,
    digital_only: bool = False,
    above: int = 0,
    judgment_first: bool = True,
) -> str:
    """How many tasks are uncovered, which of them the gap table lists, what the ranking counts (only
    digital work by default: an unlisted non-digital task may be worth more than the last listed
    gap, and the reader is told how many are), and how many unlisted ones tie with the last listed on
    the ranking's exact priority value."""
    uncovered = h["tasks_total"] - h["tasks_covered"]
    if not uncovered:
        return (
            "Every O*NET task of the domain is covered: no gaps." if h["tasks_total"] else "No O*NET tasks."
        )
    scope = (
        " The priority score counts digital work only (the value model's default): tasks that are not "
        "digital, or whose digital flag is unknown, score 0 and come last"
        + (
            f"; {plural(above, 'unlisted uncovered task')} {'is' if above == 1 else 'are'} worth more a "
            f"year than #{shown} (int.domain_task_coverage holds every task of the domain with its value)."
            if above
            else "."
        )
        if digital_only
        else ""
    )
    ties = (
        f" {plural(tied, 'more uncovered task')} {'ties' if tied == 1 else 'tie'} with #{shown} on the priority value before cents are "
        "apportioned (the same occupation and weight, or no priority score): the value model's priority "
        f"rank{', judgment first,' if judgment_first else ''} chose which are listed."
        if tied
        else ""
    )
    if shown == uncovered:
        listed = "it is listed" if shown == 1 else f"all {shown:,} are listed"
    else:
        listed = "this one comes first" if shown == 1 else f"these {shown:,} come first"
    return (
        f"{uncovered:,} of the {plural(h['tasks_total'], 'O*NET task')} {'is' if uncovered == 1 else 'are'} "
        f"uncovered; {listed} by the value model's priority score." + scope + ties
    )


def tied_with_last_gap(con: duckdb.DuckDBPyConnection, domain_id: str, gaps: list[dict]) -> int:
    """Uncovered tasks not listed whose priority value (what gaps are ranked by) equals the last
    listed gap's."""
    if not gaps:
        return 0
    return con.execute(
        """
        with uncovered as (
            select task_id, priority_value from int.domain_task_coverage
            where domain_id = $domain and not is_covered
        )
        select count(*) from uncovered
        where priority_value = (select priority_value from uncovered where task_id = $task)
            and task_id not in (select unnest($listed::bigint[]))
        """,
        {"domain": domain_id, "task": gaps[-1]["task_id"], "listed": [g["task_id"] for g in gaps]},
    ).fetchone()[0]


def priority_is_digital_only(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the warehouse's priority score counts digital tasks only (priority_digital_only, read
    from the data it was built with, not from this process's settings)."""
    # said only with evidence: some task scored, and none of them other than digital
    scored, other = con.execute(
        "select count(*) filter (where priority_score > 0), "
        "count(*) filter (where priority_score > 0 and not coalesce(is_digital, false)) from marts.task_value"
    ).fetchone()
    return scored > 0 and other == 0


def tiers_on_loaded_cost(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the warehouse's tiers band loaded cost, not the wage (a multiplier other than 1)."""
    has_column = con.execute(
        "select count(*) from duckdb_columns() where database_name = current_database() "
        "and schema_name = 'marts' and table_name = 'task_value' and column_name = 'loaded_hourly_cost_usd'"
    ).fetchone()[0]
    return (
        bool(has_column)
        and con.execute(
            "select coalesce(bool_or(loaded_hourly_cost_usd <> hourly_wage_usd), false) from marts.task_value"
        ).fetchone()[0]
    )


def judgment_ranks_first(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the priority rank puts judgment work first within each tier (priority_judgment_first),
    read from the ranks themselves."""
    return con.execute(
        """
        select coalesce(bool_and(judgment_last < others_first), false) from (
            select
                max(priority_rank) filter (where nature = 'judgment') as judgment_last,
                min(priority_rank) filter (where nature is distinct from 'judgment') as others_first
            from marts.task_value
            where priority_score > 0
            group by tier
        )
        where judgment_last is not null and others_first is not null
        """
    ).fetchone()[0]


def worth_more_than_last_gap(con: duckdb.DuckDBPyConnection, domain_id: str, gaps: list[dict]) -> int:
    """Uncovered tasks not listed whose annual value in the domain exceeds the last listed gap's while
    the ranking puts them below it (not digital). Values are compared exactly, before their cents
    are apportioned (task weight x the occupation's wage bill x the domain's share): equal tasks of
    one occupation differ by a cent after apportioning, and such a cent made a task "worth more". One
    that ties with a scored last gap on the priority value is counted with the ties
    (tied_with_last_gap), not here; when the last gap scored 0 (no priority score), every richer one
    is counted."""
    if not gaps:
        return 0
    return con.execute(
        """
        with exact as (
            select c.task_id, c.is_covered, c.priority_value,
                t.task_weight * t.occupation_wage_bill_usd::double * m.value_share as exact_value_usd
            from int.domain_task_coverage as c
            join marts.task_value as t on t.task_id = c.task_id
            join int.domain_members as m on m.domain_id = c.domain_id and m.onet_soc_code = c.onet_soc_code
            where c.domain_id = $domain
        ),

        last as (
            select coalesce(e.exact_value_usd, $value::double) as last_exact_usd,
                coalesce(nullif(e.priority_value, 0), 'infinity'::double) as last_value
            from (select 1) as one left join exact as e on e.task_id = $task
        )

        select count(*) from exact, last
        where not is_covered and exact_value_usd > last_exact_usd
            and task_id not in (select unnest($listed::bigint[]))
            and (last_value = 'infinity'::double or coalesce(priority_value, 0) < last_value)
        """,
        {
            "domain": domain_id,
            "task": gaps[-1]["task_id"],
            "value": gaps[-1]["annual_value_usd"],
            "listed": [g["task_id"] for g in gaps],
        },
    ).fetchone()[0]


@dataclass(frozen=True)
class RankingFacts:
    """How the warehouse's value model ranked and banded tasks, read from its data once per set of
    reports (the same for every domain)."""

    digital_only: bool
    loaded_cost: bool
    judgment_first: bool
    bottom_tiers: frozenset[str]  # the labels of the bottom (lowest-paid) tiers


def ranking_facts(con: duckdb.DuckDBPyConnection) -> RankingFacts:
    bottom = con.execute("select tier from int.domain_tier_order where is_bottom_tier").fetchall()
    return RankingFacts(
        priority_is_digital_only(con),
        tiers_on_loaded_cost(con),
        judgment_ranks_first(con),
        frozenset(r[0] for r in bottom),
    )


def headline_bullets(con: duckdb.DuckDBPyConnection, h: dict, c: dict, n_domains: int) -> list[str]:
    """The headline: value, coverage, rank, inventory and concentration, in words that say what they count."""
    inventory = [inventory_sentence(h), concentration_sentence(c)]
    if not h["tasks_total"]:  # the rules match no occupation with tasks: nothing to value or cover
        return [
            "**No O*NET tasks:** none of this domain's rules in the domains file (config/domains.toml) matches "
            "an occupation with O*NET tasks, so it has no value to cover and no coverage figure. Check its "
            "codes.",
            *inventory,
        ]
    sector = [SECTOR_LENS] if h["domain_kind"] == "naics_sector" else []
    return [
        f"**Total annual value:** {usd(h['total_value_usd'])} across "
        f"{plural(h['occupations'], 'occupation')} and {plural(h['tasks_total'], 'O*NET task')} "
        f"({h['employment_reached']:,.0f} workers)."
        + unvalued_sentence(con, h["domain_id"], h["tasks_total"]),
        *sector,
        f"**Covered value:** {usd(h['covered_value_usd'])} = "
        f"**{covered_pct(h['value_coverage_pct'], h['covered_value_usd'])}** of the value; "
        f"{h['tasks_covered']:,} of {h['tasks_total']:,} tasks ({pct(h['task_coverage_pct'])})."
        + uncertain_sentence(h),
        f"**Uncovered value:** {usd(h['uncovered_value_usd'])}, rank {h['uncovered_value_rank']} of {n_domains} "
        "domains.",
        f"**Digital value covered:** {usd(h['digital_covered_value_usd'])} of {usd(h['digital_value_usd'])}"
        + digital_share_text(h)
        + ".",
        *inventory,
    ]


def digital_share_text(h: dict) -> str:
    """' (12.3%)': the covered share of the digital value, from the mart's exact cents."""
    total, covered = h["digital_value_usd"], h["digital_covered_value_usd"]
    return f" ({pct(100 * covered / total)})" if total else ""


def build_domain_doc(
    con: duckdb.DuckDBPyConnection,
    domain_id: str,
    rule_text: str,
    index_href: str | None = "index.html",
    facts: RankingFacts | None = None,
) -> tuple[Doc, dict, list[dict]]:
    """One domain's report; index_href is where "All domains" points (None: no index to link to);
    facts are read from the warehouse unless the caller read them once for many reports."""
    facts = facts or ranking_facts(con)
    head = dict_rows(con, "select * from marts.domain_coverage where domain_id = ?", [domain_id])
    if not head:
        raise KeyError(f"no domain {domain_id!r} in marts.domain_coverage")
    h = head[0]
    n_domains = con.execute("select count(*) from marts.domain_coverage").fetchone()[0]
    conc = dict_rows(con, "select * from marts.domain_concentration where domain_id = ?", [domain_id])
    c = conc[0] if conc else {}
    tiers = dict_rows(
        con,
        "select * from marts.domain_coverage_slices where domain_id = ? and dimension = 'tier' order by slice_order",
        [domain_id],
    )
    natures = dict_rows(
        con,
        "select * from marts.domain_coverage_slices where domain_id = ? and dimension = 'nature' order by slice_order",
        [domain_id],
    )
    gaps = dict_rows(
        con,
        """select g.*, v.onet_codes_sharing, v.oes_title
           from marts.coverage_gaps as g left join marts.task_value as v using (onet_soc_code, task_id)
           where g.domain_id = ? and g.gap_rank <= ? order by g.gap_rank""",
        [domain_id, GAPS_SHOWN],
    )
    ungrounded = dict_rows(
        con,
        """
        select g.* from marts.inventory_grounding as g
        where g.grounding <> 'grounded' and (
            g.declared_domain_id = $1
            or (g.best_is_credible and exists (
                select 1 from int.domain_members as m
                where m.domain_id = $1 and m.onet_soc_code = g.best_onet_soc_code and m.is_characteristic
            ))
        )
        order by g.ungrounded_reason, g.inventory_task_id
        """,
        [domain_id],
    )
    # unverified means "claims this domain": a task that claims another one is reported there
    unverified = lowest_score_first(
        [u for u in ungrounded if u["grounding"] == "unverified" and u["declared_domain_id"] == domain_id]
    )
    ungrounded = [u for u in ungrounded if u["grounding"] == "ungrounded"]
    doc = Doc(f"Coverage report: {h['domain_name']}")
    doc.p(
        f"Domain {md_code(domain_id)} ({md_escape(h['domain_kind'].replace('_', ' '))}). Generated "
        f"{datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}."
        + (f" [All domains]({index_href})" if index_href else "")
    )
    doc.p(names_sentence(con, h))
    doc.h2("Headline figures")
    doc.bullets(headline_bullets(con, h, c, n_domains))
    doc.h2("Covered vs uncovered value by tier")
    doc.image(
        Image(report_files(domain_id).png, f"Covered vs uncovered annual value by tier, {h['domain_name']}")
    )
    doc.table(slice_table("tier", tiers))
    doc.h2("By nature of work")
    doc.table(slice_table("nature", natures))
    covered_section(con, doc, domain_id, h["domain_kind"] == "naics_sector")
    digital_only = facts.digital_only
    what = "valuable digital work" if digital_only else "valuable work"
    top = "The top gap" if len(gaps) == 1 else f"Top {len(gaps)} gaps"
    doc.h2(f"{top}: {what} no inventory task covers" if gaps else "Gaps")
    doc.p(
        gaps_sentence(
            h,
            len(gaps),
            tied_with_last_gap(con, domain_id, gaps),
            digital_only,
            worth_more_than_last_gap(con, domain_id, gaps) if digital_only else 0,
            facts.judgment_first,
        )
    )
    doc.table(gap_table(gaps))
    if one := one_occupation_gaps_sentence(gaps, facts.judgment_first):
        doc.p(one)
    if bottom := bottom_tier_gaps_sentence(gaps, facts.bottom_tiers):
        doc.p(bottom)
    maybe = sorted({i for g in gaps for i in g["task_uncertain_inventory_task_ids"]})
    if maybe:
        doc.p(maybe_covered_sentence(maybe))
    # per gap, as the table marks them: a task-uncertain match on one gap and a weak one on another
    weak_gaps = [g for g in gaps if weak_only(g)]
    if weak_gaps:
        weak = sorted({i for g in weak_gaps for i in weak_only(g)})
        doc.p(weak_match_sentence(weak, any(g["tier"] in facts.bottom_tiers for g in weak_gaps)))
    occupations = uncovered_occupations(con, domain_id, digital_only) if gaps else []
    from_gaps = len({g["onet_soc_code"] for g in gaps})
    if len(occupations) > from_gaps:  # the table names occupations the gap list does not
        doc.h3("Uncovered value by occupation")
        doc.p(
            ("The gap above comes" if len(gaps) == 1 else f"The {len(gaps)} gaps above come")
            + f" from {plural(from_gaps, 'occupation')}. The domain's "
            f"occupations with the most uncovered {'digital ' if digital_only else ''}value (top "
            f"{OCCUPATIONS_SHOWN}; each occupation's uncovered tasks summed, valued as the gaps are ranked):"
        )
        doc.table(occupations_table(occupations, digital_only))
    ungrounded_section(doc, ungrounded)
    if unverified:
        doc.h2("Unverified inventory tasks")
        doc.p(UNVERIFIED)
        doc.p(
            f"{plural(len(unverified), 'inventory task')} {'declares' if len(unverified) == 1 else 'declare'} "
            "this domain and "
            + ("has" if len(unverified) == 1 else "have")
            + " no credible match"
            + shown_note(unverified)
        )
        doc.table(grounding_table(unverified[:UNGROUNDED_SHOWN]))
    release_changes_section(con, doc, domain_id)
    doc.h2("How these numbers were made")
    doc.bullets(
        [
            units_sentence(con),
            f"Written by {code_version()}. Between two reports of the same releases a figure moves with the "
            "inventory, the overrides file, the settings or the code (CHANGELOG.md records the code's changes).",
            "Value: each O*NET task's annual value is its occupation's OES wage bill (employment × mean annual "
            "wage, divided among O*NET codes sharing an OES code) times the task's weight (marts.task_value).",
            "Domain: the occupations chosen in config/domains.toml; a sector domain counts the sector's share of "
            "each occupation's wage bill and employment (the OES sector lens). Domains overlap (a sector cuts "
            "across the SOC groups, a custom domain reuses their occupations): do not add domains' values up.",
            # the rule the warehouse was built with: the CLI's environment may say otherwise
            f"Coverage rule: {h.get('coverage_rule') or rule_text}",
            (
                "Tiers are bands of loaded hourly cost: the occupation's national mean hourly wage times the "
                "loaded-cost multiplier (employer cost per dollar of wage)"
                if facts.loaded_cost
                else "Tiers are bands of the occupation's national mean hourly wage"
            )
            + " (for sector domains too); the bottom and top tiers are the lowest- and highest-paid bands (a "
            "third of the bands each unless configured).",
            "Gaps are uncovered tasks ranked by the value model's priority value before cents are apportioned "
            "(times the sector's share for a sector domain), then by its priority rank"
            + (" (judgment first)" if facts.judgment_first else "")
            + ("; the priority counts digital tasks only." if digital_only else "."),
            matcher_sentence(con),
            "Grounding reasons are checked in order: rejected by a reviewer, declared unmapped domain, no "
            "credible match, only low-tier work, physical work, outside the declared domain, a domain name "
            "that matches no configured domain (marts.inventory_grounding).",
        ]
    )
    doc.h2("Attribution")
    doc.p(ONET_ATTRIBUTION)
    doc.p(BLS_ATTRIBUTION)
    return doc, h, tiers


def write_domain_report(
    con: duckdb.DuckDBPyConnection,
    domain_id: str,
    out_dir: Path,
    rule_text: str,
    index_href: str | None = "index.html",
    facts: RankingFacts | None = None,
) -> Report:
    out_dir.mkdir(parents=True, exist_ok=True)
    doc, headline, tiers = build_domain_doc(con, domain_id, rule_text, index_href, facts)
    png = tier_chart_png(tiers, f"{headline['domain_name']}: covered vs uncovered annual value")
    img = next(b for k, b in doc.blocks if k == "img")
    img.data_uri = "data:image/png;base64," + base64.b64encode(png).decode()
    markdown = to_markdown(doc)
    files = report_files(domain_id)
    png_path, md_path, html_path = (out_dir / name for name in files)
    write_atomic(png_path, png)
    write_atomic(md_path, markdown)
    write_atomic(html_path, to_html(doc))
    preview = to_markdown(doc, embed_images=True)
    return Report(domain_id, markdown, md_path, html_path, png_path, headline, preview)


def write_all_reports(con: duckdb.DuckDBPyConnection, out_dir: Path, rule_text: str) -> list[Report]:
    facts = ranking_facts(con)
    reports = [write_domain_report(con, d, out_dir, rule_text, facts=facts) for d in domain_ids(con)]
    write_index(con, out_dir)
    return reports


def matcher_sentence(con: duckdb.DuckDBPyConnection) -> str:
    """Which matcher placed the inventory tasks: switching it moves the statements picked, and coverage."""
    (matchers,) = con.execute(
        "select string_agg(distinct matcher, ', ' order by matcher) from marts.inventory_task_matches"
    ).fetchone()
    if not matchers:
        return "Matching: no inventory task was matched onto O*NET."
    return (
        f"Matching: inventory tasks were matched onto O*NET by the `{matchers}` matcher (TASKVALUE_MATCHER, "
        "marts.inventory_task_matches.matcher); another matcher picks other statements, and the coverage moves."
    )


def names_sentence(con, h: dict) -> Md:
    """Which inventory `domain` values land in this domain (its name, SOC title and aliases, as
    int.domain_aliases accepts them), so that a reader can tell why a task counts here, e.g. `banking`
    in the sector domain, not in Finance."""
    names = [h["domain_name"]]
    # the id reads like the name ('legal'), and the name is listed already: the SOC title, then aliases
    names += [
        r[0]
        for r in con.execute(
            "select name_as_written from int.domain_aliases where domain_id = ? and matched_by <> 'id' "
            "and name_normalized <> ? order by matched_by = 'alias', name_normalized",
            [h["domain_id"], normalize_name(h["domain_name"])],
        ).fetchall()
    ]
    return Md(
        f"Inventory tasks whose `domain` is {', '.join(md_code(n) for n in names)} (case, `-` and `_` "
        "aside) claim this domain; config/domains.toml sets the names."
    )

"""Per-domain coverage reports (Markdown + HTML + a matplotlib chart) and the index page.

Reads the coverage marts from any DuckDB connection (the work database during a refresh, the
published warehouse from the CLI) and writes files atomically into a reports directory.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Context, Decimal
from pathlib import Path
from typing import NamedTuple

import duckdb

from assets.common.files import write_atomic
from assets.common.warehouse import has_table
from assets.coverage.document import Doc, Image, Md, Table, link, md_code, md_escape, to_html, to_markdown
from assets.coverage.domains import RESERVED_IDS, normalize_name

ONET_ATTRIBUTION = (
    "This site incorporates information from O*NET Web Services by the U.S. Department of Labor, "
    "Employment and Training Administration (USDOL/ETA). O*NET® is a trademark of USDOL/ETA. "
    "O*NET database content is licensed under Creative Commons Attribution 4.0 International (CC BY 4.0)."
)
BLS_ATTRIBUTION = (
    "Employment and wages: U.S. Bureau of Labor Statistics, Occupational Employment and Wage Statistics "
    "(OEWS), public domain."
)
PET_PEEVE = (
    "An inventory task is ungrounded when one of five reasons holds (the first that holds is shown). "
    "The seed's pet peeve, a task that looks busy but imitates no valuable work, is no credible match; "
    "a declared unmapped domain is the team saying so itself (its text matches do not count); only "
    "low-tier work and physical work are milder forms of it. Outside the declared domain is not: such a "
    "task imitates real work, and only its domain label disagrees."
)
UNVERIFIED = (
    "These tasks claim this domain, but no O*NET candidate is credible: text matching could not tell which "
    "work they imitate (RL prompts rarely use O*NET's words). They count as neither grounded nor "
    "ungrounded. Name each one's occupation (`onet_soc_code`) or pin a match in the overrides file."
)
# The reasons of marts.inventory_grounding.ungrounded_reason, in the order they are checked.
REASON_TEXT = {
    "declared_unmapped_domain": "declared unmapped domain",
    "no_credible_match": "no credible match",
    "low_tier_only": "only low-tier work",
    "physical_work": "physical work",
    "outside_declared_domain": "outside the declared domain",
}
REASON_HELP = {
    "declared_unmapped_domain": (
        "The task's domain is listed in `unmapped_inventory_domains` (config/domains.toml): the team "
        "declared that this work has no O*NET counterpart, so text matches do not count, however close "
        "the words. Keep such tasks knowingly; a pin in the overrides file grounds one that does imitate "
        "real work."
    ),
    "no_credible_match": (
        "No credible O*NET match, and the task claims no configured domain: no real work was found behind "
        "it. This is the seed's pet peeve: a task that looks busy but imitates no valuable work. Rewrite or "
        "retire it, or name the work it imitates (`onet_soc_code`, or a pin in the overrides file)."
    ),
    "low_tier_only": (
        "Every credible match is bottom-tier (lowest-paid) work: the task imitates real work, but the least "
        "valuable kind, a milder form of the pet peeve. Aim it at the better-paid work of the same job, or "
        "keep it knowingly."
    ),
    "physical_work": (
        "Every credible match is physical work, which a text task can describe but not do: a milder form of "
        "the pet peeve. Check that the task trains something a model can actually perform."
    ),
    "outside_declared_domain": (
        "The task imitates real work, but the task's declared domain disagrees with the occupation it "
        "matches. Not the pet peeve: fix the row's domain or `onet_soc_code`, or the domain definition in "
        "config/domains.toml."
    ),
}
GAPS_SHOWN = 15
UNGROUNDED_SHOWN = 50
RELEASE_SHIFTS_SHOWN = 10
ONET_CHANGES_SHOWN = 10
ONET_CHANGE_ORDER = ("added", "removed", "reworded", "moved")


_WIDE = Context(prec=60)  # quantize must not overflow on a huge amount (1e28 and more)


def usd(v: float | Decimal | None) -> str:
    """Dollars, scaled to k/M/B/T with two decimals, rounded half up as a reader would (in decimal:
    a float rounds 211,945,000 down to $211.94M). The unit is chosen after rounding (999,995 is $1.00M,
    not $1,000.00k); amounts under a dollar show their cents, so only zero reads $0."""
    if v is None:
        return "n/a"
    d = v if isinstance(v, Decimal) else Decimal(repr(float(v)))  # the float's shortest exact decimal
    if not d.is_finite():
        return "n/a"
    sign, a = ("-", -d) if d < 0 else ("", d)
    if a < Decimal("0.005"):  # below a cent: zero (float noise), never "-$0"
        return "$0"
    cents = a.quantize(Decimal("0.01"), ROUND_HALF_UP, context=_WIDE)
    if cents < 1:  # 0.995 rounds to a dollar: shown as $1 below, like 1
        return f"{sign}${cents}"
    for suffix, exponent, decimals in (("", 0, 0), ("k", 3, 2), ("M", 6, 2), ("B", 9, 2), ("T", 12, 2)):
        x = a.scaleb(-exponent).quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP, context=_WIDE)
        if x < 1000 or suffix == "T":
            return f"{sign}${x:,.{decimals}f}{suffix}"
    raise AssertionError("unreachable")


def count(n: int | None) -> str:
    return "n/a" if n is None else f"{n:,}"


def plural(n: int, one: str, many: str | None = None) -> str:
    """'1 task', '2 tasks', '1,286 tasks'."""
    return f"{n:,} {one if n == 1 else many or one + 's'}"


def pct(v: float | None) -> str:
    """A percentage to one decimal that never rounds a nonzero share to 0.0% (<0.1%), a share short
    of 100 to 100.0% (>99.9%), or zero to -0.0%."""
    if v is None:
        return "n/a"
    v = float(v)
    if v == 0:
        return "0.0%"
    text = f"{abs(v):.1f}"
    if text == "0.0":
        text = "<0.1"
    elif text == "100.0" and abs(v) < 100:
        text = ">99.9"
    return f"{'-' if v < 0 else ''}{text}%"


def covered_pct(share_pct: float | None, covered_value: float | None) -> str:
    """The coverage share of a mart (rounded there to 4 decimals): a nonzero covered value never
    reads 0.0%, even when the share rounded to 0 in the mart."""
    if covered_value and float(covered_value) > 0 and share_pct is not None and float(share_pct) < 0.05:
        return "<0.1%"
    return pct(share_pct)


def change_text(previous: float | None, current: float | None) -> str:
    """' (up 5.4%)', ' (down <0.1%)', ' (unchanged)'; empty without a previous value."""
    if not previous or current is None:
        return ""
    change = 100 * (float(current) - float(previous)) / float(previous)
    if change == 0:
        return " (unchanged)"
    return f" ({'up' if change > 0 else 'down'} {pct(abs(change))})"


class ReportFiles(NamedTuple):
    """The names of the files write_domain_report writes for one domain."""

    png: str
    md: str
    html: str


INDEX_FILES = ("index.md", "index.html")  # what write_index writes
# The domains file refuses ids whose report files would be the index page's (domains.RESERVED_IDS);
# checked here too for ids that come from elsewhere (a warehouse, the command line).
assert {Path(name).stem for name in INDEX_FILES} <= RESERVED_IDS


def report_files(domain_id: str) -> ReportFiles:
    if domain_id in RESERVED_IDS:
        raise ValueError(
            f"domain id {domain_id!r} is reserved: reports/{domain_id}.html and .md are the index page "
            "of all domains. Give the domain another id in the domains file (config/domains.toml)."
        )
    return ReportFiles(f"{domain_id}.png", f"{domain_id}.md", f"{domain_id}.html")


# Every kind of file the reports directory gets from taskvalue: what retiring stale reports may delete.
REPORT_SUFFIXES = (".md", ".html", ".png")


def report_file_names(domain_ids: Iterable[str]) -> set[str]:
    """Every file a refresh writes into the reports directory: the domains' reports and the index."""
    return {name for d in domain_ids for name in report_files(d)} | set(INDEX_FILES)


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    cur = con.execute(sql, params or [])
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def chart_labels(tiers: list[dict]) -> list[str]:
    """The chart's tier labels: a tier without any value (no published wage) draws no bar, which
    must not read as $0."""
    return [t["slice"] + ("\n(value unknown)" if t["total_value_usd"] is None else "") for t in tiers] or [
        "(no tasks)"
    ]


def tier_chart_png(tiers: list[dict], title: str) -> bytes:
    """Stacked bars of covered vs uncovered annual value per tier (lowest-paid tier first)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = chart_labels(tiers)
    top = max([float(t["total_value_usd"] or 0) for t in tiers] or [0.0])
    div, unit = next(
        ((d, u) for d, u in ((1e9, "billions"), (1e6, "millions"), (1e3, "thousands")) if top >= d), (1, "")
    )
    covered = [float(t["covered_value_usd"] or 0) / div for t in tiers] or [0.0]
    uncovered = [float(t["uncovered_value_usd"] or 0) / div for t in tiers] or [0.0]
    # text, not TeX: a '$' in a tier label or domain name ("$15-$25/hr") would start mathtext,
    # garbling the text or failing the whole report on a stray backslash
    with matplotlib.rc_context({"text.parse_math": False}):
        fig, ax = plt.subplots(figsize=(7.5, 3.6), dpi=110)
        try:
            _draw(ax, labels, covered, uncovered, unit, title)
            fig.tight_layout()
            buf = io.BytesIO()
            fig.savefig(buf, format="png")
        finally:  # a failed drawing must not leave its figure open in a long-lived process
            plt.close(fig)
    return buf.getvalue()


def _draw(ax, labels: list[str], covered: list[float], uncovered: list[float], unit: str, title: str) -> None:
    """Stacked bars of covered and uncovered value, with axis labels, title and legend."""
    ax.bar(labels, covered, color="#2da44e", label="covered")
    ax.bar(labels, uncovered, bottom=covered, color="#d4a72c", label="uncovered")
    ax.set_ylabel(f"annual value ($ {unit})".replace(" ()", ""))
    ax.set_xlabel("tier (lowest-paid first)")
    ax.set_title(title, fontsize=10)
    ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.margins(y=0.08)
    ax.spines[["top", "right"]].set_visible(False)


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
    from assets.coverage.domains import normalize_name

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
    share = 100 * float(h["covered_value_task_uncertain_usd"]) / float(h["covered_value_usd"] or 1)
    return (
        f" Of it, {usd(h['covered_value_task_uncertain_usd'])} ({pct(share)}, {plural(n, 'task')}) rests only on "
        "an occupation the inventory named: the O*NET task within it was picked on text evidence too weak "
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
    status = ", ".join(
        f"{md_escape(s['status'])}: {s['inventory_tasks']:,}" for s in (h["inventory_tasks_by_status"] or [])
    )
    grounded, unverified = h["inventory_tasks_grounded"] or 0, h["inventory_tasks_unverified"] or 0
    ungrounded = declared - grounded - unverified
    return (
        f"**Inventory:** {plural(declared, 'task')} {'declares' if declared == 1 else 'declare'} this domain "
        f"({status or 'no status'}); of these, {grounded:,} {'is' if grounded == 1 else 'are'} grounded, "
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


def hourly(v: float | None) -> str:
    return "n/a" if v is None else f"${float(v):,.2f}/hr"


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


def gaps_sentence(h: dict, shown: int, tied: int = 0, digital_only: bool = False, above: int = 0) -> str:
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
        "rank, judgment first, chose which are listed."
        if tied
        else ""
    )
    return (
        f"{uncovered:,} of the {plural(h['tasks_total'], 'O*NET task')} are uncovered; "
        + (f"all {shown:,} are listed" if shown == uncovered else f"these {shown:,} come first")
        + " by the value model's priority score."
        + scope
        + ties
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
    return not con.execute(
        "select coalesce(bool_or(priority_score > 0 and not coalesce(is_digital, false)), false) "
        "from marts.task_value"
    ).fetchone()[0]


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
        select coalesce(bool_and(judgment_last < others_first), true) from (
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
    """Uncovered tasks not listed whose annual value in the domain exceeds the last listed gap's."""
    if not gaps:
        return 0
    return con.execute(
        """
        select count(*) from int.domain_task_coverage
        where domain_id = $domain and not is_covered and annual_value_usd > $value
            and task_id not in (select unnest($listed::bigint[]))
        """,
        {"domain": domain_id, "value": gaps[-1]["annual_value_usd"], "listed": [g["task_id"] for g in gaps]},
    ).fetchone()[0]


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
        f"**Digital value covered:** {usd(h['digital_covered_value_usd'])} of {usd(h['digital_value_usd'])}.",
        *inventory,
    ]


def build_domain_doc(
    con: duckdb.DuckDBPyConnection, domain_id: str, rule_text: str, index_href: str | None = "index.html"
) -> tuple[Doc, dict, list[dict]]:
    """One domain's report; index_href is where "All domains" points (None: no index to link to)."""
    head = _rows(con, "select * from marts.domain_coverage where domain_id = ?", [domain_id])
    if not head:
        raise KeyError(f"no domain {domain_id!r} in marts.domain_coverage")
    h = head[0]
    n_domains = con.execute("select count(*) from marts.domain_coverage").fetchone()[0]
    conc = _rows(con, "select * from marts.domain_concentration where domain_id = ?", [domain_id])
    c = conc[0] if conc else {}
    tiers = _rows(
        con,
        "select * from marts.domain_coverage_slices where domain_id = ? and dimension = 'tier' order by slice_order",
        [domain_id],
    )
    natures = _rows(
        con,
        "select * from marts.domain_coverage_slices where domain_id = ? and dimension = 'nature' order by slice_order",
        [domain_id],
    )
    gaps = _rows(
        con,
        "select * from marts.coverage_gaps where domain_id = ? and gap_rank <= ? order by gap_rank",
        [domain_id, GAPS_SHOWN],
    )
    ungrounded = _rows(
        con,
        """
        select g.* from marts.inventory_grounding as g
        where g.grounding <> 'grounded' and (
            g.declared_domain_id = $1
            or exists (select 1 from int.domain_members as m
                       where m.domain_id = $1 and m.onet_soc_code = g.best_onet_soc_code
                           and m.is_characteristic)
        )
        order by g.ungrounded_reason, g.inventory_task_id
        """,
        [domain_id],
    )
    # unverified means "claims this domain": a task that claims another one is reported there
    unverified = [
        u for u in ungrounded if u["grounding"] == "unverified" and u["declared_domain_id"] == domain_id
    ]
    ungrounded = [u for u in ungrounded if u["grounding"] == "ungrounded"]
    doc = Doc(f"Coverage report: {h['domain_name']}")
    doc.p(
        f"Domain {md_code(domain_id)} ({md_escape(h['domain_kind'].replace('_', ' '))}). Generated "
        f"{datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}."
        + (f" [All domains]({index_href})" if index_href else "")
    )
    doc.h2("Headline figures")
    doc.bullets(headline_bullets(con, h, c, n_domains))
    doc.h2("Covered vs uncovered value by tier")
    doc.image(
        Image(report_files(domain_id).png, f"Covered vs uncovered annual value by tier, {h['domain_name']}")
    )
    doc.table(slice_table("tier", tiers))
    doc.h2("By nature of work")
    doc.table(slice_table("nature", natures))
    digital_only = priority_is_digital_only(con)
    what = "valuable digital work" if digital_only else "valuable work"
    doc.h2(f"Top {len(gaps)} gaps: {what} no inventory task covers" if gaps else "Gaps")
    doc.p(
        gaps_sentence(
            h,
            len(gaps),
            tied_with_last_gap(con, domain_id, gaps),
            digital_only,
            worth_more_than_last_gap(con, domain_id, gaps) if digital_only else 0,
        )
    )
    doc.table(
        Table(
            # workers and wage are the occupation's (in this domain), not the task's
            [
                "#",
                "task",
                "occupation",
                "annual value",
                "occupation's workers",
                "occupation's $/hour",
                "tier",
                "nature",
                "digital",
            ],
            [
                (
                    g["gap_rank"],
                    g["task"],
                    g["occupation_title"],
                    usd(g["annual_value_usd"]),
                    f"{g['employment_reached']:,.0f}" if g["employment_reached"] is not None else "n/a",
                    f"{g['hourly_wage_usd']:.2f}" if g["hourly_wage_usd"] is not None else "n/a",
                    g["tier"],
                    g["nature"],
                    {True: "yes", False: "no"}.get(g["is_digital"], "unknown"),
                )
                for g in gaps
            ],
            {0, 3, 4, 5},
        )
    )
    ungrounded_section(doc, ungrounded)
    if unverified:
        doc.h2("Unverified inventory tasks")
        doc.p(UNVERIFIED)
        doc.p(
            f"{plural(len(unverified), 'inventory task')} {'declares' if len(unverified) == 1 else 'declare'} "
            "this domain and "
            + ("has" if len(unverified) == 1 else "have")
            + " no credible match"
            + _shown(unverified)
        )
        doc.table(grounding_table(unverified[:UNGROUNDED_SHOWN]))
    release_changes_section(con, doc, domain_id)
    doc.h2("How these numbers were made")
    doc.bullets(
        [
            units_sentence(con),
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
                if tiers_on_loaded_cost(con)
                else "Tiers are bands of the occupation's national mean hourly wage"
            )
            + " (for sector domains too); the bottom and top tiers are the lowest- and highest-paid bands (a "
            "third of the bands each unless configured).",
            "Gaps are uncovered tasks ranked by the value model's priority value before cents are apportioned "
            "(times the sector's share for a sector domain), then by its priority rank"
            + (" (judgment first)" if judgment_ranks_first(con) else "")
            + ("; the priority counts digital tasks only." if digital_only else "."),
            "Grounding reasons are checked in order: declared unmapped domain, no credible match, only "
            "low-tier work, physical work, outside the declared domain, a domain name that matches no "
            "configured domain (marts.inventory_grounding).",
        ]
    )
    doc.h2("Attribution")
    doc.p(ONET_ATTRIBUTION)
    doc.p(BLS_ATTRIBUTION)
    return doc, h, tiers


def release_changes_section(con: duckdb.DuckDBPyConnection, doc: Doc, domain_id: str | None) -> None:
    """What the newer OES vintage changed (marts.release_changes), for a domain or for everything.

    A domain counts each occupation's value times its share in the domain (int.domain_members.
    value_share: 1 for code-based domains, the sector's part for a sector domain), as its headline does.
    """
    # the national values, or the domain's part of them in exact cents: the current value is the
    # task's in int.domain_task_coverage (so the current total is the headline's to the cent), the
    # previous one the same sector ratio of the previous value, in integer cents rounded half up
    source = (
        """(select * replace (current_value_usd - previous_value_usd as value_change_usd)
            from (select r.* replace (
                    case when m.sector_wage_bill_usd < m.national_wage_bill_usd then
                        (((r.previous_value_usd * 100)::hugeint * (m.sector_wage_bill_usd * 100)::hugeint * 2
                            + (m.national_wage_bill_usd * 100)::hugeint)
                            // ((m.national_wage_bill_usd * 100)::hugeint * 2))::decimal(20, 0) * 0.01
                        else r.previous_value_usd end::decimal(20, 2) as previous_value_usd,
                    case when m.sector_wage_bill_usd < m.national_wage_bill_usd then c.annual_value_usd
                        else r.current_value_usd end as current_value_usd)
                from marts.release_changes as r
                join int.domain_members as m on m.onet_soc_code = r.onet_soc_code and m.domain_id = ?
                left join int.domain_task_coverage as c on c.domain_id = m.domain_id and c.task_id = r.task_id
                where r.change_level = 'task'))"""
        if domain_id
        else "marts.release_changes"
    )
    params = [domain_id] if domain_id else []
    totals = _rows(
        con,
        f"""
        select any_value(previous_vintage) as previous_vintage, any_value(current_vintage) as current_vintage,
            sum(previous_value_usd) as previous_value_usd, sum(current_value_usd) as current_value_usd,
            count(*) filter (where tier_changed) as tier_changed_tasks, count(*) as tasks
        from {source} where change_level = 'task'
        """,
        params,
    )[0]
    if not totals["tasks"]:
        return
    doc.h2(f"Release changes: OES May {totals['previous_vintage']} → May {totals['current_vintage']}")
    prev, cur = totals["previous_value_usd"], totals["current_value_usd"]
    change = change_text(prev, cur)
    shared = (
        domain_id
        and con.execute(
            "select count(*) filter (where value_share <> 1) from int.domain_members where domain_id = ?",
            [domain_id],
        ).fetchone()[0]
    )
    share_note = (
        " Values are the domain's share of each occupation (the sector's share of its wage bill, "
        "from the current vintage's sector data, applied to both vintages)."
        if shared
        else ""
    )
    items = [
        f"**Value of these tasks:** {usd(prev)} under May {totals['previous_vintage']} wages and employment, "
        f"{usd(cur)} under May {totals['current_vintage']}{change}, through the same O*NET release.{share_note}",
        f"**Tasks whose tier changed:** {totals['tier_changed_tasks']:,} of {totals['tasks']:,}.",
    ]
    if not domain_id:
        codes = _rows(
            con,
            """select status, count(*) as codes from marts.release_changes
               where change_level = 'occupation' group by status order by status""",
        )
        items.append(
            "**OES detailed codes:** "
            + ", ".join(f"{md_escape(r['status'])} {r['codes']:,}" for r in codes)
            + "."
        )
    doc.bullets(items)
    shifts = _rows(
        con,
        f"""
        select onet_soc_code, any_value(oes_code) as oes_code,
            sum(previous_value_usd) as previous_value_usd, sum(current_value_usd) as current_value_usd,
            sum(value_change_usd) as value_change_usd
        from {source} where change_level = 'task'
        group by onet_soc_code
        order by abs(sum(value_change_usd)) desc nulls last, onet_soc_code
        limit ?
        """,
        [*params, RELEASE_SHIFTS_SHOWN],
    )
    doc.table(
        Table(
            ["O*NET occupation", "OES code", "previous value", "current value", "change"],
            [
                (
                    r["onet_soc_code"],
                    r["oes_code"],
                    usd(r["previous_value_usd"]),
                    usd(r["current_value_usd"]),
                    usd(r["value_change_usd"]),
                )
                for r in shifts
            ],
            {2, 3, 4},
        )
    )


def onet_release_changes_section(con: duckdb.DuckDBPyConnection, doc: Doc) -> None:
    """Tasks added, removed, reworded or moved between two O*NET releases (marts.onet_release_changes)."""
    if not has_table(con, "marts", "onet_release_changes"):  # published before this table existed
        return
    counts = _rows(
        con,
        """select change, count(*) as tasks, any_value(previous_release) as previous_release,
               any_value(current_release) as current_release
           from marts.onet_release_changes group by change""",
    )
    if not counts:
        doc.h2("Release changes: O*NET task statements")
        # a configured previous release whose file could not be had is recorded as absent (optional)
        absent = (
            has_table(con, "staging", "source_files")
            and con.execute(
                "select any_value(release) from staging.source_files "
                "where target_table = 'staging.onet_task_statements_previous' and status = 'absent'"
            ).fetchone()[0]
        )
        doc.p(
            f"O*NET {absent} is configured as the previous release (TASKVALUE_ONET_PREVIOUS_RELEASE), but its "
            "Task Statements file could not be read (not in the mirror, or not downloadable), so no tasks are "
            "compared across releases; staging.source_files records it as absent."
            if absent
            else "Only one O*NET release is configured, so no tasks are compared across releases "
            "(set TASKVALUE_ONET_PREVIOUS_RELEASE to compare)."
        )
        return
    by_change = {r["change"]: r["tasks"] for r in counts}
    doc.h2(f"Release changes: O*NET {counts[0]['previous_release']} → {counts[0]['current_release']}")
    doc.bullets(
        ["**Task statements:** " + ", ".join(f"{c} {by_change.get(c, 0):,}" for c in ONET_CHANGE_ORDER) + "."]
    )
    examples = _rows(
        con,
        """select change, task_id, coalesce(onet_soc_code, previous_onet_soc_code) as onet_soc_code,
               previous_onet_soc_code, coalesce(task, previous_task) as task, previous_task
           from marts.onet_release_changes
           order by list_position(?, change), task_id
           limit ?""",
        [list(ONET_CHANGE_ORDER), ONET_CHANGES_SHOWN],
    )
    doc.table(
        Table(
            ["change", "task", "O*NET occupation", "statement", "before"],
            [
                (
                    r["change"],
                    r["task_id"],
                    r["onet_soc_code"],
                    r["task"],
                    r["previous_onet_soc_code"]
                    if r["change"] == "moved"
                    else (r["previous_task"] if r["change"] == "reworded" else ""),
                )
                for r in examples
            ],
            {1},
        )
    )


def write_domain_report(
    con: duckdb.DuckDBPyConnection,
    domain_id: str,
    out_dir: Path,
    rule_text: str,
    index_href: str | None = "index.html",
) -> Report:
    out_dir.mkdir(parents=True, exist_ok=True)
    doc, headline, tiers = build_domain_doc(con, domain_id, rule_text, index_href)
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


def _shown(tasks: list[dict]) -> str:
    """The end of a count sentence: the tables list at most UNGROUNDED_SHOWN tasks."""
    return f" (first {UNGROUNDED_SHOWN} shown)." if len(tasks) > UNGROUNDED_SHOWN else "."


def ungrounded_section(doc: Doc, ungrounded: list[dict]) -> None:
    """The domain's ungrounded tasks, one table per reason, each with what it means and what to do."""
    doc.h2("Ungrounded inventory tasks")
    doc.p(PET_PEEVE)
    by_reason = {r: [u for u in ungrounded if u["ungrounded_reason"] == r] for r in REASON_TEXT}
    other = [u for u in ungrounded if u["ungrounded_reason"] not in REASON_TEXT]
    split = ", ".join(f"{len(v):,} {REASON_TEXT[r]}" for r, v in by_reason.items() if v)
    n = len(ungrounded)
    if not n:
        doc.p("No ungrounded inventory task declares this domain or has its best match in it.")
        return
    doc.p(
        f"{plural(n, 'ungrounded inventory task')} {'declares' if n == 1 else 'declare'} this domain or "
        f"{'has its' if n == 1 else 'have their'} best match in it" + (f": {split}." if split else ".")
    )
    for reason, tasks in [*by_reason.items(), ("other", other)]:
        if not tasks:
            continue
        doc.h3(f"{REASON_TEXT.get(reason, reason).capitalize()} ({len(tasks):,})")
        if reason in REASON_HELP:
            doc.p(REASON_HELP[reason])
        if len(tasks) > UNGROUNDED_SHOWN:
            doc.p(f"First {UNGROUNDED_SHOWN} of {len(tasks):,} shown.")
        doc.table(grounding_table(tasks[:UNGROUNDED_SHOWN], declared=reason == "outside_declared_domain"))


def declared_cell(u: dict) -> str:
    """The domain as written in the inventory, and the configured domain it maps to."""
    written, configured = u["inventory_domain"] or "(none)", u["declared_domain_id"]
    # the same name by the rule the inventory's domain column is matched with
    same = configured and normalize_name(configured) == normalize_name(written)
    return written if not configured or same else f"{written} → {configured}"


def grounding_table(tasks: list[dict], *, declared: bool = False) -> Table:
    """Inventory tasks with their best match; `declared` adds the domain each one declares."""
    columns = ["inventory task", "title", "status"]
    columns += ["declared domain"] if declared else []
    columns += ["best match", "occupation", "confidence", "match value"]
    return Table(
        columns,
        [
            (
                u["inventory_task_id"],
                u["title"],
                u["status"] or "",
                *([declared_cell(u)] if declared else []),
                u["best_task"] or "(none)",
                u["best_occupation_title"] or "",
                u["best_confidence"],
                # a guess below the coverage rule is shown for review, but its value is not the task's
                usd(u["best_annual_value_usd"]) if u["best_is_credible"] else "not credible",
            )
            for u in tasks
        ],
        {len(columns) - 1},
    )


def inventory_summary(con: duckdb.DuckDBPyConnection, doc: Doc) -> None:
    """The index's inventory figures: grounded, ungrounded (by reason) and unverified tasks, as shares
    of the tasks that count (those with an excluded status, e.g. retired, are left out and said so).
    Exclusion is the mart's own (is_excluded_status), so the index agrees with the coverage figures."""
    rows = _rows(
        con,
        """select grounding, ungrounded_reason, is_excluded_status as is_excluded, count(*) as tasks,
               list_sort(list_distinct(list(lower(trim(status))))) as statuses
           from marts.inventory_grounding group by all""",
    )
    excluded = sorted({s for r in rows if r["is_excluded"] for s in r["statuses"] if s})
    counted = [r for r in rows if not r["is_excluded"]]
    total = sum(r["tasks"] for r in rows)
    n = sum(r["tasks"] for r in counted)
    left_out = total - n

    def tasks(grounding: str, reason: str | None = None, of: list[dict] = counted) -> int:
        return sum(
            r["tasks"]
            for r in of
            if r["grounding"] == grounding and (reason is None or r["ungrounded_reason"] == reason)
        )

    def share(k: int) -> str:
        return pct(100 * k / n if n else None)

    grounded, ungrounded, unverified = tasks("grounded"), tasks("ungrounded"), tasks("unverified")
    if not total:
        doc.bullets(
            ["**Inventory:** empty: no inventory task was loaded, so nothing is grounded or covered."]
        )
        return
    if left_out:
        gone = [r for r in rows if r["is_excluded"]]
        scope = (
            f"{plural(total, 'task')}; the {left_out:,} with an excluded status "
            f"({md_escape(', '.join(excluded))}) {'is' if left_out == 1 else 'are'} left out of the figures "
            "below, which are shares of the "
            f"other {n:,} (the excluded ones: {tasks('grounded', of=gone):,} grounded, "
            f"{tasks('ungrounded', of=gone):,} ungrounded, {tasks('unverified', of=gone):,} unverified)"
        )
    else:
        scope = f"{plural(total, 'task')}, all counted (none has an excluded status)"
    doc.bullets(
        [
            f"**Inventory:** {scope}.",
            f"**Grounded in valuable work:** {grounded:,} ({share(grounded)}).",
            f"**Ungrounded:** {ungrounded:,} ({share(ungrounded)}), by reason below.",
            f"**Unverified:** {unverified:,} ({share(unverified)}): no credible match at all, though they "
            "declare a configured domain; or a credible match, but a `domain` that names no configured "
            "domain (see the names below: add an alias), so their domain could not be checked.",
        ]
    )
    doc.p(PET_PEEVE)
    reasons = [
        *REASON_TEXT,
        *sorted(
            {r["ungrounded_reason"] for r in counted if r["grounding"] == "ungrounded"}
            - set(REASON_TEXT)
            - {None}
        ),
    ]
    doc.table(
        Table(
            ["reason", "ungrounded tasks", "share", "what it means and what to do"],
            [
                (
                    REASON_TEXT.get(r, r),
                    f"{tasks('ungrounded', r):,}",
                    share(tasks("ungrounded", r)),
                    Md(REASON_HELP.get(r, "")),
                )
                for r in reasons
            ],
            {1, 2},
        )
    )


def write_index(con: duckdb.DuckDBPyConnection, out_dir: Path) -> tuple[str, Path]:
    """The index page: domains ranked by uncovered value, and the inventory's grounding."""
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = _rows(con, "select * from marts.domain_coverage order by uncovered_value_rank, domain_id")
    unmatched = _rows(
        con,
        "select * from int.domain_inventory_names where not is_matched and inventory_domain <> '' "
        "order by inventory_tasks desc, inventory_domain",
    )
    doc = Doc("Coverage by domain")
    doc.p(
        "Domains ranked by the annual value (US dollars a year) the task inventory does not cover. "
        "Domains overlap (a sector cuts across the SOC groups, a custom domain reuses their occupations), "
        "so their values do not add up; a sector domain counts only the sector's share. "
        f"Generated {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}."
    )
    doc.table(
        Table(
            [
                "rank",
                "domain",
                "kind",
                "uncovered value",
                "total value",
                "value covered",
                "tasks covered",
                # declared: the inventory's domain column names it; matched: best credible match in it
                "inventory declaring it",
                "inventory matched to it",
            ],
            [
                (
                    r["uncovered_value_rank"],
                    link(r["domain_name"], report_files(r["domain_id"]).html),
                    r["domain_kind"].replace("_", " "),
                    usd(r["uncovered_value_usd"]),
                    usd(r["total_value_usd"]),
                    covered_pct(r["value_coverage_pct"], r["covered_value_usd"]),
                    f"{r['tasks_covered']:,} / {r['tasks_total']:,}",
                    count(r["inventory_tasks_declared"]),
                    count(r["inventory_tasks_matched"]),
                )
                for r in rows
            ],
            {0, 3, 4, 5, 6, 7, 8},
        )
    )
    doc.h2("Inventory grounding")
    inventory_summary(con, doc)
    doc.p(
        f"**Inventory domain names matching no configured domain:** {len(unmatched)}"
        + (
            ": "
            + ", ".join(
                f"'{md_escape(u['inventory_domain'])}' ({u['inventory_tasks']:,}"
                + ("; declared unmapped on purpose" if u.get("is_declared_unmapped") else "")
                + ")"
                for u in unmatched
            )
            + "."
            if unmatched
            else "."
        )
    )
    no_domain = con.execute(
        "select coalesce(sum(inventory_tasks), 0) from int.domain_inventory_names where inventory_domain = ''"
    ).fetchone()[0]
    if no_domain:
        doc.p(
            f"**Inventory tasks without a domain:** {no_domain:,} (matched against every occupation, "
            "with no domain to prefer)."
        )
    release_changes_section(con, doc, None)
    onet_release_changes_section(con, doc)
    doc.h2("Attribution")
    doc.p(ONET_ATTRIBUTION)
    doc.p(BLS_ATTRIBUTION)
    markdown = to_markdown(doc)  # links to sibling pages point at their .md twins
    md_name, html_name = INDEX_FILES
    write_atomic(out_dir / md_name, markdown)
    write_atomic(out_dir / html_name, to_html(doc))
    return markdown, out_dir / html_name


def write_all_reports(con: duckdb.DuckDBPyConnection, out_dir: Path, rule_text: str) -> list[Report]:
    reports = [write_domain_report(con, d, out_dir, rule_text) for d in domain_ids(con)]
    write_index(con, out_dir)
    return reports

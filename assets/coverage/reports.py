"""Per-domain coverage reports (Markdown + HTML + a matplotlib chart) and the index page.

Reads the coverage marts from any DuckDB connection (the work database during a refresh, the
published warehouse from the CLI) and writes files atomically into a reports directory.
"""

from __future__ import annotations

import base64
import io
import os
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from assets.coverage.document import Doc, Image, Table, to_html, to_markdown

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
    "This is the seed's pet peeve made measurable: tasks that look busy but imitate no valuable work. "
    "An inventory task is ungrounded when it has no credible O*NET match and claims no known domain, "
    "matches only bottom-tier work, matches only physical work, or matches nothing inside the domain it "
    "claims."
)
UNVERIFIED = (
    "These tasks claim this domain, but no O*NET candidate is credible: text matching could not tell which "
    "work they imitate (RL prompts rarely use O*NET's words). They count as neither grounded nor "
    "ungrounded. Name each one's occupation (`onet_soc_code`) or pin a match in the overrides file."
)
REASON_TEXT = {
    "no_credible_match": "no credible match",
    "low_tier_only": "only low-tier work",
    "physical_work": "physical work",
    "outside_declared_domain": "outside declared domain",
}
GAPS_SHOWN = 15
UNGROUNDED_SHOWN = 50
RELEASE_SHIFTS_SHOWN = 10
ONET_CHANGES_SHOWN = 10
ONET_CHANGE_ORDER = ("added", "removed", "reworded", "moved")


def usd(v: float | None) -> str:
    if v is None:
        return "n/a"
    v = float(v)
    for div, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(v) >= div:
            return f"${v / div:,.2f}{suffix}"
    return f"${v:,.0f}"


def pct(v: float | None) -> str:
    return "n/a" if v is None else f"{float(v):.1f}%"


def report_stem(domain_id: str) -> str:
    return domain_id


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.parent / f".{path.name}.{uuid.uuid4().hex}.tmp"
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    cur = con.execute(sql, params or [])
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def tier_chart_png(tiers: list[dict], title: str) -> bytes:
    """Stacked bars of covered vs uncovered annual value per tier (lowest-paid tier first)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = [t["slice"] for t in tiers] or ["(no tasks)"]
    top = max([float(t["total_value_usd"] or 0) for t in tiers] or [0.0])
    div, unit = next(
        ((d, u) for d, u in ((1e9, "billions"), (1e6, "millions"), (1e3, "thousands")) if top >= d), (1, "")
    )
    covered = [float(t["covered_value_usd"] or 0) / div for t in tiers] or [0.0]
    uncovered = [float(t["uncovered_value_usd"] or 0) / div for t in tiers] or [0.0]
    fig, ax = plt.subplots(figsize=(7.5, 3.6), dpi=110)
    ax.bar(labels, covered, color="#2da44e", label="covered")
    ax.bar(labels, uncovered, bottom=covered, color="#d4a72c", label="uncovered")
    ax.set_ylabel(f"annual value ($ {unit})".replace(" ()", ""))
    ax.set_xlabel("tier (lowest-paid first)")
    ax.set_title(title, fontsize=10)
    ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.margins(y=0.08)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


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
                t["tasks_total"],
                t["tasks_covered"],
                usd(t["total_value_usd"]),
                usd(t["covered_value_usd"]),
                pct(t["value_coverage_pct"]),
            )
            for t in slices
        ],
        {1, 2, 3, 4, 5},
    )


def build_domain_doc(
    con: duckdb.DuckDBPyConnection, domain_id: str, rule_text: str
) -> tuple[Doc, dict, list[dict]]:
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
                       where m.domain_id = $1 and m.onet_soc_code = g.best_onet_soc_code)
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
        f"Domain `{domain_id}` ({h['domain_kind'].replace('_', ' ')}). Generated "
        f"{datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}. [All domains](index.html)"
    )
    doc.h2("Headline figures")
    status = ", ".join(
        f"{s['status']}: {s['inventory_tasks']}" for s in (h["inventory_tasks_by_status"] or [])
    )
    doc.bullets(
        [
            f"**Total annual value:** {usd(h['total_value_usd'])} across {h['occupations']} occupations and "
            f"{h['tasks_total']:,} O*NET tasks ({h['employment_reached']:,.0f} workers).",
            f"**Covered value:** {usd(h['covered_value_usd'])} = **{pct(h['value_coverage_pct'])}** of the value; "
            f"{h['tasks_covered']:,} of {h['tasks_total']:,} tasks ({pct(h['task_coverage_pct'])}).",
            f"**Uncovered value:** {usd(h['uncovered_value_usd'])}, rank {h['uncovered_value_rank']} of {n_domains} domains.",
            f"**Digital value covered:** {usd(h['digital_covered_value_usd'])} of {usd(h['digital_value_usd'])}.",
            f"**Inventory:** {h['inventory_tasks_declared']} tasks declare this domain ({status or 'none'}); "
            f"{h['inventory_tasks_grounded']} of them are grounded, {h['inventory_tasks_unverified']} unverified; "
            f"{h['inventory_tasks_matched']} inventory tasks "
            "have their best credible match here.",
            f"**Concentration:** {pct(c.get('inventory_bottom_tier_share_pct'))} of the matched inventory sits in the "
            f"bottom tiers ({c.get('bottom_tiers')}), while {pct(c.get('value_top_tier_share_pct'))} of the value sits "
            f"in the top tiers ({c.get('top_tiers')}).",
        ]
    )
    doc.h2("Covered vs uncovered value by tier")
    doc.image(
        Image(
            f"{report_stem(domain_id)}.png", f"Covered vs uncovered annual value by tier, {h['domain_name']}"
        )
    )
    doc.table(slice_table("tier", tiers))
    doc.h2("By nature of work")
    doc.table(slice_table("nature", natures))
    doc.h2(f"Top {GAPS_SHOWN} gaps: valuable work no inventory task covers")
    doc.table(
        Table(
            ["#", "task", "occupation", "annual value", "workers", "$/hour", "tier", "nature", "digital"],
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
                    "yes" if g["is_digital"] else "no",
                )
                for g in gaps
            ],
            {0, 3, 4, 5},
        )
    )
    doc.h2("Ungrounded inventory tasks")
    doc.p(PET_PEEVE)
    doc.p(
        f"{len(ungrounded)} ungrounded inventory tasks declare this domain or have their best match in it"
        + _shown(ungrounded)
    )
    doc.table(grounding_table(ungrounded[:UNGROUNDED_SHOWN]))
    if unverified:
        doc.h2("Unverified inventory tasks")
        doc.p(UNVERIFIED)
        doc.p(
            f"{len(unverified)} inventory tasks declare this domain and have no credible match"
            + _shown(unverified)
        )
        doc.table(grounding_table(unverified[:UNGROUNDED_SHOWN]))
    release_changes_section(con, doc, domain_id)
    doc.h2("How these numbers were made")
    doc.bullets(
        [
            "Value: each O*NET task's annual value is its occupation's OES wage bill (employment × mean annual "
            "wage, divided among O*NET codes sharing an OES code) times the task's weight (marts.task_value).",
            "Domain: the occupations chosen in config/domains.toml; a sector domain counts the sector's share of "
            "each occupation's wage bill (the OES sector lens).",
            f"Coverage rule: {rule_text}",
            "Tiers are bands of hourly wage; the bottom and top tiers are the lowest- and highest-paid bands "
            "(a third of the bands each unless configured).",
            "Gaps are uncovered tasks ranked by the value model's priority score, then annual value.",
            "Grounding reasons are checked in order: no credible match, only low-tier work, physical work, "
            "outside the declared domain (marts.inventory_grounding).",
        ]
    )
    doc.h2("Attribution")
    doc.p(ONET_ATTRIBUTION)
    doc.p(BLS_ATTRIBUTION)
    return doc, h, tiers


def release_changes_section(con: duckdb.DuckDBPyConnection, doc: Doc, domain_id: str | None) -> None:
    """What the newer OES vintage changed (marts.release_changes), for a domain or for everything."""
    members = (
        "and onet_soc_code in (select onet_soc_code from int.domain_members where domain_id = ?)"
        if domain_id
        else ""
    )
    params = [domain_id] if domain_id else []
    totals = _rows(
        con,
        f"""
        select any_value(previous_vintage) as previous_vintage, any_value(current_vintage) as current_vintage,
            sum(previous_value_usd) as previous_value_usd, sum(current_value_usd) as current_value_usd,
            count(*) filter (where tier_changed) as tier_changed_tasks, count(*) as tasks
        from marts.release_changes where change_level = 'task' {members}
        """,
        params,
    )[0]
    if not totals["tasks"]:
        return
    doc.h2(f"Release changes: OES May {totals['previous_vintage']} → May {totals['current_vintage']}")
    prev, cur = totals["previous_value_usd"], totals["current_value_usd"]
    change = f" ({pct(100 * (cur - prev) / prev)} change)" if prev else ""
    items = [
        f"**Value of these tasks:** {usd(prev)} under May {totals['previous_vintage']} wages and employment, "
        f"{usd(cur)} under May {totals['current_vintage']}{change}, through the same O*NET release.",
        f"**Tasks whose tier changed:** {totals['tier_changed_tasks']:,} of {totals['tasks']:,}.",
    ]
    if not domain_id:
        codes = _rows(
            con,
            """select status, count(*) as codes from marts.release_changes
               where change_level = 'occupation' group by status order by status""",
        )
        items.append(
            "**OES detailed codes:** " + ", ".join(f"{r['status']} {r['codes']:,}" for r in codes) + "."
        )
    doc.bullets(items)
    shifts = _rows(
        con,
        f"""
        select onet_soc_code, any_value(oes_code) as oes_code,
            sum(previous_value_usd) as previous_value_usd, sum(current_value_usd) as current_value_usd,
            sum(value_change_usd) as value_change_usd
        from marts.release_changes where change_level = 'task' {members}
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
    present = con.execute(
        "select count(*) from duckdb_tables() where schema_name = 'marts' and table_name = 'onet_release_changes'"
    ).fetchone()[0]
    if not present:  # a warehouse published before this table existed
        return
    counts = _rows(
        con,
        """select change, count(*) as tasks, any_value(previous_release) as previous_release,
               any_value(current_release) as current_release
           from marts.onet_release_changes group by change""",
    )
    if not counts:
        doc.h2("Release changes: O*NET task statements")
        doc.p(
            "Only one O*NET release is configured, so no tasks are compared across releases "
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
    con: duckdb.DuckDBPyConnection, domain_id: str, out_dir: Path, rule_text: str
) -> Report:
    out_dir.mkdir(parents=True, exist_ok=True)
    doc, headline, tiers = build_domain_doc(con, domain_id, rule_text)
    png = tier_chart_png(tiers, f"{headline['domain_name']}: covered vs uncovered annual value")
    stem = report_stem(domain_id)
    img = next(b for k, b in doc.blocks if k == "img")
    img.data_uri = "data:image/png;base64," + base64.b64encode(png).decode()
    markdown = to_markdown(doc)
    paths = (out_dir / f"{stem}.png", out_dir / f"{stem}.md", out_dir / f"{stem}.html")
    _write_atomic(paths[0], png)
    _write_atomic(paths[1], markdown.encode())
    _write_atomic(paths[2], to_html(doc).encode())
    preview = to_markdown(doc, embed_images=True)
    return Report(domain_id, markdown, paths[1], paths[2], paths[0], headline, preview)


def _shown(tasks: list[dict]) -> str:
    """The end of a count sentence: the tables list at most UNGROUNDED_SHOWN tasks."""
    return f" (first {UNGROUNDED_SHOWN} shown)." if len(tasks) > UNGROUNDED_SHOWN else "."


def grounding_table(tasks: list[dict]) -> Table:
    return Table(
        ["inventory task", "title", "reason", "best match", "confidence", "match value"],
        [
            (
                u["inventory_task_id"],
                u["title"],
                REASON_TEXT.get(u["ungrounded_reason"], u["ungrounded_reason"]),
                u["best_task"] or "(none)",
                u["best_confidence"],
                usd(u["best_annual_value_usd"]),
            )
            for u in tasks
        ],
        {5},
    )


def write_index(con: duckdb.DuckDBPyConnection, out_dir: Path) -> tuple[str, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = _rows(con, "select * from marts.domain_coverage order by uncovered_value_rank, domain_id")
    unmatched = _rows(
        con, "select * from int.domain_inventory_names where not is_matched order by inventory_tasks desc"
    )
    grounding = _rows(
        con,
        """select count(*) as tasks, count(*) filter (where is_grounded) as grounded,
           count(*) filter (where is_grounded is null) as unverified,
           list(distinct ungrounded_reason) filter (where ungrounded_reason is not null) as reasons
           from marts.inventory_grounding""",
    )[0]
    doc = Doc("Coverage by domain")
    doc.p(
        "Domains ranked by the annual value the task inventory does not cover. "
        f"Generated {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}."
    )
    doc.bullets(
        [
            f"**Inventory:** {grounding['tasks']} tasks, {grounding['grounded']} grounded in valuable work "
            f"({pct(100 * grounding['grounded'] / grounding['tasks'] if grounding['tasks'] else None)}), "
            f"{grounding['unverified']} unverified (no credible match at all, though they declare a configured "
            "domain).",
            f"**Inventory domain names matching no configured domain:** {len(unmatched)}"
            + (
                ": " + ", ".join(f"'{u['inventory_domain']}' ({u['inventory_tasks']})" for u in unmatched)
                if unmatched
                else "."
            ),
        ]
    )
    doc.table(
        Table(
            [
                "rank",
                "domain",
                "kind",
                "uncovered value",
                "total value",
                "coverage",
                "tasks covered",
                "inventory",
            ],
            [
                (
                    r["uncovered_value_rank"],
                    f"[{r['domain_name']}]({report_stem(r['domain_id'])}.html)",
                    r["domain_kind"].replace("_", " "),
                    usd(r["uncovered_value_usd"]),
                    usd(r["total_value_usd"]),
                    pct(r["value_coverage_pct"]),
                    f"{r['tasks_covered']:,} / {r['tasks_total']:,}",
                    r["inventory_tasks_declared"],
                )
                for r in rows
            ],
            {0, 3, 4, 5, 6, 7},
        )
    )
    doc.p(PET_PEEVE)
    release_changes_section(con, doc, None)
    onet_release_changes_section(con, doc)
    doc.h2("Attribution")
    doc.p(ONET_ATTRIBUTION)
    doc.p(BLS_ATTRIBUTION)
    markdown = to_markdown(doc)
    _write_atomic(out_dir / "index.md", markdown.replace(".html)", ".md)").encode())
    _write_atomic(out_dir / "index.html", to_html(doc).encode())
    return markdown, out_dir / "index.html"


def write_all_reports(con: duckdb.DuckDBPyConnection, out_dir: Path, rule_text: str) -> list[Report]:
    reports = [write_domain_report(con, d, out_dir, rule_text) for d in domain_ids(con)]
    write_index(con, out_dir)
    return reports

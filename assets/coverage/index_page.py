"""The index page of the reports: domains ranked by uncovered value, and the inventory's grounding."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from assets.common.code_version import code_version
from assets.common.files import write_atomic
from assets.common.warehouse import dict_rows, has_table
from assets.coverage.attribution import BLS_ATTRIBUTION, ONET_ATTRIBUTION
from assets.coverage.document import Doc, Table, link, md_code, md_escape, to_html, to_markdown
from assets.coverage.grounding_sections import (
    inventory_summary,
)
from assets.coverage.numbers import count, covered_pct, pct, plural, usd
from assets.coverage.release_sections import (
    onet_release_changes_section,
    release_changes_section,
)
from assets.coverage.report_paths import (
    INDEX_FILES,
    report_files,
)
from assets.inventory.matching.text import boilerplate_floor


def aliases_within(con: duckdb.DuckDBPyConnection, name_normalized: str) -> str:
    """The configured names and aliases whose every word the unmatched name holds ('Ops / Admin'
    holds `admin`, an alias of office-and-administrative-support) or abbreviates by its first three
    letters or more ('med coding' abbreviates `medical coding` of healthcare-administration): the
    alias to add is likely one of these domains'. The alias of most words first, words held before
    words abbreviated; a word of the name read by a chosen alias is not read again ('med' as
    `medicine` or `media` after `medical coding`), and an abbreviation alone that several domains
    could mean ('con': construction, consulting) is no hint. '' when none."""
    words = set(re.findall(r"[0-9a-z]+", name_normalized or ""))

    def reads(part: str) -> tuple[str, bool] | None:
        """The name's word that reads as `part`, and whether it is the word itself."""
        if part in words:
            return part, True
        short = [w for w in words if len(w) >= 3 and part.startswith(w)]
        return (short[0], False) if short else None

    found = []
    for alias, domain_id in con.execute(
        "select distinct name_normalized, domain_id from int.domain_aliases order by 1, 2"
    ).fetchall():
        parts = re.findall(r"[0-9a-z]+", alias)
        read = [reads(p) for p in parts]
        if parts and all(read):
            exact = sum(held for _, held in read)
            found.append((alias, domain_id, {w for w, _ in read}, len(parts), exact))
    # an abbreviation alone that names several domains says nothing
    guesses = {domain_id for _, domain_id, _, _, exact in found if exact == 0}
    if len(guesses) > 1:
        found = [f for f in found if f[4] > 0]
    best: dict[str, tuple[str, str]] = {}
    used: set[str] = set()
    for alias, domain_id, read_words, _, exact in sorted(
        found, key=lambda f: (-f[3], -f[4], -len(f[0]), f[0])
    ):
        # 'engineering' after a chosen 'software engineering' reads no word of the name anew
        if domain_id not in best and not read_words <= used:
            best[domain_id] = (alias, "holds" if exact == len(alias.split()) else "abbreviates")
            used |= read_words
    return "; ".join(
        f"the name {how} {md_code(alias)} of {domain_id}"
        for domain_id, (alias, how) in list(best.items())[:3]
    )


# words of an environment's or a harness's name, not of the work done in it ('browser-agent',
# 'spreadsheet-agent', 'computer use'): an alias would be wrong, declaring it unmapped would stop its
# tasks' matches from counting. A name of these words only: 'travel agent' or 'shell scripting' is work
ENVIRONMENT_WORDS = frozenset(
    {
        "agent",
        "agents",
        "agentic",
        "browser",
        "web",
        "computer",
        "desktop",
        "gui",
        "os",
        "mobile",
        "terminal",
        "shell",
        "cli",
        "sandbox",
        "spreadsheet",
        "spreadsheets",
        "excel",
        "sheets",
        "env",
        "environment",
        "environments",
        "tool",
        "tools",
        "gym",
    }
)
_FILLER_WORDS = frozenset({"use", "task", "tasks", "multi", "turn", "based"})


def environment_hint(name_normalized: str) -> str:
    """For a name made only of an environment's words ('browser agent', 'tool use'): where it belongs."""
    words = set(re.findall(r"[0-9a-z]+", name_normalized or ""))
    if not words & ENVIRONMENT_WORDS or not words <= ENVIRONMENT_WORDS | _FILLER_WORDS:
        return ""
    return (
        "it reads as an environment, not the work: move it to the `environment` column and name the "
        "work in `domain`, or leave `domain` empty"
    )


SHARED_SHOWN = 3
SHARED_TIED = 8  # sentences listed at most when several tie with the last shown


def _quoted(sentence: str, limit: int = 120) -> str:
    return "“" + md_escape(_shortened(sentence, limit)) + "”"


def shared_text_section(con: duckdb.DuckDBPyConnection, doc: Doc) -> None:
    """The sentences many tasks repeat: the ones dropped as boilerplate, and the most shared ones kept,
    which the matcher reads as each task's own words (a persona's sandbox preamble, in 28% of its
    tasks, pulled its coding tasks toward network administrators, and nothing said so)."""
    if not has_table(con, "int", "inventory_shared_sentences"):  # a selection that skipped it
        return
    rows = dict_rows(
        con,
        "select *, (select count(*) from staging.inventory_tasks) as all_tasks "
        "from int.inventory_shared_sentences order by tasks desc, sentence",
    )
    if not rows:
        return
    dropped = [r for r in rows if r["is_boilerplate"]]
    kept = [r for r in rows if not r["is_boilerplate"]]
    first = rows[0]

    def shown(of: list[dict]) -> list[dict]:
        """The first SHARED_SHOWN, and every sentence tied with the last of them (up to SHARED_TIED):
        six sentences of one preamble tie, and the one that pulls the matches sorted sixth; "and 1
        more" is not shorter than the one."""
        cut = of[:SHARED_SHOWN]
        if len(of) > SHARED_SHOWN:
            cut += [r for r in of[SHARED_SHOWN:SHARED_TIED] if r["tasks"] == cut[-1]["tasks"]]
        return of if len(of) == len(cut) + 1 else cut

    def listed(of: list[dict]) -> str:
        some = shown(of)
        return "; ".join(
            f"{_quoted(r['sentence'])} ({r['tasks']:,} tasks, {pct(100 * r['share_of_tasks'])})" for r in some
        ) + (f"; and {len(of) - len(some):,} more" if len(of) > len(some) else "")

    text = (
        f"**Text many tasks repeat:** {plural(len(rows), 'sentence')} "
        f"{'appears' if len(rows) == 1 else 'appear'} verbatim in 3 or more of the "
        f"{first['all_tasks']:,} tasks. "
    )
    floor, share = first["boilerplate_floor_tasks"], float(first["boilerplate_share"])
    asked = boilerplate_floor(first["all_tasks"], share, min_tasks=0)
    why = (
        f"the boilerplate share, {pct(100 * share)} of the tasks, `TASKVALUE_BOILERPLATE_SHARE`"
        if floor <= asked
        # else the floor of 3: a share of a few tasks would call a sentence two tasks share boilerplate
        else f"never fewer than 3, though the boilerplate share, {pct(100 * share)}, "
        f"`TASKVALUE_BOILERPLATE_SHARE`, of them is {asked:,}"
    )
    if dropped:
        text += (
            f"{plural(len(dropped), 'is', 'are')} in at least {plural(floor, 'task')} ({why}) and "
            f"{'was' if len(dropped) == 1 else 'were'} dropped before matching as boilerplate: "
            f"{listed(dropped)}. "
        )
    if kept:
        text += (
            f"{'The most repeated of the ' if len(kept) > len(shown(kept)) else 'The '}{len(kept):,} kept: "
            f"{listed(kept)}. The matcher reads a kept sentence as each task's own words, so environment "
            "text repeated across many tasks can pull them toward one occupation: if the best matches of "
            "the tasks that carry one (`marts.inventory_task_matches`) keep landing on the same "
            "unrelated occupation, name each task's occupation (`onet_soc_code`). A lower boilerplate share "
            "drops the sentence too, but measured on such an inventory it grounded no task (README, "
            "Boilerplate). "
        )
    doc.p(text + "`int.inventory_shared_sentences` lists them all.")


QUARANTINE_SHOWN = 10


def quarantine_section(con: duckdb.DuckDBPyConnection, doc: Doc) -> None:
    """The inventory rows that were not loaded: in no figure of any report, so the index names them
    (file, row, task ID, reason) rather than leave them to the refresh's log."""
    if not has_table(con, "staging", "inventory_quarantine"):  # a selection that skipped the ingest
        return
    rows = dict_rows(
        con,
        "select source_file, source_sheet, source_row, task_id, reason, detail, count(*) over () as n "
        "from staging.inventory_quarantine order by source_file, source_sheet, source_row limit ?",
        [QUARANTINE_SHOWN],
    )
    if not rows:
        return
    n = rows[0]["n"]
    doc.p(
        f"**Inventory rows not loaded (quarantined):** {n:,}, in no figure of these reports. Fix them in "
        "their file and refresh"
        + (f"; all {n:,} are in `staging.inventory_quarantine`:" if n > len(rows) else ":")
    )
    doc.bullets(
        [
            md_code(r["source_file"])
            + (f" sheet {md_escape(r['source_sheet'])}" if r["source_sheet"] else "")
            + f" row {r['source_row']}"
            + (f" ({md_escape(r['task_id'])})" if r["task_id"] else "")
            + f": {md_escape(_shortened(r['detail'] or r['reason']))}"  # the detail starts with the reason
            for r in rows
        ]
        + ([f"… and {n - len(rows):,} more."] if n > len(rows) else [])
    )


def _shortened(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def uncovered_digital(row: dict):
    """A domain's uncovered value in digital tasks (what a text-based task can imitate; the reports'
    gaps count only it by default)."""
    if row["digital_value_usd"] is None:
        return None
    return row["digital_value_usd"] - (row["digital_covered_value_usd"] or 0)


def uncertain_share(row: dict) -> str:
    """The share of a domain's covered value that rests only on an occupation the inventory named;
    empty when nothing is covered."""
    covered = float(row["covered_value_usd"] or 0)
    if covered <= 0:
        return ""
    return pct(100 * float(row["covered_value_task_uncertain_usd"] or 0) / covered)


def write_index(con: duckdb.DuckDBPyConnection, out_dir: Path) -> tuple[str, Path]:
    """The index page: domains ranked by uncovered value, and the inventory's grounding."""
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = dict_rows(con, "select * from marts.domain_coverage order by uncovered_value_rank, domain_id")
    unmatched = dict_rows(
        con,
        # spellings that differ only in case or separators are one name: one alias fixes them all
        "select name_normalized, list(inventory_domain order by inventory_tasks desc, inventory_domain) as "
        "spellings, sum(inventory_tasks)::bigint as inventory_tasks, bool_or(is_declared_unmapped) as "
        "is_declared_unmapped from int.domain_inventory_names where not is_matched and not is_no_domain "
        "group by name_normalized order by inventory_tasks desc, spellings[1]",
    )
    doc = Doc("Coverage by domain")
    doc.p(
        "Domains ranked by the annual value (US dollars a year) the task inventory does not cover, all "
        'work counted; "of it, digital" is the part in tasks done at a computer, which the domain '
        "reports' gap lists count by default. "
        "Domains overlap (a sector cuts across the SOC groups, a custom domain reuses their occupations), "
        "so their values do not add up; a sector domain counts only the sector's share. "
        '"Value covered" counts matches that are credible only because the inventory named the occupation '
        '(the O*NET task within it is the text\'s guess); "of it, on a named occupation" says how much of '
        "the covered value rests on such a guess, which a pin in the overrides file makes exact. "
        f"Generated {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')} by {code_version()}."
    )
    doc.table(
        Table(
            [
                "rank",
                "domain",
                "kind",
                "uncovered value",
                # the gaps count digital work only by default; the ranking counts all work
                "of it, digital",
                "total value",
                "value covered",
                # most coverage of a hinted inventory rests on the occupation alone (98.6% of Computer
                # and Mathematical's on the example): the headline share alone overstated it
                "of it, on a named occupation",
                "tasks covered",
                # declared: the inventory's domain column names it; matched: best credible match in it
                "inventory declaring it (every status)",
                "inventory matched to it (excluded statuses left out)",
            ],
            [
                (
                    r["uncovered_value_rank"],
                    link(r["domain_name"], report_files(r["domain_id"]).html),
                    r["domain_kind"].replace("_", " "),
                    usd(r["uncovered_value_usd"]),
                    usd(uncovered_digital(r)),
                    usd(r["total_value_usd"]),
                    covered_pct(r["value_coverage_pct"], r["covered_value_usd"]),
                    uncertain_share(r),
                    f"{r['tasks_covered']:,} / {r['tasks_total']:,}",
                    count(r["inventory_tasks_declared"]),
                    count(r["inventory_tasks_matched"]),
                )
                for r in rows
            ],
            {0, 3, 4, 5, 6, 7, 8, 9, 10},
        )
    )
    doc.h2("Inventory grounding")
    inventory_summary(con, doc)
    doc.p(
        f"**Inventory domain names matching no configured domain:** {len(unmatched)}"
        + (
            ": "
            + ", ".join(
                " / ".join(f"'{md_escape(name)}'" for name in u["spellings"])
                + f" ({u['inventory_tasks']:,}"
                + ("; declared unmapped on purpose" if u.get("is_declared_unmapped") else "")
                + (f"; {near}" if (near := aliases_within(con, u["name_normalized"])) else "")
                + (f"; {env}" if (env := environment_hint(u["name_normalized"])) else "")
                + ")"
                for u in unmatched
            )
            + "."
            if unmatched
            else "."
        )
    )
    no_domain, placeholders = con.execute(
        "select coalesce(sum(inventory_tasks), 0), list(inventory_domain order by inventory_tasks desc, "
        "inventory_domain) filter (where inventory_domain <> '') from int.domain_inventory_names where is_no_domain"
    ).fetchone()
    if no_domain:
        read_as_none = (
            "; " + ", ".join(f"'{md_escape(p)}'" for p in placeholders) + " read as no domain"
            if placeholders
            else ""
        )
        doc.p(
            f"**Inventory tasks without a domain:** {no_domain:,} (matched against every occupation, "
            f"with no domain to prefer{read_as_none})."
        )
    quarantine_section(con, doc)
    shared_text_section(con, doc)
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

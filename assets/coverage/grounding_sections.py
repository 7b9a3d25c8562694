"""The reports' grounding sections: ungrounded and unverified inventory tasks, by reason, and the
inventory summary of the index."""

from __future__ import annotations

import duckdb

from assets.common.warehouse import dict_rows
from assets.coverage.document import Doc, Md, Table, md_escape
from assets.coverage.domains import normalize_name
from assets.coverage.numbers import pct, plural, usd

PET_PEEVE = (
    "An inventory task is ungrounded when a reason below holds (the first that holds is shown; "
    "`ungrounded_reasons` lists them all). "
    "The seed's pet peeve, a task that looks busy but imitates no valuable work, is no credible match; "
    "a declared unmapped domain is the team saying so itself (its text matches do not count); only "
    "low-tier work and physical work are milder forms of it. Outside the declared domain is not: such a "
    "task imitates real work, and only its domain label disagrees."
)

UNVERIFIED = (
    "These tasks claim this domain, but no O*NET candidate is credible: text matching could not tell which "
    "work they imitate (RL prompts rarely use O*NET's words). They count as neither grounded nor "
    "ungrounded. Name each one's occupation (`onet_soc_code`) or pin a match in the overrides file: the "
    "review worksheet (`exports/inventory_review.xlsx`, or its CSV) lists every candidate in its layout, "
    "unverified tasks first; type pin or reject, or occupation with the right `onet_soc_code` when no "
    "candidate has it, and save it as `_overrides.xlsx` (or `.csv`). Lowest "
    "best score first: the tasks least like any O*NET work head the list."
)

REVIEW_HINT = (
    " To settle them, type pin or reject on their candidates in the review worksheet "
    "(`exports/inventory_review.xlsx`, or its CSV; unverified tasks first), or occupation with the right "
    "`onet_soc_code` where no candidate has it, and save it as `_overrides.xlsx` (or `.csv`) in the "
    "inventory directory."
)

# The reasons of marts.inventory_grounding.ungrounded_reason, in the order they are checked.
REASON_TEXT = {
    "rejected_by_reviewer": "rejected by a reviewer",
    "declared_unmapped_domain": "declared unmapped domain",
    "no_credible_match": "no credible match",
    "low_tier_only": "only low-tier work",
    "physical_work": "physical work",
    "outside_declared_domain": "outside the declared domain",
}

REASON_HELP = {
    "rejected_by_reviewer": (
        "A reviewer rejected every candidate of the task in the overrides file: it has no O*NET "
        "counterpart, whatever its domain says. Keep it knowingly, or retire it; a pin grounds it if the "
        "reviewer changes their mind."
    ),
    "declared_unmapped_domain": (
        "The task's domain is listed in `unmapped_inventory_domains` (config/domains.toml): the team "
        "declared that this work has no O*NET counterpart, so text matches do not count, however close "
        "the words. Keep such tasks knowingly; a pin in the overrides file grounds one that does imitate "
        "real work."
    ),
    "no_credible_match": (
        "The text resembles no O*NET work, not even weakly (its best match scores below the matcher's "
        "resemblance floor, or there is no candidate), and the task claims no configured domain: no real "
        "work was found behind it. This is the seed's pet peeve: a task that looks busy but imitates no "
        "valuable work. Check the best match shown: if it is the work after all, pin it in the overrides "
        "file or name the occupation (`onet_soc_code`); else rewrite or retire the task. (A weak match "
        "above the floor makes a task unverified instead.)"
    ),
    "low_tier_only": (
        "Every credible match is bottom-tier (lowest-paid) work: the task imitates real work, but the least "
        "valuable kind, a milder form of the pet peeve. Aim it at better-paid work: the same job's, or, "
        "when the whole occupation is paid in the bottom tiers (customer service representatives, "
        "clerks), the better-paid occupations of its domain; or keep it knowingly."
    ),
    "physical_work": (
        "Every credible match is physical work (for a match that rests on the occupation the row named: "
        "mostly physical occupation), which a text task can describe but not do: a milder form of the pet "
        "peeve. Check that the task trains something a model can actually perform."
    ),
    "outside_declared_domain": (
        "The task imitates real work, but its declared domain disagrees with the occupation it matches "
        "(one a person named, by occupation, task ID or pin, or a text match strong enough to stand "
        "against the label: `off_domain_min_confidence`, high by default; a weaker one covers nothing and "
        "leaves the task unverified). Not the pet peeve, but "
        "one of the two is wrong: fix the row's `onet_soc_code` or pin when the match is, the row's domain "
        "when the label is, or widen the domain in config/domains.toml when the work belongs to it."
    ),
}

UNGROUNDED_SHOWN = 50


def shown_note(tasks: list[dict]) -> str:
    """The end of a count sentence: the tables list at most UNGROUNDED_SHOWN tasks."""
    if len(tasks) <= UNGROUNDED_SHOWN:
        return "."
    return f" (first {UNGROUNDED_SHOWN} shown; every task is in `marts.inventory_grounding` and its export)."


def lowest_score_first(tasks: list[dict]) -> list[dict]:
    """Unverified tasks, the least like any O*NET work first (no candidate, then the lowest best
    score): where toys and mislabelled rows gather."""
    return sorted(tasks, key=lambda u: (u["best_score"] is not None, u["best_score"] or 0.0))


def ungrounded_section(doc: Doc, ungrounded: list[dict]) -> None:
    """The domain's ungrounded tasks, one table per reason, each with what it means and what to do."""
    doc.h2("Ungrounded inventory tasks")
    doc.p(PET_PEEVE)
    by_reason = {r: [u for u in ungrounded if u["ungrounded_reason"] == r] for r in REASON_TEXT}
    other = [u for u in ungrounded if u["ungrounded_reason"] not in REASON_TEXT]
    split = ", ".join(f"{len(v):,} {REASON_TEXT[r]}" for r, v in by_reason.items() if v)
    n = len(ungrounded)
    if not n:
        doc.p("No ungrounded inventory task declares this domain or has its best credible match in it.")
        return
    doc.p(
        f"{plural(n, 'ungrounded inventory task')} {'declares' if n == 1 else 'declare'} this domain or "
        f"{'has its' if n == 1 else 'have their'} best credible match in it (every status)"
        + (f": {split}." if split else ".")
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


def verdict_cell(u: dict) -> str:
    why = u["ungrounded_reason"]
    return f"{u['grounding']}: {REASON_TEXT.get(why, why).replace('_', ' ')}" if why else u["grounding"]


def title_cell(u: dict, limit: int = 80) -> str:
    """The task's title, or for a task without one (a prompt-only or chat row) the start of what it
    says, so that the row tells the reader which task it is."""
    if u.get("title"):
        return u["title"]
    excerpt = u.get("task_excerpt") or ""
    return excerpt if len(excerpt) <= limit else excerpt[: limit - 1].rstrip() + "…"


def not_credible(u: dict) -> str:
    """Why a task's best match does not count, where a label and not the score alone decided it."""
    if not u.get("best_is_held_back_by_label"):
        return "not credible"  # the score decided
    if u.get("best_is_outside_declared_domain"):
        return "not credible (text match outside the declared domain)"
    return "not credible (text match; the domain names no configured domain)"


def grounding_table(tasks: list[dict], *, declared: bool = False, reason: bool = False) -> Table:
    """Inventory tasks with their best match; `declared` adds the domain each one declares, `reason`
    the verdict and its first reason."""
    columns = ["inventory task", "title", "status"]
    columns += ["declared domain"] if declared else []
    columns += ["verdict"] if reason else []
    # the value model's national value of the matched task, also in a sector domain's report
    columns += ["best match", "occupation", "confidence", "match value (national)"]
    return Table(
        columns,
        [
            (
                u["inventory_task_id"],
                title_cell(u),
                u["status"] or "",
                *([declared_cell(u)] if declared else []),
                *([verdict_cell(u)] if reason else []),
                u["best_task"] or "(none)",
                u["best_occupation_title"] or "",
                # a text that resembles no work is told from a weak match in the same band by its score
                f"{u['best_confidence']} (score {u['best_score']:.4f}, below the resemblance floor)"
                if u.get("best_resembles_no_work")
                else u["best_confidence"],
                # a guess is shown for review, but its value is not the task's: below the coverage rule,
                # or a statement picked within a named occupation on weak text (the RL export leaves
                # such a value out too)
                not_credible(u)
                if not u["best_is_credible"]
                else "task uncertain"
                if u["best_is_task_uncertain"]
                else usd(u["best_annual_value_usd"]),
            )
            for u in tasks
        ],
        {len(columns) - 1},
    )


def _unverified_reasons(counted: list[dict]) -> str:
    """The unverified tasks' `ungrounded_reason` values: filtering the mart or the export on the
    reason alone counts them with the ungrounded tasks (a persona's 57 `no_credible_match` rows
    against the index's 0)."""
    by_reason: dict[str, int] = {}
    for r in counted:
        if r["grounding"] == "unverified":
            by_reason[r["ungrounded_reason"]] = by_reason.get(r["ungrounded_reason"], 0) + r["tasks"]
    if not by_reason:
        return ""
    listed = ", ".join(
        f"`{reason}` {n:,}" for reason, n in sorted(by_reason.items(), key=lambda x: str(x[0]))
    )
    return (
        " In `marts.inventory_grounding` and the export they carry an `ungrounded_reason` without being "
        f"ungrounded ({listed}): filter on `grounding` too."
    )


def inventory_summary(con: duckdb.DuckDBPyConnection, doc: Doc) -> None:
    """The index's inventory figures: grounded, ungrounded (by reason) and unverified tasks, as shares
    of the tasks that count (those with an excluded status, e.g. retired, are left out and said so).
    Exclusion is the mart's own (is_excluded_status), so the index agrees with the coverage figures."""
    rows = dict_rows(
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
            f"**Unverified:** {unverified:,} ({share(unverified)}): no credible match, though they "
            "declare a configured domain or their text resembles O*NET work weakly (a match above the "
            "resemblance floor: text matching could not say which work); or a credible match, but a `domain` that "
            "names no configured domain (see the names below: add an alias), so their domain could not "
            "be checked." + _unverified_reasons(counted) + (REVIEW_HINT if unverified else ""),
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
    homeless_section(con, doc)


def homeless_section(con: duckdb.DuckDBPyConnection, doc: Doc) -> None:
    """The ungrounded and unverified tasks whose grounding no domain report shows (a domain report's
    grounding sections list the tasks that declare it, and the ungrounded ones whose best credible
    match is one of its characteristic occupations): their `domain` names no configured domain, and
    no credible match places them. A report may still name such a task in *What the inventory
    covers*, when its credible match covers work there."""
    homeless = dict_rows(
        con,
        """
        select g.* from marts.inventory_grounding as g
        where g.declared_domain_id is null and (
            g.grounding = 'unverified'
            or (g.grounding = 'ungrounded' and not (g.best_is_credible and exists (
                select 1 from int.domain_members as m
                where m.onet_soc_code = g.best_onet_soc_code and m.is_characteristic
            )))
        )
        order by g.grounding, g.ungrounded_reason, g.best_score nulls first, g.inventory_task_id
        """,
    )
    if not homeless:
        return
    doc.h3(f"Tasks whose grounding no domain report shows ({len(homeless):,})")
    doc.p(
        "They have no `domain`, or one that names no configured domain, so no domain report lists them among "
        "its ungrounded or unverified tasks (one may name them in *What the inventory covers*, when a "
        "credible match covers work there): "
        "the unverified ones (a credible match, but a domain that could not be checked: add an alias; or "
        "only a weak match: name the occupation or pin one; lowest best score first, so the tasks least "
        "like any O*NET work, toys among them, head each group), and the ungrounded "
        "ones whose best match is not credible or lies in no domain's characteristic occupations "
        "(excluded statuses included; the best match is shown for review, with its value only when it "
        "is credible)" + shown_note(homeless)
    )
    doc.table(grounding_table(homeless[:UNGROUNDED_SHOWN], declared=True, reason=True))

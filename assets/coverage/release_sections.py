"""The reports' release sections: what the newer OES vintage and O*NET release changed."""

from __future__ import annotations

import duckdb

from assets.common.warehouse import dict_rows, has_table
from assets.coverage.document import Doc, Table, md_escape
from assets.coverage.numbers import change_text, usd

RELEASE_SHIFTS_SHOWN = 10

ONET_CHANGES_SHOWN = 10

ONET_CHANGE_ORDER = ("added", "removed", "reworded", "moved")


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
    totals = dict_rows(
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
        codes = dict_rows(
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
    shifts = dict_rows(
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
    counts = dict_rows(
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
    examples = dict_rows(
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

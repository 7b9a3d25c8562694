"""A domain report's list of what the inventory covers: the covered O*NET tasks of most value, each
with the inventory tasks that cover it, so a reader can check the matches behind the covered value."""

from __future__ import annotations

import duckdb

from assets.common.warehouse import dict_rows
from assets.coverage.document import Doc, Md, Table, md_escape
from assets.coverage.numbers import plural, usd

COVERED_SHOWN = 15
IDS_SHOWN = 5  # inventory task IDs per covered task; the rest are counted


def covered_section(con: duckdb.DuckDBPyConnection, doc: Doc, domain_id: str, sector: bool) -> None:
    """'What the inventory covers': the covered tasks by annual value, with their covering tasks;
    `sector`: the domain is a sector domain."""
    covered, inventory_tasks = con.execute(
        """select count(*), list_unique(flatten(list(covering_inventory_task_ids)))
           from int.domain_task_coverage where domain_id = ? and is_covered""",
        [domain_id],
    ).fetchone()
    doc.h2("What the inventory covers")
    if not covered:
        doc.p("No O*NET task of this domain is covered by an inventory task.")
        return
    rows = dict_rows(
        con,
        """select task, occupation_title, annual_value_usd, tier, nature, covering_inventory_task_ids,
                  is_covered_task_uncertain
           from int.domain_task_coverage where domain_id = ? and is_covered
           order by annual_value_usd desc nulls last, onet_soc_code, task_id limit ?""",
        [domain_id, COVERED_SHOWN],
    )
    uncertain = any(r["is_covered_task_uncertain"] for r in rows)
    doc.p(
        f"{plural(covered, 'O*NET task')} of this domain {'is' if covered == 1 else 'are'} covered, by "
        f"{plural(inventory_tasks, 'inventory task')}"
        + (f"; the {len(rows)} of most value below." if covered > len(rows) else ".")
        + (
            " **occupation named**: covered only because an inventory task named the occupation; which "
            "of its tasks is imitated, the text could not tell (its closest statement is shown)."
            if uncertain
            else ""
        )
        + (
            " A sector holds its share of every occupation it employs, so a task matched to an occupation "
            "that is not characteristic of the sector covers part of its value too, though the headline "
            "does not count that task as matched here."
            if sector
            else ""
        )
    )
    doc.table(
        Table(
            ["#", "task", "occupation", "annual value", "tier", "nature", "covered by"],
            [
                (
                    i,
                    Md(md_escape(r["task"]) + " (**occupation named**)")
                    if r["is_covered_task_uncertain"]
                    else r["task"],
                    r["occupation_title"],
                    usd(r["annual_value_usd"]),
                    r["tier"],
                    r["nature"],
                    _ids(r["covering_inventory_task_ids"]),
                )
                for i, r in enumerate(rows, 1)
            ],
            {0, 3},
        )
    )


def _ids(ids: list[str]) -> str:
    shown = ", ".join(ids[:IDS_SHOWN])
    return shown + (f" and {len(ids) - IDS_SHOWN:,} more" if len(ids) > IDS_SHOWN else "")

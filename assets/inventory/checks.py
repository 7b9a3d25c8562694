"""Checks of the inventory tables (names state what holds): blocking Great Expectations suites, and
a warning listing the overrides lines not applied as written."""

from collections import Counter

from dagster import AssetKey, MetadataValue

from assets.common.gx_checks import GxSuite, between, gx_asset_check, in_set, not_null, true, unique
from assets.common.warn_checks import warning_check
from assets.inventory.override_warnings import published_decisions_unchanged
from assets.inventory.overrides import ACTIONS, STATUSES
from assets.inventory.row_warnings import ROW_WARNINGS
from assets.inventory.shared_sentences import INVENTORY_FINGERPRINT

FLAGGED_SHOWN = 200  # lines listed in the check's metadata; the table holds them all

RECORD_REASONS = [
    "missing_id",
    "no_text",
    "duplicate_task_id",
    "unparseable_value",
    "malformed_csv",
    "repeated_header",
    "unrecognized_header",
    "ragged_row",
    "malformed_json",
    "not_an_object",
]
FILE_REASONS = ["unsupported_file", "unreadable_file"]

SUITES = {
    ("staging", "inventory_files"): [
        GxSuite(
            "inventory_files__rows_read_equal_accepted_plus_quarantined",
            """
            with accepted as (
                select source_file, count(*) as n from staging.inventory_tasks group by 1
            ),
            quarantined as (
                select source_file, count(*) as n from staging.inventory_quarantine
                where source_row is not null group by 1
            ),
            file_level as (
                select source_file, count(*) as n from staging.inventory_quarantine
                where source_row is null group by 1
            )
            select
                f.source_file,
                f.status,
                f.rows_read,
                f.rows_accepted,
                f.rows_quarantined,
                f.rows_skipped,
                f.rows_read = f.rows_accepted + f.rows_quarantined as counts_add_up,
                f.rows_accepted = coalesce(a.n, 0) and f.rows_quarantined = coalesce(q.n, 0)
                    as counts_match_tables,
                (f.status in ('unsupported', 'unreadable')) = (coalesce(l.n, 0) = 1)
                    as unread_file_is_quarantined,
                -- rows of parts not read as tasks (a hidden or lookup sheet, a second JSON list) are
                -- each named in the notes as "[N rows not read]": the named counts add up
                case when f.status = 'loaded' then f.rows_skipped = coalesce(list_sum(list_transform(
                    regexp_extract_all(f.notes, '[[]([0-9]+) rows? not read[]]', 1), lambda x: x::bigint
                )), 0) else f.rows_skipped = 0 end as skipped_rows_named_in_notes
            from staging.inventory_files as f
            left join accepted as a using (source_file)
            left join quarantined as q using (source_file)
            left join file_level as l using (source_file)
            """,
            [
                unique("source_file"),
                true("counts_add_up"),
                true("counts_match_tables"),
                true("unread_file_is_quarantined"),
                true("skipped_rows_named_in_notes"),
                between("rows_skipped", 0, None),
                in_set("status", ["loaded", "skipped", "unsupported", "unreadable"]),
            ],
            row_id_columns=["source_file"],
            description="Nothing lost: per file, rows read = rows accepted + rows quarantined, the counts "
            "match the two tables, a file that could not be read has a quarantine entry, and rows of parts "
            "not read as tasks (hidden or lookup sheets, other JSON lists) are counted and named in the notes.",
        )
    ],
    ("staging", "inventory_tasks"): [
        GxSuite(
            "inventory_tasks__ids_unique_and_every_task_has_text",
            """
            select *, coalesce(nullif(trim(title), ''), nullif(trim(description), '')) is not null as has_text
            from staging.inventory_tasks
            """,
            [
                unique("task_id"),
                not_null("task_id"),
                true("has_text"),
                not_null("source_file"),
                not_null("source_row"),
                not_null("content_hash"),
                between("instances", 0, None),
            ],
            row_id_columns=["source_file", "source_row", "task_id"],
        )
    ],
    ("staging", "inventory_quarantine"): [
        GxSuite(
            "inventory_quarantine__every_row_has_a_known_reason_and_place",
            f"""
            select *,
                case when reason in {tuple(FILE_REASONS)} then source_row is null
                     else source_row is not null end as place_matches_reason
            from staging.inventory_quarantine
            """,
            [
                in_set("reason", RECORD_REASONS + FILE_REASONS),
                not_null("source_file"),
                not_null("detail"),
                true("place_matches_reason"),
            ],
            row_id_columns=["source_file", "source_row"],
        )
    ],
    ("staging", "inventory_overrides"): [
        GxSuite(
            "inventory_overrides__actions_valid",
            """
            select *,
                action = 'reject' or onet_task_id is not null or action = 'occupation' as pin_has_task,
                -- an occupation decision names an occupation, never an O*NET task
                action <> 'occupation' or (onet_task_id is null and onet_soc_code is not null)
                    as occupation_names_only_an_occupation,
                -- a decision not applied always says why
                status = 'ok' or detail is not null as not_applied_says_why
            from staging.inventory_overrides
            """,
            [
                in_set("action", list(ACTIONS)),
                in_set("status", list(STATUSES)),
                not_null("inventory_task_id"),
                not_null("source_row"),
                unique("source_row"),
                true("pin_has_task"),
                true("occupation_names_only_an_occupation"),
                true("not_applied_says_why"),
            ],
            row_id_columns=["source_row"],
        )
    ],
    ("int", "inventory_shared_sentences"): [
        GxSuite(
            "inventory_shared_sentences__shared_by_3_or_more_and_dropped_at_the_floor",
            f"""
            select sentence, tasks, share_of_tasks, is_boilerplate,
                is_boilerplate = (tasks >= boilerplate_floor_tasks) as dropped_exactly_at_the_floor,
                tasks <= (select count(*) from staging.inventory_tasks) as within_the_inventory,
                inventory_fingerprint = ({INVENTORY_FINGERPRINT}) as counted_on_this_inventory
            from int.inventory_shared_sentences
            """,
            [
                not_null("sentence"),
                unique("sentence"),
                between("tasks", 3, None),
                between("share_of_tasks", 0, 1),
                not_null("is_boilerplate"),
                true("dropped_exactly_at_the_floor"),
                true("within_the_inventory"),
                true("counted_on_this_inventory"),
            ],
            row_id_columns=["sentence"],
        ),
    ],
    ("marts", "inventory_task_matches"): [
        GxSuite(
            "inventory_task_matches__every_task_ranked_once_per_rank",
            """
            with ranks as (
                select inventory_task_id, count(*) as n, max(rank) as max_rank
                from marts.inventory_task_matches group by 1
            )
            select
                t.task_id,
                r.inventory_task_id is not null as task_has_matches,
                coalesce(r.n = r.max_rank, false) as ranks_consecutive
            from staging.inventory_tasks as t
            left join ranks as r on r.inventory_task_id = t.task_id
            """,
            [true("task_has_matches"), true("ranks_consecutive")],
            row_id_columns=["task_id"],
            description="Every accepted inventory task has rows ranked 1..n.",
        ),
        GxSuite(
            "inventory_task_matches__keys_bands_and_scores_valid",
            """
            -- only the checked columns: at 1M inventory tasks this frame holds 5M rows in pandas
            select m.inventory_task_id, m.rank, m.onet_task_id, m.confidence, m.method, m.score,
                -- a candidate is an O*NET statement, listed under its own occupation
                (m.onet_task_id is null and m.onet_soc_code is null) or exists (
                    select 1 from staging.onet_task_statements as s
                    where s.task_id = m.onet_task_id and s.onet_soc_code = m.onet_soc_code
                ) as candidate_resolves,
                -- matched candidates (after pins and the explicit link) rank by their ranking score
                m.method not in ('text', 'hinted')
                    or coalesce(lag(m.method) over by_rank not in ('text', 'hinted'), true)
                    or lag(m.ranking_score) over by_rank >= m.ranking_score as ranked_by_ranking_score,
                m.inventory_task_id in (select task_id from staging.inventory_tasks) as task_exists,
                -- the domain and technology priors shape text matches only, and only by a bonus inside
                -- the domain or for a share of the named software (>=: bonus x share rounds away at
                -- 6 decimals when the bonus is set near its 0.000001 minimum)
                (m.in_inventory_domain is null or m.method = 'text')
                    and (m.technology_share is null or m.method = 'text' and m.technology_share between 0 and 1)
                    and (m.technology_share is null) = (m.technology_words is null)
                    and case when m.in_inventory_domain then m.ranking_score > m.score
                        when m.technology_share > 0 then m.ranking_score >= m.score
                        else m.ranking_score = m.score end as priors_consistent,
                -- only a named occupation (hinted) lifts a band above what the text alone earns
                (m.text_confidence = m.confidence or m.method = 'hinted') as band_lifted_only_by_a_hint,
                -- hinted candidates, and only they, say who named the occupation
                coalesce(m.hint_source in ('inventory', 'overrides'), false) = (m.method = 'hinted')
                    as hint_source_names_who_named_it
            from marts.inventory_task_matches as m
            window by_rank as (partition by m.inventory_task_id order by m.rank)
            """,
            [
                unique("inventory_task_id", "rank"),
                unique("inventory_task_id", "onet_task_id"),
                in_set("confidence", ["high", "medium", "low", "none"]),
                in_set("method", ["override", "explicit", "hinted", "text"]),
                between("score", 0, 1.000001),
                between("rank", 1, None),
                true("candidate_resolves"),
                true("ranked_by_ranking_score"),
                true("task_exists"),
                true("priors_consistent"),
                true("band_lifted_only_by_a_hint"),
                true("hint_source_names_who_named_it"),
            ],
            row_id_columns=["inventory_task_id", "rank"],
        ),
    ],
}

GX_CHECKS = [gx_asset_check(list(key), suite) for key, suites in SUITES.items() for suite in suites]


def _overrides_flagged(con) -> tuple[bool, dict]:
    rows = con.execute(
        "select source_file, source_row, inventory_task_id, action, onet_task_id, status, detail, onet_soc_code "
        "from staging.inventory_overrides where status <> 'ok' or detail is not null order by source_row"
    ).fetchall()
    # applied lines with a warning to read: a pin outside the task's occupation, a title read as a code,
    # a status coverage leaves out
    by_kind = Counter("applied_with_a_warning" if r[5] == "ok" else r[5] for r in rows)
    return not rows, {
        "lines_flagged": MetadataValue.int(len(rows)),
        "by_kind": MetadataValue.json(dict(sorted(by_kind.items()))),
        "overrides_file": MetadataValue.text(rows[0][0] if rows else ""),
        # markdown, above the lines: the command line prints markdown only, and "line 2" of which file
        "file": MetadataValue.md(f"in {rows[0][0]}:" if rows else "none"),
        "lines": MetadataValue.md("\n".join(_line(r) for r in rows[:FLAGGED_SHOWN]) or "none"),
    }


every_override_applied = warning_check(
    AssetKey(["staging", "inventory_overrides"]),
    "inventory_overrides__every_decision_applied_as_written",
    "Warns with every overrides line not applied as written (stale, duplicate, conflicting) and every one "
    "applied with a warning (a pin or occupation outside the occupation its task names, a title read as a "
    "code, a task coverage leaves out), with file, line, status and detail.",
    _overrides_flagged,
)


def _line(row: tuple) -> str:
    _, line, task, action, onet_task_id, status, detail, code = row
    target = code if action == "occupation" else "every candidate" if onet_task_id is None else onet_task_id
    text = f"- line {line}: {action} {target} for {task}: **{status}**: {detail}"
    return text.replace("\n", " ")


INVENTORY_CHECKS = [*GX_CHECKS, every_override_applied, published_decisions_unchanged, *ROW_WARNINGS]

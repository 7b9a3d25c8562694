"""Inventory assets: ingest every inventory file, read the overrides, map tasks onto O*NET.

- staging.inventory_tasks / inventory_quarantine / inventory_files come from one read of the
  directory (one multi-asset), so the per-file counts always describe the two tables beside them;
- staging.inventory_overrides is the human decisions file, re-read on every refresh;
- marts.inventory_task_matches is the top-k O*NET candidates per task (see sql/marts/).
"""

from pathlib import Path

import polars as pl
from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    MaterializeResult,
    MetadataValue,
    asset,
    multi_asset,
)
from dagster_duckdb import DuckDBResource

from assets.common.inputs import read_files_metadata, sha256_if_present
from assets.common.pools import WORK_DB_POOL
from assets.common.results import table_result
from assets.common.sql_models import load_model
from assets.common.warehouse import build_sql_model, has_table, replace_table_from_frame
from assets.inventory.band_check import BANDS_CHECK, BANDS_DESCRIPTION, bands_check_result
from assets.inventory.config import InventorySettings
from assets.inventory.ingest import ingest_directory
from assets.inventory.inventory_files import is_reserved
from assets.inventory.matching.corpus import load_corpus
from assets.inventory.matching.match import CANDIDATE_SCHEMA, QueryTask, match_tasks
from assets.inventory.matching.matchers import make_matcher
from assets.inventory.matching.technology import load_technology
from assets.inventory.occupation_codes import OnetLookup
from assets.inventory.overrides import (
    STATUSES,
    check_sheet_occupations,
    check_sheet_titles,
    locate_overrides,
    named_onet_tasks,
    overrides_location,
    read_overrides,
    resolve_occupations,
)
from assets.inventory.shared_sentences import SHARED, boilerplate_sentences, inventory_shared_sentences
from assets.inventory.thresholds import (
    domain_bonus_for,
    technology_bonus_for,
    thresholds_for,
    unrelated_threshold_for,
)
from assets.inventory.vanished import refuse_a_vanished_inventory
from orchestration.resources import TaskvalueSettings

STAGING = "staging"
MARTS = "marts"
TASKS = AssetKey(["staging", "inventory_tasks"])
QUARANTINE = AssetKey(["staging", "inventory_quarantine"])
FILES = AssetKey(["staging", "inventory_files"])
OVERRIDES = AssetKey(["staging", "inventory_overrides"])
MATCHES = AssetKey(["marts", "inventory_task_matches"])
REJECTS_CHECK = "inventory_task_matches__every_reject_removed_a_candidate"
# the inventory's `domain` names resolved to configured domains and their SOC/O*NET code rules
DOMAIN_CONFIG = [
    AssetKey(["int", t]) for t in ("domain_definitions", "domain_aliases", "domain_unmapped_names")
]
DOMAINS = [*DOMAIN_CONFIG, AssetKey(["int", "domain_inventory_names"])]
ONET = [AssetKey(["staging", t]) for t in ("onet_task_statements", "onet_occupations", "soc_structure")]

TASK_DOCS = {
    "task_id": "Inventory task ID as written (unique: duplicates are quarantined).",
    "title": "Short title of the task.",
    "description": "The task prompt or description, verbatim (formula-like text is kept as is).",
    "domain": "Domain the team files the task under.",
    "environment": "Environment or harness the task runs in.",
    "status": "Lifecycle status as written (e.g. active, draft, retired).",
    "instances": "Number of instances or variants of the task.",
    "onet_task_id": "O*NET Task ID the team linked explicitly (wins over text matching when known).",
    "onet_soc_code": "O*NET-SOC or SOC code hint (any level), normalised; or the code of an occupation named by title.",
    "occupation_hint": "Occupation as written when it was a title rather than a code.",
    "owner": "Owner, team or author.",
    "tags": "Tags, split on , ; or |.",
    "created_at": "Creation date/time (UTC when a zone was given; US month/day order for 03/01/2025).",
    "onet_task_id_known": "Whether O*NET has onet_task_id (null when none given). Unknown IDs are kept, not matched on.",
    "onet_soc_code_known": "Whether the code or occupation hint names O*NET occupations with tasks (null when none given).",
    "flags": "Warnings about this row that did not stop it being accepted (unknown codes).",
    "extra_fields": "Columns the format does not define, as JSON, so nothing is lost.",
    "source_file": "File the row was read from, relative to the inventory directory.",
    "source_sheet": "Sheet name for XLSX files.",
    "source_row": "Line (CSV/TSV/JSONL; header = 1), sheet row (XLSX) or 1-based record (JSON, Parquet).",
    "content_hash": "sha256 of the task's fields other than task_id and provenance.",
    "text_hash": "First 12 hex digits of the sha256 of title and description, whitespace collapsed: the "
    "work the task describes. An overrides line quoting it applies only while the task still hashes so.",
}
QUARANTINE_DOCS = {
    "source_file": "File the row was read from, relative to the inventory directory.",
    "source_sheet": "Sheet name for XLSX files.",
    "source_row": "Where the row is (as in inventory_tasks); null when the whole file could not be read.",
    "task_id": "The row's task_id, when it had one.",
    "reason": "First reason: missing_id, no_text, duplicate_task_id, unparseable_value, malformed_csv, "
    "repeated_header, unrecognized_header, ragged_row, malformed_json, not_an_object, unsupported_file, "
    "unreadable_file.",
    "detail": "Every reason with details (duplicates name all places that carry the ID).",
    "raw_record": "The record as read, as JSON, so it can be fixed and reloaded.",
}
FILE_DOCS = {
    "source_file": "File path relative to the inventory directory.",
    "file_type": "csv, tsv, xlsx, json, jsonl or parquet (null: unsupported); a .txt is csv or tsv by its "
    "delimiter.",
    "encoding": "Text encoding detected: utf-8, cp1252, mixed utf-8/cp1252 (decoded line by line), utf-16/32, "
    "or utf-16-le/be (no byte-order mark).",
    "bytes": "File size.",
    "modified_at": "File modification time (UTC).",
    "sha256": "sha256 of the file.",
    "status": "loaded, skipped (reserved name, or a second name (link) of a file read under its real name), "
    "unsupported or unreadable.",
    "rows_read": "Records read from the file (blank lines are not records).",
    "rows_accepted": "Records accepted into staging.inventory_tasks.",
    "rows_quarantined": "Records in staging.inventory_quarantine (rows_read = accepted + quarantined).",
    "rows_skipped": "Rows of parts not read as tasks (hidden, header-less or lookup sheets; other lists of a "
    "JSON object), each part named in notes with '[N rows not read]'.",
    "notes": "Sheets read, parts not read with their row counts, links, missing columns, or why the file was "
    "not read.",
}


def onet_lookup(con) -> OnetLookup:
    task_occupations = dict(
        con.execute("select task_id, onet_soc_code from staging.onet_task_statements").fetchall()
    )
    task_ids = set(task_occupations)
    codes = {
        r[0]
        for r in con.execute("select distinct onet_soc_code from staging.onet_task_statements").fetchall()
    }
    titles: dict[str, str] = {}
    names: dict[str, str] = {}
    # SOC titles first, then O*NET titles, so an O*NET title wins when both spell the same words.
    for title, code in [
        *con.execute(
            "select soc_title, soc_code from staging.soc_structure where soc_title is not null"
        ).fetchall(),
        *con.execute("select title, onet_soc_code from staging.onet_occupations").fetchall(),
    ]:
        titles[title.strip().lower()] = code
        names[title.strip().lower()] = title.strip()
    return OnetLookup(
        task_ids=task_ids,
        task_occupations=task_occupations,
        soc_codes=codes,
        titles=titles,
        title_names=names,
    )


@multi_asset(
    pool=WORK_DB_POOL,
    specs=[
        AssetSpec(
            TASKS,
            deps=ONET,
            group_name=STAGING,
            kinds={"polars", "duckdb"},
            description=(
                "Accepted inventory tasks: one row per task, with source file, row and content hash."
            ),
        ),
        AssetSpec(
            QUARANTINE,
            deps=ONET,
            group_name=STAGING,
            kinds={"polars", "duckdb"},
            description=("Inventory rows not accepted, with file, row, reason and the raw record."),
        ),
        AssetSpec(
            FILES,
            deps=ONET,
            group_name=STAGING,
            kinds={"polars", "duckdb"},
            description=(
                "One row per file in the inventory directory: type, encoding, sha256, rows read/accepted/quarantined."
            ),
        ),
    ],
)
def inventory_ingest(context: AssetExecutionContext, settings: TaskvalueSettings, duckdb: DuckDBResource):
    """Read every file in the inventory directory; accept, quarantine and count every row."""
    directory = settings.inventory
    with duckdb.get_connection() as con:
        result = ingest_directory(directory, onet_lookup(con))
        refuse_a_vanished_inventory(
            directory, result.tasks.height, result.files, settings.warehouse, settings.inventory_allow_empty
        )
        for key, frame, docs in (
            (TASKS, result.tasks, TASK_DOCS),
            (QUARANTINE, result.quarantine, QUARANTINE_DOCS),
            (FILES, result.files, FILE_DOCS),
        ):
            qualified = ".".join(key.path)
            spec_doc = inventory_ingest.specs_by_key[key].description or ""
            replace_table_from_frame(con, qualified, frame, table_doc=spec_doc, column_docs=docs)
        n_q = result.quarantine.height
        if n_q:
            context.log.warning(f"{n_q} inventory row(s) quarantined: see staging.inventory_quarantine")
        extra = {"inventory_dir": MetadataValue.path(str(directory))}
        yield MaterializeResult(
            asset_key=TASKS, **_result(con, "staging.inventory_tasks", "source_file, source_row", extra)
        )
        yield MaterializeResult(
            asset_key=QUARANTINE,
            **_result(con, "staging.inventory_quarantine", "source_file, source_row", extra),
        )
        read = read_files_metadata(
            {
                directory / name: sha
                for name, sha in result.files.select("source_file", "sha256").iter_rows()
                if not is_reserved(Path(name))  # what the sensor watches of the directory's files
            }
        )
        yield MaterializeResult(
            asset_key=FILES, **_result(con, "staging.inventory_files", "source_file", extra | read)
        )


def _result(con, qualified: str, order_by: str, extra: dict) -> dict:
    return {"metadata": table_result(con, qualified, order_by=order_by, extra=extra).metadata}


def configured_overrides(settings: TaskvalueSettings, inv: InventorySettings) -> Path | None:
    """TASKVALUE_INVENTORY_OVERRIDES as a path; None when unset (`_overrides.csv` in the directory)."""
    return settings.path(inv.overrides_path) if inv.overrides_path else None


def overrides_path(settings: TaskvalueSettings, inv: InventorySettings) -> Path:
    return overrides_location(settings.inventory, configured_overrides(settings, inv))[0]


@asset(
    pool=WORK_DB_POOL,
    key=OVERRIDES,
    deps=[
        TASKS,
        QUARANTINE,
        AssetKey(["staging", "onet_task_statements"]),
        AssetKey(["staging", "onet_occupations"]),  # an occupation decision's title
        AssetKey(["staging", "soc_structure"]),
    ],
    group_name=STAGING,
    kinds={"duckdb", "sql"},
    description=load_model("staging", "inventory_overrides").description,  # the table comment's text
    required_resource_keys={"settings", "inventory_settings", "duckdb", "coverage_settings"},
)
def inventory_overrides(context: AssetExecutionContext) -> MaterializeResult:
    """Human pins and rejections of matches, from the overrides file, with whether each applies."""
    # resources by key: coverage_settings' class lives in assets.coverage, which imports this module
    # (a typed parameter would need it imported here), and Dagster takes keys or parameters, not both
    res = context.resources
    settings: TaskvalueSettings = res.settings
    inventory_settings: InventorySettings = res.inventory_settings
    duckdb: DuckDBResource = res.duckdb
    coverage_settings = res.coverage_settings
    # a configured file that is missing, or decisions in a file that would not be read, stop here
    path = locate_overrides(settings.inventory, configured_overrides(settings, inventory_settings))
    sha = sha256_if_present(path)  # hashed before the read: a file changed meanwhile reads as changed
    frame = read_overrides(path)
    model = load_model("staging", "inventory_overrides")
    with duckdb.get_connection() as con:
        # 'Software Developers' read as its code; a title typed over a worksheet row's one checked
        if frame["occupation_written"].is_not_null().any() or (frame["action"] == "occupation").any():
            lookup = onet_lookup(con)
            frame = resolve_occupations(path, frame, lookup)
            check_sheet_titles(path, frame, lookup, lookup.task_occupations)
        named = named_onet_tasks(frame)
        if named:  # pin and reject lines naming an occupation (a worksheet's rows): it must be their task's
            occupation_of = dict(
                con.execute(
                    "select task_id, onet_soc_code from staging.onet_task_statements "
                    "where list_contains(?, task_id)",
                    [named],
                ).fetchall()
            )
            check_sheet_occupations(path, frame, occupation_of)
        con.register("inventory_overrides_frame", frame.to_arrow())
        try:
            statuses = coverage_settings.coverage_params()["excluded_statuses"]
            build_sql_model(con, model, {"excluded_statuses": statuses})
        finally:
            con.unregister("inventory_overrides_frame")
        found = dict(con.execute(f"select status, count(*) from {model.qualified} group by 1").fetchall())
        counts = {status: int(found.pop(status, 0)) for status in STATUSES} | found
        flagged = con.execute(
            f"select count(*) from {model.qualified} where status <> 'ok' or detail is not null"
        ).fetchone()[0]
        if flagged:
            # an applied line with a detail (read from a title, outside the inventory's occupation) is
            # applied: say the two apart
            not_applied = sum(n for status, n in counts.items() if status != "ok")
            told = [f"{not_applied} override line(s) not applied"] if not_applied else []
            told += (
                [f"{flagged - not_applied} applied with a detail to read"] if flagged > not_applied else []
            )
            context.log.warning(
                f"{', '.join(told)} ({counts}): see staging.inventory_overrides (status, detail) and the check "
                "inventory_overrides__every_decision_applied_as_written"
            )
        shown = path or overrides_path(settings, inventory_settings)
        read = read_files_metadata({shown: sha})
        return table_result(
            con,
            model.qualified,
            order_by="source_row",
            extra={
                "overrides_file": MetadataValue.path(str(shown)),
                "overrides_file_present": MetadataValue.bool(path is not None),
                "status_counts": MetadataValue.json(counts),
                **{f"status_{k}": MetadataValue.int(int(v)) for k, v in counts.items()},
                "lines_flagged": MetadataValue.int(int(flagged)),
                **read,
            },
        )


# A sector domain has no code rules: its prior is its characteristic occupations, those the sector
# employs at least its share of, as the grounding judges a task that claims it. (A selection that
# matches without the value model built has no int.domain_members: no sector prior then.)
SECTOR_CODES = """
    union all
    select n.inventory_domain, list(distinct m.onet_soc_code order by m.onet_soc_code)
    from int.domain_inventory_names as n
    inner join int.domain_members as m on m.domain_id = n.domain_id and m.is_characteristic
    where n.domain_id in (select domain_id from int.domain_definitions where rule_type = 'naics')
    group by n.inventory_domain
"""


# a reviewer's `occupation` decision replaces the inventory's own hint (none in a warehouse that has
# no overrides table: a selection that matches without it)
DECIDED_OCCUPATIONS = """
    select inventory_task_id, any_value(onet_soc_code) as soc_code
    from staging.inventory_overrides
    where action = 'occupation' and status = 'ok'
    group by 1
"""
NO_DECISIONS = "select null::varchar as inventory_task_id, null::varchar as soc_code where false"


def query_tasks(con) -> list[QueryTask]:
    sectors = SECTOR_CODES if has_table(con, "int", "domain_members") else ""
    decided = DECIDED_OCCUPATIONS if has_table(con, "staging", "inventory_overrides") else NO_DECISIONS
    rows = con.execute(
        f"""
        with domain_codes as (  -- the code rules of the configured domain each inventory name maps to
            select n.inventory_domain, list(distinct d.rule_value order by d.rule_value) as prefixes
            from int.domain_inventory_names as n
            inner join int.domain_definitions as d on d.domain_id = n.domain_id
            where d.rule_type in ('soc_prefix', 'soc_code', 'onet_code')
            group by n.inventory_domain
            {sectors}
        ),
        decided as ({decided})
        select t.task_id, t.title, t.description,
            case when t.onet_task_id_known then t.onet_task_id end as onet_task_id,
            coalesce(o.soc_code, case when t.onet_soc_code_known then t.onet_soc_code end) as soc_code,
            -- an occupation named in words, or by a code without O*NET tasks (23-2099): its words
            -- join the query, since it cannot narrow the candidates
            case
                when o.soc_code is not null then null
                when t.onet_soc_code is null then t.occupation_hint
                when not coalesce(t.onet_soc_code_known, false)
                    then coalesce(t.occupation_hint, (
                        select s.soc_title from staging.soc_structure as s
                        where s.soc_code = left(t.onet_soc_code, 7)
                    ))
            end as hint_text,
            o.soc_code is not null as occupation_decided,
            coalesce(c.prefixes, []) as domain_prefixes
        from staging.inventory_tasks as t
        left join domain_codes as c on c.inventory_domain = coalesce(trim(t.domain), '')
        left join decided as o on o.inventory_task_id = t.task_id
        order by t.task_id
        """
    ).fetchall()
    return [QueryTask(*r[:6], occupation_decided=r[6], domain_prefixes=tuple(r[7])) for r in rows]


@asset(
    pool=WORK_DB_POOL,
    key=MATCHES,
    deps=[
        TASKS,
        SHARED,  # the boilerplate to drop
        OVERRIDES,
        *ONET,
        AssetKey(["staging", "onet_tasks_to_dwas"]),
        AssetKey(["staging", "onet_dwa_reference"]),
        AssetKey(["staging", "onet_technology_skills"]),  # the technology prior
        *DOMAINS,
        AssetKey(["int", "domain_members"]),  # a sector domain's prior: its characteristic occupations
    ],
    group_name=MARTS,
    kinds={"python", "duckdb", "sql"},
    description=load_model("marts", "inventory_task_matches").description,  # the table comment's text
    check_specs=[
        AssetCheckSpec(
            REJECTS_CHECK,
            asset=MATCHES,
            blocking=False,
            description="Warns with every `reject` line of the overrides file that removed nothing: its O*NET "
            "task was not among the task's candidates (text candidates show one statement per "
            "occupation, so the occupation may still be listed through another statement).",
        ),
        AssetCheckSpec(BANDS_CHECK, asset=MATCHES, blocking=True, description=BANDS_DESCRIPTION),
    ],
)
def inventory_task_matches(
    context: AssetExecutionContext,
    settings: TaskvalueSettings,
    inventory_settings: InventorySettings,
    duckdb: DuckDBResource,
) -> MaterializeResult:
    """Top-k O*NET task candidates per inventory task, with score, occupation, confidence and method."""
    inv = inventory_settings
    matcher = make_matcher(
        inv.matcher, embedding_model=inv.embedding_model, cache_dir=settings.cache / "embeddings"
    )
    high, medium, low = thresholds_for(inv)
    unrelated = unrelated_threshold_for(inv)
    bonus = domain_bonus_for(inv)
    technology_bonus = technology_bonus_for(inv)
    with duckdb.get_connection() as con:
        tasks = query_tasks(con)
        rejections = con.execute(
            "select coalesce(max(n), 0) from (select count(*) as n from staging.inventory_overrides "
            "where action = 'reject' and status = 'ok' group by inventory_task_id)"
        ).fetchall()[0][0]
        candidates = pl.DataFrame(schema=CANDIDATE_SCHEMA)
        if tasks:
            corpus = load_corpus(con)
            matcher.fit_corpus(corpus)
            # Rejected candidates are dropped after matching, so ask for enough to still fill top_k.
            common = boilerplate_sentences(con, inv.boilerplate_share, context.log.warning)
            technology = load_technology(con, corpus, context.log.warning) if technology_bonus > 0 else None
            candidates = match_tasks(
                matcher,
                corpus,
                tasks,
                inv.top_k + int(rejections),
                bonus,
                common,
                inv.boilerplate_share,
                technology,
                technology_bonus,
            )
        del tasks  # the build needs only the candidates (a million tasks' texts: 0.6 GB)
        model = load_model("marts", "inventory_task_matches")
        con.register("inventory_match_candidates", candidates.to_arrow())
        try:
            build_sql_model(
                con,
                model,
                {
                    "top_k": inv.top_k,
                    "high": high,
                    "medium": medium,
                    "low": low,
                    "unrelated": unrelated,
                    "matcher": matcher.name,
                },
            )
            idle = rejects_without_effect(con)
        finally:
            con.unregister("inventory_match_candidates")
        for line in idle:
            context.log.warning(line)
        bands_check = bands_check_result(con, high, medium, low, unrelated)
        bands = con.execute(
            "select confidence, count(*) from marts.inventory_task_matches where rank = 1 group by 1 order by 1"
        ).fetchall()
        context.log.info(f"rank-1 confidence bands: {dict(bands)}")
        result = table_result(
            con,
            model.qualified,
            order_by="inventory_task_id, rank",
            extra={
                "matcher": MetadataValue.text(matcher.name),
                "thresholds": MetadataValue.json(
                    {"high": high, "medium": medium, "low": low, "unrelated": unrelated}
                ),
                "domain_bonus": MetadataValue.float(bonus),
                "technology_bonus": MetadataValue.float(technology_bonus),
                "rank1_confidence": MetadataValue.json({k: int(v) for k, v in bands}),
            },
        )
    check = AssetCheckResult(
        check_name=REJECTS_CHECK,
        passed=not idle,
        severity=AssetCheckSeverity.WARN,
        metadata={
            "rejects_without_effect": MetadataValue.int(len(idle)),
            "lines": MetadataValue.md("\n".join(f"- {line}" for line in idle[:100]) or "none"),
        },
    )
    return MaterializeResult(metadata=result.metadata, check_results=[check, bands_check])


def rejects_without_effect(con) -> list[str]:
    """`reject` lines (status ok) whose O*NET task was not a candidate of their task: they change
    nothing now, and would not notice the occupation coming back through another statement."""
    rows = con.execute(
        """
        with idle as (
            select o.source_row, o.inventory_task_id, o.onet_task_id, s.onet_soc_code
            from staging.inventory_overrides as o
            left join staging.onet_task_statements as s on s.task_id = o.onet_task_id
            where o.action = 'reject' and o.status = 'ok' and o.onet_task_id is not null
                and not exists (
                    select 1 from inventory_match_candidates as c
                    where c.inventory_task_id = o.inventory_task_id and c.onet_task_id = o.onet_task_id
                )
        )
        select
            i.source_row,
            i.inventory_task_id,
            i.onet_task_id,
            string_agg(distinct m.onet_task_id::varchar, ', ' order by m.onet_task_id::varchar),
            any_value(m.occupation_title)
        from idle as i
        left join marts.inventory_task_matches as m
            on m.inventory_task_id = i.inventory_task_id and m.onet_soc_code = i.onet_soc_code
        group by all
        order by i.source_row
        """
    ).fetchall()
    lines = []
    for line, task, rejected, shown, title in rows:
        text = (
            f"overrides line {line}: reject {rejected} for {task} removed nothing: {rejected} was not among "
            "its candidates"
        )
        if shown is not None:
            text += (
                f"; its occupation ({title}) is still listed through statement {shown}: reject that one, "
                "or pin the right task"
            )
        lines.append(text)
    return lines


INVENTORY_ASSETS = [inventory_ingest, inventory_overrides, inventory_shared_sentences, inventory_task_matches]

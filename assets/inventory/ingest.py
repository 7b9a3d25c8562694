"""Validate every inventory file into accepted tasks, quarantined rows and a per-file count.

Rules (documented in the README, "Task inventories"):
- a row needs a task_id and a non-blank title or description;
- instances and onet_task_id must be whole numbers, created_at a date; otherwise `unparseable_value`;
- a task_id that occurs more than once, in one file or across files, quarantines EVERY row that
  carries it (reason `duplicate_task_id`, detail naming all places): none is kept silently. Rows
  without text are no task: when only one row with the ID has text, it is kept and flagged, and the
  text-less ones are quarantined (no_text) naming it;
- an onet_task_id or SOC code that O*NET does not know is flagged and the row is kept;
- every record read is either accepted or quarantined, so rows_read = accepted + quarantined per file;
  a header naming no task_id/title/description quarantines every line (`unrecognized_header`),
  the first included, since without a header it is a task;
- parts of a file that are not task tables (a hidden or lookup sheet, other lists of a JSON object)
  are not read, but counted in rows_skipped and named in the notes with "[N rows not read]";
- a file listed under two names (a file link) is read once; an unexpected error in one file makes
  that file `unreadable` with the error, never the whole ingest fail.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from stat import S_ISREG
from typing import Any

import polars as pl

from assets.common.decoding import UnreadableFile
from assets.common.errors import SourceFormatError
from assets.common.inputs import sha256_of
from assets.inventory.cell_values import (
    Unparseable,
    as_text,
    is_missing,
    names_tags,
    parse_datetime,
    parse_int,
    parse_tags,
    person_text,
    task_id_text,
    text_field,
    without_format_characters,
)
from assets.inventory.chat import chat_text
from assets.inventory.inventory_files import (
    inventory_files,
    is_reserved,
    require_inventory_dir,
    reserved_note,
    second_names,
)
from assets.inventory.object_text import object_note, object_text
from assets.inventory.occupation_codes import (
    CODE_LIKE,
    OnetLookup,
    soc_code,
    soc_prefixes,
)
from assets.inventory.raw_records import FileRead, RawRecord, dumps, json_safe
from assets.inventory.readers import file_type, read_file
from assets.inventory.schema import (
    CHAT_COLUMNS,
    FIELDS,
    KEY_FIELDS,
    MAYBE_DOMAIN_COLUMNS,
    TEXT_FIELDS,
    accepted_names,
    canonical,
    field_names,
    map_header,
    normalize_header,
)

HASHED_FIELDS = tuple(f for f in FIELDS if f != "task_id")


_UNFLAGGED_NESTED = frozenset({"task_id", "title", "description", "owner"})


@dataclass
class Row:
    """One record on its way to accepted or quarantined."""

    file: str
    row: int
    sheet: str | None
    raw: dict[str, Any]
    values: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    reasons: list[tuple[str, str]] = field(default_factory=list)  # (reason, detail)
    flags: list[str] = field(default_factory=list)
    # the ID a malformed JSON record names, only to say in the quarantine which task it was: no task,
    # so never counted as a duplicate of one
    named_id: str | None = None


@lru_cache(maxsize=1024)
def _record_mapping(keys: tuple[str, ...]) -> dict[str, str]:
    return map_header(list(keys))


def validate_record(
    file: str,
    rec: RawRecord,
    mapping: dict[str, str],
    onet: OnetLookup,
    header_problem: str | None = None,
) -> Row:
    """One record -> a Row with its values, flags and quarantine reasons (none: accepted).
    `header_problem`: the file's header names no task_id/title/description, so no row is a task."""
    cells = dict(rec.cells)
    row = Row(file, rec.row, rec.sheet, rec.cells, flags=list(rec.flags))
    if header_problem and rec.problem != "unrecognized_header":
        row.reasons.append(("unrecognized_header", header_problem))
    if rec.problem:
        row.reasons.append((rec.problem, rec.detail))
        if rec.problem == "malformed_json" and "_line" not in cells:  # a record read, with a repeated key
            row.named_id = _readable_id(cells)
        return row
    if header_problem:
        return row
    record = not mapping
    if record:  # JSON and Parquet records carry their own keys
        mapping = _record_mapping(tuple(str(k) for k in cells))
    by_field: dict[str, Any] = {}
    for key, value in cells.items():
        target = mapping.get(str(key))
        if target is None:
            if not is_missing(value):
                row.extra[str(key)] = value
            continue
        by_field[target] = value
        if target in TEXT_FIELDS and (chat := chat_text(value, str(key))) is not None:
            row.extra[str(key)] = value  # the messages as given; the text field holds their text
            by_field[target] = chat.text
            row.flags.append(f"{target}: {chat.note}")
        elif target in TEXT_FIELDS and (text := object_text(value)) is not None:
            row.extra[str(key)] = value
            by_field[target] = text
            row.flags.append(f"{target}: {object_note(value)}")
    if is_missing(by_field.get("description")):  # a `messages` column: read only when it holds a chat
        for key, value in list(row.extra.items()):
            if normalize_header(key) in CHAT_COLUMNS and (chat := chat_text(value, key)) is not None:
                by_field["description"] = chat.text
                row.flags.append(f"description: {chat.note}")
                break
    if not set(by_field) & set(KEY_FIELDS):  # a JSON record whose keys name no inventory field
        keys = ", ".join(repr(str(k)) for k in list(cells)[:12])
        row.reasons.append(
            (
                "unrecognized_header",
                f"no key names task_id, title or description (keys: {keys or 'none'}){_nested_hint(_nested(cells))}. "
                f"Accepted names: {accepted_names()}",
            )
        )
        return row
    v = row.values
    try:
        v["task_id"] = task_id_text(by_field.get("task_id"))
    except Unparseable as exc:
        v["task_id"] = None
        row.reasons.append(("unparseable_value", f"task_id: cannot read {str(exc)[:200]}"))
    written = as_text(by_field.get("task_id"), strip=False) if v["task_id"] is not None else None
    if written is not None and written != v["task_id"] and not re.fullmatch(r"\d+\.0", written.strip()):
        what = "surrounding spaces" if written.strip() == v["task_id"] else "invisible characters"
        row.flags.append(f"task_id {written!r} read as {v['task_id']!r} ({what} dropped)")
    v["title"] = text_field("title", by_field.get("title"), row.flags)
    v["description"] = text_field("description", by_field.get("description"), row.flags, strip=False)
    for name in ("domain", "environment", "status"):
        v[name] = text_field(name, by_field.get(name), row.flags)
    v["owner"] = text_field("owner", person_text(by_field.get("owner")), row.flags)
    v["tags"] = parse_tags(by_field.get("tags"))
    # Jira writes one `Labels` column per label: every tags column adds its tags (the others stay in
    # extra_fields as given)
    for key in [k for k in row.extra if names_tags(k) and not isinstance(row.extra[k], dict)]:
        more = parse_tags(row.extra[key]) or []
        v["tags"] = list(dict.fromkeys([*(v["tags"] or []), *more])) or None
    for name, parser in (
        ("instances", lambda x: parse_int(x)),
        ("onet_task_id", lambda x: parse_int(x, positive=True, thousands=False)),
        ("created_at", lambda x: parse_datetime(x, row.flags)),
    ):
        try:
            v[name] = parser(by_field.get(name))
        except Unparseable as exc:
            v[name] = None
            row.reasons.append(("unparseable_value", f"{name}: cannot read {str(exc)[:200]}"))
    _soc_hint(row, by_field.get("onet_soc_code"), onet)
    given = {f for f, value in by_field.items() if not is_missing(value)}
    nested = _nested_hint(_nested(cells, given))
    # no column for the field at all (a header in another language): say that, not "empty"
    absent = set(FIELDS) - set(mapping.values()) if not nested else set()
    if v["task_id"] is None and not any(r[1].startswith("task_id:") for r in row.reasons):
        why = (
            _no_column(("task_id",), cells, record) if "task_id" in absent else "no task_id (or alias) value"
        )
        row.reasons.insert(0, ("missing_id", f"{why}{nested}"))
    if all(v[t] is None for t in TEXT_FIELDS):
        # a chat-only `messages` key is the description's column even when no turn of it has text
        chat = next((str(k) for k in cells if normalize_header(str(k)) in CHAT_COLUMNS), None)
        why = (
            _no_column(TEXT_FIELDS, cells, record)
            if absent >= set(TEXT_FIELDS) and chat is None
            else f"neither title nor description has text (the description is read from {chat!r})"
            if absent >= set(TEXT_FIELDS)
            else "neither title nor description has text"
        )
        row.reasons.append(("no_text", f"{why}{nested}"))
    # a dataset's `metadata` struct holding the domain, read by no one (an accepted task has its ID
    # and text; a nested `name` or `team` is a person's, as in an `owner` object, not the task's)
    if not row.reasons and (found := _nested(cells, given | _UNFLAGGED_NESTED)):
        key, names = found
        them = "them" if len(names) > 1 else "it"
        row.flags.append(
            f"{', '.join(names)} nested under {key!r} not read: put {them} at the top level to use {them}"
        )
    if v["onet_task_id"] is not None and v["onet_task_id"] not in onet.task_ids:
        row.flags.append(f"unknown onet_task_id {v['onet_task_id']}")
    owner = onet.task_occupations.get(v["onet_task_id"])
    hint = v.get("onet_soc_code")
    if owner and hint and not owner.startswith(soc_prefixes(hint)):
        # the explicit link wins over the hint, as documented; the row contradicts itself, so say so
        row.flags.append(
            f"onet_task_id {v['onet_task_id']} is a task of {owner}, not of the occupation onet_soc_code "
            f"{hint} names: the onet_task_id is used; check the row"
        )
    return row


def _readable_id(cells: dict[str, Any]) -> str | None:
    """The task ID of a JSON record with a repeated key, when one key names it (a repeated ID key,
    kept as `id (2)`, is ambiguous: JSON keeps the last): so the quarantine row says which task it was."""
    bases = [re.sub(r" \(\d+\)$", "", str(k)) for k in cells]
    mapping = _record_mapping(tuple(bases))
    ids = [value for base, value in zip(bases, cells.values(), strict=True) if mapping.get(base) == "task_id"]
    if len(ids) != 1:
        return None
    try:
        return task_id_text(ids[0])
    except Unparseable:
        return None


def _no_column(fields: tuple[str, ...], cells: dict[str, Any], record: bool = False) -> str:
    """Why a row has no value for `fields`: no column is named for them (a header in another
    language, 'Ticket' for the ID), not an empty cell. A JSON record names its own keys: the file's
    other records may well have the field, so the message speaks of this record."""
    wanted = " or ".join(fields)
    names = "; ".join(f"{f} ({field_names(f)})" for f in fields)
    found = ", ".join(repr(str(k)) for k in list(cells)[:12])
    # an eval dataset published without IDs (GSM8K, MMLU): say what to add
    add = (
        "; add one, unique across all files (e.g. the dataset's name and the row number: gsm8k-1, gsm8k-2)"
        if fields == ("task_id",)
        else ""
    )
    if record:
        return f"this record has no key named {wanted} (its keys: {found or 'none'}; accepted names: {names}){add}"
    return f"no column is named {wanted} (columns: {found or 'none'}; accepted names: {names}){add}"


def _nested(cells: dict[str, Any], given: set[str] = frozenset()) -> tuple[str, list[str]] | None:
    """Where a record nests task fields one level down (Label Studio's `data`, Airtable's `fields`,
    a dataset's `metadata`): the key and the fields' names, which are not read from there. Fields the
    record gives at the top level do not count (an Asana `assignee` object's `name` is no title)."""
    for key, value in cells.items():
        if isinstance(value, dict):
            inner = [
                str(k)
                for k, v in value.items()
                if canonical(k) and canonical(k) not in given and not is_missing(v)
            ]
            if inner:
                return str(key), inner[:6]
    return None


def _nested_hint(nested: tuple[str, list[str]] | None) -> str:
    if nested is None:
        return ""
    key, names = nested
    return f"; the task fields are nested under {key!r} ({', '.join(names)}): put them at the top level of each record"


def _soc_hint(row: Row, value: Any, onet: OnetLookup) -> None:
    """onet_soc_code (or the `occupation` alias) holds a code or an occupation title."""
    text = text_field("onet_soc_code", value, row.flags)
    row.values["onet_soc_code"] = None
    row.values["occupation_hint"] = None
    if text is None:
        return
    code = soc_code(text)
    if code:
        row.values["onet_soc_code"] = code
        if code != text:
            row.flags.append(f"onet_soc_code {text!r} read as {code}")
        if not onet.soc_known(code):
            row.flags.append(f"unknown SOC code {code}")
        return
    row.values["occupation_hint"] = text
    if CODE_LIKE.match(text):
        row.flags.append(
            f"onet_soc_code {text!r} is not a SOC code (write 15-1252 or 15-1252.00); kept as written, "
            "not used to narrow the match"
        )
        return
    found, near = onet.title_index.read(text)
    if found is None:
        row.flags.append(
            f"occupation {text!r} matches no O*NET or SOC title; used as text only"
            + (f" (titles with its words: {'; '.join(near)})" if near else "")
        )
    else:
        code = found.code
        row.values["onet_soc_code"] = code
        if not found.exact:
            row.flags.append(f"occupation {text!r} read as {code} ({found.title})")
        if not onet.soc_known(code):  # a SOC title O*NET gives no tasks (an "All Other" residual)
            row.flags.append(
                f"occupation {text!r} is SOC {code}, which has no O*NET tasks; used as text only"
            )


TEXT_HASH_DIGITS = 12


def text_hash(title: str | None, description: str | None) -> str:
    """The work a task describes, as a short fingerprint: the first TEXT_HASH_DIGITS hex digits of the
    sha256 of its title and description, each in Unicode NFC, without invisible format characters
    (zero-width space, soft hyphen) and with its whitespace collapsed: a file re-saved with other line
    endings, trailing spaces or decomposed accents is the same task. The overrides file may quote
    it, so a decision stops applying when the task is rewritten."""

    def words(text: str | None) -> str:
        text = text or ""
        if not text.isascii():  # an ASCII text has no format character and is in NFC already
            text = without_format_characters(unicodedata.normalize("NFC", text))
        return " ".join(text.split())

    return hashlib.sha256(f"{words(title)}\n{words(description)}".encode()).hexdigest()[:TEXT_HASH_DIGITS]


def content_hash(values: dict[str, Any]) -> str:
    payload = {k: values.get(k) for k in HASHED_FIELDS}
    text = json.dumps(json_safe(payload), sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class IngestResult:
    tasks: pl.DataFrame
    quarantine: pl.DataFrame
    files: pl.DataFrame


TASK_SCHEMA = {
    "task_id": pl.String,
    "title": pl.String,
    "description": pl.String,
    "domain": pl.String,
    "environment": pl.String,
    "status": pl.String,
    "instances": pl.Int64,
    "onet_task_id": pl.Int64,
    "onet_soc_code": pl.String,
    "occupation_hint": pl.String,
    "owner": pl.String,
    "tags": pl.List(pl.String),
    "created_at": pl.Datetime("us"),
    "onet_task_id_known": pl.Boolean,
    "onet_soc_code_known": pl.Boolean,
    "flags": pl.String,
    "extra_fields": pl.String,
    "source_file": pl.String,
    "source_sheet": pl.String,
    "source_row": pl.Int64,
    "content_hash": pl.String,
    "text_hash": pl.String,
}
QUARANTINE_SCHEMA = {
    "source_file": pl.String,
    "source_sheet": pl.String,
    "source_row": pl.Int64,
    "task_id": pl.String,
    "reason": pl.String,
    "detail": pl.String,
    "raw_record": pl.String,
}
FILE_SCHEMA = {
    "source_file": pl.String,
    "file_type": pl.String,
    "encoding": pl.String,
    "bytes": pl.Int64,
    "modified_at": pl.Datetime("us"),
    "sha256": pl.String,
    "status": pl.String,
    "rows_read": pl.Int64,
    "rows_accepted": pl.Int64,
    "rows_quarantined": pl.Int64,
    "rows_skipped": pl.Int64,
    "notes": pl.String,
}


class ReviewSheetInInventory(SourceFormatError):
    """The review worksheet saved among the inventory files: read as tasks, its decisions would be lost."""


# the columns that make a file the review worksheet (marts.inventory_review), whatever its name
_REVIEW_SHEET_COLUMNS = {"inventory_task_id", "action", "row_kind", "review_order"}


def refuse_review_sheet(name: str, read: FileRead) -> None:
    """A filled-in review worksheet saved in the inventory directory under its export name (or as
    XLSX): read as an inventory, every row would be quarantined and every decision typed in lost with
    a green run."""
    first = read.header or (list(read.records[0].cells) if read.records else [])
    if {normalize_header(c) for c in first} >= _REVIEW_SHEET_COLUMNS:
        raise ReviewSheetInInventory(
            name,
            "this is the review worksheet (exports/inventory_review.csv), not inventory tasks: save it as CSV "
            "under the name _overrides.csv (its decisions are read from there), or move it out of the "
            "inventory directory",
        )


def ingest_directory(directory: Path, onet: OnetLookup) -> IngestResult:
    require_inventory_dir(directory)
    rows: list[Row] = []
    file_rows: list[dict[str, Any]] = []
    paths = inventory_files(directory)
    read_as, links = second_names(directory, paths)
    for path in paths:
        rel = path.relative_to(directory)
        name = rel.as_posix()
        info = {
            "source_file": name,
            "file_type": file_type(path),
            "encoding": None,
            "bytes": None,
            "modified_at": None,
            "sha256": None,
            "status": "loaded",
            "rows_read": 0,
            "rows_skipped": 0,
            "notes": "",
        }
        file_rows.append(info)
        if path in read_as:  # latest.csv -> 2026-11/tasks.csv: one file, read once
            info["status"] = "skipped"
            info["notes"] = f"the same file as {read_as[path]} (a link), read under that name"
            with contextlib.suppress(OSError):  # its content is the other name's (the sensor hashes it)
                info["sha256"] = sha256_of(path)
            continue
        try:  # a broken link, no permission, or removed since it was listed (an editor's lock file)
            stat = path.stat()
            if not S_ISREG(stat.st_mode):  # a FIFO would block the read, a device never end
                raise OSError(0, "not a regular file")
            data = path.read_bytes()
        except OSError as exc:
            if not is_reserved(rel):
                info["status"] = "unreadable"
                info["notes"] = f"cannot read the file: {exc.strerror or exc}"
            else:
                info["status"] = "skipped"
                info["notes"] = reserved_note(rel)
            continue
        info["bytes"] = stat.st_size
        info["modified_at"] = dt.datetime.fromtimestamp(stat.st_mtime, dt.UTC).replace(tzinfo=None)
        info["sha256"] = hashlib.sha256(data).hexdigest()
        if is_reserved(rel):
            info["status"] = "skipped"
            info["notes"] = reserved_note(rel)
            continue
        if info["file_type"] is None:
            info["status"] = "unsupported"
            info["notes"] = (
                f"unsupported file type {path.suffix!r}: use csv, tsv, xlsx, json, jsonl or parquet"
            )
            continue
        try:
            read = read_file(path)
            refuse_review_sheet(name, read)
            header_fields = map_header(read.header) if read.header else {}
            # XLSX sheets may have different headers: their records are mapped by their own keys
            mapping = header_fields if read.file_type != "xlsx" else {}
            validated = [
                validate_record(name, rec, mapping, onet, read.header_problem) for rec in read.records
            ]
        except ReviewSheetInInventory:
            raise  # decisions that would not be read stop the refresh, like a misplaced overrides file
        except UnreadableFile as exc:
            info["status"] = "unreadable"
            info["notes"] = str(exc)
            continue
        except OSError as exc:  # removed or locked between the two reads
            info["status"] = "unreadable"
            info["notes"] = f"cannot read the file: {exc.strerror or exc}"
            continue
        except Exception as exc:  # last resort: one odd file never aborts the whole ingest
            info["status"] = "unreadable"
            info["notes"] = f"unexpected error while reading the file ({type(exc).__name__}: {exc})"[:2000]
            continue
        rows.extend(validated)
        info["file_type"] = read.file_type  # a .txt is csv or tsv
        info["encoding"] = read.encoding
        info["rows_read"] = len(read.records)
        info["rows_skipped"] = read.skipped
        notes = [*read.notes, _missing_columns(header_fields, read) if not read.header_problem else ""]
        if path in links:
            notes.append(f"also linked as {', '.join(links[path])} (read once)")
        info["notes"] = "; ".join(n for n in notes if n)
    rows = _without_notion_views(rows, file_rows)
    _mark_duplicates(rows)
    return _frames(rows, file_rows, onet)


# Notion's database export writes the view as `Tasks <32 hex>.csv` and every property as
# `Tasks <32 hex>_all.csv` beside it: the same tasks twice, which would quarantine every one of them
# as a duplicate ID.
_NOTION_VIEW = re.compile(r"^(?P<stem>.+ [0-9a-f]{32})\.csv$")


def _without_notion_views(rows: list[Row], file_rows: list[dict[str, Any]]) -> list[Row]:
    """`rows` without those of a Notion view file that are tasks of its `_all.csv`: same ID, and the
    same title and description where the view has them (a view often hides the long prompt). A view
    row the full file lacks, or that disagrees with it, is read: its duplicate says where."""
    infos = {info["source_file"]: info for info in file_rows if info["status"] == "loaded"}
    dropped: set[int] = set()
    for name, info in infos.items():
        found = _NOTION_VIEW.match(name.rsplit("/", 1)[-1])
        full = name[: len(name) - len(".csv")] + "_all.csv" if found else None
        if full not in infos:
            continue
        texts: dict[str, list[tuple]] = defaultdict(list)
        for r in rows:
            if r.file == full and r.values.get("task_id") is not None:
                texts[r.values["task_id"]].append((r.values.get("title"), r.values.get("description")))
        same = [r for r in rows if r.file == name and _in_full_export(r, texts)]
        if not same:
            continue
        dropped |= {id(r) for r in same}
        count = len(same)
        info["rows_read"] -= count
        info["rows_skipped"] += count
        note = (
            f"Notion's view export of {full.rsplit('/', 1)[-1]!r}: {count} of its rows "
            f"{'is a task' if count == 1 else 'are tasks'} of that file, read there "
            f"[{count} row{'s' if count != 1 else ''} not read]"
        )
        info["notes"] = f"{note}; {info['notes']}" if info["notes"] else note
    return [r for r in rows if id(r) not in dropped] if dropped else rows


def _in_full_export(row: Row, texts: dict[str, list[tuple]]) -> bool:
    task_id = row.values.get("task_id")
    if task_id is None or task_id not in texts:
        return False
    title, description = row.values.get("title"), row.values.get("description")
    return any(
        (title is None or title == t) and (description is None or description == d) for t, d in texts[task_id]
    )


def _missing_columns(mapping: dict[str, str], read) -> str:
    if read.file_type in ("json", "jsonl"):
        # records carry their own keys: the first ones stand for the file
        keys = list(dict.fromkeys(str(k) for rec in read.records[:200] for k in rec.cells))
        return _component_note(keys, set(map_header(keys).values()))
    if not read.header:
        return ""
    fields = set(mapping.values())
    gaps = []
    if "task_id" not in fields:
        gaps.append("no task_id column (or alias id, key, ...)")
    if not fields & set(TEXT_FIELDS):
        gaps.append("no title or description column (or alias name, prompt, ...)")
    gaps.append(_component_note(read.header, fields))
    return "; ".join(g for g in gaps if g)


def _component_note(names: list[str], fields: set[str]) -> str:
    """Jira's `Component/s` beside no domain column: how to read it as the domain, if it is one."""
    maybe = [h for h in names if normalize_header(h) in MAYBE_DOMAIN_COLUMNS]
    if "domain" in fields or not maybe:
        return ""
    return (
        f"column {maybe[0]!r} is kept in extra_fields, not read as the domain: rename it to `domain` if it "
        "names the work's domain (as 'Data Science' does; a module such as 'Payments' does not)"
    )


def _mark_duplicates(rows: Iterable[Row]) -> None:
    places: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        task_id = row.values.get("task_id")
        if task_id is not None:
            places[task_id].append(row)
    for task_id, group in places.items():
        if len(group) < 2:
            continue
        where = "; ".join(_place(r) for r in group)
        tasks = [r for r in group if not any(reason == "no_text" for reason, _ in r.reasons)]
        if len(tasks) == 1:
            # one task, and rows with its ID but no text (a copy of the overrides file, a list of IDs):
            # those are no task, so they must not knock the task out; each side names the other
            (task,) = tasks
            # the task row may be quarantined for a reason of its own (an unparseable value)
            fate = (
                f"is quarantined too ({', '.join(sorted({reason for reason, _ in task.reasons}))})"
                if task.reasons
                else "was kept"
            )
            for r in group:
                if r is not task:
                    r.reasons.append(
                        (
                            "duplicate_task_id",
                            f"task_id {task_id!r} is also at {_place(task)}, which has text and {fate}",
                        )
                    )
            others = "; ".join(_place(r) for r in group if r is not task)
            task.flags.append(
                f"task_id {task_id!r} also occurs without text at {others} (quarantined: no_text)"
            )
            continue
        for r in group:
            r.reasons.append(("duplicate_task_id", f"task_id {task_id!r} occurs {len(group)} times: {where}"))
    # IDs stay case-sensitive (a platform may rely on it), but 'T-1' beside 't-1' is usually a typo
    by_fold: dict[str, list[str]] = defaultdict(list)
    for task_id in places:
        by_fold[task_id.casefold()].append(task_id)
    for variants in by_fold.values():
        if len(variants) < 2:
            continue
        for task_id in variants:
            others = "; ".join(
                f"{other!r} ({', '.join(_place(r) for r in places[other])})"
                for other in variants
                if other != task_id
            )
            for r in places[task_id]:
                r.flags.append(f"task_id {task_id!r} differs only in letter case from {others}")


def _place(row: Row) -> str:
    return f"{row.file}{f' [{row.sheet}]' if row.sheet else ''} row {row.row}"


def _frames(rows: list[Row], file_rows: list[dict[str, Any]], onet: OnetLookup) -> IngestResult:
    accepted, quarantined = [], []
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r in rows:
        if r.reasons:
            counts[r.file][1] += 1
            quarantined.append(
                {
                    "source_file": r.file,
                    "source_sheet": r.sheet,
                    "source_row": r.row,
                    "task_id": r.values.get("task_id") or r.named_id,
                    "reason": r.reasons[0][0],
                    "detail": " | ".join(
                        [f"{reason}: {detail}" for reason, detail in r.reasons]
                        + [f"flag: {f}" for f in r.flags]
                    ),
                    "raw_record": dumps(r.raw),
                }
            )
            continue
        counts[r.file][0] += 1
        v = r.values
        accepted.append(
            {
                **{k: v.get(k) for k in TASK_SCHEMA if k in v},
                "onet_task_id_known": None
                if v["onet_task_id"] is None
                else v["onet_task_id"] in onet.task_ids,
                "onet_soc_code_known": (
                    None
                    if v["onet_soc_code"] is None and v["occupation_hint"] is None
                    else v["onet_soc_code"] is not None and onet.soc_known(v["onet_soc_code"])
                ),
                "flags": "; ".join(r.flags) or None,
                "extra_fields": dumps(r.extra) if r.extra else None,
                "source_file": r.file,
                "source_sheet": r.sheet,
                "source_row": r.row,
                "content_hash": content_hash(v),
                "text_hash": text_hash(v["title"], v["description"]),
            }
        )
    for info in file_rows:
        info["rows_accepted"], info["rows_quarantined"] = counts.get(info["source_file"], [0, 0])
        if info["status"] in ("unsupported", "unreadable"):
            quarantined.append(
                {
                    "source_file": info["source_file"],
                    "source_sheet": None,
                    "source_row": None,
                    "task_id": None,
                    "reason": f"{info['status']}_file",
                    "detail": info["notes"],
                    "raw_record": None,
                }
            )
    return IngestResult(
        tasks=pl.DataFrame(accepted, schema=TASK_SCHEMA),
        quarantine=pl.DataFrame(quarantined, schema=QUARANTINE_SCHEMA),
        files=pl.DataFrame(file_rows, schema=FILE_SCHEMA).select(list(FILE_SCHEMA)),
    )

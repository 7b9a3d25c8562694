"""Validate every inventory file into accepted tasks, quarantined rows and a per-file count.

Rules (documented in the README, "Task inventories"):
- a row needs a task_id and a non-blank title or description;
- instances and onet_task_id must be whole numbers, created_at a date; otherwise `unparseable_value`;
- a task_id that occurs more than once, in one file or across files, quarantines EVERY row that
  carries it (reason `duplicate_task_id`, detail naming all places): none is kept silently;
- an onet_task_id or SOC code that O*NET does not know is flagged and the row is kept;
- every record read is either accepted or quarantined, so rows_read = accepted + quarantined per file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import os
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

from assets.common.errors import TaskvalueError
from assets.inventory.readers import RawRecord, UnreadableFile, file_type, json_safe, read_file
from assets.inventory.schema import FIELDS, TEXT_FIELDS, map_header

SOC_CODE = re.compile(r"^(\d{2})-?(\d{4})(?:\.(\d{2}))?$")
DATE_FORMATS = ("%m/%d/%Y", "%m/%d/%Y %H:%M", "%m/%d/%Y %H:%M:%S", "%Y/%m/%d", "%d.%m.%Y", "%Y%m%d")
HASHED_FIELDS = tuple(f for f in FIELDS if f != "task_id")


@dataclass
class OnetLookup:
    """What O*NET knows, for flagging unknown codes and resolving occupation titles to codes."""

    task_ids: set[int] = field(default_factory=set)
    soc_codes: set[str] = field(default_factory=set)  # O*NET-SOC codes (XX-XXXX.XX) with tasks
    titles: dict[str, str] = field(default_factory=dict)  # lower-case title -> code

    def soc_known(self, code: str) -> bool:
        return any(c.startswith(soc_prefix(code)) for c in self.soc_codes)


def soc_prefix(code: str) -> str:
    """The prefix of O*NET-SOC codes a (major, minor, broad, detailed or O*NET) code covers."""
    if "." in code:
        return code
    digits = code.replace("-", "")
    if digits.endswith("0000"):
        return code[:3]
    if digits.endswith("00"):
        return code[:5]
    if digits.endswith("0"):
        return code[:6]
    return code


class Unparseable(ValueError):
    pass


INT_MAX = 2**63 - 1  # BIGINT: a larger count or ID is a typo, and no column could store it
_THOUSANDS = re.compile(r"\d{1,3}(,\d{3})+(\.0*)?")


def parse_int(value: Any, *, positive: bool = False, thousands: bool = True) -> int | None:
    """A whole number. `thousands`: "1,200" reads as 1200; other commas ("1,2", "8823,8824") never
    pass, so two joined IDs cannot turn into one."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise Unparseable(repr(value))
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not value.is_integer():
            raise Unparseable(repr(value))
        number = int(value)
    else:
        text = str(value).strip()
        if "," in text:
            if not (thousands and _THOUSANDS.fullmatch(text)):
                raise Unparseable(repr(value))
            text = text.replace(",", "")
        if "_" in text:  # int() reads "8823_8824" as one number
            raise Unparseable(repr(value))
        try:
            number = int(text)
        except ValueError:
            try:
                f = float(text)
            except ValueError:
                raise Unparseable(repr(value)) from None
            if not f.is_integer():
                raise Unparseable(repr(value)) from None
            number = int(f)
    if number < 0 or (positive and number == 0) or number > INT_MAX:
        raise Unparseable(repr(value))
    return number


def parse_datetime(value: Any) -> dt.datetime | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return (
            value.replace(tzinfo=None)
            if value.tzinfo is None
            else value.astimezone(dt.UTC).replace(tzinfo=None)
        )
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    text = str(value).strip()
    try:
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        return parsed if parsed.tzinfo is None else parsed.astimezone(dt.UTC).replace(tzinfo=None)
    except ValueError:
        pass
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
    raise Unparseable(repr(value))


def parse_tags(value: Any) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, list | tuple):
        items = [str(v) for v in value if v is not None]
    else:
        text = str(value).strip()
        if text.startswith("["):
            try:
                loaded = json.loads(text)
                items = [str(v) for v in loaded] if isinstance(loaded, list) else [text]
            except json.JSONDecodeError:
                items = re.split(r"[,;|]", text.strip("[]"))
        else:
            items = re.split(r"[,;|]", text)
    tags = [t.strip() for t in items if t.strip()]
    return tags or None


def as_text(value: Any, *, strip: bool = True) -> str | None:
    """Cell -> text. Numbers from spreadsheets lose a spurious `.0`; nested values become JSON; NaN
    (JSON NaN, a pandas-written Parquet) is missing, not the word 'nan'; bytes are UTF-8 text."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = json.dumps(json_safe(value), ensure_ascii=False) if isinstance(value, dict | list) else str(value)
    if not text.strip():
        return None
    return text.strip() if strip else text


def task_id_text(value: Any) -> str | None:
    """The task ID as text. A boolean, an infinite number or a list/object is not an ID. Invisible
    format characters (zero-width space, BOM) are dropped and compatibility forms folded (NFKC), so
    'T3' and 'T3\\u200b' are one ID, and a duplicate is caught."""
    if isinstance(value, bool | dict | list | tuple) or (isinstance(value, float) and math.isinf(value)):
        raise Unparseable(repr(value))
    text = as_text(value)
    if text is not None:
        text = "".join(c for c in text if unicodedata.category(c) != "Cf")
        text = text.strip() or None
    if text is not None and re.fullmatch(r"\d+\.0", text):
        text = text[:-2]  # a spreadsheet turned the ID 12 into 12.0
    return text


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


@lru_cache(maxsize=1024)
def _record_mapping(keys: tuple[str, ...]) -> dict[str, str]:
    return map_header(list(keys))


def validate_record(file: str, rec: RawRecord, mapping: dict[str, str], onet: OnetLookup) -> Row:
    cells = dict(rec.cells)
    row = Row(file, rec.row, rec.sheet, rec.cells)
    if rec.problem:
        row.reasons.append((rec.problem, rec.detail))
        return row
    if not mapping:  # JSON and Parquet records carry their own keys
        mapping = _record_mapping(tuple(str(k) for k in cells))
    by_field: dict[str, Any] = {}
    for key, value in cells.items():
        target = mapping.get(str(key))
        if target is None:
            if value is not None and value != "":
                row.extra[str(key)] = value
            continue
        by_field[target] = value
    v = row.values
    try:
        v["task_id"] = task_id_text(by_field.get("task_id"))
    except Unparseable as exc:
        v["task_id"] = None
        row.reasons.append(("unparseable_value", f"task_id: cannot read {str(exc)[:200]}"))
    written = as_text(by_field.get("task_id")) if v["task_id"] is not None else None
    if written is not None and written != v["task_id"] and not re.fullmatch(r"\d+\.0", written):
        row.flags.append(f"task_id {written!r} read as {v['task_id']!r} (invisible characters dropped)")
    v["title"] = as_text(by_field.get("title"))
    v["description"] = as_text(by_field.get("description"), strip=False)
    for name in ("domain", "environment", "status", "owner"):
        v[name] = as_text(by_field.get(name))
    v["tags"] = parse_tags(by_field.get("tags"))
    for name, parser in (
        ("instances", lambda x: parse_int(x)),
        ("onet_task_id", lambda x: parse_int(x, positive=True, thousands=False)),
        ("created_at", parse_datetime),
    ):
        try:
            v[name] = parser(by_field.get(name))
        except Unparseable as exc:
            v[name] = None
            row.reasons.append(("unparseable_value", f"{name}: cannot read {str(exc)[:200]}"))
    _soc_hint(row, by_field.get("onet_soc_code"), onet)
    if v["task_id"] is None and not any(r[1].startswith("task_id:") for r in row.reasons):
        row.reasons.insert(0, ("missing_id", "no task_id (or alias) value"))
    if all(v[t] is None for t in TEXT_FIELDS):
        row.reasons.append(("no_text", "neither title nor description has text"))
    if v["onet_task_id"] is not None and v["onet_task_id"] not in onet.task_ids:
        row.flags.append(f"unknown onet_task_id {v['onet_task_id']}")
    return row


def _soc_hint(row: Row, value: Any, onet: OnetLookup) -> None:
    """onet_soc_code (or the `occupation` alias) holds a code or an occupation title."""
    text = as_text(value)
    row.values["onet_soc_code"] = None
    row.values["occupation_hint"] = None
    if text is None:
        return
    m = SOC_CODE.match(text)
    if m:
        code = f"{m.group(1)}-{m.group(2)}" + (f".{m.group(3)}" if m.group(3) else "")
        row.values["onet_soc_code"] = code
        if not onet.soc_known(code):
            row.flags.append(f"unknown SOC code {code}")
        return
    row.values["occupation_hint"] = text
    code = onet.titles.get(text.lower())
    if code is None:
        row.flags.append(f"occupation {text!r} matches no O*NET or SOC title; used as text only")
    else:
        row.values["onet_soc_code"] = code


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
    "notes": pl.String,
}


def inventory_files(directory: Path) -> list[Path]:
    """Every file under the directory, sorted (names starting with . or _ are reserved). The real
    tree is walked first, then linked directories not already in it (each real directory once, so a
    link loop ends and a `latest -> 2026-11` link does not rename the files); a broken link is listed
    too, so it is reported unreadable rather than missed."""
    found: list[Path] = []
    seen: set[str] = set()
    pending = [directory]
    while pending:
        top, links = pending.pop(0), []
        for root, dirs, files in os.walk(top):  # links are listed in dirs, not entered
            real = os.path.realpath(root)
            if real in seen:
                dirs[:] = []
                continue
            seen.add(real)
            links.extend(Path(root) / d for d in dirs if os.path.islink(os.path.join(root, d)))
            found.extend(Path(root) / name for name in files)
        pending.extend(sorted(links))
    return sorted(found)


def is_reserved(rel: Path) -> bool:
    return any(part.startswith((".", "_")) for part in rel.parts)


def ingest_directory(directory: Path, onet: OnetLookup) -> IngestResult:
    if not directory.is_dir():
        raise TaskvalueError(
            f"inventory directory {directory} does not exist: create it, or point TASKVALUE_INVENTORY_DIR "
            "(settings.inventory_dir) at the directory holding your task files"
        )
    rows: list[Row] = []
    file_rows: list[dict[str, Any]] = []
    for path in inventory_files(directory):
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
            "notes": "",
        }
        file_rows.append(info)
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
                info["notes"] = "reserved name (starts with . or _), e.g. the overrides file"
            continue
        info["bytes"] = stat.st_size
        info["modified_at"] = dt.datetime.fromtimestamp(stat.st_mtime, dt.UTC).replace(tzinfo=None)
        info["sha256"] = hashlib.sha256(data).hexdigest()
        if is_reserved(rel):
            info["status"] = "skipped"
            info["notes"] = "reserved name (starts with . or _), e.g. the overrides file"
            continue
        if info["file_type"] is None:
            info["status"] = "unsupported"
            info["notes"] = (
                f"unsupported file type {path.suffix!r}: use csv, tsv, xlsx, json, jsonl or parquet"
            )
            continue
        try:
            read = read_file(path)
        except UnreadableFile as exc:
            info["status"] = "unreadable"
            info["notes"] = str(exc)
            continue
        except OSError as exc:  # removed or locked between the two reads
            info["status"] = "unreadable"
            info["notes"] = f"cannot read the file: {exc.strerror or exc}"
            continue
        info["encoding"] = read.encoding
        info["notes"] = "; ".join(read.notes)
        info["rows_read"] = len(read.records)
        header_fields = map_header(read.header) if read.header else {}
        missing = _missing_columns(header_fields, read)
        # XLSX sheets may have different headers: their records are mapped by their own keys
        mapping = header_fields if read.file_type != "xlsx" else {}
        for rec in read.records:
            row = validate_record(name, rec, mapping, onet)
            rows.append(row)
        if missing:
            info["notes"] = "; ".join(x for x in (info["notes"], missing) if x)
    _mark_duplicates(rows)
    return _frames(rows, file_rows, onet)


def _missing_columns(mapping: dict[str, str], read) -> str:
    if read.file_type in ("json", "jsonl") or not read.header:
        return ""
    fields = set(mapping.values())
    gaps = []
    if "task_id" not in fields:
        gaps.append("no task_id column (or alias id, key, ...)")
    if not fields & set(TEXT_FIELDS):
        gaps.append("no title or description column (or alias name, prompt, ...)")
    return "; ".join(gaps)


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
                    "task_id": r.values.get("task_id"),
                    "reason": r.reasons[0][0],
                    "detail": " | ".join(f"{reason}: {detail}" for reason, detail in r.reasons),
                    "raw_record": json.dumps(json_safe(r.raw), ensure_ascii=False, default=str),
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
                "extra_fields": json.dumps(json_safe(r.extra), ensure_ascii=False, default=str)
                if r.extra
                else None,
                "source_file": r.file,
                "source_sheet": r.sheet,
                "source_row": r.row,
                "content_hash": content_hash(v),
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

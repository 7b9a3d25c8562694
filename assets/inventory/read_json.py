"""Reading JSON and JSONL inventory files. What a reader yields: assets/inventory/raw_records.py."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from assets.common.decoding import (
    UnreadableFile,
    bomless_utf16,
    cp1252_doubt,
    decode_lines_checked,
    wide_encoding,
)
from assets.inventory.raw_records import FileRead, RawRecord, dumps_or_note
from assets.inventory.schema import header_recognized


def _json_default_text(data: bytes) -> tuple[str, str]:
    wide = wide_encoding(data)
    if wide:
        return data.decode(wide), wide
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    bare = bomless_utf16(data)
    if bare:
        return data.decode(bare), f"{bare} (no byte-order mark)"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="strict"), "cp1252"


class _JsonObject(dict):
    """A JSON object that remembers keys it held twice (json keeps only the last value silently)."""

    duplicates: list[str]


def _object_pairs(pairs: list[tuple[str, Any]]) -> dict:
    plain = dict(pairs)
    if len(plain) == len(pairs):  # the common case, at C speed
        return plain
    obj, duplicates = _JsonObject(), []
    for key, value in pairs:
        if key in obj:
            duplicates.append(key)
            n = 2
            while f"{key} ({n})" in obj:
                n += 1
            key = f"{key} ({n})"  # kept, so the quarantined record holds every value
        obj[key] = value
    obj.duplicates = duplicates
    return obj


def _duplicate_keys(value: Any, where: str = "") -> list[str]:
    """Keys any object in `value` gave twice, as paths ('meta.a'), nested objects included."""
    found: list[str] = []
    if isinstance(value, dict):
        found += [f"{where}{k}" for k in getattr(value, "duplicates", [])]
        for k, v in value.items():
            found += _duplicate_keys(v, f"{where}{k}.")
    elif isinstance(value, list):
        for v in value:
            found += _duplicate_keys(v, where)
    return found


def _json_int(text: str) -> int | str:
    # Python refuses int() of more than 4,300 digits (ValueError for the whole document): such a
    # number stays text, so only the field holding it is unparseable
    return int(text) if len(text) <= 4000 else text


def _loads(text: str) -> Any:
    """json.loads; a document nested too deeply for Python raises RecursionError, reported as
    not valid JSON by the callers."""
    return json.loads(text, object_pairs_hook=_object_pairs, parse_int=_json_int)


MAX_DEPTH = 100  # deeper records are quarantined: nothing in a task is nested this deep


def _too_deep(value: Any) -> bool:
    """Whether `value` nests objects/lists deeper than MAX_DEPTH (iterative: no recursion limit)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > MAX_DEPTH:
                return True
            stack.extend((v, depth + 1) for v in (item.values() if isinstance(item, dict) else item))
    return False


_LIST_KEYS = ("tasks", "items", "records", "data", "rows")


def _lone_surrogate(value: Any, where: str = "") -> str | None:
    """The field holding an unpaired UTF-16 surrogate (a truncated emoji), which no UTF-8 store can
    hold, else None."""
    if isinstance(value, str):
        return where or "(value)" if _SURROGATE.search(value) else None
    if isinstance(value, dict):
        for k, v in value.items():
            if _SURROGATE.search(str(k)):
                return repr(k.encode("utf-8", "backslashreplace").decode())
            found = _lone_surrogate(v, where or str(k))
            if found:
                return found
    if isinstance(value, list):
        return next((f for v in value if (f := _lone_surrogate(v, where))), None)
    return None


_SURROGATE = re.compile("[\ud800-\udfff]")


def read_json(path: Path) -> FileRead:
    try:
        text, encoding = _json_default_text(path.read_bytes())
        doc = _loads(text)
    except (ValueError, UnicodeDecodeError) as exc:  # JSONDecodeError is a ValueError
        raise UnreadableFile(f"not valid JSON: {exc}") from exc
    except RecursionError as exc:
        raise UnreadableFile("not readable JSON: nested too deeply for the JSON reader") from exc
    out = FileRead("json", encoding=encoding)
    if encoding == "cp1252" and (doubt := cp1252_doubt([text])):
        out.notes.append(doubt)
    if isinstance(doc, dict):
        lists = [k for k in _LIST_KEYS if isinstance(doc.get(k), list)]
        # an empty list holds no tasks, so it competes with none ({"tasks": [...], "items": []})
        lists = [k for k in lists if doc[k]] or lists[:1]
        if len(lists) > 1:
            # which list holds the tasks is the user's call: reading one would drop the other
            raise UnreadableFile(
                f"the object holds lists under {' and '.join(repr(k) for k in lists)}: put the tasks in "
                "one list (or one file per list)"
            )
        if not lists:
            keys = ", ".join(repr(k) for k in list(doc)[:12])
            # {"tasks": {"T-1": {...}}}: the key is right, the shape is not
            shaped = [k for k in _LIST_KEYS if k in doc]
            held = doc[shaped[0]] if shaped else None
            kind = {dict: "an object (keyed by ID?)", str: "text", bool: "true/false", type(None): "null"}
            what = f"; {shaped[0]!r} holds {kind.get(type(held), 'a number')}, not a list" if shaped else ""
            raise UnreadableFile(
                f"a JSON object must hold the tasks in a list under 'tasks' (or {', '.join(_LIST_KEYS[1:])}); "
                f"its keys: {keys or 'none'}{what}"
            )
        own = [k for k in doc if k != lists[0]]
        own_is_a_task = header_recognized(own)
        if own_is_a_task:
            # {"task_id": ..., "title": ..., "data": [...]} may be a task itself, or a suite's own id
            # and name: say so in words (it is no row of the list, so it is not counted as one)
            out.notes.append(
                f"the object's own keys ({', '.join(repr(k) for k in own)}) look like a task's fields but "
                f"are not read as a task: only {lists[0]!r} holds tasks (move it into the list if it is one)"
            )
        for key in own:
            value = doc[key]
            if isinstance(value, list) and value:
                out.skip(f"key {key!r} not read (only {lists[0]!r} holds tasks)", len(value))
            elif not own_is_a_task:  # the note above names every key
                out.notes.append(f"key {key!r} not read")
        doc = doc[lists[0]]
    if not isinstance(doc, list):
        raise UnreadableFile("JSON must be a list of task objects")
    check = bool(_ESCAPED_SURROGATE.search(text))
    for n, item in enumerate(doc, start=1):
        out.records.append(_object_record(n, item, check))
    return out


# a lone surrogate can only come from a \\uD800-\\uDFFF escape: records are scanned only then
_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")


def _object_record(row: int, item: Any, check: bool = True, line: str | None = None) -> RawRecord:
    if _too_deep(item):
        return RawRecord(
            row,
            {"_line": line} if line is not None else {"_raw": dumps_or_note(item)},
            "malformed_json",
            f"nested more than {MAX_DEPTH} levels deep",
        )
    bad = _lone_surrogate(item) if check else None
    if bad:
        # stored escaped (\\ud83d), as it was written in the file
        return RawRecord(
            row,
            {"_raw": json.dumps(item, ensure_ascii=True)},
            "malformed_json",
            f"unpaired UTF-16 surrogate in {bad} (a truncated emoji?)",
        )
    if isinstance(item, dict):
        duplicates = _duplicate_keys(item)
        if duplicates:
            keys = ", ".join(repr(k) for k in dict.fromkeys(duplicates))
            return RawRecord(row, dict(item), "malformed_json", f"key {keys} given more than once")
        return RawRecord(row, dict(item))
    return RawRecord(row, {"_value": item}, "not_an_object", f"expected an object, got {type(item).__name__}")


def read_jsonl(path: Path) -> FileRead:
    lines, encoding, doubt = decode_lines_checked(path.read_bytes())
    out = FileRead("jsonl", encoding=encoding)
    if doubt:
        out.notes.append(doubt)
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        if n > 1 and line.startswith("\ufeff"):  # the first line's mark is removed when decoding
            out.notes.append(f"line {n} starts with a byte-order mark (files joined?); read without it")
            line = line[1:]
            if not line.strip():
                continue
        try:
            item = _loads(line)
        except (ValueError, RecursionError) as exc:  # JSONDecodeError is a ValueError
            problem = "nested too deeply for the JSON reader" if isinstance(exc, RecursionError) else str(exc)
            out.records.append(RawRecord(n, {"_line": line.rstrip("\r\n")}, "malformed_json", problem))
            continue
        out.records.append(
            _object_record(n, item, bool(_ESCAPED_SURROGATE.search(line)), line.rstrip("\r\n"))
        )
    return out

"""Reading an inventory file of any supported type into raw records (`raw_records`), by its suffix."""

from __future__ import annotations

from pathlib import Path

from assets.common.decoding import UnreadableFile
from assets.inventory.raw_records import FileRead
from assets.inventory.read_delimited import read_delimited
from assets.inventory.read_json import read_json, read_jsonl
from assets.inventory.read_parquet import read_parquet
from assets.inventory.read_xlsx import read_xlsx

# .txt may be comma- or tab-separated (Excel's "Unicode Text" is tabs): its delimiter is sniffed
SUPPORTED = {".csv": "csv", ".tsv": "tsv", ".txt": "txt", ".xlsx": "xlsx", ".json": "json"}
SUPPORTED |= {".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet"}


def file_type(path: Path) -> str | None:
    return SUPPORTED.get(path.suffix.lower())


def read_file(path: Path) -> FileRead:
    kind = file_type(path)
    if kind in ("csv", "tsv", "txt"):
        return read_delimited(path, kind)
    if kind == "xlsx":
        return read_xlsx(path)
    if kind == "json":
        return read_json(path)
    if kind == "jsonl":
        return read_jsonl(path)
    if kind == "parquet":
        return read_parquet(path)
    raise UnreadableFile(f"unsupported file type {path.suffix!r}")

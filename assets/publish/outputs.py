"""Reports and exports follow the warehouse: they are built beside the working database and copied
into place only after the warehouse itself was published.

So a refresh that fails, or whose publish is refused, leaves warehouse/reports and warehouse/exports
describing the same refresh as warehouse/taskvalue.duckdb. Every file is first copied to a temporary
name in the target directory, and only then are all of them renamed into place, so readers see two
refreshes side by side only for the milliseconds the renames take. A hidden manifest lists the files
a refresh published: a file the previous refresh published and this one did not (the report of a
domain removed from config/domains.toml, the export of a dropped mart) is deleted, so nothing stale
looks current. Files taskvalue never wrote, such as a report a user kept beside them, stay.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from assets.common.files import fsync_path, remove_temporaries, temp_name, write_atomic

MANIFEST = ".taskvalue-outputs.json"


def published_by_taskvalue(published: Path) -> set[str]:
    """The files the last sync wrote into `published` (empty before the first one)."""
    try:
        names = json.loads((published / MANIFEST).read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return set()
    # only plain names inside the directory: a hand-edited manifest must never reach outside it
    return {n for n in names if isinstance(n, str) and n == Path(n).name and not n.startswith(".")}


def sync_outputs(staged: Path, published: Path) -> int:
    """Publish every file of `staged` into `published` and retire what the previous sync published
    but `staged` no longer has; returns the files copied."""
    if not staged.is_dir() or staged.resolve() == published.resolve():
        return 0
    published.mkdir(parents=True, exist_ok=True)
    previous = published_by_taskvalue(published)
    names = sorted(p.name for p in staged.iterdir() if p.is_file() and not p.name.startswith("."))
    temps = {name: published / temp_name(published / name) for name in names}
    try:
        for name in names:
            shutil.copyfile(staged / name, temps[name])
            fsync_path(temps[name])  # durable before any rename, outside the short rename window
        for name in names:
            os.replace(temps[name], published / name)
        fsync_path(published)
    finally:
        for tmp in temps.values():
            tmp.unlink(missing_ok=True)
    remove_temporaries(published)  # copies left by a sync killed before its renames
    for name in sorted(previous - set(names)):
        (published / name).unlink(missing_ok=True)
    write_atomic(published / MANIFEST, json.dumps({"files": names}, indent=1) + "\n")
    return len(names)

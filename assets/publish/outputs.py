"""Reports and exports follow the warehouse: they are built beside the working database and copied
into place only after the warehouse itself was published.

So a refresh that fails, or whose publish is refused, leaves warehouse/reports and warehouse/exports
describing the same refresh as warehouse/taskvalue.duckdb. Each file is replaced atomically
(copy to a temporary name in the target directory, then rename); files are not deleted, so a report
a user kept beside them stays.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path


def sync_outputs(staged: Path, published: Path) -> int:
    """Copy every file of `staged` over its namesake in `published`; returns the files copied."""
    if not staged.is_dir() or staged.resolve() == published.resolve():
        return 0
    published.mkdir(parents=True, exist_ok=True)
    copied = 0
    for src in sorted(p for p in staged.iterdir() if p.is_file() and not p.name.startswith(".")):
        tmp = published / f".{src.name}.{uuid.uuid4().hex}.tmp"
        try:
            shutil.copyfile(src, tmp)
            os.replace(tmp, published / src.name)
        finally:
            tmp.unlink(missing_ok=True)
        copied += 1
    return copied

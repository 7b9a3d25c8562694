"""Which files of the inventory directory are read: every file, walked once, except reserved names
(`_overrides.csv`, dotfiles), editors' scratch files and documentation; a file reachable under two
names is read once."""

from __future__ import annotations

import os
import re
from collections import defaultdict
from pathlib import Path

from assets.common.errors import TaskvalueError


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


# Files that editors and operating systems write beside the user's: backups (`tasks.csv~`, `.bak`,
# `.orig`), autosaves (`#tasks.csv#`), temporaries (`.tmp`, vim's `4913`, Excel's `A1B2C3D4`), partial
# downloads and folder metadata. Not task data: read, they would be quarantined as unsupported, and
# the sensor would refresh twice for each (when it appears and when it goes).
_SCRATCH_SUFFIXES = ("~", ".bak", ".orig", ".tmp", ".temp", ".swp", ".swo", ".part", ".crdownload")
_SCRATCH_NAMES = {"thumbs.db", "desktop.ini", "4913"}
_EXCEL_TEMP = re.compile(r"^[0-9A-F]{8}$")


def is_scratch(name: str) -> bool:
    lowered = name.lower()
    return (
        lowered.endswith(_SCRATCH_SUFFIXES)
        or lowered in _SCRATCH_NAMES
        or (name.startswith("#") and name.endswith("#"))
        or bool(_EXCEL_TEMP.match(name))
    )


def _reserved_prefix(rel: Path) -> bool:
    # `~$name.xlsx` is the owner file Excel keeps beside a workbook while it is open: not user data
    return any(part.startswith((".", "_", "~$")) for part in rel.parts)


# A README.txt beside the data describes it: read as a table, its example lines became tasks
_DOCUMENTATION_STEMS = {
    "readme",
    "license",
    "licence",
    "changelog",
    "changes",
    "copying",
    "authors",
    "notice",
}


def is_documentation(name: str) -> bool:
    stem, _, suffix = name.lower().partition(".")
    return stem in _DOCUMENTATION_STEMS and suffix in ("", "txt", "md")


def is_reserved(rel: Path) -> bool:
    return _reserved_prefix(rel) or is_scratch(rel.name) or is_documentation(rel.name)


def reserved_note(rel: Path) -> str:
    if any(part.startswith("~$") for part in rel.parts):
        return "Excel's owner file of an open workbook (starts with ~$), not read"
    if _reserved_prefix(rel):
        return "reserved name (starts with . or _), e.g. the overrides file"
    if is_documentation(rel.name):
        return "a documentation file (README, LICENSE, CHANGELOG …), not read; rename it to read it as tasks"
    return "an editor's or the system's scratch file (a backup, autosave or temporary file), not read"


def second_names(directory: Path, paths: list[Path]) -> tuple[dict[Path, str], dict[Path, list[str]]]:
    """Files listed under two names (a file link such as latest.csv -> 2026-11/tasks.csv): the
    second name -> the name the file is read under (not reserved, not a link, first in order), and
    that path -> its other names."""
    by_real: dict[str, list[Path]] = defaultdict(list)
    for path in paths:
        by_real[os.path.realpath(path)].append(path)
    read_as: dict[Path, str] = {}
    links: dict[Path, list[str]] = {}
    for group in by_real.values():
        if len(group) < 2:
            continue
        keep, *others = sorted(
            group, key=lambda p: (is_reserved(p.relative_to(directory)), p.is_symlink(), p.as_posix())
        )
        for other in others:
            read_as[other] = keep.relative_to(directory).as_posix()
        links[keep] = [o.relative_to(directory).as_posix() for o in others]
    return read_as, links


def require_inventory_dir(directory: Path) -> None:
    if directory.exists() and not directory.is_dir():
        raise TaskvalueError(
            f"inventory directory {directory} is a file, not a directory: point TASKVALUE_INVENTORY_DIR "
            "(settings.inventory_dir) at the directory holding your task files (every file in it is read)"
        )
    if not directory.is_dir():
        raise TaskvalueError(
            f"inventory directory {directory} does not exist: create it, or point TASKVALUE_INVENTORY_DIR "
            "(settings.inventory_dir) at the directory holding your task files"
        )

"""Which code built a warehouse: the package version and, in a git checkout, the commit.

Figures can move between two refreshes of the same BLS and O*NET files because the code changed (a
matcher, a domain, a rule). The publish metadata and every report carry this stamp, so a data lead
who sees a figure move can tell a code change from a data change, and look the code change up in
CHANGELOG.md.
"""

from __future__ import annotations

import os
import subprocess
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]


@cache
def code_version(project_dir: Path = PROJECT_DIR) -> str:
    """`taskvalue 0.1.0 (git 4d9fb02)`; `-dirty` after the commit when tracked files were edited;
    without git, or outside a checkout, the version alone."""
    try:
        stamp = f"taskvalue {version('taskvalue')}"
    except PackageNotFoundError:  # run from a source tree that was never installed
        stamp = "taskvalue (not installed)"
    try:
        # the checkout must be the project itself: git climbs to any repository above a directory
        # (a source tree unpacked into a monorepo, a venv inside another project)
        top = _git(project_dir, "rev-parse", "--show-toplevel")
        if Path(top).resolve() != Path(project_dir).resolve():
            return stamp
        described = _git(project_dir, "describe", "--always", "--dirty", "--abbrev=7")
    except (OSError, subprocess.SubprocessError):  # no git, not a checkout, or too slow
        return stamp
    return f"{stamp} (git {described})" if described else stamp


def _git(directory: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(directory), *args],
        capture_output=True,
        text=True,
        timeout=10,
        check=True,
        # `describe --dirty` refreshes the index and takes its lock: not beside a user's `git commit`
        env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"},
    ).stdout.strip()

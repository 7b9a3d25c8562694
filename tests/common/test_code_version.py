"""The code stamp on publishes and reports: the package version and the git commit."""

from __future__ import annotations

import subprocess
from pathlib import Path

from assets.common.code_version import PROJECT_DIR, code_version


def test_the_stamp_names_the_version_and_the_checkouts_commit():
    commit = subprocess.run(
        ["git", "-C", str(PROJECT_DIR), "rev-parse", "--short=7", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    stamp = code_version()
    assert stamp.startswith("taskvalue 0.1.0 (git ") and commit and commit in stamp


def test_outside_a_checkout_the_stamp_is_the_version_alone(tmp_path: Path):
    assert code_version(tmp_path) == "taskvalue 0.1.0"


def test_a_repository_around_the_project_is_not_its_checkout(tmp_path: Path):
    # a directory inside another git repository (a venv in a monorepo) gets the version alone
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    inner = tmp_path / "venv" / "site-packages"
    inner.mkdir(parents=True)
    assert code_version(inner) == "taskvalue 0.1.0"

"""The one atomic write (assets/common/files.py): complete files, no temporaries left, target kept on error."""

from __future__ import annotations

from pathlib import Path

import pytest

from assets.common.files import replacing, stale_temporaries, write_atomic


def test_write_atomic_replaces_text_and_bytes_and_leaves_no_temporary(tmp_path: Path):
    target = tmp_path / "index.md"
    target.write_text("old")
    write_atomic(target, "new — ünïcode\n")
    assert target.read_bytes() == "new — ünïcode\n".encode()
    write_atomic(target, b"\x89PNG")
    assert target.read_bytes() == b"\x89PNG"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index.md"]


def test_a_failed_write_keeps_the_target_and_removes_its_temporary(tmp_path: Path):
    target = tmp_path / "schema.json"
    target.write_text("previous")
    with pytest.raises(RuntimeError), replacing(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("the writer failed")
    assert target.read_text() == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["schema.json"]


def test_the_temporary_is_hidden_beside_the_target_where_stale_temporaries_finds_it(tmp_path: Path):
    target = tmp_path / "pub.duckdb"
    with replacing(target) as tmp:
        tmp.write_bytes(b"copy")
        assert tmp.parent == tmp_path and tmp.name.startswith(".pub.duckdb.")
        assert stale_temporaries(target) == [tmp]  # what a crash here would leave
    assert stale_temporaries(target) == [] and target.read_bytes() == b"copy"

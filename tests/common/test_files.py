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


def test_temporaries_left_by_a_killed_write_are_recognised_and_cleaned(tmp_path: Path):
    from assets.common.files import is_temporary, temp_name
    from assets.coverage.outputs import retire_stale
    from assets.publish.outputs import sync_outputs

    leftover = tmp_path / "staged" / temp_name(tmp_path / "staged" / "legal.md")
    leftover.parent.mkdir()
    leftover.write_text("half a report")
    (tmp_path / "staged" / "legal.md").write_text("# Legal")
    (tmp_path / "staged" / ".keep.tmp").write_text("not ours: no uuid")
    assert is_temporary(leftover) and not is_temporary(tmp_path / "staged" / ".keep.tmp")
    # the staged folder: retired with the stale outputs; a file that is not ours is kept
    assert retire_stale(tmp_path / "staged", {"legal.md"}, [".md"]) == []
    assert sorted(p.name for p in (tmp_path / "staged").iterdir()) == [".keep.tmp", "legal.md"]
    # the published folder: a copy left by a sync killed before its renames goes at the next sync
    published = tmp_path / "published"
    published.mkdir()
    (published / temp_name(published / "legal.md")).write_text("half")
    assert sync_outputs(tmp_path / "staged", published) == 1
    assert sorted(p.name for p in published.iterdir()) == [".taskvalue-outputs.json", "legal.md"]

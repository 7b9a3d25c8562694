"""Zip extraction refuses any member path that would escape the target directory (zip-slip)."""

from __future__ import annotations

import zipfile

import pytest

from assets.common.errors import AcquireError
from assets.ingest.safe_zip import check_member_path, extract_all, find_member, open_archive
from tests.ingest.fake_publisher import zip_bytes

ESCAPING = ["../evil.txt", "a/../../evil.txt", "/etc/evil.txt", "..\\evil.txt", "C:/evil.txt", "C:evil.txt"]


@pytest.mark.parametrize("member", ESCAPING)
def test_member_paths_that_escape_are_refused(tmp_path, member):
    with pytest.raises(AcquireError, match="escapes"):
        check_member_path(member, tmp_path / "target")


@pytest.mark.parametrize("member", ["a.txt", "dir/a.txt", "dir/./b.txt", "db_29_0_text/Task Statements.txt"])
def test_ordinary_member_paths_stay_inside(tmp_path, member):
    dest = check_member_path(member, tmp_path)
    assert tmp_path.resolve() in dest.parents


@pytest.mark.parametrize("member", ESCAPING[:3])
def test_an_archive_with_one_escaping_member_is_refused_whole(tmp_path, member):
    archive = tmp_path / "evil.zip"
    archive.write_bytes(zip_bytes({"good.txt": b"fine", member: b"owned"}))
    target = tmp_path / "out" / "deep"
    with pytest.raises(AcquireError, match="escapes"):
        extract_all(archive, target)
    assert not target.exists() or not any(target.iterdir())  # nothing extracted, not even good.txt
    assert [p.name for p in tmp_path.rglob("*.txt")] == []


def test_extract_all_writes_every_member_via_a_temporary_name(tmp_path):
    archive = tmp_path / "ok.zip"
    archive.write_bytes(zip_bytes({"db/a.txt": b"A", "db/sub/b.txt": b"B"}))
    paths = extract_all(archive, tmp_path / "out")
    assert sorted(p.read_bytes() for p in paths) == [b"A", b"B"]
    assert not list((tmp_path / "out").rglob("*.part"))


def test_a_crc_error_is_named(tmp_path):
    archive = tmp_path / "crc.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("a.txt", b"x" * 1000)
    data = bytearray(archive.read_bytes())
    data[data.index(b"x" * 10) + 5] = ord("y")  # flip one stored byte: the CRC no longer matches
    archive.write_bytes(bytes(data))
    with pytest.raises(AcquireError, match="corrupt"):
        open_archive(archive, tmp_path)


def test_not_a_zip_is_a_clear_error(tmp_path):
    archive = tmp_path / "page.zip"
    archive.write_bytes(b"<html>blocked</html>")
    with pytest.raises(AcquireError, match="not a readable zip"):
        open_archive(archive, tmp_path)


def test_members_are_found_by_base_name_in_any_folder(tmp_path):
    archive = tmp_path / "db.zip"
    archive.write_bytes(
        zip_bytes({"db_29_0_text/Task Statements.txt": b"x", "__MACOSX/._Task Statements.txt": b""})
    )
    with zipfile.ZipFile(archive) as zf:
        assert find_member(zf, "Task Statements.txt") == "db_29_0_text/Task Statements.txt"
        assert find_member(zf, "Task Ratings.txt") is None

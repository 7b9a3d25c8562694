"""Atomic publishing (assets/publish/swap.py) and the working database under SIGKILL.

Small synthetic databases, real processes and real signals: no Dagster run is needed here.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import polars as pl
import pytest

from assets.common.warehouse import replace_table_from_frame
from assets.publish.swap import PublishError, publish, stale_temporaries

REPO = Path(__file__).resolve().parents[2]


def _version_db(path: Path, version: int, rows: int = 1000) -> None:
    """Write (or overwrite) table s.t where every row carries `version`; rows differ by version."""
    con = duckdb.connect(str(path))
    con.execute("create schema if not exists s")
    con.execute(
        "create or replace table s.t as select $v as version, range as i from range($n)",
        {"v": version, "n": rows + version},
    )
    con.close()


def _publish_from(work: Path, target: Path) -> None:
    con = duckdb.connect(str(work))
    try:
        publish(con, work, target)
    finally:
        con.close()


def _read_version(path: Path) -> tuple[int, int]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute("select min(version), count(*) from s.t").fetchone()
    finally:
        con.close()


def _spawn(code: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _version_in_subprocess(path: Path) -> tuple[int, int]:
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import duckdb,sys;c=duckdb.connect(sys.argv[1],read_only=True);"
            "print(*c.execute('select min(version),count(*) from s.t').fetchone())",
            str(path),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return int(out[0]), int(out[1])


def test_reader_keeps_its_file_while_new_openers_get_the_new_one(tmp_path):
    work, target = tmp_path / "work.duckdb", tmp_path / "pub.duckdb"
    _version_db(work, 1)
    _publish_from(work, target)
    reader = duckdb.connect(str(target), read_only=True)
    assert reader.execute("select min(version), count(*) from s.t").fetchone() == (1, 1001)

    _version_db(work, 2)
    _publish_from(work, target)

    # The open connection keeps the replaced inode: same complete old data, no error.
    assert reader.execute("select min(version), max(version), count(*) from s.t").fetchone() == (1, 1, 1001)
    # A process that opens the path now gets the new file.
    assert _version_in_subprocess(target) == (2, 1002)
    # DuckDB shares one database per file within a process: a connection opened while the old
    # one is held still sees the old file; once all are closed, the new one (see docs).
    again = duckdb.connect(str(target), read_only=True)
    assert again.execute("select min(version) from s.t").fetchone() == (1,)
    again.close()
    reader.close()
    assert _read_version(target) == (2, 1002)
    assert stale_temporaries(target) == []


def test_leftover_temporaries_are_removed_by_the_next_publish(tmp_path):
    work, target = tmp_path / "work.duckdb", tmp_path / "pub.duckdb"
    _version_db(work, 1)
    leftover = tmp_path / ".pub.duckdb.deadbeef.tmp"
    leftover.write_bytes(b"half a copy")
    _publish_from(work, target)
    assert not leftover.exists()
    assert _read_version(target) == (1, 1001)


def test_orphan_wal_of_a_crashed_read_write_session_does_not_break_the_new_file(tmp_path):
    work, target = tmp_path / "work.duckdb", tmp_path / "pub.duckdb"
    _version_db(work, 1)
    _publish_from(work, target)
    # Someone opened the published file read-write, wrote, and died before a checkpoint.
    crashed = _spawn(
        """
        import duckdb, os, sys
        c = duckdb.connect(sys.argv[1])
        c.execute("set checkpoint_threshold = '1TB'")
        c.execute("insert into s.t select 99, 0")
        os._exit(0)
        """,
        str(target),
    )
    assert crashed.wait() == 0
    assert Path(f"{target}.wal").exists()

    _version_db(work, 2)
    _publish_from(work, target)
    # Without removing it, DuckDB refuses the new file: "WAL does not match database file".
    assert not Path(f"{target}.wal").exists()
    assert _version_in_subprocess(target) == (2, 1002)


def test_publish_refuses_while_another_process_holds_the_file_read_write(tmp_path):
    work, target = tmp_path / "work.duckdb", tmp_path / "pub.duckdb"
    _version_db(work, 1)
    _publish_from(work, target)
    holder = _spawn(
        """
        import duckdb, sys
        c = duckdb.connect(sys.argv[1])  # read-write: not how readers should open it
        print("open", flush=True)
        import time; time.sleep(60)
        """,
        str(target),
    )
    try:
        assert holder.stdout.readline().strip() == "open"
        _version_db(work, 2)
        with pytest.raises(PublishError, match="open read-write by another process"):
            _publish_from(work, target)
    finally:
        holder.kill()
        holder.wait()
    assert _read_version(target) == (1, 1001)  # the previous file stayed
    assert stale_temporaries(target) == []
    _publish_from(work, target)
    assert _read_version(target) == (2, 1002)


def test_read_only_readers_do_not_block_publishing(tmp_path):
    work, target = tmp_path / "work.duckdb", tmp_path / "pub.duckdb"
    _version_db(work, 1)
    _publish_from(work, target)
    reader = _spawn(
        """
        import duckdb, sys, time
        c = duckdb.connect(sys.argv[1], read_only=True)
        print(*c.execute("select min(version), count(*) from s.t").fetchone(), flush=True)
        time.sleep(1.5)
        print(*c.execute("select min(version), max(version), count(*) from s.t").fetchone(), flush=True)
        """,
        str(target),
    )
    assert reader.stdout.readline().split() == ["1", "1001"]
    _version_db(work, 2)
    _publish_from(work, target)
    out, err = reader.communicate(timeout=30)
    assert reader.returncode == 0, err
    assert out.split() == ["1", "1", "1001"]
    assert _read_version(target) == (2, 1002)


PUBLISH_BIG = """
import sys
from pathlib import Path
import duckdb
from assets.publish.swap import publish
work, target = Path(sys.argv[1]), Path(sys.argv[2])
con = duckdb.connect(str(work))
print("go", flush=True)
publish(con, work, target)
print("done", flush=True)
"""


def test_sigkill_during_publish_leaves_a_complete_file_and_the_next_publish_cleans_up(tmp_path):
    """Kill the publishing process at random points from the first copied byte to the rename."""
    work, target = tmp_path / "work.duckdb", tmp_path / "pub.duckdb"
    _version_db(work, 1)
    _publish_from(work, target)
    # ~90 MB of incompressible rows make the copy slow enough to land kills inside it.
    con = duckdb.connect(str(work))
    con.execute(
        "create or replace table s.big as select range as i, md5(range::varchar) as h from range(5000000)"
    )
    con.close()
    _version_db(work, 2)
    previous = tmp_path / "previous.duckdb"
    shutil.copyfile(target, previous)
    rng = random.Random(6)
    outcomes = []
    for attempt in range(6):
        shutil.copyfile(previous, target)  # version 1 published again
        proc = _spawn(PUBLISH_BIG, str(work), str(target))
        assert proc.stdout.readline().strip() == "go"
        deadline = time.monotonic() + 60
        while not stale_temporaries(target) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.0005)
        time.sleep(0 if attempt == 0 else rng.uniform(0, 0.2))  # the copy takes ~0.1 s
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        version = _version_in_subprocess(target)  # opens, in a fresh process
        assert version in {(1, 1001), (2, 1002)}
        outcomes.append((version[0], bool(stale_temporaries(target))))
    assert any(v == 1 and left for v, left in outcomes), f"no kill landed inside the copy: {outcomes}"
    _publish_from(work, target)
    assert stale_temporaries(target) == []
    assert _read_version(target) == (2, 1002)


REPLACE_LOOP = """
import sys
import duckdb, polars as pl
from assets.common.warehouse import replace_table_from_frame
con = duckdb.connect(sys.argv[1])
con.execute("set checkpoint_threshold = '8MB'")  # some kills land inside checkpoints too
print("go", flush=True)
for v in range(1, 10**6):
    n = 200000 + v
    frame = pl.DataFrame({"version": [v] * n, "i": range(n)})
    replace_table_from_frame(con, "s.t", frame, table_doc=f"version {v}",
                             column_docs={"version": "v", "i": "row"})
"""


def test_working_db_table_is_complete_after_sigkill_mid_transaction(tmp_path):
    """SIGKILL a process replacing a table over and over; the WAL replay yields a complete table."""
    rng = random.Random(20261125)
    work = tmp_path / "work.duckdb"
    _version_db(work, 0, rows=200000)
    seen = set()
    for _ in range(8):
        proc = _spawn(REPLACE_LOOP, str(work))
        assert proc.stdout.readline().strip() == "go", proc.stderr.read()
        time.sleep(rng.uniform(0.05, 1.5))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        con = duckdb.connect(str(work))  # read-write: replays the WAL like the next refresh does
        v_min, v_max, n = con.execute("select min(version), max(version), count(*) from s.t").fetchone()
        doc = con.execute("select comment from duckdb_tables() where table_name = 't'").fetchone()[0]
        con.close()
        assert v_min == v_max and n == 200000 + v_min, (v_min, v_max, n)
        assert doc == (f"version {v_min}" if v_min else None)
        seen.add(v_min)
    # And the database keeps working for the next writer.
    con = duckdb.connect(str(work))
    replace_table_from_frame(con, "s.t", pl.DataFrame({"version": [7], "i": [0]}))
    assert con.execute("select count(*) from s.t").fetchone() == (1,)
    con.close()
    assert len(seen) > 1, f"every kill came before the first commit: {seen}"

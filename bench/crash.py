"""Crash consistency: SIGKILL the refresh at random points and check the warehouse after every kill.

    .venv/bin/python -m bench.crash                    # 25 kills of the full refresh_job
    .venv/bin/python -m bench.crash --kills 40 --seed 7
    .venv/bin/python -m bench.crash --selection ingest/oes_national,staging/oes_national_previous,warehouse/published

Two configurations that give different tables (A: previous OES vintage 2023, B: 2022) are refreshed
to completion once each to record every table's fingerprint (row count, a hash over all rows, and
its comments). Then, repeatedly: start a refresh towards the other configuration, SIGKILL it after a
random delay (or the moment it starts copying the published file), and check that

- the published warehouse opens and is, as a whole, the complete previous or the complete new one;
- every table of the working database (after DuckDB replays its WAL) is one of the two versions;
- the next refresh succeeds, publishes exactly the new version and leaves no temporary file.

Refreshes are real Dagster runs of refresh_job (in-process executor, a persistent DAGSTER_HOME)
in child processes forked from a server that imported the code once, so a kill lands in the run
itself rather than in the seconds of importing. tests/reliability/test_crash_consistency.py runs
the same harness with 20 kills on a smaller selection.
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import os
import random
import re
import shutil
import signal
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[1]
DEFAULT_MIRROR = (REPO.parent / "shared" / "data").resolve()
CONFIGS: dict[str, dict] = {"A": {"oes_previous_vintage": 2023}, "B": {"oes_previous_vintage": 2022}}
# The smallest selection whose tables differ between A and B, plus the publish step: what the test
# kills (the whole graph takes too long for 20 kill-and-recover rounds in CI).
SMALL_SELECTION = ("ingest/oes_national", "staging/oes_national_previous", "warehouse/published")
PRELOAD = ["orchestration.definitions", "great_expectations", "dagster", "duckdb", "polars"]


@dataclass(frozen=True)
class Fingerprint:
    """What identifies one complete version of a table."""

    rows: int
    exact: str  # order-independent hash over every row's exact-typed columns
    docs: str  # hash of column names, types and comments, and the table comment
    sums: tuple[tuple[str, float], ...]  # per inexact (floating/decimal) column: sum of its values

    def same(self, other: Fingerprint | None) -> bool:
        # Parallel floating-point sums differ in the last bits between identical runs (and flip a
        # rounded cent now and then), so inexact columns are compared by their sums, closely.
        if other is None or (self.rows, self.exact, self.docs) != (other.rows, other.exact, other.docs):
            return False
        if [c for c, _ in self.sums] != [c for c, _ in other.sums]:
            return False
        return all(
            abs(a - b) <= 1e-9 * max(abs(a), abs(b), 1.0)
            for (_, a), (_, b) in zip(self.sums, other.sums, strict=True)
        )


def _volatile(name: str, data_type: str) -> bool:
    # Load timestamps (meta.file_loads.loaded_at, ...) differ on every run by design.
    return data_type.startswith("TIMESTAMP") and name.endswith("_at")


def _inexact(data_type: str) -> bool:
    return data_type in ("DOUBLE", "FLOAT", "REAL") or data_type.startswith("DECIMAL")


def fingerprints(path: Path, read_only: bool = True) -> dict[str, Fingerprint]:
    """Every table's row count, hash over all rows, column sums and documentation."""
    con = duckdb.connect(str(path), read_only=read_only)
    try:
        return connection_fingerprints(con)
    finally:
        con.close()


def connection_fingerprints(con: duckdb.DuckDBPyConnection) -> dict[str, Fingerprint]:
    tables = con.execute(
        "select schema_name, table_name, comment from duckdb_tables() where not internal order by 1, 2"
    ).fetchall()
    out = {}
    for schema, table, comment in tables:
        cols = con.execute(
            "select column_name, data_type, comment from duckdb_columns() "
            "where schema_name = ? and table_name = ? order by column_index",
            [schema, table],
        ).fetchall()
        exact = [f'"{c}"' for c, t, _ in cols if not _volatile(c, t) and not _inexact(t)]
        inexact = [c for c, t, _ in cols if _inexact(t)]
        row_hash = f"sum(hash({', '.join(exact)})::hugeint)" if exact else "0"
        sums = "".join(f', sum("{c}")::double' for c in inexact)
        row = con.execute(f'select count(*), {row_hash}{sums} from "{schema}"."{table}"').fetchone()
        docs = hashlib.sha256(repr((comment, cols)).encode()).hexdigest()[:16]
        out[f"{schema}.{table}"] = Fingerprint(
            rows=row[0],
            exact=str(row[1]),
            docs=docs,
            sums=tuple((c, float(v or 0.0)) for c, v in zip(inexact, row[2:], strict=True)),
        )
    return out


def to_json(state: dict[str, Fingerprint]) -> dict:
    return {t: [fp.rows, fp.exact, fp.docs, [list(x) for x in fp.sums]] for t, fp in state.items()}


def from_json(data: dict) -> dict[str, Fingerprint]:
    return {
        t: Fingerprint(rows=r, exact=e, docs=d, sums=tuple((c, v) for c, v in sums))
        for t, (r, e, d, sums) in data.items()
    }


def work_db_fingerprints(work_db: Path, scratch: Path) -> dict[str, Fingerprint]:
    """Fingerprints of the working DB as the next refresh will see it (WAL replayed), on a copy."""
    scratch.mkdir(parents=True, exist_ok=True)
    copy = scratch / "work_copy.duckdb"
    for p in (copy, Path(f"{copy}.wal")):
        p.unlink(missing_ok=True)
    shutil.copyfile(work_db, copy)
    if Path(f"{work_db}.wal").exists():
        shutil.copyfile(f"{work_db}.wal", f"{copy}.wal")
    return fingerprints(copy, read_only=False)


def same_state(a: dict[str, Fingerprint], b: dict[str, Fingerprint]) -> bool:
    return a.keys() == b.keys() and all(fp.same(b[t]) for t, fp in a.items())


def version_of_each(state: dict[str, Fingerprint], refs: dict[str, dict[str, Fingerprint]]) -> dict[str, str]:
    """Per table: the reference version names it equals ("A", "B", "A=B"), or "PARTIAL"/"MISSING"."""
    out = {}
    for table in sorted(set(state).union(*refs.values())):
        mine = state.get(table)
        names = [n for n, ref in refs.items() if mine is not None and mine.same(ref.get(table))]
        if names:
            out[table] = "=".join(names)
        else:
            out[table] = "MISSING" if mine is None else "PARTIAL"
    return out


def whole_version(state: dict[str, Fingerprint], refs: dict[str, dict[str, Fingerprint]]) -> str | None:
    """The reference version the state equals as a whole, or None."""
    return next((n for n, ref in refs.items() if same_state(state, ref)), None)


# ---------------------------------------------------------------------------------------------
# Refresh processes


def _child_run(spec: dict) -> None:
    """Body of a refresh process (forked from the preloaded server): run refresh_job in process."""
    t0 = time.monotonic()
    log = os.open(spec["log"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.environ["DAGSTER_HOME"] = spec["dagster_home"]
    os.environ["DAGSTER_DISABLE_TELEMETRY"] = "1"
    os.environ.update(spec.get("env", {}))
    from dagster import AssetKey, DagsterInstance

    from orchestration.definitions import build_definitions

    defs = build_definitions(**spec["settings"])
    job = defs.resolve_job_def("refresh_job")
    selection = [AssetKey(k.split("/")) for k in spec["selection"]] if spec["selection"] else None
    print(f"bench.crash: definitions built in {time.monotonic() - t0:.2f} s", flush=True)
    instance_cm = DagsterInstance.get() if spec["persistent_instance"] else DagsterInstance.ephemeral()
    with instance_cm as instance:
        result = job.execute_in_process(instance=instance, asset_selection=selection, raise_on_error=False)
    sys.stdout.flush()
    os._exit(0 if result.success else 1)


@dataclass
class Warehouse:
    """A private warehouse (published file, working DB, Dagster home) for the crash runs."""

    root: Path
    mirror: Path = DEFAULT_MIRROR
    selection: Sequence[str] | None = None
    extra_settings: dict = field(default_factory=dict)
    env: dict = field(default_factory=dict)
    # A DAGSTER_HOME with sqlite run storage, like `dagster job execute` (realistic, ~3 s slower a
    # run here); the test uses an in-memory instance.
    persistent_instance: bool = True
    runs: int = 0
    last_config: str | None = None  # of the last refresh that completed

    def __post_init__(self):
        self.root.mkdir(parents=True, exist_ok=True)
        self.dagster_home.mkdir(parents=True, exist_ok=True)
        (self.dagster_home / "dagster.yaml").touch()
        (self.root / "logs").mkdir(exist_ok=True)
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(PRELOAD)
        self._ctx = ctx

    @property
    def published(self) -> Path:
        return self.root / "taskvalue.duckdb"

    @property
    def work_db(self) -> Path:
        return self.root / "work" / "taskvalue.duckdb"

    @property
    def dagster_home(self) -> Path:
        return self.root / "dagster_home"

    def settings(self, config: str) -> dict:
        return {
            "mirror_dir": str(self.mirror),
            "cache_dir": str(self.root / "cache"),
            "warehouse_path": str(self.published),
            "work_db_path": str(self.work_db),
            **self.extra_settings,
            **CONFIGS[config],
        }

    def start(
        self, config: str, selection: Sequence[str] | None = None
    ) -> tuple[multiprocessing.Process, Path]:
        self.runs += 1
        log = self.root / "logs" / f"run-{self.runs:03d}-{config}.log"
        spec = {
            "settings": self.settings(config),
            "selection": list(selection) if selection is not None else None,
            "dagster_home": str(self.dagster_home),
            "log": str(log),
            "env": self.env,
            "persistent_instance": self.persistent_instance,
        }
        log.unlink(missing_ok=True)  # the parent polls it for the first step
        proc = self._ctx.Process(target=_child_run, args=(spec,), daemon=False)
        proc.start()
        return proc, log

    def run(self, config: str, selection: Sequence[str] | None = None, timeout: float = 900) -> float:
        """Refresh to completion; raise with the log's tail if it fails.

        Returns the seconds from the first step starting to the process exiting (the window the
        random kills are spread over; what comes before is setting up the run).
        """
        t0 = time.monotonic()
        proc, log = self.start(config, selection)
        first_step = wait_for_first_step(proc, log, t0 + timeout)
        proc.join(max(0.0, t0 + timeout - time.monotonic()))
        if proc.exitcode is None:
            proc.kill()
            proc.join()
            raise RuntimeError(f"refresh ({config}) did not finish in {timeout:.0f} s; see {log}")
        if proc.exitcode != 0:
            text = log.read_text(errors="replace") if log.exists() else "(no log: the process died first)"
            tail = "\n".join(text.splitlines()[-40:])
            raise RuntimeError(f"refresh ({config}) failed (exit {proc.exitcode}); {log}:\n{tail}")
        self.last_config = config
        return time.monotonic() - (first_step or t0)

    def publish_temporaries(self) -> list[Path]:
        from assets.publish.swap import stale_temporaries

        return stale_temporaries(self.published)


def wait_for_first_step(proc: multiprocessing.Process, log: Path, deadline: float) -> float | None:
    """Poll the run's log until its first step starts; the monotonic time it was seen, or None."""
    while proc.is_alive() and time.monotonic() < deadline:
        if log.exists() and b"STEP_START" in log.read_bytes():
            return time.monotonic()
        time.sleep(0.005)
    return None


_STEP = re.compile(r' - (STEP_START|STEP_SUCCESS|STEP_FAILURE) - .*?step "([^"]+)"')


def step_at_kill(log: Path) -> str:
    """The step that was running when the process died, from the Dagster event log lines."""
    last = "(starting)"
    for kind, step in _STEP.findall(log.read_text(errors="replace") if log.exists() else ""):
        last = step if kind == "STEP_START" else f"after {step}"
    return last


# ---------------------------------------------------------------------------------------------
# The kill loop


@dataclass
class KillRecord:
    n: int
    target: str
    mode: str
    delay_s: float
    step: str
    published: str
    work_tables: str
    wal_bytes: int
    temp_left: int
    recovery_s: float
    problems: list[str]
    killed: bool = True  # False: the run finished before the kill was due (not counted)


def references(
    wh: Warehouse, echo: Callable[[str], None] = print, full_first: bool = True
) -> tuple[dict, float, str]:
    """Fingerprints of both versions; returns (refs, seconds of a selected run's steps, last config).

    A is refreshed twice with the kill loop's selection and the second result must equal the first
    (the refresh is deterministic, so "complete version" is well defined); every recovery run of
    the kill loop then checks the same for both.
    """
    refs: dict[str, dict[str, Fingerprint]] = {}
    order = ["B", "A", "B"] if full_first else ["B", "A"]
    if full_first:
        echo("reference: full refresh A")
        wh.run("A")
        refs["A"] = fingerprints(wh.published)
    else:
        order.insert(0, "A")
    times = []
    for config in order:
        times.append(wh.run(config, wh.selection))
        got = fingerprints(wh.published)
        if config in refs and not same_state(got, refs[config]):
            differ = [t for t, v in version_of_each(got, {config: refs[config]}).items() if v != config]
            raise AssertionError(f"refresh {config} is not deterministic; tables differ: {differ}")
        refs.setdefault(config, got)
        echo(f"reference: {'selection' if wh.selection else 'full refresh'} {config} in {times[-1]:.1f} s")
    differing = [t for t, fp in refs["A"].items() if not fp.same(refs["B"].get(t))]
    if not differing:
        raise AssertionError("configurations A and B give identical warehouses; nothing to tell apart")
    echo(f"tables that differ between A and B: {', '.join(differing)}")
    return refs, statistics.median(times), order[-1]


def kill_once(
    wh: Warehouse, refs: dict, current: str, target: str, mode: str, delay: float, n: int, scratch: Path
) -> KillRecord:
    problems: list[str] = []
    proc, log = wh.start(target, wh.selection)
    t0 = time.monotonic()
    if mode == "publish":
        # Kill just after the copy of the published file has begun (or somewhat later).
        while not wh.publish_temporaries() and proc.is_alive() and time.monotonic() - t0 < 600:
            time.sleep(0.0005)
        time.sleep(delay)
    else:
        t0 = wait_for_first_step(proc, log, t0 + 600) or time.monotonic()
        while proc.is_alive() and time.monotonic() - t0 < delay:
            time.sleep(0.002)
    killed = proc.is_alive()
    if killed:
        os.kill(proc.pid, signal.SIGKILL)
    proc.join()
    elapsed = time.monotonic() - t0
    step = step_at_kill(log) if killed else "(finished first)"
    wal = Path(f"{wh.work_db}.wal")
    wal_bytes = wal.stat().st_size if wal.exists() else 0
    temp_left = len(wh.publish_temporaries())

    try:
        pub = fingerprints(wh.published)
        published = whole_version(pub, refs)
        if published is None:
            per = version_of_each(pub, refs)
            problems.append(f"published file is not one complete version: {per}")
            published = "MIXED"
        elif published not in (current, target):
            problems.append(f"published is {published}, expected {current} or {target}")
    except duckdb.Error as e:
        problems.append(f"published warehouse does not open: {e}")
        published = "ERROR"
    try:
        per_table = version_of_each(work_db_fingerprints(wh.work_db, scratch), refs)
        bad = {t: v for t, v in per_table.items() if v in ("PARTIAL", "MISSING")}
        if bad:
            problems.append(f"working DB tables not complete: {bad}")
        counts = {v: list(per_table.values()).count(v) for v in ("A", "B", "A=B")}
        work_tables = " ".join(f"{k}:{v}" for k, v in counts.items() if v) + (
            f" bad:{len(bad)}" if bad else ""
        )
    except duckdb.Error as e:
        problems.append(f"working DB does not open after the kill: {e}")
        work_tables = "ERROR"

    recovery = 0.0
    try:
        recovery = wh.run(target, wh.selection)
        if not same_state(fingerprints(wh.published), refs[target]):
            problems.append(f"after the next refresh the published file is not complete {target}")
        if wh.publish_temporaries():
            problems.append("temporary files left after the next refresh")
    except Exception as e:  # noqa: BLE001 - recorded and reported
        problems.append(f"next refresh failed: {e}")
    return KillRecord(
        n=n,
        target=target,
        mode=mode,
        delay_s=round(elapsed if mode == "publish" else delay, 2),
        step=step,
        published=published,
        work_tables=work_tables,
        wal_bytes=wal_bytes,
        temp_left=temp_left,
        recovery_s=round(recovery, 1),
        problems=problems,
        killed=killed,
    )


def kill_loop(
    wh: Warehouse,
    kills: int,
    seed: int,
    publish_every: int = 5,
    echo: Callable[[str], None] = print,
    full_first: bool = True,
) -> list[KillRecord]:
    """SIGKILL `kills` refreshes; every `publish_every`-th kill targets the publish copy."""
    refs, run_s, current = references(wh, echo, full_first)
    rng = random.Random(seed)
    # Stratified delays spread over a whole run (5% past its end), shuffled.
    random_kills = kills - (kills // publish_every if publish_every else 0)
    delays = [(i + rng.random()) / random_kills * run_s * 1.05 for i in range(random_kills)]
    rng.shuffle(delays)
    records, n = [], 0
    while n < kills:
        target = "B" if current == "A" else "A"
        n += 1
        if publish_every and n % publish_every == 0:
            mode, delay = "publish", rng.uniform(0.0, 0.02)
        else:
            mode, delay = "random", delays.pop()
        rec = kill_once(wh, refs, current, target, mode, delay, n, wh.root / "scratch")
        if not rec.killed:
            n -= 1  # not a kill; draw a shorter delay next time
            delays.append(delay * 0.5)
        records.append(rec)
        echo(format_record(rec))
        current = target
    return records


HEADER = f"{'#':>3} {'to':2} {'mode':7} {'t_kill':>6}  {'step running at kill':52} {'published':9} {'work tables':18} {'wal_B':>8} {'tmp':>3} {'next_s':>6}  result"


def format_record(r: KillRecord) -> str:
    result = "; ".join(r.problems) if r.problems else ("ok" if r.killed else "ok (finished before the kill)")
    return (
        f"{r.n:>3} {r.target:2} {r.mode:7} {r.delay_s:>6.2f}  {r.step[:52]:52} {r.published:9} "
        f"{r.work_tables:18} {r.wal_bytes:>8} {r.temp_left:>3} {r.recovery_s:>6.1f}  {result}"
    )


def summary(records: list[KillRecord]) -> str:
    killed = [r for r in records if r.killed]
    return (
        f"{len(killed)} kills ({sum(r.mode == 'publish' for r in killed)} during publish), "
        f"{len({r.step for r in killed})} distinct kill points, published old/new: "
        f"{sum(r.published != r.target for r in killed)}/{sum(r.published == r.target for r in killed)}, "
        f"kills leaving a WAL: {sum(r.wal_bytes > 0 for r in killed)}, leaving a temp copy: "
        f"{sum(r.temp_left > 0 for r in killed)}, rounds with a problem: {sum(bool(r.problems) for r in records)}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--kills", type=int, default=25)
    ap.add_argument("--seed", type=int, default=20261125)
    ap.add_argument("--publish-every", type=int, default=5, help="every n-th kill targets the publish copy")
    ap.add_argument("--selection", default="", help="comma-separated asset keys (default: the whole job)")
    ap.add_argument("--mirror", default=str(DEFAULT_MIRROR))
    ap.add_argument("--ephemeral-instance", action="store_true", help="no DAGSTER_HOME run storage")
    ap.add_argument("--dir", default="", help="work directory (default: a fresh temp dir, removed after)")
    args = ap.parse_args(argv)
    import tempfile

    root = Path(args.dir) if args.dir else Path(tempfile.mkdtemp(prefix="taskvalue-crash-"))
    selection = [s.strip() for s in args.selection.split(",") if s.strip()] or None
    wh = Warehouse(
        root, mirror=Path(args.mirror), selection=selection, persistent_instance=not args.ephemeral_instance
    )
    t0 = time.monotonic()
    print(f"crash bench in {root}; selection: {selection or 'refresh_job (all assets)'}")
    print(HEADER)
    # a selection publishes only over a warehouse built from it (publish refuses to leave out
    # tables downstream of what a run rebuilds), so no full reference refresh first
    records = kill_loop(
        wh, args.kills, args.seed, args.publish_every, echo=print, full_first=selection is None
    )
    print(HEADER)
    for r in records:
        print(format_record(r))
    print(summary(records))
    print(f"total {time.monotonic() - t0:.0f} s")
    if not args.dir:
        shutil.rmtree(root, ignore_errors=True)
    return 1 if any(r.problems for r in records) else 0


if __name__ == "__main__":
    sys.exit(main())

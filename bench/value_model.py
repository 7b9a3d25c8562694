"""Benchmark: a full refresh of the value model, its peak memory, and a plain-pandas baseline.

    .venv/bin/python bench/value_model.py                 # over ../shared/data, 5 repeats
    .venv/bin/python bench/value_model.py --repeat 3 --mirror tests/fixtures/mirror

1. Prepares a working database once (refresh_job over the mirror; not timed).
2. In a fresh process each (so peak RSS is per implementation); both start from the staging tables in
   the prepared DuckDB file:
   - ours: every value-model table (assets/value/build.py: 20 tables incl. release changes, written
     with their comments), and the 9 core tables the baseline also computes, three ways:
     a. build_sql_model (the production path: one transaction per table, CREATE TABLE AS, DESCRIBE,
        COMMENT ON every column, commit to the database file);
     b. the bare CREATE OR REPLACE TABLE AS statements into the database file (no comments);
     c. the same statements into an in-memory database holding a copy of the staging tables (the
        copy is not timed, like pandas' compute-only figure): the like-for-like figure, since the
        baseline's results are frames in memory;
     and the floor: copying the 9 finished tables (SELECT * of an existing table, zero compute) into
     the file and into memory, which bounds any SQL that must write those rows; c. and the
     in-memory floor again with DuckDB on one thread (at this size the lower floor);
   - pandas: bench/pandas_baseline.py, the same formulas an analyst would write in pandas, timed
     without and with loading the staging tables into frames (DuckDB -> pandas).
   The pandas task values must equal ours to the cent (integer cents compared; the run fails if not).
3. Times a Dagster run of the value and changes assets with their blocking checks (in process).
Prints the best of --repeat runs (wall clock; CPU time of the process in brackets), peak RSS
(ru_maxrss) and the ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

CORE = {
    "onet_oes_crosswalk",
    "task_weight_variants",
    "task_weights",
    "dwa_labels",
    "task_labels",
    "task_value",
    "occupation_value",
    "task_family_value",
    "sector_occupation_value",
}


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def best_of(repeat: int, fn) -> tuple[float, float]:
    """Best wall-clock and best CPU seconds of `repeat` calls (CPU: this process, all threads)."""
    wall, cpu = [], []
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return min(wall), min(cpu)


def worker_ours(db: str, repeat: int) -> dict:
    import duckdb

    from assets.common.sql_models import load_model
    from assets.common.warehouse import build_sql_model
    from assets.value.build import SQL_ORDER, build_all
    from assets.value.config import value_settings_from_env
    from assets.value.sql_assets import bound_params, value_params
    from orchestration.resources import settings_from_env

    settings, value = settings_from_env(environ={}), value_settings_from_env(environ={})
    con = duckdb.connect(db)
    params = value_params(settings, value)
    core = [load_model(s, t) for s, t in SQL_ORDER if t in CORE]
    core_params = [bound_params(m, params) for m in core]

    def build_core() -> None:
        for model, p in zip(core, core_params, strict=True):
            build_sql_model(con, model, p)

    def ctas_core(c: duckdb.DuckDBPyConnection) -> None:
        for model, p in zip(core, core_params, strict=True):
            c.execute(f"create or replace table {model.qualified} as\n{model.sql}", p)

    out = {"full": best_of(repeat, lambda: build_all(con, settings, value))}
    out["core"] = best_of(repeat, build_core)
    out["ctas_file"] = best_of(repeat, lambda: ctas_core(con))

    # in memory: the staging tables and the seed tables the models read, copied (not timed); the
    # models name schema.table only, so `use memory_db` points them at the in-memory copies
    home = con.execute("select current_database()").fetchone()[0]
    con.execute("attach ':memory:' as memory_db")
    for schema in ("staging", "int", "marts"):
        con.execute(f"create schema memory_db.{schema}")
    for schema, table in con.execute(
        f"select schema_name, table_name from duckdb_tables() where database_name = '{home}' "
        "and (schema_name = 'staging' or table_name in ('activity_labels', 'wage_tiers'))"
    ).fetchall():
        con.execute(f"create table memory_db.{schema}.{table} as select * from {home}.{schema}.{table}")

    def in_memory(fn) -> None:
        con.execute("use memory_db")
        try:
            fn()
        finally:
            con.execute(f"use {home}")

    out["ctas_memory"] = best_of(repeat, lambda: in_memory(lambda: ctas_core(con)))

    # floor: writing the finished rows again, with no compute at all
    for model in core:
        con.execute(f"create or replace temp table floor_{model.table} as select * from {model.qualified}")

    def copy_all() -> None:
        for model in core:
            con.execute(
                f"create or replace table {model.qualified}_copy as select * from floor_{model.table}"
            )

    out["floor_file"] = best_of(repeat, copy_all)
    out["floor_memory"] = best_of(repeat, lambda: in_memory(copy_all))
    # DuckDB on one thread: at this size coordinating two threads costs more than it saves, so the
    # in-memory floor is lower, which is the fair bound; the compute is timed the same way
    threads = con.execute("select current_setting('threads')").fetchone()[0]
    con.execute("set threads = 1")
    out["ctas_memory_1t"] = best_of(repeat, lambda: in_memory(lambda: ctas_core(con)))
    out["floor_memory_1t"] = best_of(repeat, lambda: in_memory(copy_all))
    con.execute(f"set threads = {int(threads)}")
    for model in core:
        con.execute(f"drop table {model.qualified}_copy")
    con.execute("detach memory_db")
    out["peak_rss_mb"] = peak_rss_mb()
    return out


def worker_pandas(db: str, repeat: int) -> dict:
    import duckdb

    from bench import pandas_baseline as pb

    con = duckdb.connect(db, read_only=True)
    load = best_of(repeat, lambda: pb.load(con))
    frames = pb.load(con)
    compute = best_of(repeat, lambda: pb.run(frames))
    out = pb.run(frames)
    ours = con.sql(
        "select onet_soc_code, task_id, (annual_value_usd * 100)::bigint as ours_cents from marts.task_value"
    ).df()
    both = ours.merge(out["task_value"], on=["onet_soc_code", "task_id"], how="outer", indicator=True)
    matched = both[both._merge == "both"]
    valued = matched.ours_cents.notna() & matched.value_cents.notna()
    return {
        "load": load,
        "compute": compute,
        "peak_rss_mb": peak_rss_mb(),
        "tasks_ours": len(ours),
        "tasks_pandas": len(out["task_value"]),
        "tasks_in_both": len(matched),
        "valued_in_both": int(valued.sum()),
        "null_value_mismatches": int((matched.ours_cents.isna() != matched.value_cents.isna()).sum()),
        "cents_mismatches": int((matched.ours_cents[valued] != matched.value_cents[valued]).sum()),
    }


def run_worker(kind: str, db: str, repeat: int, mirror: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--worker", kind, "--db", db, "--repeat", str(repeat), "--mirror", mirror],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    if out.returncode != 0:
        sys.exit(f"the {kind!r} worker failed (exit {out.returncode}):\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def dagster_value_refresh(tmp: Path, mirror: str) -> tuple[float, bool]:

    import assets.changes as changes
    import assets.value as value
    from tests.conftest import run_refresh

    keys = [k for a in [*value.ASSETS, *changes.ASSETS] for k in a.keys]
    t = time.perf_counter()
    result, _ = run_refresh(tmp, mirror, selection=keys, raise_on_error=False)
    return time.perf_counter() - t, result.success


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirror", default=str((REPO.parent / "shared" / "data").resolve()))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--worker", choices=["prepare", "ours", "pandas", "dagster"])
    parser.add_argument("--db")
    args = parser.parse_args()
    os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")
    if args.worker in ("ours", "pandas"):
        fn = worker_ours if args.worker == "ours" else worker_pandas
        print(json.dumps(fn(args.db, args.repeat)))
        return
    if args.worker == "prepare":
        from tests.conftest import run_refresh

        t = time.perf_counter()
        result, settings = run_refresh(Path(args.db), args.mirror)
        assert result.success, "preparing refresh failed"
        print(json.dumps({"s": time.perf_counter() - t, "db": str(settings.work_db)}))
        return
    if args.worker == "dagster":
        seconds, ok = dagster_value_refresh(Path(args.db), args.mirror)
        print(json.dumps({"s": seconds, "ok": ok, "peak_rss_mb": peak_rss_mb()}))
        return

    # every step runs in its own process: Linux keeps the peak RSS across fork+exec, so this parent
    # must stay small for the children's figures to be their own
    tmp = tempfile.mkdtemp(prefix="taskvalue-bench-")
    prepared = run_worker("prepare", tmp, 1, args.mirror)
    print(f"prepared working database in {prepared['s']:.1f} s (full refresh_job, not compared)")
    db = prepared["db"]
    ours = run_worker("ours", db, args.repeat, args.mirror)
    pandas = run_worker("pandas", db, args.repeat, args.mirror)
    dag = run_worker("dagster", tmp, 1, args.mirror)
    dagster_s, ok = dag["s"], dag["ok"]

    def fmt(x: tuple[float, float]) -> str:
        return f"{x[0] * 1000:7.1f} ms  (CPU {x[1] * 1000:6.1f} ms)"

    pandas_both = (pandas["load"][0] + pandas["compute"][0], pandas["load"][1] + pandas["compute"][1])
    print(f"\nvalue model over {args.mirror} (best of {args.repeat}; wall clock, CPU time in brackets)")
    print(f"  ours, all 20 value/changes tables, build_sql_model:             {fmt(ours['full'])}")
    print("  ours, the 9 core tables the baseline also computes:")
    print(f"    a. build_sql_model (file, transaction + DESCRIBE + COMMENT ON): {fmt(ours['core'])}")
    print(f"    b. CREATE TABLE AS only, into the database file:               {fmt(ours['ctas_file'])}")
    print(f"    c. CREATE TABLE AS only, into an in-memory database:           {fmt(ours['ctas_memory'])}")
    print(f"    floor: copy the 9 finished tables (no compute), file:          {fmt(ours['floor_file'])}")
    print(f"    floor: copy the 9 finished tables (no compute), in memory:     {fmt(ours['floor_memory'])}")
    print(f"    c. with DuckDB on 1 thread:                                    {fmt(ours['ctas_memory_1t'])}")
    print(
        f"    floor, in memory, DuckDB on 1 thread:                          {fmt(ours['floor_memory_1t'])}"
    )
    print(f"  ours, peak RSS:                                                  {ours['peak_rss_mb']:.0f} MB")
    print(f"  pandas baseline, compute only (frames in memory):               {fmt(pandas['compute'])}")
    print(f"  pandas baseline, load staging frames from DuckDB + compute:     {fmt(pandas_both)}")
    print(
        f"  pandas baseline, peak RSS:                                       {pandas['peak_rss_mb']:.0f} MB"
    )
    print(
        f"  pandas vs ours: {pandas['tasks_in_both']} tasks in both (ours {pandas['tasks_ours']}, pandas "
        f"{pandas['tasks_pandas']}), {pandas['valued_in_both']} valued; task values differing: "
        f"{pandas['cents_mismatches']} (to the cent), valued/unvalued mismatches: "
        f"{pandas['null_value_mismatches']}"
    )
    print(
        f"  Dagster run of the value + changes assets with blocking checks:  {dagster_s:.1f} s "
        f"({'success' if ok else 'FAILED'}; peak RSS {dag['peak_rss_mb']:.0f} MB)"
    )
    print("\n  speed-up = pandas seconds / ours seconds (target >= 5x); wall clock [CPU time]:")
    for label, key in (
        ("a. build_sql_model", "core"),
        ("b. CREATE TABLE AS, file", "ctas_file"),
        ("c. CREATE TABLE AS, in memory", "ctas_memory"),
        ("floor, file (upper bound)", "floor_file"),
        ("floor, in memory (upper bound)", "floor_memory"),
        ("c. in memory, 1 thread", "ctas_memory_1t"),
        ("floor, in memory, 1 thread", "floor_memory_1t"),
    ):
        print(
            f"    {label:32s} pandas compute {pandas['compute'][0] / ours[key][0]:5.2f}x "
            f"[{pandas['compute'][1] / ours[key][1]:5.2f}x]   "
            f"pandas load+compute {pandas_both[0] / ours[key][0]:5.2f}x [{pandas_both[1] / ours[key][1]:5.2f}x]"
        )
    print(f"  peak RSS target <= 1536 MB: ours {ours['peak_rss_mb']:.0f} MB")
    same = (
        pandas["cents_mismatches"] == 0
        and pandas["null_value_mismatches"] == 0
        and pandas["tasks_in_both"] == pandas["tasks_ours"] == pandas["tasks_pandas"]
    )
    if not same:
        raise SystemExit("pandas baseline and SQL task values differ: the comparison is not like with like")


if __name__ == "__main__":
    main()

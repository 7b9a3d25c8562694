"""Benchmark: a full refresh of the value model, its peak memory, and a plain-pandas baseline.

    .venv/bin/python bench/value_model.py                 # over ../shared/data, 5 repeats
    .venv/bin/python bench/value_model.py --repeat 3 --mirror tests/fixtures/mirror

1. Prepares a working database once (refresh_job over the mirror; not timed).
2. In a fresh process each (so peak RSS is per implementation):
   - ours: every value-model table (assets/value/build.py: 18 tables incl. release changes, written
     with their comments), and separately the core tables the baseline also computes;
   - pandas: bench/pandas_baseline.py, the same formulas an analyst would write in pandas, timed
     without and with loading the staging tables into frames.
3. Times a Dagster run of the value and changes assets with their blocking checks (in process).
Prints the best of --repeat runs, peak RSS (ru_maxrss) and the ratios.
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
    full, core = [], []
    params = value_params(settings, value)
    for _ in range(repeat):
        t = time.perf_counter()
        build_all(con, settings, value)
        full.append(time.perf_counter() - t)
        t = time.perf_counter()
        for schema, table in SQL_ORDER:
            if table in CORE:
                model = load_model(schema, table)
                build_sql_model(con, model, bound_params(model, params))
        core.append(time.perf_counter() - t)
    return {"full_s": min(full), "core_s": min(core), "peak_rss_mb": peak_rss_mb()}


def worker_pandas(db: str, repeat: int) -> dict:
    import duckdb

    from bench import pandas_baseline as pb

    con = duckdb.connect(db, read_only=True)
    loads, runs = [], []
    for _ in range(repeat):
        t = time.perf_counter()
        frames = pb.load(con)
        loads.append(time.perf_counter() - t)
        t = time.perf_counter()
        out = pb.run(frames)
        runs.append(time.perf_counter() - t)
    ours = con.sql("select onet_soc_code, task_id, annual_value_usd::double as v from marts.task_value").df()
    both = ours.merge(out["task_value"], on=["onet_soc_code", "task_id"])
    return {
        "load_s": min(loads),
        "compute_s": min(runs),
        "peak_rss_mb": peak_rss_mb(),
        "max_task_value_diff_usd": float((both.v - both.annual_value_usd).abs().max()),
        "tasks_compared": len(both),
    }


def run_worker(kind: str, db: str, repeat: int, mirror: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--worker", kind, "--db", db, "--repeat", str(repeat), "--mirror", mirror],
        check=True,
        capture_output=True,
        text=True,
        cwd=REPO,
    )
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

    print(f"\nvalue model over {args.mirror} (best of {args.repeat})")
    print(f"  ours, all 18 value/changes tables (SQL, written with comments): {ours['full_s']:.3f} s")
    print(f"  ours, the 9 core tables the baseline also computes:             {ours['core_s']:.3f} s")
    print(f"  ours, peak RSS:                                                  {ours['peak_rss_mb']:.0f} MB")
    print(f"  pandas baseline, compute only:                                   {pandas['compute_s']:.3f} s")
    print(
        f"  pandas baseline, load staging frames + compute:                  "
        f"{pandas['load_s'] + pandas['compute_s']:.3f} s"
    )
    print(
        f"  pandas baseline, peak RSS:                                       {pandas['peak_rss_mb']:.0f} MB"
    )
    print(
        f"  pandas vs ours, max |task value difference|:                     "
        f"${pandas['max_task_value_diff_usd']:.2f} over {pandas['tasks_compared']} tasks"
    )
    print(
        f"  Dagster run of the value + changes assets with blocking checks:  {dagster_s:.1f} s "
        f"({'success' if ok else 'FAILED'}; peak RSS {dag['peak_rss_mb']:.0f} MB)"
    )
    ratio = pandas["compute_s"] / ours["core_s"]
    ratio_load = (pandas["load_s"] + pandas["compute_s"]) / ours["core_s"]
    print(f"\n  speed-up (pandas compute / ours core):          {ratio:.2f}x  (target >= 5x)")
    print(f"  speed-up (pandas load+compute / ours core):     {ratio_load:.2f}x")
    print(f"  peak RSS target <= 1536 MB: ours {ours['peak_rss_mb']:.0f} MB")


if __name__ == "__main__":
    main()

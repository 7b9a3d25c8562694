"""Time a full ingest: every asset of the `ingest` and `staging` groups, with their blocking GX checks,
from a mirror into a temporary warehouse. Prints wall time and peak memory.

    .venv/bin/python -m bench.ingest                      # mirror ../shared/data (or TASKVALUE_MIRROR)
    .venv/bin/python -m bench.ingest --repeat 3           # three runs in one process
    TASKVALUE_MIRROR=tests/fixtures/mirror .venv/bin/python -m bench.ingest

Peak memory is the maximum resident set size (ru_maxrss) of this process plus that of its largest
child; the run is in process, so that is the refresh itself. Import time (Dagster, Great
Expectations, Polars) is reported apart, since a long-running `dagster dev` pays it once.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
DEFAULT_MIRROR = PROJECT.parent / "shared" / "data"


def peak_rss_mb() -> float:
    """Peak RSS of this process and (separately accounted) its waited-for children, in MB (Linux: KB units)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return (own + children) / 1024


def run_once(mirror: Path, root: Path):
    from dagster import DagsterInstance

    from assets.ingest.assets import INGEST_ASSETS
    from assets.staging.assets import STAGING_ASSETS
    from orchestration.definitions import build_definitions
    from orchestration.resources import settings_from_env

    settings = settings_from_env(
        environ={},
        mirror_dir=str(mirror),
        cache_dir=str(root / "cache"),
        warehouse_path=str(root / "taskvalue.duckdb"),
        work_db_path=str(root / "work" / "taskvalue.duckdb"),
    )
    defs = build_definitions(**settings.model_dump())
    job = defs.resolve_job_def("refresh_job")
    selection = [k for a in [*INGEST_ASSETS, *STAGING_ASSETS] for k in a.keys]
    with DagsterInstance.ephemeral() as instance:
        start = time.perf_counter()
        result = job.execute_in_process(instance=instance, asset_selection=selection, raise_on_error=False)
        elapsed = time.perf_counter() - start
    checks = result.get_asset_check_evaluations()
    failed = [c.check_name for c in checks if not c.passed]
    return result.success and not failed, elapsed, len(selection), len(checks), failed, settings.work_db


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mirror", default=os.environ.get("TASKVALUE_MIRROR") or str(DEFAULT_MIRROR))
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args(argv)
    mirror = Path(args.mirror).resolve()

    os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")
    t0 = time.perf_counter()
    import great_expectations  # noqa: F401 - imported once per process, timed with the rest

    import orchestration.definitions  # noqa: F401

    imports = time.perf_counter() - t0
    print(f"mirror: {mirror}")
    print(f"imports: {imports:.1f} s, peak RSS after imports {peak_rss_mb():.0f} MB")
    ok = True
    for i in range(1, args.repeat + 1):
        with tempfile.TemporaryDirectory(prefix="taskvalue-bench-") as tmp:
            success, elapsed, assets, checks, failed, work_db = run_once(mirror, Path(tmp))
            size = work_db.stat().st_size / 2**20
        ok &= success
        status = "ok" if success else f"FAILED {failed}"
        print(
            f"run {i}: {elapsed:.1f} s wall for {assets} assets and {checks} checks ({status}); "
            f"work database {size:.0f} MB; peak RSS so far {peak_rss_mb():.0f} MB"
        )
    print(f"total wall time {time.perf_counter() - t0:.1f} s; peak RSS {peak_rss_mb():.0f} MB")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

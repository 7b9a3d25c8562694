"""Scale: synthetic inventories of growing size through ingest, matching and coverage.

    .venv/bin/python -m bench.scale                                  # 1k, 10k, 100k rows
    .venv/bin/python -m bench.scale --sizes 1000,10000,100000,1000000
    .venv/bin/python -m bench.scale --format parquet --keep /tmp/scale

First one full refresh (real data in ../shared/data, the example inventory) builds a base working
database. Then, for each size, a generated inventory (short titles, prompts of a few hundred
characters, domains, statuses; from O*NET task statements reworded, so matching does real work)
goes into a temporary inventory directory, and everything downstream of the inventory is
refreshed on a copy of the base, in a fresh process, so that process's peak RSS is that size's
peak memory. Printed: wall time, time in steps, peak RSS, per-layer step times, and the growth
exponent (slope of log time against log rows) between consecutive sizes and overall.

Targets (issue 6): growth at most linear, 1M rows within 8 GB peak memory, no quadratic step.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_MIRROR = (REPO.parent / "shared" / "data").resolve()
GB = 1024**3

# ---------------------------------------------------------------------------------------------
# The synthetic inventory

OPENERS = [
    "You are working in a sandboxed environment with the relevant files already provided.",
    "You are an assistant embedded in a small team; the inputs are attached below.",
    "The environment contains a spreadsheet, a folder of documents and an email client.",
    "You have shell access to a Linux container with Python 3.11 and no network access.",
    "A colleague has handed over the materials in /workspace and is waiting for your output.",
]
ASKS = [
    "Your task: {task}",
    "Please {task_lower}",
    "Goal: {task} Work step by step and record each decision you make.",
    "The client asks you to {task_lower} Keep to the facts in the provided materials.",
]
CLOSERS = [
    "Write the result to output.md and summarise the key numbers in a short table.",
    "Deliver a short report explaining the trade-offs you considered and any open questions.",
    "The grader checks correctness, completeness and whether the constraints were respected.",
    "Return a JSON object with the fields summary, steps and risks.",
    "Flag anything that looks inconsistent rather than guessing; cite file names and line numbers.",
]
STATUSES = ["active", "active", "active", "draft", "retired", "in_review"]
ENVIRONMENTS = ["docker-python", "browser", "spreadsheet", "email-sim", "terminal", "docs-editor"]
DOMAINS = [
    "Management",
    "Business and Financial Operations",
    "Computer and Mathematical",
    "Legal",
    "Healthcare Practitioners and Technical",
    "Office and Administrative Support",
    "Sales and Related",
    "Arts, Design, Entertainment, Sports, and Media",
    "Educational Instruction and Library",
    "engineering",
    "finance",
    "customer support",
    "data science",
]
STOP = {"a", "an", "the", "or", "and", "of", "to", "for", "in", "on", "with", "such", "as", "by"}


def _title(task: str, rng) -> str:
    words = [w.strip(",.;:()") for w in task.split()]
    keep = [w for w in words if w and w.lower() not in STOP]
    n = int(rng.integers(3, 8))
    return " ".join(keep[:n]).capitalize()


def generate_inventory(rows: int, directory: Path, mirror: Path, seed: int = 7, fmt: str = "csv") -> Path:
    """Write `rows` synthetic inventory tasks to directory/synthetic.<fmt>. Returns the file."""
    import numpy as np
    import polars as pl

    rng = np.random.default_rng(seed)
    statements = pl.read_csv(
        mirror / "onet" / "29.0" / "Task Statements.txt",
        separator="\t",
        quote_char=None,
        infer_schema=False,
        encoding="utf8-lossy",
    )
    tasks = statements["Task"].to_list()
    codes = statements["O*NET-SOC Code"].to_list()
    pick = rng.integers(0, len(tasks), rows)
    # Titles are made per distinct statement, then looked up (fast at 1M rows).
    titles_by_statement = [_title(t, rng) for t in tasks]
    opener = rng.integers(0, len(OPENERS), rows)
    ask = rng.integers(0, len(ASKS), rows)
    closer = rng.integers(0, len(CLOSERS), rows)
    hint = rng.random(rows) < 0.15  # some rows carry an occupation code hint
    out = {
        "task_id": [f"SYN-{i:07d}" for i in range(rows)],
        "title": [titles_by_statement[p] for p in pick],
        "description": [
            " ".join(
                (
                    OPENERS[o],
                    ASKS[a].format(task=tasks[p], task_lower=tasks[p][0].lower() + tasks[p][1:]),
                    CLOSERS[c],
                )
            )
            for p, o, a, c in zip(pick, opener, ask, closer, strict=True)
        ],
        "domain": [DOMAINS[i] for i in rng.integers(0, len(DOMAINS), rows)],
        "environment": [ENVIRONMENTS[i] for i in rng.integers(0, len(ENVIRONMENTS), rows)],
        "status": [STATUSES[i] for i in rng.integers(0, len(STATUSES), rows)],
        "instances": rng.integers(1, 200, rows),
        "onet_soc_code": [codes[p] if h else None for p, h in zip(pick, hint, strict=True)],
        "owner": [f"team-{i}" for i in rng.integers(1, 40, rows)],
    }
    frame = pl.DataFrame(out)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"synthetic.{fmt}"
    if fmt == "parquet":
        frame.write_parquet(path)
    else:
        frame.write_csv(path)
    return path


# ---------------------------------------------------------------------------------------------
# One refresh in a child process (`python -m bench.scale --run-one SPEC`)


def inventory_downstream(defs, exclude: tuple[str, ...] = ()) -> list:
    """Keys of inventory_refresh_job: the inventory's assets, the domains config, and all downstream."""
    from orchestration.sensors import INVENTORY_REFRESH_SELECTION

    keys = INVENTORY_REFRESH_SELECTION.resolve(defs.resolve_asset_graph())
    return sorted((k for k in keys if "/".join(k.path) not in exclude), key=lambda k: k.path)


def run_one(spec: dict) -> dict:
    os.environ["DAGSTER_DISABLE_TELEMETRY"] = "1"
    os.environ.update(spec.get("env", {}))
    from dagster import DagsterInstance, HookContext, failure_hook, success_hook

    from orchestration.definitions import build_definitions

    # Steps run one after another in this process, so a step spans the time from the previous step's
    # end (or the run's start) to its own: success/failure hooks record each end.
    ends: list[tuple[str, float, bool]] = []  # (step key, unix time at its end, succeeded)

    @success_hook(name="bench_step_ended")
    def ended(context: HookContext) -> None:
        ends.append((context.step_key, time.time(), True))

    @failure_hook(name="bench_step_failed")
    def step_failed(context: HookContext) -> None:
        ends.append((context.step_key, time.time(), False))

    defs = build_definitions(**spec["settings"])
    job = defs.resolve_job_def("refresh_job").with_hooks({ended, step_failed})
    selection = inventory_downstream(defs, tuple(spec.get("exclude", ()))) if spec["inventory_only"] else None
    samples: list[tuple[float, int]] = []  # (unix time, RSS bytes), to find each step's peak
    done = threading.Event()

    def sample() -> None:
        import psutil

        me = psutil.Process()
        while not done.wait(0.1):
            samples.append((time.time(), me.memory_info().rss))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    t0 = time.monotonic()
    with DagsterInstance.ephemeral() as instance:
        begin = time.time()
        result = job.execute_in_process(instance=instance, asset_selection=selection, raise_on_error=False)
    done.set()
    steps: dict[str, float] = {}
    step_peak: dict[str, int] = {}
    failed: list[str] = []
    for step_key, end, succeeded in ends:
        if succeeded:
            steps[step_key] = end - begin
        else:
            failed.append(step_key)
        step_peak[step_key] = max((rss for t, rss in samples if begin <= t <= end + 0.1), default=0)
        begin = end
    return {
        "success": result.success,
        "seconds": time.monotonic() - t0,
        "steps": steps,
        "step_peak_rss": step_peak,
        "failed": failed,
        "selected": len(selection) if selection is not None else None,
    }


_STEP_START = re.compile(r'STEP_START - Started execution of step "([^"]+)"')


def run_child(spec: dict, log: Path) -> dict:
    """Run `run_one` in a fresh process; add its wall time and peak RSS (from wait4)."""
    t0 = time.monotonic()
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "bench.scale", "--run-one", json.dumps(spec)],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=out,
            text=True,
        )
        stdout = proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    lines = [line for line in stdout.splitlines() if line.startswith("{")]
    if lines:
        res = json.loads(lines[-1])
    else:  # killed (e.g. by the kernel's OOM killer: exit -9) or crashed; the log says where
        running = _STEP_START.findall(log.read_text(errors="replace")) if log.exists() else []
        where = running[-1] if running else "before the first step"
        res = {
            "success": False,
            "steps": {},
            "step_peak_rss": {},
            "failed": [
                f"process died (exit {proc.returncode}{', likely out of memory' if proc.returncode == -9 else ''}) in {where}"
            ],
            "selected": None,
        }
    res["wall"] = time.monotonic() - t0
    res["peak_rss"] = usage.ru_maxrss * 1024  # KiB on Linux
    return res


# ---------------------------------------------------------------------------------------------
# Reporting


def layer_of(step: str) -> str:
    if step.count("__") >= 2:  # <asset step>_<check name>: a blocking asset check
        return "checks"
    if "inventory_ingest" in step or step.startswith("staging__inventory"):
        return "ingest"
    if "inventory_task_matches" in step:
        return "matching"
    if "publish" in step:
        return "publish"
    if "report" in step or "export" in step:
        return "reports+exports"
    if step.startswith("marts__") or "coverage" in step or "grounding" in step:
        return "coverage+marts"
    return "other"


def slope(x1: float, y1: float, x2: float, y2: float) -> float:
    return math.log(y2 / y1) / math.log(x2 / x1) if y1 > 0 and y2 > 0 else float("nan")


def fit_slope(xs: list[float], ys: list[float]) -> float:
    pts = [(math.log(x), math.log(y)) for x, y in zip(xs, ys, strict=True) if y > 0]
    if len(pts) < 2:
        return float("nan")
    mx = sum(p[0] for p in pts) / len(pts)
    my = sum(p[1] for p in pts) / len(pts)
    den = sum((p[0] - mx) ** 2 for p in pts)
    return sum((p[0] - mx) * (p[1] - my) for p in pts) / den


def report(results: list[dict]) -> str:
    layers = ["ingest", "matching", "coverage+marts", "reports+exports", "checks", "publish", "other"]
    lines = [
        f"{'rows':>9} {'ok':>3} {'wall_s':>8} {'steps_s':>8} {'peak_GB':>8} "
        + " ".join(f"{ly[:15]:>15}" for ly in layers)
        + "  slowest step"
    ]
    for r in results:
        by_layer = {ly: 0.0 for ly in layers}
        for step, sec in r["steps"].items():
            by_layer[layer_of(step)] += sec
        slowest = max(r["steps"].items(), key=lambda kv: kv[1], default=("-", 0.0))
        lines.append(
            f"{r['rows']:>9,} {'yes' if r['success'] else 'NO':>3} {r['wall']:>8.1f} {sum(r['steps'].values()):>8.1f} "
            f"{r['peak_rss'] / GB:>8.2f} "
            + " ".join(f"{by_layer[ly]:>15.1f}" for ly in layers)
            + f"  {slowest[0]} {slowest[1]:.1f}s"
        )
        if r["failed"]:
            lines.append(f"          failed steps: {', '.join(r['failed'])}")
    lines.append("")
    lines.append("growth exponent (log-log slope of time in steps; 1 = linear, 2 = quadratic):")
    rows = [r["rows"] for r in results]
    totals = [sum(r["steps"].values()) for r in results]
    for a, b in zip(results, results[1:], strict=False):
        ta, tb = sum(a["steps"].values()), sum(b["steps"].values())
        mem = slope(a["rows"], a["peak_rss"], b["rows"], b["peak_rss"])
        lines.append(
            f"  {a['rows']:>9,} -> {b['rows']:>9,}: time {slope(a['rows'], ta, b['rows'], tb):.2f}, peak memory {mem:.2f}"
        )
    big = [(n, t) for n, t in zip(rows, totals, strict=True) if n >= 10000] or list(
        zip(rows, totals, strict=True)
    )
    lines.append(f"  fit over sizes >= 10k: {fit_slope([n for n, _ in big], [t for _, t in big]):.2f}")
    if len(results) >= 2:
        a, b = results[-2], results[-1]
        lines.append(f"per step, {a['rows']:,} -> {b['rows']:,} (steps taking >= 1 s at the largest size):")
        for step in sorted(b["steps"], key=lambda s: -b["steps"][s]):
            if b["steps"][step] >= 1.0 and a["steps"].get(step):
                k = slope(a["rows"], a["steps"][step], b["rows"], b["steps"][step])
                flag = "  <-- superlinear" if k > 1.3 else ""
                lines.append(
                    f"  {step:70} {a['steps'][step]:8.2f}s -> {b['steps'][step]:8.2f}s  slope {k:.2f}{flag}"
                )
    last = results[-1]
    if last.get("step_peak_rss"):
        lines.append(f"peak RSS by step at {last['rows']:,} rows (top 5; the process baseline included):")
        for step, rss in sorted(last["step_peak_rss"].items(), key=lambda kv: -kv[1])[:5]:
            lines.append(f"  {step:70} {rss / GB:6.2f} GB")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--format", choices=["csv", "parquet"], default="csv")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--mirror", default=str(DEFAULT_MIRROR))
    ap.add_argument(
        "--exclude",
        default="warehouse/published",
        help="comma-separated asset keys left out of the inventory-downstream selection",
    )
    ap.add_argument("--keep", default="", help="keep generated inventories and databases here")
    ap.add_argument("--reuse-base", action="store_true", help="with --keep: reuse its base database")
    ap.add_argument("--run-one", default="", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.run_one:
        print(json.dumps(run_one(json.loads(args.run_one))), flush=True)
        return 0

    root = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="taskvalue-scale-"))
    root.mkdir(parents=True, exist_ok=True)
    mirror = Path(args.mirror)
    sizes = [int(s) for s in args.sizes.split(",") if s]

    def settings_in(d: Path, inventory: Path) -> dict:
        return {
            "mirror_dir": str(mirror),
            "cache_dir": str(root / "cache"),
            "warehouse_path": str(d / "taskvalue.duckdb"),
            "work_db_path": str(d / "work.duckdb"),
            "inventory_dir": str(inventory),
        }

    exclude = [s for s in args.exclude.split(",") if s]
    print(f"scale bench in {root}; sizes {sizes}; format {args.format}")

    base = root / "base"
    t0 = time.monotonic()
    if args.reuse_base and (base / "work.duckdb").exists():
        print(f"base: reusing {base / 'work.duckdb'}")
    else:
        res = run_child(
            {
                "settings": settings_in(base, REPO / "inventory"),
                "inventory_only": False,
            },
            root / "base.log",
        )
        if not res["success"]:
            print(f"base refresh failed: {res['failed']} (see {root / 'base.log'})")
            return 1
        print(f"base: full refresh with the example inventory in {time.monotonic() - t0:.0f} s")

    results = []
    for n in sizes:
        d = root / f"n{n}"
        shutil.rmtree(d, ignore_errors=True)
        t1 = time.monotonic()
        path = generate_inventory(n, d / "inventory", mirror, seed=args.seed, fmt=args.format)
        gen_s = time.monotonic() - t1
        shutil.copyfile(base / "work.duckdb", d / "work.duckdb")
        # with warehouse/published selected (--exclude ''), publish compares the tables this run does
        # not rebuild with the published warehouse, so it needs the base's
        shutil.copyfile(base / "taskvalue.duckdb", d / "taskvalue.duckdb")
        res = run_child(
            {
                "settings": settings_in(d, d / "inventory"),
                "inventory_only": True,
                "exclude": exclude,
            },
            d / "refresh.log",
        )
        res["rows"] = n
        results.append(res)
        print(
            f"{n:>9,} rows ({path.stat().st_size / 1e6:.0f} MB {args.format}, generated in {gen_s:.0f} s): "
            f"{'ok' if res['success'] else 'FAILED ' + ', '.join(res['failed'])}, {res['selected']} assets, "
            f"wall {res['wall']:.1f} s, steps {sum(res['steps'].values()):.1f} s, peak {res['peak_rss'] / GB:.2f} GB",
            flush=True,
        )
        if not args.keep:
            shutil.rmtree(d, ignore_errors=True)
    print()
    print(report(results))
    if not args.keep:
        shutil.rmtree(root, ignore_errors=True)
    return 0 if all(r["success"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())

"""`make bench`: run the pipeline stage by stage on a generated corpus and record what it costs.

    python -m benchmarks.run --documents 20000 [--incremental 1000]

Stages run in separate processes (peak RSS per stage from the kernel's rusage). Results go to
benchmarks/results/<timestamp>-<N>.json and the README's benchmark table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb

from benchmarks import tree_rss
from benchmarks.generate_corpus import LAST_DAY, SHARED_CORPUS, generate

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
WORK = ROOT / "benchmarks" / "work"
README = ROOT / "README.md"
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"


GROUPS = {
    "stages": "ingest, normalise, extraction per table and the checks, each alone",
    "pipeline": "`make run` on a fresh warehouse, then again with new documents added, then with nothing new",
    "incremental": "only the run with new documents added, then one with nothing new, on the warehouse the "
    "last `pipeline` built",
    "overhead": "`make run` with and without the checks on ../shared/corpus",
    "scaleout": "the lake's months by one process, a process pool and dagster-celery workers",
}


def run_driver(cmd: list[str], env: dict | None = None) -> str:
    """Run a stage's driver process; return its stdout (the driver reports its own child's peak RSS)."""
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT)
    if proc.returncode:
        raise RuntimeError(f"{cmd[:3]} failed:\n{proc.stderr[-3000:]}")
    return proc.stdout


def stage(name: str, folder: Path, warehouse: Path, env: dict | None = None) -> list[dict]:
    # a fresh interpreter per stage: ru_maxrss of RUSAGE_CHILDREN is the max over children, so each
    # stage runs under its own small driver that reports its own child's peak
    driver = [
        sys.executable,
        "-c",
        (
            "import subprocess,sys,resource,json;"
            f"p=subprocess.run([sys.executable,'-m','benchmarks.stages','{name}','{folder}','{warehouse}'],capture_output=True,text=True);"
            "sys.stderr.write(p.stderr[-3000:]) if p.returncode else None;"
            "r=json.loads(p.stdout.strip().splitlines()[-1]) if p.returncode==0 else sys.exit(p.returncode);"
            "peak=resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss/1024;"
            "print(json.dumps([{**x,'peak_rss_mb':peak} for x in r]))"
        ),
    ]
    out = run_driver(driver, env)
    return json.loads(out.strip().splitlines()[-1])


def dagster_env(folder: Path, warehouse: Path) -> dict:
    """The environment `make run` gives the pipeline, with the bench's own DAGSTER_HOME."""
    home = WORK / "dagster_home"
    home.mkdir(exist_ok=True)
    shutil.copy(ROOT / "dagster.yaml", home / "dagster.yaml")
    return {
        **os.environ,
        "COMMUNIQUE_DOCUMENTS": str(folder),
        "COMMUNIQUE_WAREHOUSE": str(warehouse),
        "PYTHONPATH": str(ROOT),
        "DAGSTER_HOME": str(home),
        "DAGSTER_DISABLE_TELEMETRY": "1",
    }


def dagster_run(folder: Path, warehouse: Path, name: str) -> dict:
    """`make run`'s path: every asset and check through Dagster, in a fresh process, with the peak memory
    of its whole process tree (the run and its validator process) and its step timings."""
    env = dagster_env(folder, warehouse)
    timings, samples = WORK / f"{name}-steps.json", WORK / f"{name}-rss.txt"
    env["COMMUNIQUE_RUN_TIMINGS"] = str(timings)
    driver = [sys.executable, "-m", "benchmarks.tree_rss", "--timeline", str(samples), "--"]
    driver += [sys.executable, "-m", "orchestration.run"]
    result = json.loads(run_driver(driver, env).strip().splitlines()[-1])
    result.pop("rc")
    steps = json.loads(timings.read_text())
    # which step held the tree's peak: each step's own, from the samples taken while it ran
    windows = steps.pop("steps_window", {})
    steps["steps_peak_tree_mb"] = tree_rss.step_peaks(tree_rss.read_timeline(samples), windows)
    return {"stage": name, **result, **steps}


def incremental_run(
    corpus: Path, n: int, documents: int, floor_docs: int, floor_mb: float, *, cold: bool = False
) -> dict:
    """A daily run: the documents published in the week after the corpus ends, into the same folder
    tree, then Dagster again on the warehouse `pipeline` built. Each call adds a new week's documents
    (another seed), so it can be repeated on the same warehouse. `cold`: the operating system's caches
    (file pages, file metadata) are dropped first, as on a machine that did other work since the last
    run; it needs root, and the stage is named `pipeline_incremental_cold`."""
    warehouse = WORK / "full.duckdb"
    if not warehouse.exists():
        raise SystemExit(f"{warehouse} does not exist: run the `pipeline` group first")
    extra = corpus / "incremental"
    shutil.rmtree(extra, ignore_errors=True)
    # the seed is the warehouse's document count, which each daily run raises: the extraction batches were
    # counted before, but a re-extraction puts every document in one batch, and the next run's seed was an
    # earlier run's, so its documents were duplicates and nothing new was extracted
    with duckdb.connect(str(warehouse), read_only=True) as con:
        held = con.execute("select count(*) from normalised.documents").fetchall()[0][0]
    week = (LAST_DAY + dt.timedelta(days=1), LAST_DAY + dt.timedelta(days=8))
    generate(documents, extra, seed=n + held, first_day=week[0], last_day=week[1])
    print("stage incremental ...", flush=True)
    name = "pipeline_incremental"
    if cold:
        subprocess.run(["sync"], check=True)
        Path("/proc/sys/vm/drop_caches").write_text("3\n")  # PermissionError without root
        name += "_cold"
    try:
        inc = dagster_run(corpus, warehouse, name)
    finally:
        shutil.rmtree(extra, ignore_errors=True)
    inc["beyond_startup_s"] = round(inc["wall_s"] - inc["startup_s"], 2)
    return {**inc, "documents": documents, "text_mb": floor_mb * documents / floor_docs}


def unchanged_run(corpus: Path) -> dict:
    """A scheduled run that finds nothing new (the daily run's documents are gone from the folder again):
    Dagster on the same warehouse once more. Its checks keep the verdicts of the validations that the last
    run logged, where they used to validate the newest batch again (every document, after a
    re-extraction)."""
    print("stage unchanged ...", flush=True)
    run = dagster_run(corpus, WORK / "full.duckdb", "pipeline_unchanged")
    run["beyond_startup_s"] = round(run["wall_s"] - run["startup_s"], 2)
    return {**run, "documents": 0, "text_mb": None}


def validation_overhead(folder: Path, repeats: int = 3) -> list[dict]:
    """What validation adds to `make run` on one corpus: the same run with and without the asset checks,
    each from a fresh process on a fresh warehouse, alternated `repeats` times; the medians are compared
    (a single pair of ~25 s runs varies by a few seconds here). The criterion: at most a third."""
    without_db, with_db = WORK / "overhead-without.duckdb", WORK / "overhead-with.duckdb"
    driver = [
        sys.executable,
        "-c",
        (
            "import subprocess,sys,resource,json;"
            f"p=subprocess.run([sys.executable,'-m','benchmarks.stages','pipeline_without_checks','{folder}','{without_db}'],capture_output=True,text=True);"
            "sys.stderr.write(p.stderr[-3000:]) if p.returncode else None;"
            "r=json.loads(p.stdout.strip().splitlines()[-1]) if p.returncode==0 else sys.exit(p.returncode);"
            "print(json.dumps([{**x,'peak_rss_mb':resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss/1024} for x in r]))"
        ),
    ]
    withouts, withs = [], []
    for _ in range(repeats):
        for db in (without_db, with_db):
            db.unlink(missing_ok=True)
        withouts.append(
            json.loads(run_driver(driver, dagster_env(folder, without_db)).strip().splitlines()[-1])[0]
        )
        withs.append(dagster_run(folder, with_db, "run_with_checks"))
    without = {**_median(withouts), "stage": "run_without_checks"}
    with_checks = {**_median(withs), "documents": without["documents"], "text_mb": without["text_mb"]}
    added = with_checks["wall_s"] / without["wall_s"] - 1
    print(
        f"validation adds {added:.0%} to the run on {folder} (criterion: at most 33%); runs with checks "
        f"{[round(r['wall_s'], 1) for r in withs]} s, without {[round(r['wall_s'], 1) for r in withouts]} s"
    )
    return [without, {**with_checks, "validation_overhead": round(added, 3)}]


def _median(rows: list[dict]) -> dict:
    """The row of median wall time."""
    return sorted(rows, key=lambda r: r["wall_s"])[len(rows) // 2]


def scale_out(folder: Path, warehouse: Path) -> tuple[list[dict], dict]:
    """The lake's months written by one process, by a plain process pool of two (the machine's limit)
    and by `make run-distributed` (Redis, two dagster-celery workers, the daemon), on the same corpus."""
    one_thread = {**os.environ, "POLARS_MAX_THREADS": "1"}
    [single] = stage("lake_sequential", folder, warehouse, one_thread)
    [threads] = stage("lake_sequential", folder, warehouse)
    [pool] = stage("lake_pool", folder, warehouse)
    report_file = WORK / "distributed.json"
    env = {
        **dagster_env(folder, WORK / "distributed.duckdb"),
        "COMMUNIQUE_DISTRIBUTED_HOME": str(WORK / "dagster_distributed"),
    }
    driver = [
        sys.executable,
        "-c",
        (
            "import subprocess,sys,resource,json,time;t=time.perf_counter();"
            f"p=subprocess.run([sys.executable,'-m','orchestration.distributed','--report','{report_file}'],capture_output=True,text=True);"
            "sys.stderr.write(p.stdout[-3000:]+p.stderr[-3000:]) if p.returncode else None;"
            "print(json.dumps({'wall_s':time.perf_counter()-t,'rc':p.returncode,'peak_rss_mb':resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss/1024}))"
        ),
    ]
    whole = json.loads(run_driver(driver, env).strip().splitlines()[-1])
    if whole.pop("rc"):
        raise RuntimeError("make run-distributed failed (see its output above)")
    report = json.loads(report_file.read_text())
    base = {k: single[k] for k in ("documents", "text_mb")}
    rows = [
        {**single, "stage": "lake_1_process_1_thread"},
        {**threads, "stage": "lake_1_process_all_threads"},
        {**pool, "stage": "lake_process_pool_2"},
        {
            **base,
            "stage": "lake_celery_2_workers",
            "wall_s": report["backfill_s"],
            "peak_rss_mb": whole["peak_rss_mb"],
        },
        {**base, "stage": "pipeline_distributed", **whole},
    ]
    summary = {
        "partitions": report["months"],
        "runs_per_worker_process": report["runs_per_worker_process"],
        "speedup_process_pool": round(single["wall_s"] / pool["wall_s"], 2),
        "speedup_celery": round(single["wall_s"] / report["backfill_s"], 2),
        "celery_share_of_machine_limit": round(pool["wall_s"] / report["backfill_s"], 2),
    }
    print(f"scale-out: {summary}")
    return rows, summary


def machine() -> dict:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(mem / 1024 / 1024, 1),
        "python": platform.python_version(),
    }


def commit() -> str:
    return subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
    ).stdout.strip()


def finish(row: dict, floor_s: float, floor_docs: int) -> dict:
    docs, mb, wall = row.get("documents", floor_docs), row.get("text_mb"), row["wall_s"]
    row["documents"] = docs
    row["docs_per_s"] = round(docs / wall, 1) if wall else None
    row["mb_per_s"] = round(mb / wall, 2) if mb and wall else None
    row["floor_multiple"] = round(wall / floor_s * (floor_docs / docs), 2) if docs else None
    row["wall_s"] = round(wall, 2)
    row["peak_rss_mb"] = round(row["peak_rss_mb"], 1)
    row["text_mb"] = round(mb, 2) if mb else None
    return row


# what the `pipeline` group builds and the `incremental` group runs on again: kept unless `pipeline` runs
FULL_BUILD = ("full.duckdb", "full.duckdb.wal", "dagster_home", "serving-full")


def clear_work(*, rebuild_full: bool) -> None:
    """Empty the bench's work folder, but keep the full build (a quarter of an hour at a million documents) unless this
    bench rebuilds it: `BENCH_ONLY=stages` used to delete it with everything else."""
    WORK.mkdir(parents=True, exist_ok=True)
    for path in WORK.iterdir():
        if not rebuild_full and path.name in FULL_BUILD:
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--documents", type=int, default=20_000)
    parser.add_argument("--incremental", type=int, default=1_000)
    parser.add_argument(
        "--cold", action="store_true", help="drop the OS caches before the daily run (needs root)"
    )
    parser.add_argument(
        "--only",
        nargs="*",
        choices=GROUPS,
        default=list(GROUPS),
        help="the groups of stages to run (the floor always runs): "
        + "; ".join(f"{k}: {v}" for k, v in GROUPS.items()),
    )
    args = parser.parse_args()
    n = args.documents
    corpus = ROOT / "corpus" / f"gen-{n}"
    if not corpus.is_dir():
        print(f"generating {n} documents into {corpus}")
        generate(n, corpus)
    clear_work(rebuild_full="pipeline" in args.only)
    warehouse = WORK / "bench.duckdb"

    rows = stage("floor", corpus, warehouse)
    floor_s, floor_docs, floor_mb = rows[0]["wall_s"], rows[0]["documents"], rows[0]["text_mb"]
    if "stages" in args.only:
        for name in ("ingest", "normalise", "extract", "checks"):
            print(f"stage {name} ...", flush=True)
            rows.extend(stage(name, corpus, warehouse))
    if "pipeline" in args.only:
        print("stage pipeline (Dagster, fresh warehouse) ...", flush=True)
        full = dagster_run(corpus, WORK / "full.duckdb", "pipeline_full")
        rows.append({**full, "documents": floor_docs, "text_mb": floor_mb})
    if "pipeline" in args.only or "incremental" in args.only:
        rows.append(incremental_run(corpus, n, args.incremental, floor_docs, floor_mb, cold=args.cold))
        rows.append(unchanged_run(corpus))
    scale = None
    if "overhead" in args.only:
        print("stage validation overhead (../shared/corpus, with and without checks) ...", flush=True)
        rows.extend(validation_overhead(SHARED_CORPUS))
    if "scaleout" in args.only:
        print("stage scale-out (lake months: one process, a process pool, celery workers) ...", flush=True)
        lake_rows, scale = scale_out(corpus, warehouse)
        rows.extend(lake_rows)
    stages = [finish(r, floor_s, floor_docs) for r in rows]
    result = {
        "commit": commit(),
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "corpus_documents": n,
        "corpus_mb": round(floor_mb, 1),
        "stages": stages,
        "scale_out": scale,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{dt.datetime.now():%Y%m%d-%H%M%S}-{n}.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    table = render(result)
    print(table)
    update_readme(table)
    print(f"recorded {path.relative_to(ROOT)}")


def render(result: dict) -> str:
    head = (
        f"Corpus: {result['corpus_documents']:,} generated documents ({result['corpus_mb']} MB of text); "
        f"commit {result['commit']}; {result['machine']['cores']} cores, {result['machine']['memory_gb']} GB, {result['machine']['cpu']}.\n\n"
    )
    lines = [
        "| stage | documents | text MB | wall s | docs/s | MB/s | peak RSS MB | all processes MB | × floor |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for s in result["stages"]:
        tree = round(s["peak_tree_rss_mb"]) if "peak_tree_rss_mb" in s else ""
        lines.append(
            f"| {s['stage']} | {s['documents']:,} | {s['text_mb']} | {s['wall_s']} | {s['docs_per_s']} | {s['mb_per_s']} | {s['peak_rss_mb']} | {tree} | {s['floor_multiple']} |"
        )
    for s in result["stages"]:
        if "steps_s" in s:
            steps = ", ".join(f"{k} {v}" for k, v in s["steps_s"].items())
            extra = f"; {s['beyond_startup_s']} s beyond start-up" if "beyond_startup_s" in s else ""
            lines.append(f"\n`{s['stage']}`: Dagster start-up {s['startup_s']} s{extra}; steps (s): {steps}.")
            if s.get("steps_peak_tree_mb"):
                peaks = ", ".join(f"{k} {v:,}" for k, v in s["steps_peak_tree_mb"].items())
                lines.append(f"Peak memory of the process tree during each step (MB): {peaks}.")
    scale = result.get("scale_out")
    notes = (
        [
            f"\nScale-out over {scale['partitions']} publication months: a process pool of two runs "
            f"{scale['speedup_process_pool']}x one single-threaded process (this machine's limit), two "
            f"dagster-celery workers {scale['speedup_celery']}x ({scale['celery_share_of_machine_limit']:.0%} of the pool)."
        ]
        if scale
        else []
    )
    notes += [
        f"\nValidation adds {s['validation_overhead']:.0%} to `make run` on ../shared/corpus (run_with_checks against run_without_checks; criterion: at most 33%)."
        for s in result["stages"]
        if "validation_overhead" in s
    ]
    return head + "\n".join(lines + notes)


def update_readme(table: str) -> None:
    if not README.exists():
        return
    text = README.read_text()
    if BEGIN in text and END in text:
        before, rest = text.split(BEGIN, 1)
        _, after = rest.split(END, 1)
        README.write_text(f"{before}{BEGIN}\n{table}\n{END}{after}")


if __name__ == "__main__":
    main()

"""`make run-distributed`: the same assets on Dagster's celery executor, one publication month per run.

1. starts Redis on 127.0.0.1 (a free port), two `dagster-celery` workers and the Dagster daemon, under
   their own Dagster instance (`.dagster_distributed/`: CeleryRunLauncher, QueuedRunCoordinator);
2. ingests the documents here (which registers each publication month as a partition);
3. submits a backfill of `lake_job` over every month: the daemon dequeues the runs, the launcher sends
   each to a worker, which runs it with the in-process executor and writes that month of the lake;
4. waits for every run, checks that each month landed exactly once, stops what it started by process
   group id, then builds the marts here from the lake (checks, dbt, snapshot) as `make run` does.

Prints a summary (runs per worker process, wall times) and exits non-zero when anything failed.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from orchestration.lib import paths

LOCATION = "communique"
WORKERS = 2
TAG = "communique/backfill"


@dataclass
class Services:
    """Processes this run started: each leads its own process group, stopped by that id."""

    home: Path
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    def start(self, name: str, command: list[str], env: dict) -> subprocess.Popen:
        log = (self.home / "logs" / f"{name}.log").open("w")
        process = subprocess.Popen(
            command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, cwd=paths.ROOT
        )
        self.processes[name] = process
        return process

    def stop(self) -> None:
        for process in reversed(self.processes.values()):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)  # celery: a warm shutdown
        deadline = time.monotonic() + 30
        for process in self.processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def log(self, name: str) -> str:
        return (self.home / "logs" / f"{name}.log").read_text(errors="replace")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_instance(home: Path, redis_url: str, *, workers: int = WORKERS) -> dict[str, Path]:
    """The distributed profile's Dagster instance, the workers' celery config and the daemon's workspace."""
    import yaml

    broker, backend = f"{redis_url}/0", f"{redis_url}/1"
    files = {
        "dagster.yaml": {
            "run_launcher": {
                "module": "dagster_celery.launcher",
                "class": "CeleryRunLauncher",
                "config": {"broker": broker, "backend": backend},
            },
            "run_coordinator": {
                "module": "dagster.core.run_coordinator",
                "class": "QueuedRunCoordinator",
                # a run waiting in the broker for each worker, and a dequeue every second (default 5 s):
                # a month's run takes well under a second of work on a small corpus
                "config": {"max_concurrent_runs": 2 * workers, "dequeue_interval_seconds": 1},
            },
            "telemetry": {"enabled": False},
        },
        "celery.yaml": {"execution": {"config": {"broker": broker, "backend": backend}}},
        "workspace.yaml": {
            "load_from": [
                {"python_module": {"module_name": "orchestration.definitions", "location_name": LOCATION}}
            ]
        },
    }
    (home / "logs").mkdir(parents=True, exist_ok=True)
    written = {}
    for name, content in files.items():
        written[name] = home / name
        written[name].write_text(yaml.safe_dump(content, sort_keys=False))
    return written


def wait_for_redis(port: int, process: subprocess.Popen, timeout: float = 20) -> None:
    import redis

    client = redis.Redis(host="127.0.0.1", port=port)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("redis-server exited at start")
        try:
            if client.ping():
                return
        except redis.ConnectionError:
            time.sleep(0.1)
    raise RuntimeError(f"redis-server did not answer on port {port} within {timeout} s")


def run(
    documents: Path, warehouse: Path, home: Path, *, workers: int = WORKERS, timeout: float = 3600
) -> dict:
    """The whole distributed run; returns its report (raises when a step of it failed)."""
    lake_root = paths.lake_root(warehouse)
    home.mkdir(parents=True, exist_ok=True)
    port = free_port()
    files = write_instance(home, f"redis://127.0.0.1:{port}", workers=workers)
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "DAGSTER_DISABLE_TELEMETRY": "1",
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(paths.ROOT), os.environ.get("PYTHONPATH")])),
        paths.DOCUMENTS_ENV: str(documents),
        paths.WAREHOUSE_ENV: str(warehouse),
        paths.FACTS_ENV: "lake",
        paths.LAKE_ENV: lake_root,
    }
    os.environ.update({k: env[k] for k in ("DAGSTER_HOME", paths.DOCUMENTS_ENV, paths.WAREHOUSE_ENV)})
    os.environ.update({paths.FACTS_ENV: "lake", paths.LAKE_ENV: lake_root})
    bin_dir = Path(sys.executable).parent
    services = Services(home)
    report: dict = {"documents": str(documents), "warehouse": str(warehouse), "lake": lake_root}
    started = time.perf_counter()
    import dagster as dg

    # create the instance's sqlite storages here, before the daemon and the workers open them at once
    instance = dg.DagsterInstance.get()
    instance.get_runs(limit=1)
    instance.get_dynamic_partitions("publication_month")
    instance.all_instigator_state()
    try:
        redis_server = services.start(
            "redis",
            ["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"],
            env,
        )
        wait_for_redis(port, redis_server)
        # one Polars thread per worker: two workers on two cores, as SCALEOUT.md measured
        worker_env = {**env, "POLARS_MAX_THREADS": str(max(1, (os.cpu_count() or 1) // workers))}
        for i in range(1, workers + 1):
            services.start(
                f"worker{i}",
                [str(bin_dir / "dagster-celery"), "worker", "start", "-A", "dagster_celery.app"]
                + ["-y", str(files["celery.yaml"]), "-n", f"communique-w{i}", "--", "--concurrency=1"],
                worker_env,
            )
        services.start(
            "daemon", [str(bin_dir / "dagster-daemon"), "run", "-w", str(files["workspace.yaml"])], env
        )

        from orchestration.definitions import build_definitions
        from orchestration.run import run_all, summarise

        defs = build_definitions(documents, warehouse)
        step = time.perf_counter()
        result = run_all(defs, instance, dg.AssetSelection.groups("ingestion"))
        lines, ok = summarise(result)
        if not ok:
            raise RuntimeError("ingestion failed:\n" + "\n".join(lines))
        report["ingest_s"] = round(time.perf_counter() - step, 2)
        months = sorted(instance.get_dynamic_partitions("publication_month"))
        report["months"] = len(months)

        step = time.perf_counter()
        backfill = uuid.uuid4().hex[:12]
        submit = subprocess.run(
            [str(bin_dir / "dagster"), "job", "backfill", "-w", str(files["workspace.yaml"]), "-l", LOCATION]
            + ["-j", "lake_job", "--partitions", ",".join(months), "--tags", json.dumps({TAG: backfill})]
            + ["--noprompt"],
            env=env,
            capture_output=True,
            text=True,
            cwd=paths.ROOT,
        )
        if submit.returncode:
            raise RuntimeError(
                f"backfill submission failed:\n{submit.stdout[-2000:]}\n{submit.stderr[-3000:]}"
            )
        runs = wait_for_runs(instance, backfill, len(months), timeout, services)
        report["backfill_s"] = round(time.perf_counter() - step, 2)
        report.update(account(instance, runs, months, lake_root))
    finally:
        services.stop()
    report["services_stopped"] = all(p.poll() is not None for p in services.processes.values())
    # what each worker's own log says it ran
    report["tasks_in_worker_logs"] = {
        name: len(re.findall(r"Task execute_job\[[^\]]+\] succeeded", services.log(name)))
        for name in services.processes
        if name.startswith("worker")
    }

    step = time.perf_counter()
    result = run_all(build_definitions(documents, warehouse), instance)
    lines, ok = summarise(result)
    report["marts_s"] = round(time.perf_counter() - step, 2)
    report["summary"] = lines
    report["wall_s"] = round(time.perf_counter() - started, 2)
    if not ok:
        raise RuntimeError("building the marts from the lake failed:\n" + "\n".join(lines))
    return report


def wait_for_runs(instance, backfill: str, expected: int, timeout: float, services: Services) -> list:
    import dagster as dg

    deadline = time.monotonic() + timeout
    while True:
        runs = instance.get_runs(filters=dg.RunsFilter(tags={TAG: backfill}))
        done = [r for r in runs if r.is_finished]
        if len(runs) >= expected and len(done) == len(runs):
            return runs
        for name, process in services.processes.items():
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited ({process.returncode}):\n{services.log(name)[-3000:]}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"{len(done)} of {expected} runs finished in {timeout} s")
        time.sleep(0.5)


def account(instance, runs: list, months: list[str], lake_root: str) -> dict:
    """Every month landed exactly once, and where each ran; raises when one did not."""
    import dagster as dg

    from orchestration.lib import lake

    by_month = collections.Counter(
        r.tags.get("dagster/partition") for r in runs if r.status == dg.DagsterRunStatus.SUCCESS
    )
    failed = [r.tags.get("dagster/partition") for r in runs if r.status != dg.DagsterRunStatus.SUCCESS]
    missing = [m for m in months if by_month[m] == 0]
    twice = [m for m, n in by_month.items() if n > 1]
    written = lake.manifests(lake_root)["month"].to_list()
    pids = collections.Counter()
    for run in runs:
        for event in instance.all_logs(run.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION):
            pids[event.asset_materialization.metadata["pid"].value] += 1
    if failed or missing or twice or sorted(written) != sorted(months):
        raise RuntimeError(
            f"months failed {failed}, missing {missing}, run twice {twice}; lake holds {len(written)}"
        )
    return {"runs": len(runs), "runs_per_worker_process": dict(pids)}


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--report", type=Path, help="also write the report here, as JSON")
    parser.add_argument("--workers", type=int, default=WORKERS)
    args = parser.parse_args()
    documents, warehouse = paths.documents_folder(), paths.warehouse_file()
    home = Path(os.environ.get("COMMUNIQUE_DISTRIBUTED_HOME", paths.ROOT / ".dagster_distributed")).resolve()
    if shutil.which("redis-server") is None:
        print("redis-server is not installed: `make run-distributed` installs it (Debian's redis-server)")
        return 2
    try:
        report = run(documents, warehouse, home, workers=args.workers)
    except Exception as exc:
        print(f"FAILED: {exc}")
        return 1
    print("\n".join(report["summary"]))
    print(json.dumps(report, indent=2))
    if args.report:
        args.report.write_text(json.dumps(report, indent=2))
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())

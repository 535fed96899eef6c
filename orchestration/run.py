"""`make run`: materialise every asset (ingest, normalise, dbt marts, all checks) once, print a summary,
and exit non-zero when a blocking check or a step fails. Runs are recorded in DAGSTER_HOME, so they
show in `make dev`'s UI."""

from __future__ import annotations

import json
import os
import sys
import time
from typing import TYPE_CHECKING

from orchestration.lib import paths

STARTED = time.time()  # Dagster is imported later: its import is part of a run's fixed start-up

if TYPE_CHECKING:  # imported where used: `main` starts the validator before Dagster loads
    import dagster as dg


def summarise(result: dg.ExecuteInProcessResult) -> tuple[list[str], bool]:
    import dagster as dg

    lines: list[str] = []
    materialized = [e for e in result.all_events if e.event_type == dg.DagsterEventType.ASSET_MATERIALIZATION]
    for event in materialized:
        mat = event.event_specific_data.materialization
        if mat.asset_key.path == ["normalised", "documents"]:
            meta = {k: v.value for k, v in mat.metadata.items()}
            lines.append(
                f"files seen {meta['files_in_folder']} (new {meta['files_new']}): loaded {meta['loaded']}, "
                f"duplicates {meta['duplicates']}, quarantined {meta['quarantined']}"
            )
    lines.append(f"assets materialised: {len(materialized)}")
    checks = result.get_asset_check_evaluations()
    failed = [c for c in checks if not c.passed]
    blocking_failed = [c for c in failed if c.severity == dg.AssetCheckSeverity.ERROR]
    lines.append(f"checks passed: {len(checks) - len(failed)} of {len(checks)}")
    for check in failed:
        lines.append(
            f"  FAILED ({check.severity.value}) {check.asset_key.to_user_string()} {check.check_name}: {check.description or ''}"
        )
    ok = result.success and not blocking_failed
    return lines, ok


def step_timings(instance: dg.DagsterInstance, run_id: str, started: float = STARTED) -> dict:
    """Where a run's time went: `startup_s` from the process's start to its first step (interpreter,
    Dagster, the definitions, the run's set-up: the fixed cost of any run), then seconds per step, and
    `steps_window`: when each step began and ended (seconds since the epoch), which the bench matches
    to its memory samples."""
    import dagster as dg

    begun: dict[str, float] = {}
    windows: dict[str, list[float]] = {}
    for entry in instance.all_logs(run_id):
        event = entry.dagster_event
        if event is None or event.step_key is None:
            continue
        if event.event_type == dg.DagsterEventType.STEP_START:
            begun[event.step_key] = entry.timestamp
        elif event.event_type in (dg.DagsterEventType.STEP_SUCCESS, dg.DagsterEventType.STEP_FAILURE):
            windows[event.step_key] = [begun.get(event.step_key, entry.timestamp), entry.timestamp]
    first = min(begun.values(), default=time.time())
    steps = {step: round(end - start, 2) for step, (start, end) in windows.items()}
    return {"startup_s": round(first - started, 2), "steps_s": steps, "steps_window": windows}


def run_all(
    defs: dg.Definitions, instance: dg.DagsterInstance, selection: dg.AssetSelection | None = None
) -> dg.ExecuteInProcessResult:
    """Materialise every asset and run every check once, in this process (or only `selection`)."""
    import dagster as dg

    if selection is not None:
        defs = dg.Definitions.merge(defs, dg.Definitions(jobs=[dg.define_asset_job("selection", selection)]))
    return defs.resolve_job_def("all_assets_job" if selection is None else "selection").execute_in_process(
        instance=instance,
        raise_on_error=False,
        run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}},
    )


def main() -> int:
    from orchestration.lib import dbt_server
    from orchestration.lib.quality import warm_up

    warm_up()  # Great Expectations loads in its own process while Dagster and the definitions load here
    dbt_server.start()  # and dbt in another, for the dbt step
    import dagster as dg

    from orchestration.definitions import defs

    print(f"documents: {paths.documents_folder()}\nwarehouse: {paths.warehouse_file()}")
    # with DAGSTER_HOME (set by the Makefile) runs are recorded and show in `make dev`
    instance = dg.DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else dg.DagsterInstance.ephemeral()
    result = run_all(defs, instance)
    lines, ok = summarise(result)
    timings = step_timings(instance, result.run_id)
    lines.append(
        f"start-up {timings['startup_s']} s; steps: "
        + ", ".join(f"{step} {seconds} s" for step, seconds in timings["steps_s"].items())
    )
    if os.environ.get("COMMUNIQUE_RUN_TIMINGS"):  # the bench reads them
        with open(os.environ["COMMUNIQUE_RUN_TIMINGS"], "w") as out:
            json.dump(timings, out)
    print("\n".join(lines))
    if not ok:
        for event in result.all_events:
            if event.event_type == dg.DagsterEventType.STEP_FAILURE:
                print(
                    f"step failed: {event.step_key}: {event.event_specific_data.error.message.strip()[:2000]}"
                )
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


def exit_now(code: int) -> None:
    """Exit without the interpreter's finalisation: freeing, one by one, the objects Dagster and the
    definitions loaded takes about a second; the operating system reclaims them at once. Everything
    this run wrote is already closed (DuckDB connections, Dagster's event log); the validator processes
    and the dbt server are stopped first, and the output streams flushed."""
    import logging

    from orchestration.lib import dbt_server
    from orchestration.lib.quality import shrink

    shrink(0)
    dbt_server.stop()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    exit_now(main())

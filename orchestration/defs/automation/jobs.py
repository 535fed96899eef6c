"""The job that materialises everything, its daily schedule, and a sensor on the documents folder."""

import dagster as dg

from orchestration.lib import paths

WRITES_WAREHOUSE = ("communique/writes", "warehouse")

# every asset but the month-partitioned lake, which backfills fill one month per run (lake_job)
all_assets_job = dg.define_asset_job(
    "all_assets_job",
    selection=dg.AssetSelection.all() - dg.AssetSelection.groups("lake"),
    # a deployment's run coordinator lets one run at a time carry this tag (deploy/k8s/dagster.yaml)
    tags={WRITES_WAREHOUSE[0]: WRITES_WAREHOUSE[1]},
)

daily_schedule = dg.ScheduleDefinition(
    name="daily_refresh",
    job=all_assets_job,
    cron_schedule="0 6 * * *",
    execution_timezone="UTC",
    description="Every morning: ingest what arrived, extract, rebuild the marts, run every check.",
)


def folder_state(folder) -> str:
    """A cursor for the folder: the newest mtime and the file count (a deletion changes the count)."""
    stats = [p.stat() for p in folder.rglob("*.txt") if p.is_file()]
    newest = max((s.st_mtime_ns for s in stats), default=0)
    return f"{newest}:{len(stats)}"


@dg.sensor(
    job=all_assets_job,
    minimum_interval_seconds=60,
    description="Starts a run when files appear or change in COMMUNIQUE_DOCUMENTS.",
)
def documents_folder_sensor(context: dg.SensorEvaluationContext):
    folder = paths.documents_folder()
    if not folder.is_dir():
        return dg.SkipReason(f"{folder} does not exist")
    state = folder_state(folder)
    if state == context.cursor:
        return dg.SkipReason("no new or changed files")
    context.update_cursor(state)
    return dg.RunRequest(run_key=state)

"""The Dagster code location: every asset, check, job, schedule and sensor of Communiqué."""

from pathlib import Path

import dagster as dg

from orchestration.defs.automation.jobs import all_assets_job, daily_schedule, documents_folder_sensor
from orchestration.defs.ingestion.assets import raw_documents
from orchestration.defs.lake.assets import lake_facts, lake_job
from orchestration.defs.normalisation.assets import fact_tables
from orchestration.defs.quality.checks import build_checks
from orchestration.defs.resources import build_resources
from orchestration.defs.serving.assets import serving_snapshot
from orchestration.defs.transformation.assets import dbt_models
from orchestration.lib import paths


def build_definitions(documents: Path, warehouse: Path, *, in_lake: bool | None = None) -> dg.Definitions:
    """The whole graph over one documents folder and one warehouse file (tests build their own); the facts
    live in the lake when `in_lake` (default: COMMUNIQUE_FACTS)."""
    return dg.Definitions(
        assets=[raw_documents, lake_facts, fact_tables, dbt_models, serving_snapshot],
        asset_checks=build_checks(),
        jobs=[all_assets_job, lake_job],
        schedules=[daily_schedule],
        sensors=[documents_folder_sensor],
        resources=build_resources(documents, warehouse, in_lake=in_lake),
        executor=dg.in_process_executor,
    )


defs = build_definitions(paths.documents_folder(), paths.warehouse_file())

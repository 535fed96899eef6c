"""The Dagster code location: every asset, check, job, schedule and sensor of Communiqué."""

import dagster as dg

from orchestration.defs.automation.jobs import all_assets_job, daily_schedule, documents_folder_sensor
from orchestration.defs.ingestion.assets import raw_documents
from orchestration.defs.normalisation.assets import fact_tables
from orchestration.defs.quality.checks import build_checks
from orchestration.defs.resources import build_resources
from orchestration.defs.transformation.assets import dbt_models

defs = dg.Definitions(
    assets=[raw_documents, fact_tables, dbt_models],
    asset_checks=build_checks(),
    jobs=[all_assets_job],
    schedules=[daily_schedule],
    sensors=[documents_folder_sensor],
    resources=build_resources(),
    executor=dg.in_process_executor,
)

import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from orchestration.defs.resources import dbt_project

KEEP_RUN_TARGETS = 5  # dagster-dbt gives every run its own target folder (about 5 MB): keep the newest


class Translator(DagsterDbtTranslator):
    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str:
        return "transformation"


@dbt_assets(manifest=dbt_project.manifest_path, project=dbt_project, dagster_dbt_translator=Translator())
def dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    """Seeds (taxonomy, gazetteers), staging views and the marts, built and tested by dbt."""
    yield from dbt.cli(["build"], context=context).stream()
    prune_run_targets(dbt_project.project_dir / dbt_project.target_path, KEEP_RUN_TARGETS)


def prune_run_targets(target: Path, keep: int) -> list[Path]:
    """Remove all but the `keep` newest per-run target folders (`dbt_models-*`); a scheduled pipeline
    would otherwise grow dbt_project/target by a folder a run. Returns the folders removed."""
    runs = sorted(
        (p for p in Path(target).glob("dbt_models-*") if p.is_dir()),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for old in runs[keep:]:
        shutil.rmtree(old, ignore_errors=True)
    return runs[keep:]

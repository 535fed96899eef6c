import os
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from orchestration.defs.resources import dbt_project

PARTIAL_PARSE = "partial_parse.msgpack"
KEEP_RUN_TARGETS = 5  # dagster-dbt gives every run its own target folder (about 5 MB): keep the newest


class Translator(DagsterDbtTranslator):
    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str:
        return "transformation"


@dbt_assets(manifest=dbt_project.manifest_path, project=dbt_project, dagster_dbt_translator=Translator())
def dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    """Seeds (taxonomy, gazetteers), staging views and the marts, built and tested by dbt."""
    invocation = dbt.cli(["build"], context=context)
    yield from invocation.stream()
    target = dbt_project.project_dir / dbt_project.target_path
    keep_partial_parse(invocation.target_path, target)
    prune_run_targets(target, KEEP_RUN_TARGETS)


def keep_partial_parse(run_target: Path, target: Path) -> bool:
    """Make this run's parse state the one the next run starts from. dagster-dbt seeds each run's target
    folder with target/partial_parse.msgpack, but dbt discards it when the profile differs, and the
    profile holds the warehouse path: state from `dbt parse` (the default path) or from another warehouse
    costs a full parse, 2 s a run. Returns whether the state was replaced."""
    state = Path(run_target) / PARTIAL_PARSE
    if not state.is_file():
        return False
    temporary = Path(target) / f".{PARTIAL_PARSE}.{os.getpid()}"
    shutil.copyfile(state, temporary)
    os.replace(temporary, Path(target) / PARTIAL_PARSE)  # a run starting now reads the old file or the new
    return True


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

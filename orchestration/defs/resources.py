"""Resources and configuration: the one place environment variables are read (with the names
`COMMUNIQUE_DOCUMENTS` and `COMMUNIQUE_WAREHOUSE` that dbt's profiles.yml reads too)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource, DbtProject
from dagster_duckdb import DuckDBResource

from orchestration.lib import paths


class DocumentsFolder(dg.ConfigurableResource):
    """The folder of raw documents (`COMMUNIQUE_DOCUMENTS`, default `seeds/`)."""

    path: str

    @property
    def folder(self) -> Path:
        return Path(self.path)


class FactStore(dg.ConfigurableResource):
    """Where the fact tables live: in the warehouse file (the default), or in the Parquet lake at
    `lake_root`, which the warehouse reads through views (`COMMUNIQUE_FACTS=lake`)."""

    in_lake: bool
    lake_root: str


os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")

dbt_project = DbtProject(project_dir=paths.DBT_PROJECT)
dbt_project.prepare_if_dev()
if not dbt_project.manifest_path.exists():
    dbt_project.preparer.prepare(dbt_project)  # dbt parse, once, when no manifest was built yet


def build_resources(
    documents: Path, warehouse: Path, *, in_lake: bool | None = None, lake_root: str | None = None
) -> dict:
    """Resources for one documents folder and one warehouse file (and where its facts live: by default
    what COMMUNIQUE_FACTS and COMMUNIQUE_LAKE say)."""
    documents, warehouse = Path(documents).resolve(), Path(warehouse).resolve()  # dbt runs in dbt_project/
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    # dbt's profiles.yml reads the same variable; dbt runs with cwd=dbt_project/, so it gets the absolute path
    os.environ[paths.WAREHOUSE_ENV] = str(warehouse)
    return {
        "warehouse": DuckDBResource(
            database=str(warehouse), connection_config={"memory_limit": paths.duckdb_memory()}
        ),
        "documents": DocumentsFolder(path=str(documents)),
        "facts": FactStore(
            in_lake=paths.facts_in_lake() if in_lake is None else in_lake,
            lake_root=lake_root or paths.lake_root(warehouse),
        ),
        "dbt": DbtCliResource(
            project_dir=dbt_project, dbt_executable=str(Path(sys.executable).with_name("dbt"))
        ),
    }

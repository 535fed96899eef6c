"""Resources and configuration: the one place environment variables are read (with the names
`COMMUNIQUE_DOCUMENTS` and `COMMUNIQUE_WAREHOUSE` that dbt's profiles.yml reads too)."""

from __future__ import annotations

import importlib.metadata
import os
import sys
from functools import cached_property
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource, DbtProject
from dagster_duckdb import DuckDBResource
from packaging import version

from orchestration.lib import dbt_server, paths


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


class DbtResource(DbtCliResource):
    """dagster-dbt's resource without two costs it pays on every run before dbt starts, about 5 s
    together (a third of a daily run's dbt step on a million documents):
    - `dbt --version` in a subprocess, to learn the version: the executable is the one of this
      environment, so the installed dbt-core package says the same;
    - a dbt adapter handle (profile, project and macros loaded in this process), which dagster-dbt
      uses only for `fetch_row_counts` and `fetch_column_metadata`; this project calls neither.
    `tests/integration/test_dbt_run_targets.py` checks both against dagster-dbt's own answers."""

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(importlib.metadata.version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args):  # noqa: ARG002 (dagster-dbt's signature)
        return None


os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
# the dbt client (orchestration/bin/dbt) runs on this interpreter; without a server it becomes this dbt
DBT_CLIENT = paths.ROOT / "orchestration" / "bin" / "dbt"
os.environ["COMMUNIQUE_DBT_PYTHON"] = sys.executable
os.environ[dbt_server.EXECUTABLE_ENV] = str(Path(sys.executable).with_name("dbt"))

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
        # dbt through the run's warm dbt process (dbt_server), which falls back to this environment's dbt
        "dbt": DbtResource(project_dir=dbt_project, dbt_executable=str(DBT_CLIENT)),
    }

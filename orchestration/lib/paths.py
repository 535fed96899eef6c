"""Where things are. The one module that knows the repository's layout and the environment's names."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT = ROOT / "dbt_project"
LOOKUPS = DBT_PROJECT / "seeds"
EXPECTATIONS = ROOT / "expectations"

DOCUMENTS_ENV = "COMMUNIQUE_DOCUMENTS"
WAREHOUSE_ENV = "COMMUNIQUE_WAREHOUSE"
FACTS_ENV = "COMMUNIQUE_FACTS"  # where the fact tables live: "warehouse" (default) or "lake"
LAKE_ENV = "COMMUNIQUE_LAKE"  # the lake's root: a folder, or an s3:// URL on a cluster
# DuckDB's memory limit in the run's own process and in dbt's (the validators have their own, smaller one):
# DuckDB's default is 80% of the machine, and a run holds several processes at once
DUCKDB_MEMORY_ENV = "COMMUNIQUE_DUCKDB_MEMORY"
DUCKDB_MEMORY_DEFAULT = "2GB"


def duckdb_memory() -> str:
    return os.environ.get(DUCKDB_MEMORY_ENV, DUCKDB_MEMORY_DEFAULT)


def documents_folder() -> Path:
    return _absolute(os.environ.get(DOCUMENTS_ENV, "seeds"))


def warehouse_file() -> Path:
    return _absolute(os.environ.get(WAREHOUSE_ENV, "warehouse/communique.duckdb"))


def facts_in_lake() -> bool:
    value = os.environ.get(FACTS_ENV, "warehouse")
    if value not in ("warehouse", "lake"):
        raise ValueError(f"{FACTS_ENV} must be 'warehouse' or 'lake', not {value!r}")
    return value == "lake"


def lake_root(warehouse: Path | None = None) -> str:
    """The lake's root: COMMUNIQUE_LAKE, else a folder beside the warehouse file (`<stem>-lake/`)."""
    value = os.environ.get(LAKE_ENV)
    if value and "://" in value:
        return value
    if value:
        return str(_absolute(value))
    warehouse = warehouse or warehouse_file()
    return str(warehouse.with_name(f"{warehouse.stem}-lake"))


def _absolute(value: str) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else (ROOT / path).resolve()

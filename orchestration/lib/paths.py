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


def documents_folder() -> Path:
    return _absolute(os.environ.get(DOCUMENTS_ENV, "seeds"))


def warehouse_file() -> Path:
    return _absolute(os.environ.get(WAREHOUSE_ENV, "warehouse/communique.duckdb"))


def _absolute(value: str) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else (ROOT / path).resolve()

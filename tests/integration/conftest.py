import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from tests.conftest import FIXTURES

# columns that record when or in which run a row was written, not what it says
RUN_COLUMNS = {"ingested_at", "batch_id"}


def mart_columns(con: duckdb.DuckDBPyConnection, catalog: str | None = None) -> dict[str, list[str]]:
    """Every table and view of `marts` in `catalog` (default: the connection's database), with its
    columns in order, the run columns left out."""
    catalog_is = "= ?" if catalog else "= current_database()"
    params = [catalog] if catalog else []
    tables = [
        t
        for (t,) in con.execute(
            f"select table_name from information_schema.tables where table_catalog {catalog_is} "
            "and table_schema = 'marts' order by 1",
            params,
        ).fetchall()
    ]
    return {
        table: [
            c
            for (c,) in con.execute(
                f"select column_name from information_schema.columns where table_catalog {catalog_is} "
                "and table_schema = 'marts' and table_name = ? order by ordinal_position",
                [*params, table],
            ).fetchall()
            if c not in RUN_COLUMNS
        ]
        for table in tables
    }


class Pipeline:
    """The whole graph over a temporary documents folder and warehouse."""

    def __init__(self, root: Path) -> None:
        self.documents = root / "documents"
        self.warehouse = root / "warehouse" / "communique.duckdb"
        shutil.copytree(FIXTURES / "documents", self.documents)
        self.instance = dg.DagsterInstance.ephemeral()

    def run(self) -> dg.ExecuteInProcessResult:
        from orchestration.definitions import build_definitions
        from orchestration.run import run_all

        return run_all(build_definitions(self.documents, self.warehouse), self.instance)

    def sql(self, query: str, params: list | None = None) -> list[tuple]:
        with duckdb.connect(str(self.warehouse), read_only=True) as con:
            return con.execute(query, params or []).fetchall()

    def one(self, query: str, params: list | None = None):
        return self.sql(query, params)[0][0]

    def write(self, statements: list[str]) -> None:
        with duckdb.connect(str(self.warehouse)) as con:
            for statement in statements:
                con.execute(statement)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Pipeline:
    """A warehouse built once from the fixtures; tests that change it take a copy."""
    pipeline = Pipeline(tmp_path_factory.mktemp("built"))
    result = pipeline.run()
    assert result.success, [e.message for e in result.all_events if e.is_failure]
    return pipeline


@pytest.fixture
def copy_of_built(built: Pipeline, tmp_path: Path) -> Pipeline:
    pipeline = Pipeline.__new__(Pipeline)
    pipeline.documents = built.documents
    pipeline.warehouse = tmp_path / "warehouse" / "communique.duckdb"
    pipeline.warehouse.parent.mkdir(parents=True)
    shutil.copy(built.warehouse, pipeline.warehouse)
    pipeline.instance = dg.DagsterInstance.ephemeral()
    return pipeline

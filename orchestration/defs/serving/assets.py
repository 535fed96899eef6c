import subprocess
from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from orchestration.defs.transformation.assets import dbt_models
from orchestration.lib.paths import ROOT
from orchestration.lib.serving import publish


def _commit() -> str:
    out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT)
    return out.stdout.strip()


@dg.asset(
    key=["serving", "snapshot"],
    group_name="serving",
    deps=list(dbt_models.keys),
    kinds={"duckdb", "parquet"},
)
def serving_snapshot(context: dg.AssetExecutionContext, warehouse: DuckDBResource) -> dg.MaterializeResult:
    """Publish the marts for readers: serving/communique.duckdb (readable by DuckDB 1.x too) and
    serving/parquet/ (a Parquet file or month-partitioned folder per mart, with _manifest.json), each
    swapped in atomically, patched from the previous publish when only some documents changed. Runs only
    after every upstream blocking check and dbt test passed."""
    with warehouse.get_connection() as con:
        published = publish(con, Path(warehouse.database), commit=_commit())
    return dg.MaterializeResult(
        metadata={
            "snapshot": str(published.snapshot),
            "parquet": str(published.parquet.resolve()),
            "tables": dg.MetadataValue.json(published.tables),
            "incremental": published.incremental,
        }
    )

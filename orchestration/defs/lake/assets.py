"""The facts as a Parquet lake, one Dagster partition per publication month: the unit of scale-out.

`lake/facts` is partitioned by `publication_month` (months are added as documents arrive, by the
ingestion asset). A run materialises one month: it reads that month's documents from the warehouse
read-only, extracts every fact table and replaces the month's Hive partition. Runs on different workers
never touch the same files; `lake_job` is what a backfill of every month runs (`make run-distributed`).
"""

import functools
import os
import socket
from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from orchestration.defs.ingestion.assets import DOCUMENTS
from orchestration.defs.lake.partitions import MONTHS
from orchestration.defs.resources import FactStore
from orchestration.lib import lake
from orchestration.lib.lookups import Lookups

LAKE_FACTS = dg.AssetKey(["lake", "facts"])


@dg.asset(
    key=LAKE_FACTS,
    partitions_def=MONTHS,
    deps=[DOCUMENTS],
    group_name="lake",
    kinds={"polars", "parquet"},
    description="Every fact table for one publication month, as Hive-partitioned Parquet (month=YYYY-MM).",
)
def lake_facts(context: dg.AssetExecutionContext, warehouse: DuckDBResource, facts: FactStore):
    summary = lake.write_month(Path(warehouse.database), facts.lake_root, context.partition_key, _lookups())
    context.log.info(f"month {summary.month}: {summary.documents} documents in process {summary.pid}")
    return dg.MaterializeResult(
        metadata={
            "documents": summary.documents,
            "text_mb": round(summary.text_mb, 3),
            **{f"rows_{table}": n for table, n in summary.rows.items()},
            "pid": summary.pid,
            "host": socket.gethostname(),
            "lake_root": facts.lake_root,
            "polars_max_threads": os.environ.get("POLARS_MAX_THREADS", "all"),
        }
    )


@functools.cache
def _lookups() -> Lookups:
    """One set of lookups per worker process: a worker runs many months."""
    return Lookups()


lake_job = dg.define_asset_job(
    "lake_job",
    selection=dg.AssetSelection.assets(LAKE_FACTS),
    partitions_def=MONTHS,
    description="One publication month of the lake; a backfill of every month fills it.",
)

from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from orchestration.defs.ingestion.assets import DOCUMENTS
from orchestration.defs.resources import FactStore
from orchestration.lib import lake
from orchestration.lib.lookups import Lookups
from orchestration.lib.normalise import NormaliseSummary, normalise_new
from orchestration.lib.schemas import FACT_TABLES

# documents extracted in one run from which the fact checks are worth two validator processes (about a
# million mention rows: more than one chunk)
TWO_VALIDATORS_FROM = 50_000
FACT_KEYS = {table: dg.AssetKey(["normalised", table]) for table in FACT_TABLES}


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            key,
            group_name="normalisation",
            deps=[DOCUMENTS],
            kinds={"polars", "duckdb"},
            description=f"normalised.{table}: extracted by Polars, one row per {table.removesuffix('s').replace('_', ' ')}.",
        )
        for table, key in FACT_KEYS.items()
    ],
)
def fact_tables(context: dg.AssetExecutionContext, warehouse: DuckDBResource, facts: FactStore):
    """Split sentences and extract entities, themes, metrics and dates for every document not processed
    yet, in batches; a changed taxonomy or gazetteer rebuilds them all. With the facts in the lake, the
    months a backfill has not written (or wrote from other documents or another extractor) are written
    here, and the warehouse's tables become views over the lake."""
    lookups = Lookups()
    if facts.in_lake:
        summary = _months_into_lake(context, warehouse, facts.lake_root, lookups)
    else:
        with warehouse.get_connection() as con:
            summary = normalise_new(con, lookups)
    context.log.info(f"normalisation: {summary.as_dict()}")
    if summary.documents >= TWO_VALIDATORS_FROM:
        # the checks' chunks can be shared: a second validator loads while this run moves on
        from orchestration.lib.quality import warm_up

        warm_up(processes=2)
    for table, key in FACT_KEYS.items():
        yield dg.MaterializeResult(
            asset_key=key,
            metadata={
                "rows_added": summary.rows[table],
                "documents": summary.documents,
                "rebuilt": summary.rebuilt,
                "text_mb": round(summary.text_mb, 3),
                "stored_in": facts.lake_root if facts.in_lake else "warehouse",
            },
        )


def _months_into_lake(
    context: dg.AssetExecutionContext, warehouse: DuckDBResource, root: str, lookups: Lookups
) -> NormaliseSummary:
    with warehouse.get_connection() as con:
        pending = lake.pending_months(con, root, lookups)
    summary = NormaliseSummary()
    for month in pending:  # the connection is closed: write_month opens the file read-only
        written = lake.write_month(Path(warehouse.database), root, month, lookups)
        summary.documents += written.documents
        summary.text_mb += written.text_mb
        for table in FACT_KEYS:
            summary.rows[table] += written.rows[table]
    context.log.info(f"lake: {len(pending)} months written here, the rest were already in {root}")
    with warehouse.get_connection() as con:
        lake.attach(con, root)
    return summary

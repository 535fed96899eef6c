import dagster as dg
from dagster_duckdb import DuckDBResource

from orchestration.defs.ingestion.assets import DOCUMENTS
from orchestration.lib.lookups import Lookups
from orchestration.lib.normalise import normalise_new
from orchestration.lib.schemas import FACT_TABLES

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
def fact_tables(context: dg.AssetExecutionContext, warehouse: DuckDBResource):
    """Split sentences and extract entities, themes, metrics and dates for every document not processed
    yet, in batches; a changed taxonomy or gazetteer rebuilds them all."""
    with warehouse.get_connection() as con:
        summary = normalise_new(con, Lookups())
    context.log.info(f"normalisation: {summary.as_dict()}")
    for table, key in FACT_KEYS.items():
        yield dg.MaterializeResult(
            asset_key=key,
            metadata={
                "rows_added": summary.rows[table],
                "documents": summary.documents,
                "rebuilt": summary.rebuilt,
                "text_mb": round(summary.text_mb, 3),
            },
        )

import dagster as dg
from dagster_duckdb import DuckDBResource

from orchestration.defs.lake.partitions import register_months
from orchestration.defs.resources import DocumentsFolder
from orchestration.lib import dbt_server, lake
from orchestration.lib.loading import ingest_folder
from orchestration.lib.quality import warm_up

DOCUMENTS = dg.AssetKey(["normalised", "documents"])
QUARANTINE = dg.AssetKey(["normalised", "quarantine"])


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            DOCUMENTS,
            group_name="ingestion",
            kinds={"polars", "duckdb"},
            description="One row per distinct document (identified by the sha256 of its body).",
        ),
        dg.AssetSpec(
            QUARANTINE,
            group_name="ingestion",
            kinds={"polars", "duckdb"},
            description="One row per rejected file, with the reason it was rejected.",
        ),
    ],
)
def raw_documents(context: dg.AssetExecutionContext, warehouse: DuckDBResource, documents: DocumentsFolder):
    """Read the files of COMMUNIQUE_DOCUMENTS the warehouse has not seen (by path, size and mtime), parse
    their header, and load, count as duplicate, or quarantine each one."""
    warm_up()  # the checks later in this run need Great Expectations: load it while files are read
    dbt_server.start()  # and dbt needs dbt: a warm process forks each dbt command (see dbt_server)
    with warehouse.get_connection() as con:
        summary = ingest_folder(con, documents.folder)
        totals = dict(con.execute("select status, count(*) from normalised.files group by all").fetchall())
        # the months of the documents are the partitions of the lake (and of a distributed backfill)
        new_months = register_months(context.instance, lake.months(con))
    meta = {
        **summary.as_dict(),
        **{f"total_{k}": v for k, v in totals.items()},
        "folder": str(documents.folder),
        "new_publication_months": len(new_months),
    }
    context.log.info(f"ingestion: {meta}")
    yield dg.MaterializeResult(asset_key=DOCUMENTS, metadata=meta)
    yield dg.MaterializeResult(asset_key=QUARANTINE, metadata={"quarantined": summary.quarantined})

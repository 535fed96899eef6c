"""One normalisation run: extract every fact table for the documents not processed yet, in batches.

A fingerprint of the extraction code's version and of the lookup files (taxonomy, gazetteers) is kept
in the warehouse: when it changes, every fact table is rebuilt, so a phrase changed in the taxonomy
reaches every document on the next run; otherwise only new documents are read.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa

from orchestration.lib import warehouse
from orchestration.lib.extract import extract_facts
from orchestration.lib.lookups import Lookups
from orchestration.lib.schemas import FACT_TABLES

# the extraction code: a change to any of these files rebuilds every fact table on the next run
EXTRACTOR_SOURCES = (
    "text",
    "sentences",
    "entities",
    "themes",
    "metrics",
    "dates",
    "extract",
    "schemas",
    "lookups",
)
BATCH_DOCUMENTS = 25000


@dataclass
class NormaliseSummary:
    documents: int = 0
    rebuilt: bool = False
    rows: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FACT_TABLES, 0))
    text_mb: float = 0.0

    def as_dict(self) -> dict:
        return asdict(self)


def fingerprint(lookups: Lookups) -> str:
    """What the fact tables were extracted with: the extractor's source and the lookup files."""
    h = hashlib.sha256(lookups.digest.encode())
    for module in EXTRACTOR_SOURCES:
        h.update((Path(__file__).parent / f"{module}.py").read_bytes())
    return h.hexdigest()[:16]


def _read_batch(cursor: duckdb.DuckDBPyConnection, ids: pl.DataFrame) -> pl.DataFrame:
    """The documents of `ids` (doc_id, ingested_at), read on their own `cursor`, which is closed after."""
    # bounded by when the batch's documents were ingested: zone maps then skip the row groups of older
    # documents, whose bodies the semi-join alone would read (a daily run's 1 s on a million)
    bound, params = ("ingested_at >= ? and ", [ids["ingested_at"].min()])
    if ids["ingested_at"].null_count():  # a document without the stamp: no bound
        bound, params = "", []
    with cursor:
        return warehouse.query(
            cursor,
            f"""select doc_id, published_date, body from normalised.documents
               where {bound}doc_id in (select unnest(?))""",
            [*params, ids["doc_id"].to_list()],
        )


def _write_batch(
    cursor: duckdb.DuckDBPyConnection,
    rows: dict[str, pa.Table],
    documents: int,
    text_mb: float,
    summary: NormaliseSummary,
) -> None:
    """A batch's facts and its documents' ledger rows (`rows`, from `warehouse.arrow_rows`), in one
    transaction. Nothing here runs on Polars' thread pool, which the next batch's extraction holds."""
    with cursor:
        cursor.execute("begin")
        try:
            written = {table: warehouse.append(cursor, table, arrow) for table, arrow in rows.items()}
            cursor.execute("commit")
        except Exception:
            cursor.execute("rollback")
            raise
    for table in FACT_TABLES:
        summary.rows[table] += written[table]
    summary.documents += documents
    summary.text_mb += text_mb


def _batch_rows(facts: dict[str, pl.DataFrame], docs: pl.DataFrame, batch_id: int) -> dict[str, pa.Table]:
    batch = pl.lit(batch_id, pl.Int64)
    ledger = docs.select("doc_id", batch_id=batch)
    return {
        **{
            table: warehouse.arrow_rows(frame.with_columns(batch_id=batch), table)
            for table, frame in facts.items()
        },
        "processed_documents": warehouse.arrow_rows(ledger, "processed_documents"),
    }


def normalise_new(
    con: duckdb.DuckDBPyConnection, lookups: Lookups, *, batch: int = BATCH_DOCUMENTS
) -> NormaliseSummary:
    warehouse.create_tables(con)
    summary = NormaliseSummary()
    current = fingerprint(lookups)
    # fetchall, not fetchone: an unfinished result would block the relation queries below
    stored = next(iter(con.execute("select fingerprint from normalised.extraction_state").fetchall()), None)
    if stored is None or stored[0] != current:
        summary.rebuilt = stored is not None
        for table in (*FACT_TABLES, "processed_documents"):
            con.execute(f"delete from normalised.{table}")
        con.execute("delete from normalised.extraction_state")
        con.execute("insert into normalised.extraction_state values (?, ?)", [current, dt.datetime.now()])
    batch_id = time.time_ns() // 1_000_000  # one id for every document this run extracts
    pending = warehouse.query(
        con,
        """select doc_id, ingested_at from normalised.documents
           where doc_id not in (select doc_id from normalised.processed_documents) order by doc_id""",
    )
    # while a batch is extracted, the one before it is written and the one after it read: DuckDB's reads and
    # inserts (each on its own cursor, so in its own transaction) and Polars' extraction all run outside
    # the GIL
    batches = [pending.slice(offset, batch) for offset in range(0, pending.height, batch)]
    with ThreadPoolExecutor(max_workers=1) as reader, ThreadPoolExecutor(max_workers=1) as writer:

        def read(index: int) -> Future | None:
            return reader.submit(_read_batch, con.cursor(), batches[index]) if index < len(batches) else None

        upcoming, written = read(0), None
        for index in range(len(batches)):
            docs = upcoming.result()
            upcoming = read(index + 1)
            rows = _batch_rows(extract_facts(docs.lazy(), lookups), docs, batch_id)
            text_mb = docs["body"].str.len_bytes().sum() / 1e6
            if written is not None:
                written.result()  # one batch in flight: memory follows the batch, and a failure stops here
            written = writer.submit(_write_batch, con.cursor(), rows, docs.height, text_mb, summary)
        if written is not None:
            written.result()
    return summary

"""The facts as a Hive-partitioned Parquet lake: one partition per publication month.

    <root>/<table>/month=YYYY-MM/part-0.parquet    every fact table, and processed_documents
    <root>/_partitions/month=YYYY-MM/part-0.parquet what the month was extracted from (its manifest)

A month is extracted and written whole, then swapped in, so workers on different months never touch the
same files and rewriting a month is idempotent. The DuckDB warehouse reads the lake through views
(`attach`), so dbt, the checks and the analysts' SQL see `normalised.<table>` as before.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from orchestration.lib import warehouse
from orchestration.lib.extract import extract_facts
from orchestration.lib.lookups import Lookups
from orchestration.lib.normalise import BATCH_DOCUMENTS, fingerprint
from orchestration.lib.schemas import FACT_TABLES, conform, stored

LAKE_TABLES = (*FACT_TABLES, "processed_documents")
MANIFESTS = "_partitions"
_MONTH = "strftime(published_date, '%Y-%m')"


@dataclass
class MonthSummary:
    month: str
    documents: int = 0
    text_mb: float = 0.0
    rows: dict[str, int] = field(default_factory=dict)
    pid: int = field(default_factory=os.getpid)


def is_remote(root: str) -> bool:
    return "://" in root


def months(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The publication months of the warehouse's documents: the lake's partition keys."""
    return [
        m for (m,) in con.execute(f"select distinct {_MONTH} from normalised.documents order by 1").fetchall()
    ]


def batch_id(con: duckdb.DuckDBPyConnection) -> int:
    """The extraction batch a month written now belongs to: the latest ingestion, in epoch milliseconds.
    Every month extracted after one ingestion shares it, so the checks' "latest batch" covers them all
    and rewriting a month without new documents writes the same rows."""
    [(latest,)] = con.execute("select max(ingested_at) from normalised.documents").fetchall()
    return int(latest.replace(tzinfo=dt.UTC).timestamp() * 1000) if latest else 0


def write_month(warehouse_file: Path, root: str, month: str, lookups: Lookups) -> MonthSummary:
    """Extract every fact table for the documents published in `month` and replace the month's partition
    of each. Opens the warehouse read-only: workers run side by side."""
    summary = MonthSummary(month=month)
    with duckdb.connect(str(warehouse_file), read_only=True) as con:
        docs = warehouse.query(
            con,
            f"select doc_id, published_date, body from normalised.documents where {_MONTH} = ? order by doc_id",
            [month],
        )
        batch = batch_id(con)
    parts: dict[str, list[pl.DataFrame]] = {table: [] for table in LAKE_TABLES}
    for offset in range(0, docs.height, BATCH_DOCUMENTS):
        chunk = docs.slice(offset, BATCH_DOCUMENTS)
        for table, frame in extract_facts(chunk.lazy(), lookups).items():
            parts[table].append(frame.with_columns(batch_id=pl.lit(batch, pl.Int64)))
        parts["processed_documents"].append(chunk.select("doc_id", batch_id=pl.lit(batch, pl.Int64)))
    # sorted on every column: the same documents give the same files, whatever order extraction returned
    frames = {
        table: conform(
            pl.concat(chunks) if chunks else pl.DataFrame(schema=stored(table)), table, as_stored=True
        )
        .sort(list(stored(table)), nulls_last=True)
        .collect()
        for table, chunks in parts.items()
    }
    manifest = pl.DataFrame(
        {
            "month": [month],
            "fingerprint": [fingerprint(lookups)],
            "documents": [docs.height],
            "batch_id": [batch],
            "written_at": [dt.datetime.now(dt.UTC).replace(tzinfo=None)],
        }
    )
    _replace_partition(root, month, {**frames, MANIFESTS: manifest})
    summary.documents = docs.height
    summary.text_mb = docs["body"].str.len_bytes().sum() / 1e6 if docs.height else 0.0
    summary.rows = {table: frame.height for table, frame in frames.items()}
    return summary


def _replace_partition(root: str, month: str, frames: dict[str, pl.DataFrame]) -> None:
    if is_remote(root):
        # object stores: one PUT per file is atomic, and each month is one file per table
        for table, frame in frames.items():
            frame.write_parquet(f"{root.rstrip('/')}/{table}/month={month}/part-0.parquet")
        return
    base = Path(root)
    staging = base / "_staging" / uuid.uuid4().hex
    try:
        for table, frame in frames.items():
            (staging / table).mkdir(parents=True)
            frame.write_parquet(staging / table / "part-0.parquet")
        # the manifest goes last: a month whose manifest is missing or stale is extracted again
        for table in sorted(frames, key=lambda t: t == MANIFESTS):
            target = base / table / f"month={month}"
            target.parent.mkdir(parents=True, exist_ok=True)
            old = staging / f"{table}.old"
            if target.exists():
                target.rename(old)
            (staging / table).rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def manifests(root: str) -> pl.DataFrame:
    """What each month of the lake was extracted from (empty when the lake is new)."""
    schema = {"month": pl.String, "fingerprint": pl.String, "documents": pl.Int64}
    if not is_remote(root) and not any((Path(root) / MANIFESTS).glob("month=*/part-0.parquet")):
        return pl.DataFrame(schema=schema)
    return (
        pl.scan_parquet(f"{root.rstrip('/')}/{MANIFESTS}/", hive_partitioning=True)
        .select("month", "fingerprint", "documents")
        .collect()
        .cast(schema)
    )


def pending_months(con: duckdb.DuckDBPyConnection, root: str, lookups: Lookups) -> list[str]:
    """Months to extract: new ones, ones with documents the lake has not seen (documents only arrive), and
    every month when the extractor or a lookup changed since it was written."""
    counts = warehouse.query(
        con, f"select {_MONTH} as month, count(*) as n from normalised.documents group by 1 order by 1"
    )
    done = manifests(root).filter(pl.col("fingerprint") == fingerprint(lookups))
    stale = counts.join(done, on="month", how="left").filter(pl.col("documents").fill_null(-1) != pl.col("n"))
    return stale["month"].to_list()


def attach(con: duckdb.DuckDBPyConnection, root: str) -> None:
    """Point `normalised.<table>` at the lake: a view per table over its Hive partitions."""
    if is_remote(root):
        try:  # object storage needs DuckDB's httpfs extension (credentials from the environment)
            con.execute("load httpfs")
        except duckdb.Error as exc:
            raise ValueError(
                f"DuckDB {duckdb.__version__} cannot read {root}: its httpfs extension is not installed "
                f"({exc}). Install it (`INSTALL httpfs`) where the warehouse runs, or mirror the lake locally."
            ) from exc
    warehouse.create_tables(con)
    for table in LAKE_TABLES:
        if not is_remote(root) and not any((Path(root) / table).glob("month=*/*.parquet")):
            continue  # an empty lake: the (empty) table stays until a month is written
        files = (
            f"{root.rstrip('/')}/{table}/*/*.parquet"
            if is_remote(root)
            else Path(root).resolve() / table / "*" / "*.parquet"
        )
        kind = next(
            iter(
                con.execute(
                    "select table_type from information_schema.tables where table_schema = 'normalised' and table_name = ?",
                    [table],
                ).fetchall()
            ),
            None,
        )
        if kind and kind[0] == "BASE TABLE":
            con.execute(f"drop table normalised.{table}")
        columns = ", ".join(stored(table))
        con.execute(
            f"create or replace view normalised.{table} as select {columns} "
            f"from read_parquet('{files}', hive_partitioning = true)"
        )

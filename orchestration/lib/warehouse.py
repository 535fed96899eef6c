"""Writing Polars frames into the DuckDB warehouse's `normalised` schema.

Every frame is conformed to its declared schema (schemas.TABLES) before it crosses, so a wrong
column or type fails here, loudly, not in a mart.
"""

from __future__ import annotations

import duckdb
import polars as pl
import pyarrow as pa

from orchestration.lib.schemas import TABLES, conform, stored

SCHEMA = "normalised"
VALIDATION_LOG = "validation_log"

_DUCK_TYPES = {
    pl.String: "varchar",
    pl.Int32: "integer",
    pl.Int64: "bigint",
    pl.Float64: "double",
    pl.Date: "date",
    pl.Datetime("us"): "timestamp",
    pl.Boolean: "boolean",
}


# columns stored without compression: compressing the bodies (FSST) took 60% of an ingestion's time and
# every later read pays to decompress them; uncompressed, the documents table is about 3x larger on disk
UNCOMPRESSED = {("documents", "body")}


def create_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create the `normalised` schema and every declared table that does not exist yet."""
    con.execute(f"create schema if not exists {SCHEMA}")
    # a table the warehouse reads from the Parquet lake is a view (lake.attach): it keeps its definition
    views = {
        name
        for (name,) in con.execute(
            "select table_name from information_schema.tables where table_schema = ? and table_type = 'VIEW'",
            [SCHEMA],
        ).fetchall()
    }
    for table in TABLES:
        if table in views:
            continue
        schema = stored(table)
        columns = ", ".join(
            f"{name} {_DUCK_TYPES[dtype]}"
            + (" using compression uncompressed" if (table, name) in UNCOMPRESSED else "")
            for name, dtype in schema.items()
        )
        con.execute(f"create table if not exists {SCHEMA}.{table} ({columns})")
        # a warehouse built by an older version gains the columns added since
        for name, dtype in schema.items():
            con.execute(f"alter table {SCHEMA}.{table} add column if not exists {name} {_DUCK_TYPES[dtype]}")
    con.execute(
        f"create table if not exists {SCHEMA}.extraction_state (fingerprint varchar, updated_at timestamp)"
    )
    # one row per suite validated by a run's checks (quality.check_suite): what it saw and its verdict
    con.execute(
        f"""create table if not exists {SCHEMA}.{VALIDATION_LOG} (
            suite varchar, fingerprint varchar, rows bigint, passed boolean, reused boolean,
            validated_at timestamp)"""
    )


def arrow_rows(frame: pl.DataFrame | pl.LazyFrame, table: str) -> pa.Table:
    """`frame` conformed to the columns `table` is stored with (a fact table's rows carry their batch), as
    the Arrow table `append` writes.

    The conversion is quick, but it runs on Polars' thread pool: a writer thread converting while an
    extraction holds the pool waited 1-2 s per batch for it. Convert first, then hand the rows over.
    In one chunk: DuckDB spreads a table of many chunks (a batch extracted in slices) over partly filled row
    groups that every checkpoint then merges, 0.9 s per checkpoint instead of 0.15 s."""
    return (
        conform(frame, table, as_stored=True)
        .collect()
        .rechunk()
        .to_arrow(compat_level=pl.CompatLevel.newest())
    )


def append(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame | pl.LazyFrame | pa.Table) -> int:
    """Append rows to `normalised.<table>`: a Polars frame is conformed first, an Arrow table comes from
    `arrow_rows`. Returns the rows written."""
    rows = frame if isinstance(frame, pa.Table) else arrow_rows(frame, table)
    if rows.num_rows:
        con.register("_incoming", rows)
        try:
            con.execute(f"insert into {SCHEMA}.{table} by name select * from _incoming")
        finally:
            con.unregister("_incoming")
    return rows.num_rows


def query(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> pl.DataFrame:
    # through a relation: a DB-API result would copy the rows once more on the way to Arrow
    return pl.DataFrame(con.sql(sql, params=params or None).to_arrow_table())

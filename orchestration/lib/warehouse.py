"""Writing Polars frames into the DuckDB warehouse's `normalised` schema.

Every frame is conformed to its declared schema (schemas.TABLES) before it crosses, so a wrong
column or type fails here, loudly, not in a mart.
"""

from __future__ import annotations

import duckdb
import polars as pl

from orchestration.lib.schemas import TABLES, conform

SCHEMA = "normalised"

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
    for table, schema in TABLES.items():
        if table in views:
            continue
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


def append(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame | pl.LazyFrame) -> int:
    """Append a frame to `normalised.<table>` after conforming it; returns the rows written."""
    rows = conform(frame, table).collect()
    if rows.height:
        con.register("_incoming", rows)
        try:
            con.execute(f"insert into {SCHEMA}.{table} by name select * from _incoming")
        finally:
            con.unregister("_incoming")
    return rows.height


def query(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> pl.DataFrame:
    # through a relation: a DB-API result would copy the rows once more on the way to Arrow
    return pl.DataFrame(con.sql(sql, params=params or None).to_arrow_table())

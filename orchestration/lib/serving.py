"""Publishing the marts for readers: a DuckDB snapshot and Parquet exports, both swapped in atomically.

DuckDB lets one process hold a file, so BI tools and notebooks read a published copy, never the
warehouse the pipeline writes. The snapshot is written to a new file in the storage format older
DuckDB readers understand (v1.0.0) and renamed into place: a reader sees the old snapshot or the new
one, never half, and a reader holding the old file open keeps reading it undisturbed. Parquet exports
go to a new versioned folder; the `parquet` link is then replaced in one rename.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

SCHEMAS = ("marts",)
STORAGE_VERSION = "v1.0.0"
KEEP_VERSIONS = 2


@dataclass
class Published:
    snapshot: Path
    parquet: Path
    tables: dict[str, int]


def serving_folder(warehouse: Path) -> Path:
    """`serving/` beside the warehouse; a warehouse with another name (gold.duckdb) gets `serving-gold/`,
    so several warehouses in one folder never overwrite each other's snapshot."""
    name = "serving" if warehouse.stem == "communique" else f"serving-{warehouse.stem}"
    return warehouse.parent / name


def mart_tables(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    placeholders = ", ".join("?" for _ in SCHEMAS)
    return con.execute(
        f"select table_schema, table_name from information_schema.tables where table_schema in ({placeholders}) "
        "and table_catalog = current_database() order by table_schema, table_name",
        list(SCHEMAS),
    ).fetchall()


def publish(con: duckdb.DuckDBPyConnection, warehouse: Path, commit: str = "") -> Published:
    """Write the snapshot and the Parquet exports of every mart, each swapped in atomically."""
    folder = serving_folder(warehouse)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    tables = mart_tables(con)
    counts = {f"{s}.{t}": con.execute(f'select count(*) from {s}."{t}"').fetchall()[0][0] for s, t in tables}
    snapshot = _write_snapshot(con, folder, tables, stamp)
    parquet = _write_parquet(con, folder, tables, counts, stamp, commit)
    return Published(snapshot=snapshot, parquet=parquet, tables=counts)


def _write_snapshot(
    con: duckdb.DuckDBPyConnection, folder: Path, tables: list[tuple[str, str]], stamp: str
) -> Path:
    final = folder / "communique.duckdb"
    partial = folder / f".communique.{stamp}.duckdb"
    con.execute(f"attach '{partial}' as snapshot (storage_version '{STORAGE_VERSION}')")
    try:
        for schema in {s for s, _ in tables}:
            con.execute(f"create schema snapshot.{schema}")
        for schema, table in tables:
            con.execute(f'create table snapshot.{schema}."{table}" as select * from {schema}."{table}"')
    finally:
        con.execute("detach snapshot")
    with partial.open("rb") as f:
        os.fsync(f.fileno())
    os.replace(partial, final)
    return final


def _has_month(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.columns where table_schema = ? and table_name = ? and column_name = 'month'",
            [schema, table],
        ).fetchall()[0][0]
    )


def _write_parquet(con, folder: Path, tables, counts: dict[str, int], stamp: str, commit: str) -> Path:
    versions = folder / "parquet-versions"
    target = versions / stamp
    target.mkdir(parents=True)
    written = {}
    for schema, table in tables:
        if _has_month(con, schema, table):
            out = target / table
            con.execute(
                f"copy (select *, strftime(month, '%Y-%m') as month_key from {schema}.\"{table}\") to '{out}' "
                "(format parquet, partition_by (month_key), overwrite_or_ignore)"
            )
            written[table] = {
                "path": f"{table}/",
                "partitioned_by": "month_key",
                "rows": counts[f"{schema}.{table}"],
            }
        else:
            con.execute(f"copy {schema}.\"{table}\" to '{target / table}.parquet' (format parquet)")
            written[table] = {
                "path": f"{table}.parquet",
                "partitioned_by": None,
                "rows": counts[f"{schema}.{table}"],
            }
    manifest = {
        "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "commit": commit,
        "tables": written,
    }
    (target / "_manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    link = folder / "parquet"
    temporary = folder / f".parquet.{stamp}"
    temporary.symlink_to(target.relative_to(folder))
    os.replace(temporary, link)  # one rename: readers follow the old link or the new one
    for old in sorted(p for p in versions.iterdir() if p.is_dir())[:-KEEP_VERSIONS]:
        shutil.rmtree(old, ignore_errors=True)
    return link

"""One benchmark stage, run in its own process so its peak memory is its own.

    python -m benchmarks.stages STAGE DOCUMENTS_DIR WAREHOUSE

Prints one JSON line: {"stage", "documents", "text_mb", "wall_s"}.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import duckdb
import polars as pl


def floor(folder: Path, warehouse: Path) -> dict:
    """What this machine allows: read the files, one Aho-Corasick pass with the theme phrases."""
    from orchestration.lib import ingest
    from orchestration.lib.lookups import Lookups

    phrases = Lookups().theme_phrases["phrase"].to_list()
    start = time.perf_counter()
    listing = ingest.scan_folder(folder)
    texts = ingest.read_files(folder, listing)["raw"].cast(pl.String)
    hits = pl.DataFrame({"t": texts}).select(
        pl.col("t").str.find_many(phrases, ascii_case_insensitive=True, leftmost=True).list.len().sum()
    )
    return {
        "documents": listing.height,
        "text_mb": texts.str.len_bytes().sum() / 1e6,
        "wall_s": time.perf_counter() - start,
        "hits": int(hits.item()),
    }


def ingest_stage(folder: Path, warehouse: Path) -> dict:
    from orchestration.lib.loading import ingest_folder

    start = time.perf_counter()
    with duckdb.connect(str(warehouse)) as con:
        summary = ingest_folder(con, folder)
        mb = con.execute("select sum(strlen(body)) / 1e6 from normalised.documents").fetchone()[0]
    return {"documents": summary.files_new, "text_mb": mb, "wall_s": time.perf_counter() - start}


def normalise_stage(folder: Path, warehouse: Path) -> dict:
    from orchestration.lib.lookups import Lookups
    from orchestration.lib.normalise import normalise_new

    start = time.perf_counter()
    with duckdb.connect(str(warehouse)) as con:
        summary = normalise_new(con, Lookups())
    return {"documents": summary.documents, "text_mb": summary.text_mb, "wall_s": time.perf_counter() - start}


def extract_only(folder: Path, warehouse: Path) -> dict:
    """Extraction of every fact table in memory, without writing: the Polars work alone."""
    from orchestration.lib.extract import extract_facts
    from orchestration.lib.lookups import Lookups

    with duckdb.connect(str(warehouse), read_only=True) as con:
        docs = pl.DataFrame(
            con.sql("select doc_id, published_date, body from normalised.documents").to_arrow_table()
        )
    lookups = Lookups()
    start = time.perf_counter()
    for offset in range(0, docs.height, 25_000):
        extract_facts(docs.slice(offset, 25_000).lazy(), lookups)
    return {
        "documents": docs.height,
        "text_mb": docs["body"].str.len_bytes().sum() / 1e6,
        "wall_s": time.perf_counter() - start,
    }


def checks_stage(folder: Path, warehouse: Path) -> dict:
    from orchestration.lib.quality import QUERIES, validate_table

    start = time.perf_counter()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        outcomes = [validate_table(con, name) for name in QUERIES if not name.startswith("mart_")]
        docs, mb = con.execute(
            "select count(*), sum(strlen(body)) / 1e6 from normalised.documents"
        ).fetchone()
    assert all(o.success for o in outcomes), [o.message for o in outcomes if not o.success]
    return {"documents": docs, "text_mb": mb, "wall_s": time.perf_counter() - start}


STAGES = {
    "floor": floor,
    "ingest": ingest_stage,
    "normalise": normalise_stage,
    "extract": extract_only,
    "checks": checks_stage,
}

if __name__ == "__main__":
    stage, folder, warehouse = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    print(json.dumps({"stage": stage, **STAGES[stage](folder, warehouse)}))

"""One benchmark stage, run in its own process so its peak memory is its own.

    python -m benchmarks.stages STAGE DOCUMENTS_DIR WAREHOUSE

Prints one JSON line: {"stage", "documents", "text_mb", "wall_s"}.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import duckdb
import polars as pl

from orchestration.lib.normalise import BATCH_DOCUMENTS


def floor(folder: Path, warehouse: Path) -> list[dict]:
    """What this machine allows: read the files, then one Aho-Corasick pass with the theme phrases on all
    its cores, as Polars' streaming engine runs a lazy plan (it cuts the column into morsels). Also
    `floor_one_core`: the same reading and the same pass on one core (the in-memory engine runs one string
    kernel over one column on one thread): the floor of every result before `20261207-214946-100000.json`,
    which left one of the two cores idle while normalisation used both."""
    from orchestration.lib import ingest
    from orchestration.lib.lookups import Lookups

    phrases = Lookups().theme_phrases["phrase"].to_list()
    # read once untimed, so the floor is the warm-cache figure whatever ran before it (the stages after it
    # read warm files or the warehouse): a cold read had made it up to 2.7x slower, flattering every multiple
    ingest.read_files(folder, ingest.scan_folder(folder))
    start = time.perf_counter()
    listing = ingest.scan_folder(folder)
    texts = ingest.read_files(folder, listing)["raw"].cast(pl.String)
    read_s = time.perf_counter() - start
    plan = pl.LazyFrame({"t": texts}).select(
        pl.col("t").str.find_many(phrases, ascii_case_insensitive=True, leftmost=True).list.len().sum()
    )
    text_mb = texts.str.len_bytes().sum() / 1e6
    rows = []
    for name, engine in (("floor", "streaming"), ("floor_one_core", "in-memory")):
        start = time.perf_counter()
        hits = int(plan.collect(engine=engine).item())
        wall_s = read_s + time.perf_counter() - start
        rows.append(
            {"stage": name, "documents": listing.height, "text_mb": text_mb, "wall_s": wall_s, "hits": hits}
        )
    if rows[0]["hits"] != rows[1]["hits"]:
        raise RuntimeError(f"the two floors found different matches: {rows}")
    return rows


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


def extract_only(folder: Path, warehouse: Path) -> list[dict]:
    """Extraction in memory, without writing: every fact table together, then each extractor alone
    on the same batches (the sentence split is timed as `sentences`, not inside the others)."""
    from orchestration.lib.dates import extract_dates
    from orchestration.lib.entities import extract_entities
    from orchestration.lib.extract import ENGINE, extract_facts, sentence_frame
    from orchestration.lib.lookups import Lookups
    from orchestration.lib.metrics import extract_metrics
    from orchestration.lib.sentences import split_sentences
    from orchestration.lib.themes import extract_themes

    with duckdb.connect(str(warehouse), read_only=True) as con:
        docs = pl.DataFrame(
            con.sql("select doc_id, published_date, body from normalised.documents").to_arrow_table()
        )
    lookups = Lookups()
    pl.Config.set_engine_affinity(ENGINE)  # as extract_facts runs them
    mb = docs["body"].str.len_bytes().sum() / 1e6
    timings = dict.fromkeys(["extract_all", "sentences", "entities", "themes", "metrics", "dates"], 0.0)
    for offset in range(0, docs.height, BATCH_DOCUMENTS):
        batch = docs.slice(offset, BATCH_DOCUMENTS).lazy()
        start = time.perf_counter()
        extract_facts(batch, lookups)
        timings["extract_all"] += time.perf_counter() - start
        start = time.perf_counter()
        sentences = split_sentences(batch).collect()
        timings["sentences"] += time.perf_counter() - start
        frame = sentence_frame(batch, sentences.lazy()).collect().lazy()
        extractors = {
            "entities": lambda frame=frame: extract_entities(frame, lookups),
            "themes": lambda frame=frame: extract_themes(frame, lookups),
            "metrics": lambda frame=frame: extract_metrics(frame),
            "dates": lambda frame=frame: extract_dates(frame),
        }
        for name, plan in extractors.items():
            start = time.perf_counter()
            plan().collect()
            timings[name] += time.perf_counter() - start
    return [
        {"stage": name, "documents": docs.height, "text_mb": mb, "wall_s": wall}
        for name, wall in timings.items()
    ]


def checks_stage(folder: Path, warehouse: Path) -> dict:
    from orchestration.lib.quality import GUARDS, validate_table

    start = time.perf_counter()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        outcomes = [validate_table(con, name) for name in GUARDS if not name.startswith("mart_")]
        docs, mb = con.execute(
            "select count(*), sum(strlen(body)) / 1e6 from normalised.documents"
        ).fetchone()
    assert all(o.success for o in outcomes), [o.message for o in outcomes if not o.success]
    return {"documents": docs, "text_mb": mb, "wall_s": time.perf_counter() - start}


def pipeline_without_checks(folder: Path, warehouse: Path) -> dict:
    """Every asset of `make run` with no asset check: what a run costs without validation."""
    import dagster as dg

    from orchestration.definitions import build_definitions
    from orchestration.defs.ingestion import assets as ingestion
    from orchestration.run import run_all

    ingestion.warm_up = lambda: None  # nothing here needs Great Expectations: do not load it
    defs = build_definitions(folder, warehouse)
    result = run_all(
        defs,
        dg.DagsterInstance.get(),  # the bench's DAGSTER_HOME, as `make run` records its runs
        (dg.AssetSelection.all() - dg.AssetSelection.groups("lake")).without_checks(),
    )
    assert result.success and not result.get_asset_check_evaluations()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        docs, mb = con.execute(
            "select count(*), sum(strlen(body)) / 1e6 from normalised.documents"
        ).fetchone()
    # timed from the start of this process, as `make run` is: its imports are part of its cost
    return {"documents": docs, "text_mb": mb, "wall_s": _since_process_start()}


def lake_sequential(folder: Path, warehouse: Path) -> dict:
    """Every publication month into a Parquet lake, one after another in this process (the lake's single
    process reference; run with POLARS_MAX_THREADS=1 it is one worker's speed)."""
    return _lake(warehouse, processes=0)


def lake_pool(folder: Path, warehouse: Path) -> dict:
    """The same months over a plain process pool of two, one Polars thread each: what this machine allows
    two workers, with no Dagster, broker or daemon in the way."""
    return _lake(warehouse, processes=2)


def _lake(warehouse: Path, processes: int) -> dict:
    import shutil
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    from orchestration.lib import lake

    root = warehouse.with_name(f"lake-{processes or 'sequential'}")
    shutil.rmtree(root, ignore_errors=True)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        months = lake.months(con)
        docs, mb = con.execute(
            "select count(*), sum(strlen(body)) / 1e6 from normalised.documents"
        ).fetchone()
    start = time.perf_counter()
    if processes:
        # spawn: forking after Polars has started its threads can deadlock (SCALEOUT.md)
        # one Polars thread per worker: set before the workers start, as Polars reads it once, on import
        os.environ["POLARS_MAX_THREADS"] = str(max(1, (os.cpu_count() or 1) // processes))
        with ProcessPoolExecutor(processes, mp_context=get_context("spawn")) as pool:
            written = list(pool.map(_write_month, [(warehouse, str(root), m) for m in months]))
    else:
        written = [_write_month((warehouse, str(root), m)) for m in months]
    assert sum(w.documents for w in written) == docs
    return {
        "documents": docs,
        "text_mb": mb,
        "wall_s": time.perf_counter() - start,
        "partitions": len(months),
    }


_LOOKUPS = None


def _write_month(job: tuple[Path, str, str]):
    global _LOOKUPS
    from orchestration.lib import lake
    from orchestration.lib.lookups import Lookups

    _LOOKUPS = _LOOKUPS or Lookups()
    return lake.write_month(job[0], job[1], job[2], _LOOKUPS)


def _since_process_start() -> float:
    ticks = os.sysconf("SC_CLK_TCK")
    started = int(Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19]) / ticks
    return float(Path("/proc/uptime").read_text().split()[0]) - started


STAGES = {
    "floor": floor,
    "ingest": ingest_stage,
    "normalise": normalise_stage,
    "extract": extract_only,
    "checks": checks_stage,
    "pipeline_without_checks": pipeline_without_checks,
    "lake_sequential": lake_sequential,
    "lake_pool": lake_pool,
}

if __name__ == "__main__":
    stage, folder, warehouse = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    result = STAGES[stage](folder, warehouse)
    rows = result if isinstance(result, list) else [{"stage": stage, **result}]
    print(json.dumps(rows))

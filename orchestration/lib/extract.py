"""All fact tables for a batch of documents, from one lazy plan per table over shared sentences."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import polars as pl

from orchestration.lib import dates, metrics
from orchestration.lib.dates import extract_dates, restated_deadlines
from orchestration.lib.entities import extract_entities
from orchestration.lib.lookups import Lookups
from orchestration.lib.metrics import extract_metrics
from orchestration.lib.pool import worker_count
from orchestration.lib.schemas import conform
from orchestration.lib.sentences import commits, split_sentences
from orchestration.lib.text import MARK, with_literal_flags
from orchestration.lib.themes import extract_themes


def sentence_frame(documents: pl.LazyFrame, sentences: pl.LazyFrame) -> pl.LazyFrame:
    """Sentences with their text, their document's body and publication date: every extractor's input."""
    return sentences.join(documents.select("doc_id", "body", "published_date"), on="doc_id").select(
        "doc_id",
        "sentence_no",
        "published_date",
        "body",
        sent_start="start_char",
        sent_end="end_char",
        text=pl.col("body").str.slice(pl.col("start_char"), pl.col("end_char") - pl.col("start_char")),
    )


# a batch fits in memory by design, and Polars' default streaming engine ran these plans (string
# searches, explodes and joins over one batch) about 13% slower than the in-memory engine
ENGINE = "in-memory"


# the literals that the date and metric regexes need a sentence to hold, found for all three in one pass
PREFILTERS = {
    dates.DATE_ROWS: dates.DATE_LITERALS,
    metrics.NUMBER_ROWS: metrics.NUMBER_WORDS,
    metrics.VAGUE_ROWS: metrics.VAGUE_WORDS,
}

SLICES_PER_CORE = 1  # documents are extracted in this many slices per core at once (see README, Performance)


def extract_facts(documents: pl.LazyFrame, lookups: Lookups) -> dict[str, pl.DataFrame]:
    """Every `normalised` fact table for `documents` (doc_id, published_date, body).

    Every fact is a document's own, so the documents are cut into slices extracted side by side, each
    in its own thread: many of Polars' string operations run on one core, and two plans at once keep
    both busy. The slices follow the input's order, and so do the rows."""
    with pl.Config(engine_affinity=ENGINE):  # the extractors' own intermediate collects too
        batch = documents.collect()
        # the extractors cut texts on NUL marks: a body holding one would shift every offset after it
        marked = batch.filter(pl.col("body").str.contains(MARK, literal=True))["doc_id"]
        if marked.len():
            raise ValueError(
                f"{marked.len()} document(s) hold a NUL character, which ingestion quarantines: "
                f"{', '.join(marked.head(5))}"
            )
        size = -(-batch.height // (SLICES_PER_CORE * worker_count())) or 1
        slices = [batch.slice(offset, size).lazy() for offset in range(0, batch.height, size)] or [
            batch.lazy()
        ]
        with ThreadPoolExecutor(max_workers=len(slices)) as pool:
            parts = list(pool.map(lambda part: _extract_facts(part, lookups), slices))
    return {table: pl.concat([part[table] for part in parts]) for table in parts[0]}


def _extract_facts(documents: pl.LazyFrame, lookups: Lookups) -> dict[str, pl.DataFrame]:
    sentences = split_sentences(documents).collect()
    frame = (
        with_literal_flags(sentence_frame(documents, sentences.lazy()), "text", PREFILTERS).collect().lazy()
    )
    # entities collect their passes one after another; the other tables run beside them, in a second
    # thread, so Polars' pool has work while an entity pass waits on its last partition
    with ThreadPoolExecutor(max_workers=1) as beside:
        # the plans are built in that thread too: building one collects some of its passes
        others = beside.submit(
            lambda: pl.collect_all(
                [
                    conform(
                        frame.select(
                            "doc_id",
                            "sentence_no",
                            start_char="sent_start",
                            end_char="sent_end",
                            commits=commits(pl.col("text")),
                        ),
                        "sentences",
                    ),
                    conform(extract_themes(frame, lookups), "theme_mentions"),
                    conform(extract_metrics(frame), "metric_mentions"),
                    conform(extract_dates(frame), "date_mentions"),
                ]
            )
        )
        entities = conform(extract_entities(frame, lookups), "entity_mentions").collect()
        sentence_rows, themes, metrics, dates = others.result()
    dates = restated_deadlines(dates.lazy(), metrics.lazy()).collect()
    return {
        "sentences": sentence_rows,
        "entity_mentions": entities,
        "theme_mentions": themes,
        "metric_mentions": metrics,
        "date_mentions": dates,
    }

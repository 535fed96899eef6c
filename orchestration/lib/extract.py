"""All fact tables for a batch of documents, from one lazy plan per table over shared sentences."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import polars as pl

from orchestration.lib.dates import extract_dates
from orchestration.lib.entities import extract_entities
from orchestration.lib.lookups import Lookups
from orchestration.lib.metrics import extract_metrics
from orchestration.lib.schemas import conform
from orchestration.lib.sentences import split_sentences
from orchestration.lib.themes import extract_themes


def sentence_frame(documents: pl.LazyFrame, sentences: pl.LazyFrame) -> pl.LazyFrame:
    """Sentences with their text, their document's body and publication date: every extractor's input."""
    return sentences.join(documents.select("doc_id", "body", "published_date"), on="doc_id").select(
        "doc_id",
        "sentence_no",
        "published_date",
        "body",
        sent_start="start_char",
        text=pl.col("body").str.slice(pl.col("start_char"), pl.col("end_char") - pl.col("start_char")),
    )


# a batch fits in memory by design, and Polars' default streaming engine ran these plans (string
# searches, explodes and joins over one batch) about 13% slower than the in-memory engine
ENGINE = "in-memory"


def extract_facts(documents: pl.LazyFrame, lookups: Lookups) -> dict[str, pl.DataFrame]:
    """Every `normalised` fact table for `documents` (doc_id, published_date, body)."""
    with pl.Config(engine_affinity=ENGINE):  # the extractors' own intermediate collects too
        return _extract_facts(documents, lookups)


def _extract_facts(documents: pl.LazyFrame, lookups: Lookups) -> dict[str, pl.DataFrame]:
    sentences = split_sentences(documents).collect()
    frame = sentence_frame(documents, sentences.lazy()).collect().lazy()
    # entities collect their passes one after another; the other tables run beside them, in a second
    # thread, so Polars' pool has work while an entity pass waits on its last partition
    with ThreadPoolExecutor(max_workers=1) as beside:
        others = beside.submit(
            pl.collect_all,
            [
                conform(sentences.lazy(), "sentences"),
                conform(extract_themes(frame, lookups), "theme_mentions"),
                conform(extract_metrics(frame), "metric_mentions"),
                conform(extract_dates(frame), "date_mentions"),
            ],
        )
        entities = conform(extract_entities(frame, lookups), "entity_mentions").collect()
        sentence_rows, themes, metrics, dates = others.result()
    return {
        "sentences": sentence_rows,
        "entity_mentions": entities,
        "theme_mentions": themes,
        "metric_mentions": metrics,
        "date_mentions": dates,
    }

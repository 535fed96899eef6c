"""All fact tables for a batch of documents, from one lazy plan per table over shared sentences."""

from __future__ import annotations

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


def extract_facts(documents: pl.LazyFrame, lookups: Lookups) -> dict[str, pl.DataFrame]:
    """Every `normalised` fact table for `documents` (doc_id, published_date, body)."""
    sentences = split_sentences(documents).collect()
    frame = sentence_frame(documents, sentences.lazy()).collect().lazy()
    plans = {
        "sentences": sentences.lazy(),
        "entity_mentions": extract_entities(frame, lookups),
        "theme_mentions": extract_themes(frame, lookups),
        "metric_mentions": extract_metrics(frame),
        "date_mentions": extract_dates(frame),
    }
    frames = pl.collect_all([conform(plan, table) for table, plan in plans.items()])
    return dict(zip(plans, frames, strict=True))

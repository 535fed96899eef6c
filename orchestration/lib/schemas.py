"""The warehouse's `normalised` tables, declared once: the Polars schema each frame must have
before it crosses into DuckDB, and the closed vocabularies of docs/CONTRACT.md."""

from __future__ import annotations

from typing import Literal, get_args

import polars as pl

QuarantineReason = Literal[
    "EMPTY", "NO_DATE_HEADER", "BAD_DATE", "NOT_UTF8", "BINARY", "TOO_LARGE", "NO_BODY"
]
EntityType = Literal["PERSON", "ORGANISATION", "COUNTRY", "LOCATION"]
MetricType = Literal["MONEY", "COUNT", "PERCENT", "QUANTITY"]
Qualifier = Literal["exact", "approximate", "at_least", "at_most"]
Granularity = Literal["day", "month", "quarter", "year"]
DateRole = Literal["event", "deadline", "since", "reference"]
FileStatus = Literal["loaded", "duplicate", "quarantined"]

VOCABULARIES: dict[str, tuple[str, ...]] = {
    "reason": get_args(QuarantineReason),
    "entity_type": get_args(EntityType),
    "metric_type": get_args(MetricType),
    "qualifier": get_args(Qualifier),
    "granularity": get_args(Granularity),
    "date_role": get_args(DateRole),
    "status": get_args(FileStatus),
}

_SPAN = {
    "doc_id": pl.String,
    "sentence_no": pl.Int32,
    "start_char": pl.Int64,
    "end_char": pl.Int64,
    "surface": pl.String,
}

TABLES: dict[str, dict[str, pl.DataType]] = {
    "documents": {
        "doc_id": pl.String,
        "file_name": pl.String,
        "published_date": pl.Date,
        "body": pl.String,
        "n_words": pl.Int32,
        "n_chars": pl.Int32,
        "ingested_at": pl.Datetime("us"),
    },
    "quarantine": {
        "file_name": pl.String,
        "reason": pl.String,
        "detail": pl.String,
        "ingested_at": pl.Datetime("us"),
    },
    # the ledger of every file ever seen: what makes a re-run read only new files, and accounts for each one
    "files": {
        "file_name": pl.String,
        "size_bytes": pl.Int64,
        "mtime_ns": pl.Int64,
        "doc_id": pl.String,
        "status": pl.String,
        "reason": pl.String,
        "ingested_at": pl.Datetime("us"),
    },
    # which documents the fact tables already hold, so a run extracts only new ones
    "processed_documents": {"doc_id": pl.String, "batch_id": pl.Int64},
    "sentences": {
        "doc_id": pl.String,
        "sentence_no": pl.Int32,
        "start_char": pl.Int64,
        "end_char": pl.Int64,
        "commits": pl.Boolean,  # it commits, agrees or will act: the rows of mart_commitments (sentences.py)
    },
    "entity_mentions": {
        **_SPAN,
        "entity_type": pl.String,
        "entity_name": pl.String,
        "country_iso3": pl.String,
        "role": pl.String,
        "canonical_name": pl.String,
    },
    "theme_mentions": {**_SPAN, "theme_id": pl.String},
    "metric_mentions": {
        **_SPAN,
        "metric_type": pl.String,
        "value": pl.Float64,
        "unit": pl.String,
        "qualifier": pl.String,
        "object": pl.String,
    },
    "date_mentions": {
        **_SPAN,
        "date_start": pl.Date,
        "date_end": pl.Date,
        "granularity": pl.String,
        "role": pl.String,
    },
}

FACT_TABLES = ("sentences", "entity_mentions", "theme_mentions", "metric_mentions", "date_mentions")


def stored(table: str) -> dict[str, pl.DataType]:
    """The columns `table` is stored with: a fact row also carries the extraction batch of its document
    (processed_documents.batch_id), which extraction does not know. Rows are appended batch after batch, so
    a reader of the newest batches (dbt's incremental models, the checks) skips the older row groups by
    their zone maps, where a semi-join on doc_id reads every one."""
    return {**TABLES[table], "batch_id": pl.Int64} if table in FACT_TABLES else TABLES[table]


def conform(frame: pl.DataFrame | pl.LazyFrame, table: str, *, as_stored: bool = False) -> pl.LazyFrame:
    """Select and cast a frame to the declared schema of `table` (with `as_stored`, the columns it is
    stored with); a missing column is an error."""
    schema = stored(table) if as_stored else TABLES[table]
    return frame.lazy().select([pl.col(name).cast(dtype) for name, dtype in schema.items()])

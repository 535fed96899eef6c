"""The frames the Great Expectations suites validate: a mention's span is checked against its document's
body in characters (Polars, beside the guard's SQL), whatever the body's script."""

import duckdb
import pytest

from orchestration.lib import quality

BODY = "“Café” talks: £4 billion by April."  # curly quotes and £: characters are not bytes here


def at(text: str) -> tuple[int, int, str]:
    start = BODY.index(text)
    return start, start + len(text), text


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    """A warehouse of one document, one mention table and one document that was never loaded."""
    con = duckdb.connect()
    con.execute("create schema normalised")
    con.execute(
        "create table normalised.documents as select 'a' as doc_id, date '2023-03-24' as published_date, "
        "? as body, timestamp '2023-03-25 10:00:00' as ingested_at",
        [BODY],
    )
    con.execute(
        "create table normalised.processed_documents as "
        "select * from (values ('a', 7), ('gone', 7)) as t(doc_id, batch_id)"
    )
    con.execute(
        "create table normalised.entity_mentions (doc_id varchar, start_char bigint, end_char bigint, "
        "surface varchar, entity_type varchar, entity_name varchar, country_iso3 varchar, batch_id bigint)"
    )
    rows = [
        ("a", *at("Café"), "PERSON"),  # holds
        ("a", *at("£4 billion"), "ORGANISATION"),  # holds, after three non-ASCII characters
        ("a", at("Café")[0] + 1, at("Café")[1] + 1, "Café", "PERSON"),  # one character off
        ("a", -1, 3, "“Ca", "PERSON"),  # before the body: a slice from the end must not hold
        ("a", len(BODY) - 2, len(BODY) + 5, "l.", "PERSON"),  # runs off the body
        ("a", 5, 3, "", "PERSON"),  # backwards
        ("gone", 0, 4, "Café", "PERSON"),  # its document is missing
    ]
    con.executemany("insert into normalised.entity_mentions values (?, ?, ?, ?, ?, 'X', null, 7)", rows)
    return con


def test_span_holds_in_characters_and_fails_what_does_not(con) -> None:
    frame = quality.guard_frame(con, "entity_mentions").sort_values(["doc_id", "start_char", "end_char"])
    by_span = {(r.doc_id, r.start_char, r.end_char): r.span_holds for r in frame.itertuples(index=False)}
    cafe, money = at("Café"), at("£4 billion")
    assert by_span[("a", cafe[0], cafe[1])] is True
    assert by_span[("a", money[0], money[1])] is True
    assert by_span[("a", cafe[0] + 1, cafe[1] + 1)] is False
    assert by_span[("a", -1, 3)] is False
    assert by_span[("a", len(BODY) - 2, len(BODY) + 5)] is False
    assert by_span[("a", 5, 3)] is False
    # no body to hold against: null, which doc_exists reports
    gone = frame[frame.doc_id == "gone"].iloc[0]
    assert gone.span_holds is None and not gone.doc_exists
    assert len(frame) == 7


def test_only_the_columns_a_suite_names(con) -> None:
    frame = quality.guard_frame(con, "entity_mentions", columns=["entity_type", "span_holds"])
    assert list(frame.columns) == ["entity_type", "span_holds"]
    assert frame.span_holds.tolist().count(True) == 2
    # without span_holds, no body is read
    assert list(quality.guard_frame(con, "entity_mentions", columns=["surface"]).columns) == ["surface"]


@pytest.mark.parametrize("chunk_documents", [quality.CHUNK_DOCUMENTS, 1])
def test_a_broken_span_fails_the_suite(con, chunk_documents) -> None:
    """Whole, and in chunks of one document each (a chunk's bodies are bounded by documents, not rows)."""
    outcome = quality.validate_table(con, "entity_mentions", chunk_documents=chunk_documents)
    failed = {f["kwargs"].get("column"): f for f in outcome.failed}
    assert not outcome.success
    assert outcome.rows == 7
    assert failed["span_holds"]["unexpected_count"] == 4
    assert failed["doc_exists"]["unexpected_count"] == 1


def test_batches_are_not_fingerprinted() -> None:
    """The setting skips a whole-frame hash per batch; if Great Expectations renamed it, this says so."""
    from great_expectations.execution_engine import pandas_execution_engine

    assert hasattr(pandas_execution_engine, "HASH_THRESHOLD")
    quality._skip_batch_fingerprints()
    assert pandas_execution_engine.HASH_THRESHOLD == 0


@pytest.mark.parametrize(("rows", "documents"), [(1, None), (3, None), (5, 2), (1000, None)])
def test_chunk_ranges_partition_the_rows_by_document(rows, documents) -> None:
    """Every row falls in exactly one chunk, a document's rows in the same one, a null doc_id and an id
    holding a quote included; chunks are ranges of doc_id of about `rows` rows."""
    con = duckdb.connect()
    ids = [f"{n:02x}" for n in range(40)] + ["o'brien", None]
    con.execute("create table t (doc_id varchar, k integer)")
    # documents of 1 to 4 rows, inserted out of order
    values = [(doc, k) for i, doc in enumerate(reversed(ids)) for k in range(1 + i % 4)]
    con.executemany("insert into t values (?, ?)", values)
    total, chunks = quality._chunk_ranges(con, "select * from t", rows=rows, documents=documents)
    assert total == len(values)
    seen = []
    for chunk in chunks:
        part = con.execute(f"select doc_id, k from t where {chunk}").fetchall()
        seen += part
        if len(chunks) > 1:
            assert len(part) <= rows + 3  # its share, plus at most one document's rows
    assert sorted(seen, key=str) == sorted(values, key=str)
    placed = [
        doc
        for chunk in chunks
        for (doc,) in con.execute(f"select distinct doc_id from t where {chunk}").fetchall()
    ]
    assert sorted(placed, key=str) == sorted(ids, key=str)  # each document in one chunk
    if rows == 1000:
        assert chunks == ["true"]
    if rows == 1:
        assert len(chunks) == len(ids) - 1  # one document a chunk; the null id shares the first

"""Every mention of the whole shared corpus satisfies body[start_char:end_char] == surface."""

import datetime as dt

import duckdb
import polars as pl
import pytest

from orchestration.lib import extract, ingest, normalise, warehouse
from orchestration.lib.extract import extract_facts
from orchestration.lib.lookups import Lookups
from tests.conftest import SHARED

CORPUS = SHARED / "corpus"


@pytest.fixture(scope="module")
def docs() -> pl.DataFrame:
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is not beside the checkout")
    parsed = ingest.parse(ingest.read_files(CORPUS, ingest.scan_folder(CORPUS)))
    return (
        parsed.filter(pl.col("status") == "loaded")
        .select("doc_id", "published_date", "body")
        .unique("doc_id")
        .sort("doc_id")
    )


def test_every_span_of_the_corpus_holds(docs: pl.DataFrame) -> None:
    assert docs.height > 2000
    facts = extract_facts(docs.lazy(), Lookups())
    bodies = docs.select("doc_id", "body")
    for table in ("entity_mentions", "theme_mentions", "metric_mentions", "date_mentions"):
        rows = facts[table]
        assert rows.height > 1000, table
        broken = rows.join(bodies, on="doc_id").filter(
            pl.col("body").str.slice(pl.col("start_char"), pl.col("end_char") - pl.col("start_char"))
            != pl.col("surface")
        )
        assert broken.height == 0, (table, broken.head(5).to_dicts())
    sentences = facts["sentences"].join(bodies, on="doc_id")
    assert sentences.filter(pl.col("end_char") > pl.col("body").str.len_chars()).height == 0


def test_slices_extract_the_same_rows_as_one_batch(
    docs: pl.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    """extract_facts cuts a batch into slices extracted side by side: every fact must be its document's
    own, so the rows cannot depend on where the cuts fall."""
    lookups = Lookups()
    monkeypatch.setattr(extract, "SLICES_PER_CORE", 1)
    monkeypatch.setenv("COMMUNIQUE_WORKERS", "1")
    whole = extract_facts(docs.lazy(), lookups)
    monkeypatch.setattr(extract, "SLICES_PER_CORE", 7)
    sliced = extract_facts(docs.lazy(), lookups)
    for table, rows in whole.items():
        assert rows.height > 0, table
        assert rows.sort(rows.columns).equals(sliced[table].sort(rows.columns)), table


def test_normalising_in_batches_writes_what_one_extraction_gives(
    docs: pl.DataFrame, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """normalise_new extracts batch after batch while a writer thread inserts the one before: the warehouse
    must then hold every row one extraction of all the documents gives, and each document in the ledger."""
    lookups = Lookups()
    expected = extract_facts(docs.lazy(), lookups)
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        warehouse.create_tables(con)
        warehouse.append(
            con,
            "documents",
            docs.with_columns(
                file_name="doc_id",
                n_words=pl.col("body").str.count_matches(r"\S+"),
                n_chars=pl.col("body").str.len_chars(),
                ingested_at=pl.lit(dt.datetime(2026, 1, 1)),
            ),
        )
        summary = normalise.normalise_new(con, lookups, batch=docs.height // 5 + 1)
        assert summary.documents == docs.height
        ledger = warehouse.query(con, "select doc_id, batch_id from normalised.processed_documents")
        assert ledger["doc_id"].sort().equals(docs["doc_id"].sort())
        assert ledger["batch_id"].n_unique() == 1  # one id for the run, whatever its batches
        for table, rows in expected.items():
            stored = warehouse.query(con, f"select * from normalised.{table}")
            assert summary.rows[table] == rows.height > 0, table
            assert stored.select(rows.columns).sort(rows.columns).equals(rows.sort(rows.columns)), table
            # and each row carries its document's batch, as the ledger records it
            assert stored["batch_id"].unique().to_list() == ledger["batch_id"].unique().to_list(), table

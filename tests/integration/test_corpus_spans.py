"""Every mention of the whole shared corpus satisfies body[start_char:end_char] == surface."""

import polars as pl
import pytest

from orchestration.lib import ingest
from orchestration.lib.extract import extract_facts
from orchestration.lib.lookups import Lookups
from tests.conftest import SHARED

CORPUS = SHARED / "corpus"


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not beside the checkout")
def test_every_span_of_the_corpus_holds() -> None:
    parsed = ingest.parse(ingest.read_files(CORPUS, ingest.scan_folder(CORPUS)))
    docs = (
        parsed.filter(pl.col("status") == "loaded")
        .select("doc_id", "published_date", "body")
        .unique("doc_id")
    )
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

import os
from pathlib import Path

import polars as pl
import pytest

os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
SHARED = ROOT.parent / "shared"
SEED_DOCUMENT = ROOT / "seeds" / "000_fabb732721accb05.txt"


def sentence_frame(texts: list[str], published: str = "2023-03-24") -> pl.LazyFrame:
    """A sentence frame as the extractors receive it: one sentence per text, starting at offset 0."""
    import datetime as dt

    return pl.LazyFrame(
        {
            "doc_id": ["d"] * len(texts),
            "sentence_no": list(range(len(texts))),
            "sent_start": [0] * len(texts),
            "text": texts,
            "body": texts,
            "published_date": [dt.date.fromisoformat(published)] * len(texts),
        },
        schema_overrides={"sentence_no": pl.Int32, "sent_start": pl.Int64},
    )


@pytest.fixture
def seed_body() -> str:
    return SEED_DOCUMENT.read_text(encoding="utf-8").split(" ", 3)[3].strip()

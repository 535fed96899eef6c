"""The seed document yields exactly the facts of its gold line (issue 5)."""

import datetime as dt

import polars as pl
import pytest

from orchestration.lib.extract import extract_facts
from orchestration.lib.lookups import Lookups


@pytest.fixture(scope="module")
def facts(seed_body_module: str) -> dict[str, pl.DataFrame]:
    docs = pl.LazyFrame(
        {"doc_id": ["seed"], "published_date": [dt.date(2023, 3, 24)], "body": [seed_body_module]}
    )
    return extract_facts(docs, Lookups())


@pytest.fixture(scope="module")
def seed_body_module() -> str:
    from tests.conftest import SEED_DOCUMENT

    return SEED_DOCUMENT.read_text(encoding="utf-8").split(" ", 3)[3].strip()


def test_metrics(facts) -> None:
    got = {
        (r["metric_type"], r["value"], r["unit"], r["qualifier"])
        for r in facts["metric_mentions"].iter_rows(named=True)
    }
    assert got == {
        ("COUNT", 800.0, "count", "approximate"),
        ("COUNT", 100.0, "count", "at_least"),
        ("MONEY", 4_000_000_000.0, "GBP", "exact"),
    }
    migrants = facts["metric_mentions"].filter(pl.col("value") == 800).row(0, named=True)
    assert migrants["object"].startswith("illegal migrants")


def test_dates(facts) -> None:
    rows = facts["date_mentions"]
    deadlines = rows.filter(pl.col("role") == "deadline")["date_end"].to_list()
    events = rows.filter(pl.col("role") == "event")["date_start"].unique().to_list()
    since = (
        rows.filter(pl.col("role") == "since")
        .select(pl.col("date_start").dt.strftime("%Y-%m"))
        .to_series()
        .to_list()
    )
    assert deadlines == [dt.date(2023, 4, 30)]
    assert events == [dt.date(2023, 3, 23)]
    assert since == ["2022-12"]


def test_entities(facts) -> None:
    rows = facts["entity_mentions"]
    assert set(rows.filter(pl.col("entity_type") == "COUNTRY")["country_iso3"]) == {"GBR", "ALB", "RUS"}
    people = rows.filter(pl.col("entity_type") == "PERSON")
    assert set(people["entity_name"]) == {"Rishi Sunak", "Edi Rama"}
    orgs = set(rows.filter(pl.col("entity_type") == "ORGANISATION")["canonical_name"])
    assert {
        "North Atlantic Treaty Organization",
        "UK Export Finance",
        "British Chamber of Commerce in Albania",
    } <= orgs


def test_themes(facts) -> None:
    lookups = Lookups()
    tops = facts["theme_mentions"].join(lookups.themes, on="theme_id")["top_theme_id"].unique().to_list()
    assert {"MIGRATION", "DEFENCE_SECURITY", "CRIME_JUSTICE", "TRADE_INVESTMENT", "DIPLOMACY"} <= set(tops)

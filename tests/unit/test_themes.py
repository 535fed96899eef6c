import polars as pl
import pytest

from orchestration.lib.lookups import Lookups
from orchestration.lib.themes import extract_themes
from tests.conftest import sentence_frame


@pytest.fixture(scope="module")
def lookups() -> Lookups:
    return Lookups()


def themes(text: str, lookups: Lookups) -> list[tuple[str, str]]:
    out = extract_themes(sentence_frame([text]), lookups).collect().sort("start_char")
    return list(zip(out["surface"].to_list(), out["theme_id"].to_list(), strict=True))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("energy security matters", [("energy security", "ENERGY_CLIMATE.energy_security")]),
        ("food security matters", [("food security", "DEVELOPMENT_HUMANITARIAN.food_security")]),
        ("the UN Security Council met", []),
        (
            "tackling illegal migration and people-smuggling gangs",
            [("illegal migration", "MIGRATION"), ("people-smuggling", "MIGRATION.smuggling")],
        ),
        (
            "AI and cyber defence",
            [("AI", "TECHNOLOGY_CYBER.ai"), ("cyber defence", "TECHNOLOGY_CYBER.cyber")],
        ),
        ("rehousing and said", []),
    ],
)
def test_longer_phrases_win_and_words_are_whole(text: str, expected: list, lookups: Lookups) -> None:
    assert themes(text, lookups) == expected


def test_case_sensitive_phrases_match_as_written(lookups: Lookups) -> None:
    assert themes("who will help? the WHO will.", lookups) == [("WHO", "HEALTH.systems")]


def test_every_phrase_has_a_theme_of_the_taxonomy(lookups: Lookups) -> None:
    known = set(lookups.themes["theme_id"])
    phrases = lookups.theme_phrases.filter(pl.col("theme_id").is_not_null())
    assert set(phrases["theme_id"]) <= known
    assert lookups.themes.filter(pl.col("parent_theme_id").is_null()).height == 15
    assert lookups.themes.filter(pl.col("parent_theme_id").is_not_null()).height >= 60

"""The taxonomy's CSV files are the single source: a phrase added there reaches both the matcher
(normalised.theme_mentions) and marts.dim_themes on the next run."""

import shutil

import pytest

from orchestration.lib.paths import LOOKUPS
from tests.integration.conftest import Pipeline

PHRASES = LOOKUPS / "theme_phrases.csv"
NEW_PHRASE = "Downing Street"  # in the seed document, in no theme yet


@pytest.fixture
def extra_phrase(tmp_path):
    backup = tmp_path / "theme_phrases.csv.bak"
    shutil.copy(PHRASES, backup)
    with PHRASES.open("a") as f:
        f.write(f"{NEW_PHRASE},DIPLOMACY.visits,true\n")
    yield NEW_PHRASE
    shutil.copy(backup, PHRASES)


def test_a_new_phrase_reaches_matcher_and_dim_themes(copy_of_built: Pipeline, extra_phrase: str) -> None:
    before = copy_of_built.one(
        "select count(*) from normalised.theme_mentions where surface = ?", [extra_phrase]
    )
    assert before == 0
    assert copy_of_built.run().success
    assert (
        copy_of_built.one("select count(*) from normalised.theme_mentions where surface = ?", [extra_phrase])
        >= 1
    )
    phrases = copy_of_built.one("select phrases from marts.dim_themes where theme_id = 'DIPLOMACY.visits'")
    assert extra_phrase in phrases

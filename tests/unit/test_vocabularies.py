"""The closed vocabularies are named once (orchestration/lib/schemas.py); the suites must agree."""

import json

import pytest

from orchestration.lib.paths import EXPECTATIONS
from orchestration.lib.schemas import VOCABULARIES

# (suite, column) -> the vocabulary its value set must equal
GUARDED = {
    ("quarantine", "reason"): "reason",
    ("entity_mentions", "entity_type"): "entity_type",
    ("metric_mentions", "metric_type"): "metric_type",
    ("metric_mentions", "qualifier"): "qualifier",
    ("date_mentions", "granularity"): "granularity",
    ("date_mentions", "role"): "date_role",
    ("mart_metric_monthly", "metric_type"): "metric_type",
}


@pytest.mark.parametrize(("suite", "column"), list(GUARDED))
def test_each_suite_value_set_is_its_vocabulary(suite: str, column: str) -> None:
    expectations = json.loads((EXPECTATIONS / f"{suite}.json").read_text())["expectations"]
    sets = [
        e["kwargs"]["value_set"]
        for e in expectations
        if e["type"] == "expect_column_values_to_be_in_set" and e["kwargs"]["column"] == column
    ]
    assert sets == [list(VOCABULARIES[GUARDED[(suite, column)]])]

"""Every query of the README's cookbook runs on the snapshot of a warehouse built from ../shared/corpus/
and answers with rows."""

import re

import duckdb
import pytest

from tests.conftest import ROOT, SHARED
from tests.integration.conftest import Pipeline


def cookbook() -> list[str]:
    text = (ROOT / "README.md").read_text()
    section = text.split("<!-- cookbook:begin -->")[1].split("<!-- cookbook:end -->")[0]
    return re.findall(r"```sql\n(.*?)```", section, re.S)


def test_the_cookbook_has_ten_questions() -> None:
    assert len(cookbook()) == 10


@pytest.fixture(scope="module")
def corpus_snapshot(tmp_path_factory):
    if not (SHARED / "corpus").is_dir():
        pytest.skip("../shared/corpus is not beside the checkout")
    root = tmp_path_factory.mktemp("corpus")
    pipeline = Pipeline.__new__(Pipeline)
    pipeline.documents = SHARED / "corpus"
    pipeline.warehouse = root / "warehouse" / "communique.duckdb"
    import dagster as dg

    pipeline.instance = dg.DagsterInstance.ephemeral()
    assert pipeline.run().success
    return pipeline.warehouse.parent / "serving" / "communique.duckdb"


@pytest.mark.parametrize("number", range(1, 11))
def test_each_cookbook_query_answers_on_the_corpus(corpus_snapshot, number: int) -> None:
    query = cookbook()[number - 1]
    with duckdb.connect(str(corpus_snapshot), read_only=True) as con:
        rows = con.execute(query).fetchall()
    assert rows, f"cookbook query {number} returned no rows"

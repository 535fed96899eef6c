"""Incremental marts: a warehouse built in two runs (documents, then more documents) holds the same marts,
row for row, as one built from all the documents at once, including an older document whose person's
identity the later documents change."""

import shutil
from pathlib import Path

import duckdb
import pytest

from tests.conftest import SHARED
from tests.integration.conftest import Pipeline, mart_columns

CORPUS = sorted((SHARED / "corpus").glob("*.txt"))[:40:4]  # ten real documents, a spread of sources

EARLY = " date 2023-03-10 Prime Minister Sunak met the President of France in Paris. They agreed to work together on migration and will meet again by the end of April."
LATE = " date 2023-05-02 Prime Minister Rishi Sunak spoke to the Prime Minister of Albania, Edi Rama, about illegal migration and trade."


def marts(warehouse: Path) -> dict[str, list[tuple]]:
    out = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for table, columns in mart_columns(con).items():
            listed = ", ".join(f'"{c}"' for c in columns)
            out[table] = con.execute(f"select {listed} from marts.{table} order by all").fetchall()
    return out


def _fill(folder: Path, files: list[Path], synthetic: dict[str, str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for path in files:
        shutil.copy(path, folder / path.name)
    for name, text in synthetic.items():
        (folder / name).write_text(text)


def test_two_runs_build_the_marts_one_run_builds(tmp_path) -> None:
    first, second = CORPUS[:5], CORPUS[5:]

    stepwise = Pipeline(tmp_path / "stepwise")
    shutil.rmtree(stepwise.documents)
    _fill(stepwise.documents, first, {"early.txt": EARLY})
    assert stepwise.run().success
    people_before = stepwise.sql(
        "select people from marts.dim_documents where published_date = date '2023-03-10'"
    )
    _fill(stepwise.documents, second, {"late.txt": LATE})
    assert stepwise.run().success

    at_once = Pipeline(tmp_path / "at_once")
    shutil.rmtree(at_once.documents)
    _fill(at_once.documents, CORPUS, {"early.txt": EARLY, "late.txt": LATE})
    assert at_once.run().success

    built_twice, built_once = marts(stepwise.warehouse), marts(at_once.warehouse)
    assert built_twice.keys() == built_once.keys()
    for table in built_once:
        assert built_twice[table] == built_once[table], table
    # the early document's "Sunak" became "Rishi Sunak" when the late one named him in full
    assert people_before == [(["Sunak"],)]
    assert stepwise.sql(
        "select people from marts.dim_documents where published_date = date '2023-03-10'"
    ) == [(["Rishi Sunak"],)]


# a row in a month no document falls in: a merge by month keeps it, a rebuild from the documents does not
MONTH_SENTINEL = (
    "insert into marts.mart_theme_monthly "
    "select * replace (date '1900-01-01' as month) from marts.mart_theme_monthly limit 1"
)


def _sentinels(pipeline: Pipeline) -> int:
    return pipeline.one("select count(*) from marts.mart_theme_monthly where month = date '1900-01-01'")


def test_a_re_extraction_rebuilds_the_incremental_marts_whole(
    built: Pipeline, copy_of_built: Pipeline
) -> None:
    """A changed extractor gives every document a new batch: the incremental models are built as the
    first run built them, not merged document by document (which ran dbt out of memory at a million)."""
    pipeline = copy_of_built
    pipeline.write(
        ["update normalised.extraction_state set fingerprint = 'an older extractor'", MONTH_SENTINEL]
    )
    assert pipeline.run().success
    assert pipeline.one("select count(distinct batch_id) from normalised.processed_documents") == 1
    assert _sentinels(pipeline) == 0
    assert marts(pipeline.warehouse) == marts(built.warehouse)


@pytest.mark.parametrize(("added", "rebuilt"), [(1, False), (6, True)])
def test_marts_are_merged_unless_most_documents_are_new(
    copy_of_built: Pipeline, tmp_path: Path, added: int, rebuilt: bool
) -> None:
    """The fixtures' three documents built: one more is merged into the marts; more new documents than old
    ones rebuild them whole (`full_rebuild_share`, a half)."""
    pipeline = copy_of_built
    count = "select count(*) from normalised.processed_documents"
    held = pipeline.one(count)
    source, pipeline.documents = pipeline.documents, tmp_path / "documents"
    _fill(pipeline.documents, [*sorted(source.glob("*.txt")), *CORPUS[:added]], {})
    pipeline.write([MONTH_SENTINEL])
    assert pipeline.run().success
    new = pipeline.one(count) - held
    assert (new > held) is rebuilt  # (a corpus file can be a fixture's duplicate)
    assert _sentinels(pipeline) == (0 if rebuilt else 1)

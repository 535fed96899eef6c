"""Incremental marts: a warehouse built in two runs (documents, then more documents) holds the same marts,
row for row, as one built from all the documents at once, including an older document whose person's
identity the later documents change."""

import shutil
from pathlib import Path

import duckdb

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

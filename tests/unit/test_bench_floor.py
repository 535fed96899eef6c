import shutil
from pathlib import Path

from benchmarks import stages
from tests.conftest import SHARED


def test_the_floor_times_the_same_pass_on_all_cores_and_on_one(tmp_path: Path) -> None:
    corpus = sorted((SHARED / "corpus").glob("*.txt"))[:40]
    for path in corpus:
        shutil.copy(path, tmp_path / path.name)
    rows = stages.floor(tmp_path, tmp_path / "unused.duckdb")
    # the bench divides every stage by the first row: the floor on all cores
    assert [row["stage"] for row in rows] == ["floor", "floor_one_core"]
    assert {row["documents"] for row in rows} == {40}
    size = sum(path.stat().st_size for path in corpus) / 1e6
    assert all(abs(row["text_mb"] - size) < 0.01 for row in rows)
    # both engines make the same leftmost pass, and press releases hold theme phrases
    assert rows[0]["hits"] == rows[1]["hits"] > 40

from pathlib import Path

import pytest

from benchmarks import run


def _fill(work: Path) -> None:
    (work / "dagster_home").mkdir(parents=True)
    (work / "dagster_home" / "runs.db").write_text("x")
    for name in ("full.duckdb", "bench.duckdb", "pipeline_full-steps.json"):
        (work / name).write_text("x")
    (work / "lake-2").mkdir()


def test_a_bench_without_the_pipeline_group_keeps_the_full_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(run, "WORK", tmp_path / "work")
    _fill(run.WORK)
    run.clear_work(rebuild_full=False)
    assert sorted(p.name for p in run.WORK.iterdir()) == ["dagster_home", "full.duckdb"]
    assert (run.WORK / "dagster_home" / "runs.db").exists()
    run.clear_work(rebuild_full=True)
    assert list(run.WORK.iterdir()) == []

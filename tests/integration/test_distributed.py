"""The distributed profile: Redis, two dagster-celery workers and the daemon run a backfill of every
publication month into the Parquet lake; the marts built from it equal `make run`'s, row for row."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl
import pytest

from orchestration.lib import lake
from orchestration.lib.lookups import Lookups
from tests.conftest import ROOT
from tests.integration.conftest import mart_columns

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server: `make test` installs it"),
]
DOCUMENTS = 24


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict:
    """The same documents through `make run` and through `make run-distributed`."""
    root = tmp_path_factory.mktemp("distributed")
    documents = root / "documents"
    documents.mkdir()
    for path in sorted((ROOT / "seeds").glob("*.txt"))[:DOCUMENTS]:
        shutil.copy(path, documents / path.name)

    from orchestration.definitions import build_definitions
    from orchestration.run import run_all

    single = root / "single" / "communique.duckdb"
    result = run_all(build_definitions(documents, single, in_lake=False), dg.DagsterInstance.ephemeral())
    assert result.success

    distributed = root / "distributed" / "communique.duckdb"
    env = {
        **os.environ,
        "COMMUNIQUE_DOCUMENTS": str(documents),
        "COMMUNIQUE_WAREHOUSE": str(distributed),
        "COMMUNIQUE_DISTRIBUTED_HOME": str(root / "home"),
        "PYTHONPATH": str(ROOT),
    }
    env.pop("COMMUNIQUE_LAKE", None)
    report = root / "report.json"
    proc = subprocess.run(
        [sys.executable, "-m", "orchestration.distributed", "--report", str(report)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    return {
        "single": single,
        "distributed": distributed,
        "report": json.loads(report.read_text()),
        "home": root / "home",
    }


def mart_differences(a: Path, b: Path) -> dict[str, tuple[int, int, int]]:
    """Per mart: rows, rows only in `a`, rows only in `b` (the run columns left out)."""
    con = duckdb.connect()
    con.execute(f"attach '{a}' as a (read_only)")
    con.execute(f"attach '{b}' as b (read_only)")
    out = {}
    for table, columns in mart_columns(con, "a").items():
        cols = ", ".join(f'"{c}"' for c in columns)
        only = [
            con.execute(
                f"select count(*) from (select {cols} from {x}.marts.{table} except all select {cols} from {y}.marts.{table})"
            ).fetchone()[0]
            for x, y in (("a", "b"), ("b", "a"))
        ]
        out[table] = (con.execute(f"select count(*) from a.marts.{table}").fetchone()[0], *only)
    return out


def test_the_marts_equal_those_of_make_run_row_for_row(runs) -> None:
    differences = mart_differences(runs["single"], runs["distributed"])
    assert len(differences) >= 14
    assert {t: d for t, d in differences.items() if d[1] or d[2]} == {}
    assert differences["mart_theme_monthly"][0] > 0 and differences["dim_documents"][0] == DOCUMENTS


def test_every_month_lands_once_and_both_workers_ran_some(runs) -> None:
    report = runs["report"]
    with duckdb.connect(str(runs["single"]), read_only=True) as con:
        months = lake.months(con)
    assert report["months"] == len(months) == report["runs"]
    assert sorted(lake.manifests(report["lake"])["month"].to_list()) == months
    for table in lake.LAKE_TABLES:
        assert sorted(p.name for p in (Path(report["lake"]) / table).iterdir()) == [
            f"month={m}" for m in months
        ]
    assert len(report["runs_per_worker_process"]) == 2 and sum(
        report["runs_per_worker_process"].values()
    ) == len(months)
    assert sorted(report["tasks_in_worker_logs"]) == ["worker1", "worker2"]
    assert all(n > 0 for n in report["tasks_in_worker_logs"].values())
    assert report["services_stopped"]


def test_rewriting_a_month_is_idempotent_and_new_documents_make_it_pending(runs, tmp_path) -> None:
    report = runs["report"]
    root = tmp_path / "lake"
    shutil.copytree(report["lake"], root)
    month = sorted(lake.manifests(str(root))["month"])[0]

    def read(table: str) -> pl.DataFrame:
        return pl.read_parquet(root / table / f"month={month}" / "part-0.parquet")

    before = {t: read(t) for t in lake.LAKE_TABLES}
    lookups = Lookups()
    lake.write_month(runs["distributed"], str(root), month, lookups)
    assert all(read(t).equals(before[t]) for t in lake.LAKE_TABLES)
    assert not list((root / "_staging").iterdir())

    warehouse = tmp_path / "w.duckdb"
    shutil.copy(runs["distributed"], warehouse)
    with duckdb.connect(str(warehouse)) as con:
        assert lake.pending_months(con, str(root), lookups) == []
        con.execute(
            "insert into normalised.documents (doc_id, file_name, published_date, body, ingested_at) "
            "select 'ffffffffffffffff', 'new.txt', min(published_date), 'A new readout.', now() "
            "from normalised.documents where strftime(published_date, '%Y-%m') = ?",
            [month],
        )
        assert lake.pending_months(con, str(root), lookups) == [month]

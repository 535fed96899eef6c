"""The whole graph on three fixture documents, into a temporary DuckDB file."""

import shutil

import dagster as dg

from tests.conftest import SHARED
from tests.integration.conftest import Pipeline

CONTRACT_TABLES = [
    "normalised.documents",
    "normalised.quarantine",
    "normalised.sentences",
    "normalised.entity_mentions",
    "normalised.theme_mentions",
    "normalised.metric_mentions",
    "normalised.date_mentions",
    "marts.dim_documents",
    "marts.dim_themes",
    "marts.dim_countries",
    "marts.dim_people",
    "marts.dim_organisations",
    "marts.fct_theme_mentions",
    "marts.fct_metric_observations",
    "marts.mart_documents_monthly",
    "marts.mart_theme_monthly",
    "marts.mart_country_theme_monthly",
    "marts.mart_bilateral_monthly",
    "marts.mart_metric_monthly",
    "marts.mart_commitments",
    "marts.mart_theme_trends",
]


def test_every_table_is_built_and_every_check_passes(built: Pipeline) -> None:
    for table in CONTRACT_TABLES:
        assert built.one(f"select count(*) from {table}") > 0 or table == "normalised.quarantine", table
    assert built.one("select count(*) from normalised.documents") == 3
    seed = built.one("select doc_id from normalised.documents where file_name = '000_fabb732721accb05.txt'")
    assert (
        built.one(
            "select count(*) from marts.mart_commitments where doc_id = ? and due_date = '2023-04-30'", [seed]
        )
        == 1
    )
    assert ("GBR", "ALB") in built.sql(
        "select country_a, country_b from marts.mart_bilateral_monthly where month = '2023-03-01'"
    ) or ("ALB", "GBR") in built.sql(
        "select country_a, country_b from marts.mart_bilateral_monthly where month = '2023-03-01'"
    )


def test_the_contract_checker_finds_nothing_wrong(built: Pipeline) -> None:
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, str(SHARED / "tools" / "check_contract.py"), str(built.warehouse)],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stdout
    assert "0 missing, 0 problems" in out.stdout


def test_a_second_run_writes_nothing_and_new_files_add_only_themselves(
    copy_of_built: Pipeline, tmp_path
) -> None:
    pipeline = copy_of_built
    source = pipeline.documents
    pipeline.documents = tmp_path / "documents"
    shutil.copytree(source, pipeline.documents)
    counts = lambda: {t: pipeline.one(f"select count(*) from {t}") for t in CONTRACT_TABLES[:7]}  # noqa: E731
    # the copy's ledger holds other paths' files: re-point it at this folder first
    pipeline.write(["update normalised.files set mtime_ns = -1"])
    assert pipeline.run().success
    before = counts()
    assert pipeline.run().success
    assert counts() == before

    shutil.copy(SHARED / "corpus" / "ukgov_0029_db3b96817169d570.txt", pipeline.documents / "new.txt")
    shutil.copy(pipeline.documents / "new.txt", pipeline.documents / "same_again.txt")
    (pipeline.documents / "broken.txt").write_bytes(b"no header here")
    assert pipeline.run().success
    after = counts()
    assert after["normalised.documents"] == before["normalised.documents"] + 1
    assert after["normalised.quarantine"] == before["normalised.quarantine"] + 1
    assert pipeline.sql("select reason from normalised.quarantine where file_name = 'broken.txt'") == [
        ("NO_DATE_HEADER",)
    ]
    statuses = dict(
        pipeline.sql(
            "select file_name, status from normalised.files where file_name in ('new.txt', 'same_again.txt')"
        )
    )
    assert sorted(statuses.values()) == ["duplicate", "loaded"]
    # every file in the folder is accounted for
    assert pipeline.one("select count(distinct file_name) from normalised.files where mtime_ns <> -1") == len(
        list(pipeline.documents.glob("*.txt"))
    )


def test_definitions_load_with_the_graph_schedule_and_sensor() -> None:
    from orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    facts = dg.AssetKey(["normalised", "entity_mentions"])
    assert dg.AssetKey(["normalised", "documents"]) in graph.get(facts).parent_keys
    marts = graph.get(dg.AssetKey(["marts", "mart_country_theme_monthly"]))
    assert marts is not None
    upstream = graph.get(dg.AssetKey(["staging", "stg_entity_mentions"])).parent_keys
    assert facts in upstream
    assert defs.resolve_schedule_def("daily_refresh").cron_schedule == "0 6 * * *"
    assert defs.resolve_sensor_def("documents_folder_sensor") is not None


def test_dagster_definitions_validate_passes() -> None:
    import subprocess
    import sys
    from pathlib import Path

    dagster = Path(sys.executable).with_name("dagster")
    out = subprocess.run(
        [str(dagster), "definitions", "validate", "-m", "orchestration.definitions"],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr[-2000:]


def test_the_run_records_each_steps_time_and_window(built: Pipeline) -> None:
    """What `make run` prints and the bench reads: seconds per step, and when each step ran, which the
    bench matches to its memory samples."""
    from orchestration.run import step_timings

    run = built.instance.get_runs()[-1]  # the first, which built the warehouse
    timings = step_timings(built.instance, run.run_id)
    windows, steps = timings["steps_window"], timings["steps_s"]
    assert {"raw_documents", "fact_tables", "dbt_models", "serving__snapshot"} <= set(windows)
    assert set(steps) == set(windows)
    for step, (start, end) in windows.items():
        assert start <= end
        assert steps[step] == round(end - start, 2)
    # the graph runs in order: the facts after the documents, dbt after the facts
    assert windows["raw_documents"][1] <= windows["fact_tables"][0] <= windows["dbt_models"][0]
    assert timings["startup_s"] >= 0

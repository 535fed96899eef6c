"""The checks validate in a separate process that loads Great Expectations while the run starts; it must
give the same verdicts as validating in the run's own process, and step aside when it cannot open the file."""

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import duckdb

from orchestration.lib import quality
from tests.integration.conftest import Pipeline


def test_the_validator_process_agrees_with_validation_in_process(copy_of_built: Pipeline) -> None:
    copy_of_built.write(
        ["update normalised.entity_mentions set start_char = start_char + 1 where rowid % 7 = 0"]
    )
    quality.warm_up()
    for suite in ("documents", "entity_mentions", "mart_theme_monthly"):
        remote = quality.validate_warehouse(copy_of_built.warehouse, suite)
        with duckdb.connect(str(copy_of_built.warehouse), read_only=True) as con:
            local = quality.validate_table(con, suite)
        assert dataclasses.asdict(remote) == dataclasses.asdict(local)
    assert not quality.validate_warehouse(copy_of_built.warehouse, "entity_mentions").success


def test_a_file_locked_by_the_caller_is_validated_through_the_callers_connection(
    copy_of_built: Pipeline,
) -> None:
    quality.warm_up()
    with duckdb.connect(str(copy_of_built.warehouse)) as held:  # the validator cannot open it now
        outcome = quality.validate_warehouse(
            copy_of_built.warehouse, "documents", connect=lambda: _borrowed(held)
        )
    assert outcome.success and outcome.rows > 0


class _borrowed:
    """A context manager over a connection the caller keeps open."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con

    def __enter__(self) -> duckdb.DuckDBPyConnection:
        return self.con

    def __exit__(self, *exc) -> None:
        return None


def test_chunked_validation_gives_the_verdict_of_one_piece(copy_of_built: Pipeline) -> None:
    """Chunks split the documents, never a document: a duplicated sentence key and a broken span are
    found however many chunks the rows fall into, and the counts add up to the whole table's."""
    copy_of_built.write(
        [
            "insert into normalised.sentences select * from normalised.sentences where rowid = 3",
            "update normalised.theme_mentions set end_char = end_char + 1 where rowid % 11 = 0",
        ]
    )
    with duckdb.connect(str(copy_of_built.warehouse), read_only=True) as con:
        for suite in ("sentences", "theme_mentions", "documents"):
            whole = quality.validate_table(con, suite)
            chunked = quality.validate_table(con, suite, chunk_rows=max(1, whole.rows // 4))
            assert chunked.rows == whole.rows > 1
            assert chunked.success == whole.success
            assert {(f["expectation"], f["unexpected_count"]) for f in chunked.failed} == {
                (f["expectation"], f["unexpected_count"]) for f in whole.failed
            }
        assert not quality.validate_table(con, "sentences", chunk_rows=40).success
        assert not quality.validate_table(con, "theme_mentions", chunk_rows=40).success


def test_two_validators_share_a_suites_chunks_and_agree_with_one(copy_of_built: Pipeline) -> None:
    copy_of_built.write(
        ["update normalised.entity_mentions set start_char = start_char + 1 where rowid % 5 = 0"]
    )
    with duckdb.connect(str(copy_of_built.warehouse), read_only=True) as con:
        whole = quality.validate_table(con, "entity_mentions", chunk_rows=20)
        shards = [quality.validate_table(con, "entity_mentions", chunk_rows=20, shard=(k, 2)) for k in (0, 1)]
    merged = quality.merge_outcomes(shards)
    assert not whole.success and not merged.success
    assert {(f["expectation"], f["unexpected_count"]) for f in merged.failed} == {
        (f["expectation"], f["unexpected_count"]) for f in whole.failed
    }
    # the three fixture documents fall into chunks of either shard, or of one: the merge is what counts
    assert any(s.failed for s in shards)
    quality.warm_up(processes=2)
    assert len([v for v in quality._VALIDATORS if v.alive]) == 2
    remote = quality.validate_warehouse(copy_of_built.warehouse, "entity_mentions")
    assert not remote.success and remote.rows == whole.rows
    assert {(f["expectation"], f["unexpected_count"]) for f in remote.failed} == {
        (f["expectation"], f["unexpected_count"]) for f in whole.failed
    }
    second = quality._VALIDATORS[1].process
    quality.shrink(1)
    assert second.poll() is not None and len(quality._VALIDATORS) == 1
    assert quality.validate_warehouse(copy_of_built.warehouse, "documents").success


def test_make_run_exits_with_its_code_its_output_written_and_no_validator_left() -> None:
    """`orchestration.run` ends with `exit_now` (no interpreter finalisation): the exit code and the
    printed summary must survive it, and the validator process must be stopped, not orphaned."""
    script = (
        "from orchestration.lib import quality\n"
        "quality.warm_up()\n"
        "print('summary', quality._VALIDATORS[0].process.pid)\n"
        "from orchestration.run import exit_now\n"
        "exit_now(3)\n"
    )
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root)}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 3, done.stderr[-2000:]
    word, pid = done.stdout.split()
    assert word == "summary"
    assert not Path(f"/proc/{pid}").exists()  # stopped and reaped


FACT_SUITES = {
    "gx_sentences",
    "gx_entity_mentions",
    "gx_theme_mentions",
    "gx_metric_mentions",
    "gx_date_mentions",
}


def test_a_run_with_nothing_new_keeps_the_checks_verdicts(copy_of_built: Pipeline) -> None:
    """The built run logged its validations; a run over the same documents finds every fact suite's
    inputs unchanged and keeps their verdicts instead of validating again."""
    result = copy_of_built.run()
    assert result.success
    evaluations = {c.check_name: c for c in result.get_asset_check_evaluations()}
    assert FACT_SUITES | {"gx_documents"} <= set(evaluations)
    for name in FACT_SUITES | {"gx_documents"}:
        assert evaluations[name].passed
        assert evaluations[name].metadata["reused_from"].value, name
        assert "unchanged since the validation at" in evaluations[name].description
    reused = dict(
        copy_of_built.sql(
            "select suite, bool_and(reused) from normalised.validation_log "
            "where validated_at = (select max(validated_at) from normalised.validation_log as l "
            "where l.suite = validation_log.suite) group by suite"
        )
    )
    assert all(reused[name.removeprefix("gx_")] for name in FACT_SUITES)


def test_any_change_to_a_suites_rows_is_validated_again_and_a_failure_is_never_reused(
    copy_of_built: Pipeline,
) -> None:
    warehouse = copy_of_built.warehouse

    def check():
        return quality.check_suite(warehouse, "metric_mentions", lambda: duckdb.connect(str(warehouse)))

    first = check()
    assert first.success and first.reused_from is not None  # the built run validated these rows
    one_row = "rowid = (select min(rowid) from normalised.metric_mentions where metric_type = 'MONEY')"
    copy_of_built.write([f"update normalised.metric_mentions set value = -value - 1 where {one_row}"])
    broken = check()
    assert not broken.success and broken.reused_from is None
    assert not check().success  # validated again: a failed verdict is not kept
    copy_of_built.write([f"update normalised.metric_mentions set value = -(value + 1) where {one_row}"])
    mended = check()  # the rows of the first validation again, but the last verdict was a failure
    assert mended.success and mended.reused_from is None
    kept = check()
    assert kept.success and kept.reused_from is not None and kept.rows == first.rows
    log = copy_of_built.sql(
        "select passed, reused from normalised.validation_log where suite = 'metric_mentions' "
        "order by validated_at"
    )
    assert log[-5:] == [(True, True), (False, False), (False, False), (True, False), (True, True)]

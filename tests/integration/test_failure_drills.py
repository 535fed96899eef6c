"""Failure drills: corrupt a copy of a good warehouse, run again, and prove that the right check fails,
says what is wrong, and that the marts downstream are not rebuilt."""

import duckdb
import pytest

from orchestration.lib import quality
from tests.integration.conftest import Pipeline

SENTINEL = "insert into marts.mart_documents_monthly values ('1900-01-01', 999, 999)"


@pytest.mark.parametrize(
    ("corruption", "check", "expectation"),
    [
        (
            "update normalised.entity_mentions set end_char = end_char + 1 where rowid = (select min(rowid) from normalised.entity_mentions)",
            "gx_entity_mentions",
            "span_holds",
        ),
        (
            "update normalised.theme_mentions set theme_id = 'NOT_A_THEME' where rowid = (select min(rowid) from normalised.theme_mentions)",
            "gx_theme_mentions",
            "theme_id",
        ),
        (
            "update normalised.metric_mentions set value = -5 where rowid = (select min(rowid) from normalised.metric_mentions where metric_type = 'MONEY')",
            "gx_metric_mentions",
            "value",
        ),
        (
            "delete from normalised.documents where rowid = (select min(rowid) from normalised.documents)",
            "gx_sentences",
            "doc_exists",
        ),
        (
            "update normalised.date_mentions set role = 'someday' where rowid = (select min(rowid) from normalised.date_mentions)",
            "gx_date_mentions",
            "role",
        ),
        (
            "update normalised.documents set doc_id = 'NOT-HEX' where rowid = (select min(rowid) from normalised.documents)",
            "gx_documents",
            "doc_id_well_formed",
        ),
    ],
)
def test_a_corrupted_table_fails_its_check_and_stops_the_marts(
    copy_of_built: Pipeline, corruption, check, expectation
) -> None:
    pipeline = copy_of_built
    pipeline.write([corruption, SENTINEL])
    result = pipeline.run()
    assert not result.success
    failed = {c.check_name: c for c in result.get_asset_check_evaluations() if not c.passed}
    assert check in failed
    assert expectation in failed[check].description
    details = failed[check].metadata["failed_expectations"].value
    assert any(d["unexpected_count"] > 0 and d["sample"] for d in details)
    # dbt did not run: the sentinel row a rebuild would remove is still there
    assert pipeline.one("select count(*) from marts.mart_documents_monthly where documents = 999") == 1


def test_damage_outside_the_latest_batch_is_still_caught(copy_of_built: Pipeline, tmp_path) -> None:
    """Row-level expectations validate the newest batch; whole-table invariants cover the rest."""
    import shutil

    from tests.conftest import SHARED

    pipeline = copy_of_built
    source = pipeline.documents
    pipeline.documents = tmp_path / "documents"
    shutil.copytree(source, pipeline.documents)
    shutil.copy(SHARED / "corpus" / "ukgov_0029_db3b96817169d570.txt", pipeline.documents / "new.txt")
    assert pipeline.run().success  # the new document is now the latest batch
    old = pipeline.one("select doc_id from normalised.documents where file_name = '000_fabb732721accb05.txt'")
    pipeline.write([f"delete from normalised.documents where doc_id = '{old}'", SENTINEL])
    result = pipeline.run()
    failed = {c.check_name: c for c in result.get_asset_check_evaluations() if not c.passed}
    assert {"gx_sentences", "gx_entity_mentions", "gx_theme_mentions"} <= set(failed)
    assert "orphans_in_table" in failed["gx_entity_mentions"].description
    assert pipeline.one("select count(*) from marts.mart_documents_monthly where documents = 999") == 1


def test_a_mart_that_no_longer_reconciles_with_its_facts_is_reported(copy_of_built: Pipeline) -> None:
    copy_of_built.write(
        [
            "update marts.mart_metric_monthly set observations = observations + 1 where rowid = 0",
            "update marts.mart_theme_monthly set documents = documents + 1 where rowid = 0",
        ]
    )
    with duckdb.connect(str(copy_of_built.warehouse), read_only=True) as con:
        metric = quality.validate_table(con, "mart_metric_monthly")
        theme = quality.validate_table(con, "mart_theme_monthly")
    assert not metric.success and "reconciles_with_facts" in metric.message
    assert "observations_lost" in metric.message
    assert not theme.success and "reconciles_with_facts" in theme.message

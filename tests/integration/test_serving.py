"""The published snapshot: readers never block a run, a failed check never replaces a good snapshot."""

import hashlib
import json
import shutil
import subprocess
import sys
import time

import duckdb

from tests.conftest import SHARED
from tests.integration.conftest import Pipeline

READER = """
import duckdb, sys, time
con = duckdb.connect(sys.argv[1], read_only=True)
print(con.execute("select count(*) from marts.dim_documents").fetchone()[0], flush=True)
sys.stdin.readline()  # hold the file open until told to stop
print(con.execute("select count(*) from marts.dim_documents").fetchone()[0], flush=True)
"""


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_publishes_snapshot_and_parquet_with_manifest(built: Pipeline) -> None:
    serving = built.warehouse.parent / "serving"
    with duckdb.connect(str(serving / "communique.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from marts.dim_documents").fetchone()[0] == 3
        storage = con.execute(
            "select tags['storage_version'] from duckdb_databases() where database_name = 'communique'"
        ).fetchone()
    assert storage == ("v1.0.0+",)
    with (serving / "communique.duckdb").open("rb") as f:
        header = f.read(64)
    assert int.from_bytes(header[12:20], "little") == 64  # DuckDB's v1.0 storage number, readable by 1.x
    manifest = json.loads((serving / "parquet" / "_manifest.json").read_text())
    assert manifest["tables"]["dim_documents"]["rows"] == 3
    assert manifest["tables"]["mart_theme_monthly"]["partitioned_by"] == "month_key"
    rows = duckdb.sql(
        f"select count(*) from read_parquet('{serving}/parquet/mart_theme_monthly/*/*.parquet', hive_partitioning = true)"
    ).fetchall()[0][0]
    assert rows == manifest["tables"]["mart_theme_monthly"]["rows"]


def test_a_reader_holding_the_snapshot_never_blocks_a_run(copy_of_built: Pipeline, tmp_path) -> None:
    pipeline = copy_of_built
    assert pipeline.run().success
    snapshot = pipeline.warehouse.parent / "serving" / "communique.duckdb"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(snapshot)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdout.readline().strip() == "3"
        source = pipeline.documents
        pipeline.documents = tmp_path / "documents"
        shutil.copytree(source, pipeline.documents)
        shutil.copy(SHARED / "corpus" / "ukgov_0029_db3b96817169d570.txt", pipeline.documents / "new.txt")
        started = time.monotonic()
        result = pipeline.run()
        assert result.success, "the run failed while a reader held the snapshot"
        assert time.monotonic() - started < 300
        # the reader still reads the snapshot it opened; new readers see the new one
        reader.stdin.write("\n")
        reader.stdin.flush()
        assert reader.stdout.readline().strip() == "3"
    finally:
        reader.kill()
    with duckdb.connect(str(snapshot), read_only=True) as con:
        assert con.execute("select count(*) from marts.dim_documents").fetchone()[0] == 4


def test_a_failing_blocking_check_leaves_the_last_good_snapshot_byte_for_byte(
    copy_of_built: Pipeline,
) -> None:
    pipeline = copy_of_built
    assert pipeline.run().success
    serving = pipeline.warehouse.parent / "serving"
    before = digest(serving / "communique.duckdb")
    link = (serving / "parquet").resolve()
    pipeline.write(["update normalised.theme_mentions set theme_id = 'NOT_A_THEME' where rowid = 0"])
    assert not pipeline.run().success
    assert digest(serving / "communique.duckdb") == before
    assert (serving / "parquet").resolve() == link


def _published_tables(pipeline: Pipeline) -> tuple[dict, dict, dict]:
    """Every mart as the warehouse holds it, as the snapshot holds it and as the Parquet export holds it."""
    serving = pipeline.warehouse.parent / "serving"
    manifest = json.loads((serving / "parquet" / "_manifest.json").read_text())
    warehouse, snapshot, parquet = {}, {}, {}
    with duckdb.connect(str(pipeline.warehouse), read_only=True) as con:
        for table in manifest["tables"]:
            warehouse[table] = con.execute(f"select * from marts.{table} order by all").fetchall()
    with duckdb.connect(str(serving / "communique.duckdb"), read_only=True) as con:
        for table in manifest["tables"]:
            snapshot[table] = con.execute(f"select * from marts.{table} order by all").fetchall()
    for table, entry in manifest["tables"].items():
        path = serving / "parquet" / entry["path"]
        if entry["partitioned_by"]:
            source = f"read_parquet('{path}/*/*.parquet', hive_partitioning = true)"
            rows = duckdb.sql(f"select * exclude (month_key) from {source} order by all").fetchall()
        else:
            rows = duckdb.sql(f"select * from read_parquet('{path}') order by all").fetchall()
        parquet[table] = rows
    return warehouse, snapshot, parquet


def test_a_run_that_adds_documents_patches_the_published_copies_to_equal_the_marts(
    copy_of_built: Pipeline, tmp_path
) -> None:
    pipeline = copy_of_built
    assert pipeline.run().success  # publishes everything: this copy has no serving folder yet
    serving = pipeline.warehouse.parent / "serving"
    assert json.loads((serving / "_published.json").read_text())["patched_runs"] == 0
    source = pipeline.documents
    pipeline.documents = tmp_path / "documents"
    shutil.copytree(source, pipeline.documents)
    for name in ("ukgov_0029_db3b96817169d570.txt", "ukgov_0015_f83ebe4288ec1bfa.txt"):
        if (SHARED / "corpus" / name).exists():
            shutil.copy(SHARED / "corpus" / name, pipeline.documents / f"new_{name}")
    old_version = (serving / "parquet").resolve()
    assert pipeline.run().success
    state = json.loads((serving / "_published.json").read_text())
    assert state["patched_runs"] == 1, "the second publish patched the first"
    warehouse, snapshot, parquet = _published_tables(pipeline)
    for table in warehouse:
        assert snapshot[table] == warehouse[table], f"snapshot {table}"
        assert parquet[table] == warehouse[table], f"parquet {table}"
    # untouched months were linked from the previous version, not written again
    new_version = (serving / "parquet").resolve()
    linked = [
        f
        for f in (new_version / "mart_documents_monthly").rglob("*.parquet")
        if (old_version / f.relative_to(new_version)).exists()
        and f.stat().st_ino == (old_version / f.relative_to(new_version)).stat().st_ino
    ]
    assert linked, "no month partition was reused"


def test_the_snapshot_is_written_whole_again_only_when_patches_have_grown_it(copy_of_built: Pipeline) -> None:
    """Patched publishes go on for as long as the snapshot file stays near its size when last written
    whole; grown by half again (simulated here by the recorded size), the next publish rewrites it."""
    from orchestration.lib import serving

    pipeline = copy_of_built
    folder = serving.serving_folder(pipeline.warehouse)
    state_file = folder / "_published.json"
    with duckdb.connect(str(pipeline.warehouse)) as con:
        assert not serving.publish(con, pipeline.warehouse).incremental  # no previous copy
        whole = json.loads(state_file.read_text())["whole_bytes"]
        assert whole == (folder / "communique.duckdb").stat().st_size
        # the first patch copies the snapshot; then each patches the standby, the snapshot before the last
        made = [serving.publish(con, pipeline.warehouse) for _ in range(3)]
        assert [(p.incremental, p.snapshot_from) for p in made] == [
            (True, "copy"),
            (True, "standby"),
            (True, "standby"),
        ]
        state = json.loads(state_file.read_text())
        # patches since the file was written whole: two snapshots alternate, the copy made by the second
        # publish was patched then and again by the fourth
        assert state["patched_runs"] == 2 and state["whole_bytes"] == whole
        state_file.write_text(json.dumps({**state, "whole_bytes": int(whole / serving.GROWTH) - 1}))
        assert not serving.publish(con, pipeline.warehouse).incremental
        state = json.loads(state_file.read_text())
        assert state["patched_runs"] == 0
        assert state["whole_bytes"] == (folder / "communique.duckdb").stat().st_size


def test_a_publish_patches_the_standby_or_a_copy_when_a_reader_holds_it(
    copy_of_built: Pipeline, tmp_path, monkeypatch
) -> None:
    """Each publish keeps the snapshot it replaces as the standby, and the next patches that with the
    changes since it was published instead of copying the current one. A reader still holding the
    standby open keeps it: that publish patches a copy, and the reader's rows do not move."""
    from orchestration.lib import serving

    # a patch grows a snapshot of three documents by more than half (4.2 to 7.6 MB), which would have it
    # written whole: here only the patches are under test
    monkeypatch.setattr(serving, "GROWTH", 100.0)
    pipeline = copy_of_built
    folder = serving.serving_folder(pipeline.warehouse)
    with duckdb.connect(str(pipeline.warehouse)) as con:
        assert serving.publish(con, pipeline.warehouse).snapshot_from == "whole"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(folder / "communique.duckdb")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdout.readline().strip() == "3"  # it holds the first snapshot
        source = pipeline.documents
        pipeline.documents = tmp_path / "documents"
        shutil.copytree(source, pipeline.documents)
        made = []
        for name in ("ukgov_0029_db3b96817169d570.txt", "uswh_0133_ab1e2310f3b7a92b.txt"):
            shutil.copy(SHARED / "corpus" / name, pipeline.documents / f"new_{name}")
            assert pipeline.run().success  # a new document, published by the run
            made.append(json.loads((folder / "_published.json").read_text()))
            warehouse, snapshot, _ = _published_tables(pipeline)
            assert snapshot == warehouse
        # the first run copied the held snapshot (no standby yet); the second found the held one as the
        # standby and patched a copy of the first run's instead: that copy's second patch
        assert [m["patched_runs"] for m in made] == [1, 2]
        reader.stdin.write("\n")
        reader.stdin.flush()
        assert reader.stdout.readline().strip() == "3"
    finally:
        reader.kill()
        reader.wait()
    with duckdb.connect(str(pipeline.warehouse)) as con:
        # the standby is the snapshot of the second run, no reader holds it: patched, and equal to the marts
        assert serving.publish(con, pipeline.warehouse).snapshot_from == "standby"
    warehouse, snapshot, _ = _published_tables(pipeline)
    assert snapshot == warehouse
    with duckdb.connect(str(folder / "communique.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from marts.dim_documents").fetchone()[0] == 5

import datetime as dt

import polars as pl
import pytest

from orchestration.lib import ingest

TODAY = dt.date(2026, 11, 27)


def parse_one(raw: bytes, size: int | None = None) -> dict:
    files = pl.DataFrame(
        {
            "file_name": ["f.txt"],
            "size_bytes": [len(raw) if size is None else size],
            "mtime_ns": [1],
            "raw": [raw],
        },
        schema_overrides={"raw": pl.Binary},
    )
    return ingest.parse(files, today=TODAY).row(0, named=True)


@pytest.mark.parametrize(
    ("raw", "size", "reason"),
    [
        (b"", None, "EMPTY"),
        (b"   \n\n ", None, "EMPTY"),
        (b"Prime Minister met the President.", None, "NO_DATE_HEADER"),
        (b" date 2023-02-30 A body.", None, "BAD_DATE"),
        (b" date yesterday A body.", None, "BAD_DATE"),
        (b" date 1985-01-01 A body.", None, "BAD_DATE"),
        (b" date 2030-01-01 A body from the future.", None, "BAD_DATE"),
        (b" date 2023-03-24 \xff\xfe not utf-8", None, "NOT_UTF8"),
        (b" date 2023-03-24 \x00\x01\x02 binary", None, "BINARY"),
        (b" date 2023-03-24 ", None, "NO_BODY"),
        (b" date 2023-03-24 body", ingest.MAX_BYTES + 1, "TOO_LARGE"),
    ],
)
def test_each_quarantine_reason(raw: bytes, size: int | None, reason: str) -> None:
    row = parse_one(raw, size)
    assert row["status"] == "quarantined"
    assert row["reason"] == reason
    assert row["detail"]
    assert row["doc_id"] is None


def test_a_good_document_gets_its_content_hash_date_and_word_count() -> None:
    row = parse_one(b" date 2023-03-24 Rishi Sunak met Edi Rama.")
    assert row["status"] == "loaded" and row["reason"] is None
    assert row["published_date"] == dt.date(2023, 3, 24)
    assert row["body"] == "Rishi Sunak met Edi Rama."
    assert row["n_words"] == 5
    assert len(row["doc_id"]) == 16 and int(row["doc_id"], 16) >= 0


@pytest.mark.parametrize(
    "raw",
    [
        b"\xef\xbb\xbf date 2023-03-24 Body with a BOM.",
        b" date 2023-03-24 Body with a BOM.\r\n",
        b"date 2023-03-24   Body with a BOM.",
        b"\t date  2023-03-24\nBody with a BOM.\n\n",
    ],
)
def test_bom_crlf_and_odd_whitespace_give_the_same_document(raw: bytes) -> None:
    row = parse_one(raw)
    assert row["status"] == "loaded"
    assert row["body"] == "Body with a BOM."


def test_crlf_inside_the_body_becomes_lf_and_curly_quotes_stay() -> None:
    row = parse_one(" date 2023-03-24 “We agree,” she said.\r\n\r\nAlbania’s team.".encode())
    assert row["body"] == "“We agree,” she said.\n\nAlbania’s team."


def test_same_body_same_doc_id_whatever_the_file() -> None:
    a = parse_one(b" date 2023-03-24 Same text.")
    b = parse_one(b"\xef\xbb\xbf date 2023-03-24 Same text.\r\n")
    assert a["doc_id"] == b["doc_id"]


def test_scan_folder_lists_txt_files_recursively(tmp_path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.txt").write_text(" date 2023-03-24 x")
    (tmp_path / "y.txt").write_text(" date 2023-03-24 y")
    (tmp_path / "ignored.md").write_text("no")
    listing = ingest.scan_folder(tmp_path)
    assert sorted(listing["file_name"].to_list()) == ["a/x.txt", "y.txt"]


def test_find_and_the_python_walk_list_the_same_files(tmp_path, monkeypatch) -> None:
    """The listing through GNU find processes equals the os.scandir walk, to the nanosecond, whatever
    the names: nested folders, files at the top, names with tabs and spaces, links."""
    import os

    if not (ingest.FIND and ingest._gnu_find()):
        pytest.skip("no GNU find here: scan_folder walks in Python, which the other tests cover")
    for sub in ("a", "a/b", "c d", "e", "-name"):
        (tmp_path / sub).mkdir(parents=True)
    for name in (
        "top.txt",
        "a/x.txt",
        "a/b/y.txt",
        "c d/with\ttab and space.txt",
        "e/z.txt",
        "e/no.md",
        "-name/w.txt",
    ):
        (tmp_path / name).write_text(" date 2023-03-24 x")
    os.utime(tmp_path / "a/x.txt", ns=(1_700_000_000_123_456_789, 1_700_000_000_123_456_789))
    (tmp_path / "linked").symlink_to(tmp_path / "a", target_is_directory=True)
    (tmp_path / "e" / "link.txt").symlink_to(tmp_path / "top.txt")
    listed = {processes: ingest.scan_folder(tmp_path, processes=processes) for processes in (1, 2, 3)}
    monkeypatch.setattr(ingest, "FIND", None)
    walked = ingest.scan_folder(tmp_path)
    assert walked.height == 9
    assert "linked/b/y.txt" in walked["file_name"].to_list()
    assert walked.filter(pl.col("file_name") == "a/x.txt")["mtime_ns"].item() == 1_700_000_000_123_456_789
    for frame in listed.values():
        assert frame.equals(walked)


@pytest.mark.parametrize("where", ["top", "sub"])
@pytest.mark.parametrize("find", [True, False])
def test_a_file_name_that_is_not_utf8_is_a_clear_error(tmp_path, monkeypatch, where, find) -> None:
    import os

    if not find:
        monkeypatch.setattr(ingest, "FIND", None)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "fine.txt").write_text(" date 2023-03-24 x")
    name = b"latin-\xe9.txt" if where == "top" else b"sub/latin-\xe9.txt"
    with open(os.path.join(os.fsencode(tmp_path), name), "w") as f:
        f.write(" date 2023-03-24 x")
    with pytest.raises(ValueError, match="is not UTF-8"):
        ingest.scan_folder(tmp_path)


def test_worker_processes_ingest_what_one_process_does(tmp_path, monkeypatch) -> None:
    """Batches read in spawned workers land in the same rows, in the same order, with duplicates and
    quarantine decided across batches as in one process."""
    import duckdb

    from orchestration.lib import loading

    folder = tmp_path / "docs"
    (folder / "sub").mkdir(parents=True)
    for i in range(9):
        (folder / f"d{i}.txt").write_text(f" date 2023-03-{10 + i} Statement number {i}.")
    (folder / "sub" / "copy.txt").write_text(" date 2023-03-10 Statement number 0.")  # a duplicate of d0
    (folder / "sub" / "bad.txt").write_bytes(b"no header")
    monkeypatch.setattr(loading, "BATCH_FILES", 3)
    tables = {}
    for workers in ("1", "2"):
        monkeypatch.setenv("COMMUNIQUE_WORKERS", workers)
        with duckdb.connect(str(tmp_path / f"w{workers}.duckdb")) as con:
            summary = loading.ingest_folder(
                con, folder, now=dt.datetime(2024, 1, 1), today=dt.date(2024, 1, 1)
            )
            tables[workers] = [
                con.execute(f"select * exclude (ingested_at) from normalised.{t} order by all").fetchall()
                for t in ("documents", "quarantine")
            ] + [
                con.execute("select file_name, status, doc_id from normalised.files order by all").fetchall()
            ]
        assert (summary.loaded, summary.duplicates, summary.quarantined) == (9, 1, 1)
    assert tables["1"] == tables["2"]

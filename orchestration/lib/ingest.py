"""Raw files to documents: header parsing, quarantine reasons and content identity.

A raw document is ` date YYYY-MM-DD <body>` (see docs/CONTRACT.md). Parsing is one Polars pass over
a batch of files' bytes; reading the bytes is a plain loop because nothing in Polars reads many small
files faster (STACK.md section 6).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path

import polars as pl

from orchestration.lib.pool import worker_count

MAX_BYTES = 5 * 1024 * 1024  # a press release is a few KB; 5 MB is something else
EARLIEST = dt.date(1990, 1, 1)
HEADER = r"^\s*date\s+(\S+)(?:\s+|$)"


LISTING_SCHEMA = {"file_name": pl.String, "size_bytes": pl.Int64, "mtime_ns": pl.Int64}
FIND = shutil.which("find")
# what GNU find prints a file as: size, mtime (seconds, fraction), path below the folder; NUL-ended
_FIND_FORMAT = r"%s\t%T@\t%p\0"


def scan_folder(folder: Path, *, processes: int | None = None) -> pl.DataFrame:
    """Every `*.txt` below `folder` with its size and modification time (no file is opened), sorted by
    name. A million files are a million `stat` calls, kernel time: the subfolders are shared between
    `processes` GNU find processes (one per core) and their output parsed by Polars; without GNU find,
    one `os.scandir` walk in this process (about twice as long)."""
    folder = Path(folder)
    top = sorted(os.scandir(folder), key=lambda e: e.name)
    rows = [_stat_row(e, e.name) for e in top if _is_txt(e)]
    subfolders = [e.name for e in top if e.is_dir()]
    if subfolders and FIND and _gnu_find():
        found = _find(folder, subfolders, processes or worker_count())
    else:
        rows += _walk(folder, subfolders)
        found = []
    try:
        frames = [pl.DataFrame(rows, schema=LISTING_SCHEMA, orient="row"), *found]
    except UnicodeEncodeError:
        _not_utf8(folder, next(r[0] for r in rows if _undecodable(r[0])))
    return pl.concat(frames).sort("file_name")


def _undecodable(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _not_utf8(folder: Path, name: str | bytes):
    raise ValueError(
        f"{folder}: the file name {name!r} is not UTF-8; the ledger and the warehouse store names as text:"
        " rename the file"
    )


def _is_txt(entry: os.DirEntry) -> bool:
    return entry.name.endswith(".txt") and entry.is_file()


def _stat_row(entry: os.DirEntry, name: str) -> tuple[str, int, int]:
    st = entry.stat()
    return name, st.st_size, st.st_mtime_ns


def _walk(folder: Path, subfolders: list[str]) -> list[tuple[str, int, int]]:
    rows, pending = [], list(subfolders)
    while pending:
        rel = pending.pop()
        with os.scandir(folder / rel) as entries:
            for entry in entries:
                name = f"{rel}/{entry.name}"
                if entry.is_dir():
                    pending.append(name)
                elif _is_txt(entry):
                    rows.append(_stat_row(entry, name))
    return rows


@cache
def _gnu_find() -> bool:
    try:
        done = subprocess.run([FIND, "--version"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0 and "GNU findutils" in done.stdout


def _find(folder: Path, subfolders: list[str], processes: int) -> list[pl.DataFrame]:
    """The `*.txt` files below `subfolders`, listed by `processes` find processes at once. `-L` follows
    links as `os.scandir`'s is_dir/is_file/stat do."""
    shares = [subfolders[k::processes] for k in range(min(processes, len(subfolders)))]
    running = [
        subprocess.Popen(
            # "./" keeps a folder named like an option ("-x") a starting point; it is cut when parsed
            [
                FIND,
                "-L",
                *(f"./{name}" for name in share),
                "-type",
                "f",
                "-name",
                "*.txt",
                "-printf",
                _FIND_FORMAT,
            ],
            cwd=folder,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for share in shares
    ]
    # each pipe is drained by its own thread: read one after the other, a full pipe would stall the rest
    with ThreadPoolExecutor(len(running)) as drain:
        outputs = list(drain.map(lambda process: process.communicate(), running))
    for process, (_, err) in zip(running, outputs, strict=True):
        if process.returncode != 0:
            raise OSError(f"listing {folder} failed: {err.decode(errors='replace').strip()[:500]}")
    return [_parse_find(out, folder) for out, _ in outputs]


def _parse_find(out: bytes, folder: Path) -> pl.DataFrame:
    try:
        records = out.decode("utf-8").split("\0")[:-1]
    except UnicodeDecodeError as error:
        start = out.rfind(b"\0", 0, error.start) + 1
        _not_utf8(folder, out[start : out.find(b"\0", error.start)].split(b"\t", 2)[-1])
    fields = pl.Series("r", records, dtype=pl.String).str.splitn("\t", 3).struct.unnest()
    seconds = fields["field_1"].str.splitn(".", 2).struct.unnest()
    fraction = seconds["field_1"].fill_null("").str.slice(0, 9).str.pad_end(9, "0")
    return pl.DataFrame(
        {
            "file_name": fields["field_2"].str.slice(2),
            "size_bytes": fields["field_0"].cast(pl.Int64),
            "mtime_ns": seconds["field_0"].cast(pl.Int64) * 1_000_000_000 + fraction.cast(pl.Int64),
        },
        schema=LISTING_SCHEMA,
    )


def read_files(folder: Path, listing: pl.DataFrame) -> pl.DataFrame:
    """Add the raw bytes of each listed file (files over MAX_BYTES are not read)."""
    names = listing["file_name"].to_list()
    sizes = listing["size_bytes"].to_list()
    raw = [(folder / n).read_bytes() if s <= MAX_BYTES else b"" for n, s in zip(names, sizes, strict=True)]
    return listing.with_columns(raw=pl.Series(raw, dtype=pl.Binary))


def read_and_parse(folder: Path, today: dt.date | None, listing: pl.DataFrame) -> pl.DataFrame:
    """`parse` of the listed files' bytes: one batch, as a worker process runs it."""
    return parse(read_files(folder, listing), today=today)


def _decode(raw: list[bytes]) -> pl.Series:
    """UTF-8 text of each file, or null where the bytes are not UTF-8 (Polars' cast raises instead)."""
    out: list[str | None] = []
    for b in raw:
        try:
            out.append(b.decode("utf-8"))
        except UnicodeDecodeError:
            out.append(None)
    return pl.Series(out, dtype=pl.String)


def parse(files: pl.DataFrame, today: dt.date | None = None) -> pl.DataFrame:
    """Classify a batch of read files. Returns one row per file with `status`, `reason`, `detail`
    and, for parseable ones, `doc_id`, `published_date`, `body`, `n_words`, `n_chars`.

    `status` is `loaded` or `quarantined` here; duplicates are decided against the warehouse later.
    """
    latest = (today or dt.date.today()) + dt.timedelta(days=1)
    text = pl.col("decoded")
    utf8 = (
        files.with_columns(decoded=_decode(files["raw"].to_list()))
        .lazy()
        .with_columns(
            binary=pl.col("raw").bin.contains(b"\x00"),
            text=text.str.strip_prefix("\ufeff").str.replace_all("\r\n?", "\n"),
        )
        .with_columns(
            header_date=pl.col("text").str.extract(HEADER, 1),
            body=pl.col("text").str.replace(HEADER, "").str.strip_chars(),
        )
        .with_columns(published_date=pl.col("header_date").str.to_date("%Y-%m-%d", strict=False))
    )
    reason = (
        pl.when(pl.col("size_bytes") > MAX_BYTES)
        .then(pl.lit("TOO_LARGE"))
        .when(pl.col("size_bytes") == 0)
        .then(pl.lit("EMPTY"))
        .when(pl.col("binary"))
        .then(pl.lit("BINARY"))
        .when(pl.col("text").is_null())
        .then(pl.lit("NOT_UTF8"))
        .when(pl.col("text").str.strip_chars() == "")
        .then(pl.lit("EMPTY"))
        .when(pl.col("header_date").is_null())
        .then(pl.lit("NO_DATE_HEADER"))
        .when(pl.col("published_date").is_null())
        .then(pl.lit("BAD_DATE"))
        .when(~pl.col("published_date").is_between(EARLIEST, latest))
        .then(pl.lit("BAD_DATE"))
        .when(pl.col("body") == "")
        .then(pl.lit("NO_BODY"))
    )
    detail = (
        pl.when(pl.col("reason") == "TOO_LARGE")
        .then(pl.format("{} bytes, over the limit of {}", "size_bytes", pl.lit(MAX_BYTES)))
        .when(pl.col("reason") == "BINARY")
        .then(pl.lit("contains NUL bytes"))
        .when(pl.col("reason") == "NOT_UTF8")
        .then(pl.lit("bytes are not valid UTF-8"))
        .when(pl.col("reason") == "EMPTY")
        .then(pl.lit("no content"))
        .when(pl.col("reason") == "NO_DATE_HEADER")
        .then(pl.format("does not start with ' date YYYY-MM-DD': {}", pl.col("text").str.slice(0, 40)))
        .when(pl.col("reason") == "BAD_DATE")
        .then(
            pl.format(
                "header date '{}' is not a real date between {} and {}",
                "header_date",
                pl.lit(str(EARLIEST)),
                pl.lit(str(latest)),
            )
        )
        .when(pl.col("reason") == "NO_BODY")
        .then(pl.lit("header but no body"))
    )
    parsed = (
        utf8.with_columns(reason=reason)
        .with_columns(
            detail=detail,
            status=pl.when(pl.col("reason").is_null())
            .then(pl.lit("loaded"))
            .otherwise(pl.lit("quarantined")),
            n_words=pl.col("body").str.count_matches(r"\S+").cast(pl.Int32),
            n_chars=pl.col("body").str.len_chars().cast(pl.Int32),
        )
        .collect()
    )
    # sha256 has no Polars kernel; hashlib is C and runs once per new file, beside the read
    bodies = parsed["body"].to_list()
    ok = parsed["status"].to_list()
    ids = [
        hashlib.sha256(b.encode()).hexdigest()[:16] if s == "loaded" else None
        for b, s in zip(bodies, ok, strict=True)
    ]
    return parsed.with_columns(doc_id=pl.Series(ids, dtype=pl.String)).drop(
        "raw", "decoded", "text", "binary", "header_date"
    )

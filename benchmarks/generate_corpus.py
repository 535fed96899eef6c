"""Generate a scale corpus from ../shared/corpus by recombining real documents.

    python -m benchmarks.generate_corpus --documents 100000 --out corpus/gen-100000 [--seed 7]

Each generated document takes the paragraphs of several real documents of the same kind (readout,
fact sheet, statement: MANIFEST.csv's doc_type), shuffled, under a new publication date spread over
2010-2026; its first paragraph comes from a document of that kind too, so readouts still open like
readouts. The same arguments always give the same files. Files go 10,000 to a folder.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
from pathlib import Path

import numpy as np
import polars as pl

from orchestration.lib import ingest

SHARED_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
FIRST_DAY, LAST_DAY = dt.date(2010, 1, 1), dt.date(2026, 10, 31)
PER_FOLDER = 10_000


def paragraphs(source: Path) -> pl.DataFrame:
    """Every paragraph of the source corpus with its document's kind and position."""
    manifest = pl.read_csv(source / "MANIFEST.csv", columns=["file", "doc_type"], infer_schema=False)
    parsed = ingest.parse(ingest.read_files(source, ingest.scan_folder(source)))
    docs = parsed.filter(pl.col("status") == "loaded").join(
        manifest, left_on="file_name", right_on="file", how="left"
    )
    return (
        docs.select(kind=pl.col("doc_type").fill_null("other"), paragraph=pl.col("body").str.split("\n\n"))
        .with_columns(position=pl.int_ranges(pl.col("paragraph").list.len()))
        .explode("paragraph", "position")
        .filter(pl.col("paragraph").str.strip_chars() != "")
        .with_columns(first=pl.col("position") == 0)
    )


def generate(
    n: int,
    out: Path,
    seed: int = 7,
    source: Path = SHARED_CORPUS,
    first_day: dt.date = FIRST_DAY,
    last_day: dt.date = LAST_DAY,
) -> int:
    """`n` documents into `out`, published from `first_day` to the day before `last_day`."""
    rng = np.random.default_rng(seed)
    paras = paragraphs(source)
    kinds = paras["kind"].unique().sort().to_list()
    by_kind = {k: paras.filter(pl.col("kind") == k) for k in kinds}
    weights = np.array([by_kind[k].filter(pl.col("first")).height for k in kinds], dtype=float)
    doc_kinds = rng.choice(len(kinds), size=n, p=weights / weights.sum())
    days = rng.integers(0, (last_day - first_day).days, size=n)  # last_day itself excluded
    lengths = rng.integers(3, 10, size=n)
    out.mkdir(parents=True, exist_ok=True)
    seen: set[bytes] = set()
    written = 0
    for i in range(n):
        pool = by_kind[kinds[doc_kinds[i]]]
        openers = pool.filter(pl.col("first"))["paragraph"]
        rest = pool["paragraph"]
        chosen = [openers[int(rng.integers(len(openers)))]] + [
            rest[int(j)] for j in rng.integers(len(rest), size=lengths[i])
        ]
        body = "\n\n".join(chosen)
        digest = hashlib.sha256(body.encode()).digest()
        if digest in seen:  # recombination collided: make it unique rather than drop it
            body += f"\n\n(Document {i}.)"
        seen.add(digest)
        day = first_day + dt.timedelta(days=int(days[i]))
        folder = out / f"{i // PER_FOLDER:04d}"
        if i % PER_FOLDER == 0:
            folder.mkdir(exist_ok=True)
        (folder / f"gen_{i:07d}.txt").write_text(f" date {day.isoformat()} {body}\n", encoding="utf-8")
        written += 1
    return written


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--documents", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    print(f"wrote {generate(args.documents, args.out, args.seed)} documents to {args.out}")


if __name__ == "__main__":
    main()

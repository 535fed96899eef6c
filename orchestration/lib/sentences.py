"""A vectorised sentence splitter: documents in, (doc_id, sentence_no, start_char, end_char) out.

Boundaries are sentence-final punctuation (with any closing quotes or brackets) followed by space,
and blank lines. Periods that do not end a sentence (titles such as "Mr." and "Dr.", "No. 10",
initials as in "Antony J. Blinken", "U.S.") are first replaced by a look-alike of the same length,
so offsets are unchanged; a piece that starts in lower case continues the sentence before it.
"""

from __future__ import annotations

import polars as pl

from orchestration.lib.text import regex_spans

_ABBREVIATIONS = (
    "Mr|Mrs|Ms|Mx|Dr|Prof|St|Sen|Rep|Gov|Gen|Lt|Col|Maj|Capt|Cmdr|Adm|Sgt|Rev|Hon|Amb|Pres|Jr|Sr|No|Nos|Nr"
    "|Inc|Ltd|Corp|Co|Dept|Mt|Ft|Ave|vs|v|e\\.g|i\\.e|approx|est|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
# "U.S.", "U.K.", "E.U." and single initials: a capital letter and a period, not after a word character
_INITIAL = r"(?:^|[^A-Za-z\u00C0-\u024F0-9])(?:[A-Z]\.)+"
_PROTECT = rf"(?:\b(?:{_ABBREVIATIONS})\.|{_INITIAL})"
_LOOKALIKE = "\u2024"  # one dot leader: one character, like the period it stands for
# a sentence: anything up to final punctuation (plus closing quotes/brackets) or the end of a line
SENTENCE = r"[^\n]+?(?:[.!?…]+[\"'”’)\]]*(?:\s|$)|\n|$)"


def protect_periods(text: pl.Expr) -> pl.Expr:
    """Replace periods that do not end a sentence with a same-length look-alike."""
    return (
        text.str.replace_all(_PROTECT, "${0}\u0000")
        .str.replace_all(r"\.\u0000", _LOOKALIKE)
        .str.replace_all("\u0000", "")
    )


def split_sentences(documents: pl.LazyFrame) -> pl.LazyFrame:
    """One row per sentence of each document: `doc_id`, `sentence_no`, `start_char`, `end_char`.

    `start_char`/`end_char` exclude surrounding whitespace, so `body[start:end]` is the sentence.
    """
    pieces = regex_spans(
        documents.select("doc_id", guarded=protect_periods(pl.col("body"))), "guarded", SENTENCE, ["doc_id"]
    )
    return (
        pieces.with_columns(
            lead=pl.col("surface").str.len_chars()
            - pl.col("surface").str.strip_chars_start().str.len_chars(),
            trail=pl.col("surface").str.len_chars() - pl.col("surface").str.strip_chars_end().str.len_chars(),
            first=pl.col("surface").str.strip_chars_start().str.slice(0, 1),
        )
        .filter(pl.col("surface").str.strip_chars() != "")
        .with_columns(
            start_char=pl.col("start") + pl.col("lead"),
            end_char=pl.col("end") - pl.col("trail"),
            paragraph_start=pl.col("before").fill_null("\n").str.contains(r"\n\s*$")
            | (pl.int_range(pl.len()).over("doc_id") == 0),
            curly=pl.col("surface").str.count_matches("“") - pl.col("surface").str.count_matches("”"),
            straight=pl.col("surface").str.count_matches('"'),
        )
        .with_columns(paragraph=pl.col("paragraph_start").cast(pl.Int32).cum_sum().over("doc_id"))
        .with_columns(
            # quotation marks opened before this piece in its paragraph and not closed yet
            open_quotes=(pl.col("curly").cum_sum().over("doc_id", "paragraph") - pl.col("curly"))
            + (pl.col("straight").cum_sum().over("doc_id", "paragraph") - pl.col("straight")) % 2,
        )
        .with_columns(
            # a paragraph always starts a sentence; a piece inside an open quotation, or one starting
            # in lower case, continues the sentence before it
            new=pl.col("paragraph_start")
            | (~pl.col("first").str.contains(r"^[a-z\u00DF-\u00FF,;:)\]]$") & (pl.col("open_quotes") <= 0)),
        )
        .with_columns(sentence_no=(pl.col("new").cast(pl.Int32).cum_sum().over("doc_id") - 1))
        .group_by("doc_id", "sentence_no")
        .agg(pl.col("start_char").min(), pl.col("end_char").max())
        .sort("doc_id", "sentence_no")
    )

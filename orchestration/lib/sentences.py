"""A vectorised sentence splitter: documents in, (doc_id, sentence_no, start_char, end_char) out.

Boundaries are sentence-final punctuation (with any closing quotes or brackets) followed by space,
and blank lines. Periods that do not end a sentence (titles such as "Mr." and "Dr.", "No. 10",
initials as in "Antony J. Blinken", "U.S.") are first replaced by a look-alike of the same length,
so offsets are unchanged; a piece that starts in lower case continues the sentence before it.
"""

from __future__ import annotations

import polars as pl

from orchestration.lib.text import (
    MARK,
    ascii_boundaries,
    ascii_semantics,
    cut_pieces,
    group_starts,
    piece_starts,
    running_sum,
)

_ABBREVIATIONS = (
    "Mr|Mrs|Ms|Mx|Dr|Prof|St|Sen|Rep|Gov|Gen|Lt|Col|Maj|Capt|Cmdr|Adm|Sgt|Rev|Hon|Amb|Pres|Jr|Sr|No|Nos|Nr"
    "|Inc|Ltd|Corp|Co|Dept|Mt|Ft|Ave|vs|v|e\\.g|i\\.e|approx|est|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
# "U.S.", "U.K.", "E.U." and single initials: a capital letter and a period, not after a word character
_INITIAL = r"(?:^|[^A-Za-z\u00C0-\u024F0-9])(?:[A-Z]\.)+"
# a period to keep: the end of a title or abbreviation, or of initials; the text before it is group 1
_PROTECT = rf"(\b(?:{_ABBREVIATIONS})|(?:^|[^A-Za-z\u00C0-\u024F0-9])(?:[A-Z]\.)*[A-Z])\."
# ASCII word boundaries: the Unicode-aware one made this pass most of the sentence split's time
_PROTECTED = ascii_semantics(_PROTECT)
_LOOKALIKE = "\u2024"  # one dot leader: one character, like the period it stands for
# a piece of text ends after final punctuation (plus closing quotes/brackets) and one space, or a newline
_BOUNDARY = r"[.!?…]+[\"'”’)\]]*(?:\s|$)|\n"
# a piece that is only one stop and its space, such as the ". " in "Yes. . Next", holds no sentence
# of its own: it runs on into the next piece
_LONE_STOP = r"^[.!?…][\"'”’)\]]*[^\S\n]$"


# a sentence in which the parties commit, agree, pledge, announce or will act: the rows of mart_commitments.
# Case-sensitive: "Will ..." at a sentence's start asks a question.
_COMMITMENT = ascii_boundaries(
    r"\b(commit|commits|committed|commitment|commitments|agree|agrees|agreed|pledge|pledges|pledged|announce"
    r"|announces|announced|will|shall|intends? to|plans? to|resolved to|vowed to|undertook to)\b"
)


def commits(text: pl.Expr) -> pl.Expr:
    """The sentence `text` commits, agrees, pledges, announces or says the parties will act. Found here, in
    one regex pass over text extraction already holds, rather than in dbt, where each sentence's text is a
    `substring` of its body that DuckDB finds by walking the body's UTF-8 from its start."""
    return text.str.contains(_COMMITMENT)


def protect_periods(text: pl.Expr) -> pl.Expr:
    """Replace periods that do not end a sentence with a same-length look-alike."""
    return text.str.replace_all(_PROTECTED, f"${{1}}{_LOOKALIKE}")


def _pieces(documents: pl.LazyFrame) -> pl.LazyFrame:
    """The text cut after every boundary, one row per piece: `doc_id`, `surface`, `start`, `end` and
    `paragraph_start` (blank lines before it). Newlines on their own lines are dropped."""
    piece = pl.col("piece")
    marked = protect_periods(pl.col("body")).str.replace_all(_BOUNDARY, f"${{0}}{MARK}")
    pieces = (
        cut_pieces(documents, ["doc_id"], marked, marked_only=False)
        .with_columns(width=piece.str.len_chars())
        .with_columns(start=piece_starts(pl.col("width")))
        .filter(piece != "")
        .with_columns(first=group_starts("doc_id"))
    )
    # a lone stop starts a piece and takes in the next one; in a run of lone stops, the first takes in
    # the second, the third the fourth, and so on
    lone = piece.str.contains(_LONE_STOP)
    run_start = lone & (pl.col("first") | ~lone.shift(1))
    starts = lone & ((running_sum(lone.cast(pl.Int32), run_start) - 1) % 2 == 0)
    joins_next = starts & ~pl.col("first").shift(-1, fill_value=True)
    merged = (
        pieces.with_columns(joins_next=joins_next)
        .with_columns(taken=pl.col("joins_next").shift(1, fill_value=False) & ~pl.col("first"))
        .with_columns(
            surface=pl.when("joins_next").then(piece + piece.shift(-1)).otherwise(piece),
            width=pl.when("joins_next").then(pl.col("width") + pl.col("width").shift(-1)).otherwise("width"),
        )
        # a document's first piece is never taken, so `first` still marks each document's first piece
        .filter(~pl.col("taken"))
        .with_columns(blank=pl.col("surface") == "\n")
    )
    return (
        merged.with_columns(paragraph_start=pl.col("blank").shift(1, fill_value=False) & ~pl.col("first"))
        .filter(~pl.col("blank"))
        .select(
            "doc_id",
            "surface",
            "start",
            end=pl.col("start") + pl.col("width"),
            paragraph_start="paragraph_start",
        )
    )


def split_sentences(documents: pl.LazyFrame) -> pl.LazyFrame:
    """One row per sentence of each document: `doc_id`, `sentence_no`, `start_char`, `end_char`.

    `start_char`/`end_char` exclude surrounding whitespace, so `body[start:end]` is the sentence.
    """
    pieces = _pieces(documents)
    # a document's pieces come together and in order: running sums restart at its first piece, with no
    # window over the documents (a group-by per expression)
    return (
        pieces.with_columns(
            lead=pl.col("surface").str.len_chars()
            - pl.col("surface").str.strip_chars_start().str.len_chars(),
            trail=pl.col("surface").str.len_chars() - pl.col("surface").str.strip_chars_end().str.len_chars(),
            first=pl.col("surface").str.strip_chars_start().str.slice(0, 1),
        )
        .filter(pl.col("surface").str.strip_chars() != "")
        .with_columns(document_start=group_starts("doc_id"))
        .with_columns(
            start_char=pl.col("start") + pl.col("lead"),
            end_char=pl.col("end") - pl.col("trail"),
            paragraph_start=pl.col("paragraph_start") | pl.col("document_start"),
            # signed: a piece closing more quotations than it opens must not wrap round to a huge count
            curly=pl.col("surface").str.count_matches("“", literal=True).cast(pl.Int32)
            - pl.col("surface").str.count_matches("”", literal=True).cast(pl.Int32),
            straight=pl.col("surface").str.count_matches('"', literal=True).cast(pl.Int32),
        )
        .with_columns(
            # quotation marks opened before this piece in its paragraph and not closed yet
            open_quotes=(running_sum(pl.col("curly"), pl.col("paragraph_start")) - pl.col("curly"))
            + (running_sum(pl.col("straight"), pl.col("paragraph_start")) - pl.col("straight")) % 2,
        )
        .with_columns(
            # a paragraph always starts a sentence; a piece inside an open quotation, or one starting
            # in lower case, continues the sentence before it
            new=pl.col("paragraph_start")
            | (~pl.col("first").str.contains(r"^[a-z\u00DF-\u00FF,;:)\]]$") & (pl.col("open_quotes") <= 0)),
        )
        .with_columns(sentence_no=running_sum(pl.col("new").cast(pl.Int32), pl.col("document_start")) - 1)
        # pieces are in text order, so a sentence runs from its first piece's start to its last piece's
        # end: the last piece is the one before the next sentence's first (or the document's end)
        .with_columns(
            last=pl.col("new").shift(-1, fill_value=True)
            | pl.col("document_start").shift(-1, fill_value=True)
        )
        .with_columns(end_char=pl.when("last").then("end_char").backward_fill())
        .filter("new")
        .select("doc_id", pl.col("sentence_no").cast(pl.Int32), "start_char", "end_char")
    )

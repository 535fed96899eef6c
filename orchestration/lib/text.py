"""Span primitives shared by every extractor: regex matches and phrase matches with character offsets.

Polars has no "find all regex matches with positions", so `regex_spans` wraps every match in marks,
splits on them and recovers offsets from cumulative character lengths: one vectorised pass, no Python
loop per row.
"""

from __future__ import annotations

import re

import polars as pl

# the mark cut into a text: NUL, which ingestion quarantines (a file holding one is BINARY), so no body
# holds one, and splitting on one byte is the fastest split. `extract_facts` refuses a body holding one
MARK = "\x00"
_FIRST_TAG, _TAGS = 0xF0000, 0xFFFFE - 0xF0000  # supplementary private use area A
# an extractor numbers the sentences of its frame: a span joins back to its sentence on this one integer,
# where the document's id and the sentence's numbers made Polars encode and hash a row of keys
SID = "_sid"
WORD_CHAR = r"[A-Za-z\u00C0-\u024F0-9_]"
_WORD_CHARS = [chr(code) for code in range(0x250) if re.fullmatch(WORD_CHAR, chr(code))]


def regex_spans(
    frame: pl.LazyFrame,
    text: str,
    pattern: str,
    keys: list[str],
    *,
    groups: bool = False,
    prefilter: list[str] | None = None,
    exact_prefilter: bool = False,
) -> pl.LazyFrame:
    """Every non-overlapping match of `pattern` in column `text`, one row each.

    Returns `keys` + `start` and `end` (character offsets into `text`, end exclusive), `surface`,
    `before` (the text between the previous match and this one) and `after` (up to the next match).
    With `groups=True` the named capture groups of `pattern`, re-applied to the surface, come as columns.
    `prefilter`: literals of which every match holds one (case-insensitive); rows holding none are
    skipped before the regex runs (Aho-Corasick runs at GB/s, a large regex at a few MB/s).
    `exact_prefilter`: every match holds one of them as written, as it does when `pattern` has no
    case-insensitive part or the literals no letters. The regex engine then looks for them with its SIMD
    literal search: twice as fast for words, seven times for digits, as Aho-Corasick ignoring case.
    """
    if prefilter and exact_prefilter:
        if "(?i" in pattern and any(literal.lower() != literal.upper() for literal in prefilter):
            raise ValueError("a pattern with a case-insensitive part needs a case-insensitive prefilter")
        literals = "|".join(re.escape(literal) for literal in sorted(set(prefilter)))
        frame = frame.filter(pl.col(text).str.contains(f"(?:{literals})"))
    elif prefilter:
        frame = rows_holding(frame, text, prefilter)
    pattern = ascii_semantics(pattern)
    # the marking pass needs only the whole match: without capture groups the regex engine is far faster
    whole = re.sub(r"\(\?P<\w+>", "(?:", pattern)
    # a mark on each side of every match: the pieces are then text, match, text, match, ..., text
    marked = pl.col(text).str.replace_all(whole, f"{MARK}${{0}}{MARK}")
    piece = pl.col("piece")
    spans = (
        cut_pieces(frame, keys, marked, marked_only=True)
        .with_columns(width=piece.str.len_chars())
        .with_columns(
            start=piece_starts(pl.col("width")),
            # an odd piece is a match, between the text before it and the text up to the next match
            before=piece.shift(1),
            after=piece.shift(-1),
        )
        .filter(pl.col("piece_no") % 2 == 1)
        .select(
            *keys,
            "start",
            end=pl.col("start") + pl.col("width"),
            surface="piece",
            before="before",
            after="after",
        )
    )
    if groups:
        # a surface recurs ("President Biden", "last week"), and re-applying a large pattern for its groups is
        # slow: once per distinct surface. In the real corpus a quarter of the titled names and an eighth of
        # the dates are distinct (in a generated one, which repeats real paragraphs, far fewer)
        distinct = (
            spans.select("surface")
            .unique()
            .with_columns(pl.col("surface").str.extract_groups(pattern).alias("_g"))
            .unnest("_g")
        )
        spans = spans.join(distinct, on="surface", how="left", maintain_order="left")
    return spans


def with_literal_flags(frame: pl.LazyFrame, text: str, lists: dict[str, list[str]]) -> pl.LazyFrame:
    """A boolean column per entry of `lists` (name: literals): the row's text holds one of the literals,
    ignoring ASCII case. One overlapping Aho-Corasick pass serves every list, at about the cost of one of
    them alone; `rows_holding` reads the columns."""
    literals = sorted({literal.lower() for group in lists.values() for literal in group})
    found = pl.col(text).str.extract_many(literals, ascii_case_insensitive=True, overlapping=True)
    return (
        frame.with_columns(_literals=found.list.eval(pl.element().str.to_lowercase()))
        .with_columns(
            **{
                name: pl.col("_literals")
                .list.eval(pl.element().is_in(sorted({w.lower() for w in group})))
                .list.any()
                for name, group in lists.items()
            }
        )
        .drop("_literals")
    )


def rows_holding(
    frame: pl.LazyFrame, text: str, literals: list[str], *, flag: str | None = None
) -> pl.LazyFrame:
    """The rows of `frame` whose text holds one of `literals`, ignoring ASCII case: read from the column
    `flag` that `with_literal_flags` adds where the frame has it, or found by a pass of their own."""
    if flag is not None and flag in frame.collect_schema().names():
        return frame.filter(pl.col(flag))
    return frame.filter(pl.col(text).str.contains_any(literals, ascii_case_insensitive=True))


def cut_pieces(
    frame: pl.LazyFrame, columns: list[str], marked: pl.Expr, *, marked_only: bool
) -> pl.LazyFrame:
    """One row per piece of `marked` (a text with MARK cut into it), split on the marks: `columns`,
    `piece` and `piece_no` (0 for the first piece of its row), a row's pieces together and in order.
    `marked_only`: drop the rows holding no mark. They are dropped before the split, which copies every
    piece it makes: the four phrase passes mark 78% (themes ignoring case), 51% (countries), 26%
    (gazetteer) and 12% (themes as written) of a generated batch's sentences, and splitting them all had
    copied every sentence once a pass."""
    pieces = frame.select(*columns, piece=marked)
    if marked_only:
        pieces = pieces.filter(pl.col("piece").str.contains(MARK, literal=True))
    pieces = pieces.with_columns(pl.col("piece").str.split(MARK))
    return pieces.with_columns(piece_no=pl.int_ranges(0, pl.col("piece").list.len(), dtype=pl.Int32)).explode(
        ["piece", "piece_no"]
    )


def piece_starts(width: pl.Expr) -> pl.Expr:
    """Where each piece of `cut_pieces` starts in its row's text: the sum of the widths before it."""
    return running_sum(width, pl.col("piece_no") == 0) - width


def running_sum(values: pl.Expr, first: pl.Expr) -> pl.Expr:
    """Cumulative sum of `values` restarting at each row where `first` holds: a per-group running sum for
    rows already ordered by group, without the group-by that `.over()` costs."""
    values = values.cast(pl.Int64)
    total = values.cum_sum()
    return total - pl.when(first).then(total - values).forward_fill()


def group_starts(*columns: str) -> pl.Expr:
    """True on the first row of each run of equal `columns` (rows already ordered by them)."""
    changed = [pl.col(c).ne_missing(pl.col(c).shift(1)) for c in columns]
    return pl.any_horizontal(changed) | (pl.int_range(pl.len()) == 0)


def running_max_before(values: pl.Expr, first: pl.Expr) -> pl.Expr:
    """The largest of `values` (non-negative, below 2**32) on the earlier rows of the same group, null on
    a group's first row. Each group is lifted above the ones before it, so one running maximum over the
    whole column never carries a value across a group boundary."""
    lift = first.cast(pl.Int64).cum_sum() * (1 << 32)
    return pl.when(first).then(None).otherwise((values.cast(pl.Int64) + lift).cum_max().shift(1) - lift)


def document_offsets() -> list[pl.Expr]:
    """`start_char`/`end_char` into the document body from a span's sentence-relative `start`/`end`."""
    return [
        (pl.col("sent_start") + pl.col("start")).alias("start_char"),
        (pl.col("sent_start") + pl.col("end")).alias("end_char"),
    ]


def ascii_semantics(pattern: str) -> str:
    """Word boundaries and case-insensitive groups with ASCII rules: the Unicode-aware ones are about ten
    times slower in Rust's regex engine, and the keywords of every pattern here are ASCII (names with
    accents are matched by explicit character classes, not by these)."""
    return ascii_boundaries(pattern).replace("(?i:", "(?i-u:").replace("(?i)", "(?i-u)")


def ascii_boundaries(pattern: str) -> str:
    """Word boundaries with ASCII rules only: Rust's fast regex engines (the lazy DFA) cannot run a
    Unicode-aware `\\b`, so a pattern holding one falls back to a far slower engine on every row."""
    return pattern.replace(r"\b", r"(?-u:\b)")


def phrase_spans(
    frame: pl.LazyFrame,
    text: str,
    phrases: list[str],
    keys: list[str],
    *,
    case_insensitive: bool,
    only: pl.LazyFrame | None = None,
) -> pl.LazyFrame:
    """Whole-word, leftmost-longest matches of `phrases` (Aho-Corasick) with character offsets.

    Returns `keys` + `start`, `end`, `surface`, `pattern` (the phrase as listed).
    `only`: (keys[0], `matched`) pairs to keep, applied before the costlier per-hit work (case-sensitive use).
    """
    ordered = sorted(set(phrases), key=lambda p: (-len(p.encode()), p))
    if only is None:
        return _leftmost_phrases(frame, text, ordered, keys, case_insensitive=case_insensitive)
    # with `only`, every match is found first (overlapping) and leftmost-longest is applied to the kept
    # ones: a phrase listed for another row must not hide this row's, or a document's mentions would
    # depend on which documents share its batch
    options = {"ascii_case_insensitive": case_insensitive, "overlapping": True}
    raw = pl.col(text).cast(pl.Binary)
    # the rows go through the explode as a number and their document, and their text is joined back to
    # the matches the document lists (a fifth of them here): exploding beside the text was the slow part
    rows = frame.select(*keys, text).with_row_index("_row")
    kept = (
        rows.select("_row", keys[0], matched=pl.col(text).str.extract_many(ordered, **options))
        .with_columns(_nth=pl.int_ranges(0, pl.col("matched").list.len(), dtype=pl.Int32))
        .explode(["matched", "_nth"])
        .drop_nulls("matched")
        .join(only, on=[keys[0], "matched"], how="semi")
        .collect()  # read twice below
    )
    # where the kept matches start: the same search again, over the rows holding one (a third of them);
    # it finds the same matches in the same order, so the n-th start is the n-th match's
    starts = (
        rows.join(kept.lazy().select("_row").unique(), on="_row", how="semi")
        .select("_row", byte_start=pl.col(text).str.find_many(ordered, **options))
        .with_columns(_nth=pl.int_ranges(0, pl.col("byte_start").list.len(), dtype=pl.Int32))
        .explode(["byte_start", "_nth"])
    )
    hits = (
        kept.lazy()
        .join(starts, on=["_row", "_nth"], how="left")
        .join(rows.drop(keys[0]), on="_row", how="left")
        .with_columns(
            start=pl.when(pl.col(text).str.len_bytes() == pl.col(text).str.len_chars())
            .then(pl.col("byte_start"))
            .otherwise(raw.bin.slice(0, pl.col("byte_start")).cast(pl.String).str.len_chars())
            .cast(pl.Int64),
        )
        .with_columns(end=pl.col("start") + pl.col("matched").str.len_chars())
        .filter(is_word_edge(text, "start", "end"))
        .pipe(_leftmost_longest, ["_row"])  # a row's number stands for its keys: a sort on one integer
        .with_columns(
            surface=pl.col(text).str.slice(pl.col("start"), pl.col("end") - pl.col("start"))
            if case_insensitive
            else pl.col("matched")
        )
    )
    if case_insensitive:
        lookup = pl.LazyFrame({"_key": [p.lower() for p in ordered], "pattern": ordered}).unique("_key")
        hits = hits.with_columns(_key=pl.col("matched").str.to_lowercase()).join(
            lookup, on="_key", how="left"
        )
    else:
        hits = hits.with_columns(pattern=pl.col("matched"))
    return hits.select(*keys, "start", "end", "surface", "pattern")


def _leftmost_phrases(
    frame: pl.LazyFrame, text: str, ordered: list[str], keys: list[str], *, case_insensitive: bool
) -> pl.LazyFrame:
    """Leftmost-longest matches in one Aho-Corasick pass: each match is replaced by a mark naming its
    phrase and the text split on the marks, as `regex_spans` does (finding the starts and the matched text
    separately would take two passes). ASCII case folding keeps a match as long as its phrase."""
    if len(ordered) > _TAGS:
        raise ValueError(f"{len(ordered)} phrases in one pass: at most {_TAGS} can be told apart")
    # each match becomes the mark and one character naming its phrase, from Unicode's supplementary private
    # use area: the piece after a mark is that character, then the text up to the next mark
    tags = [chr(_FIRST_TAG + i) for i in range(len(ordered))]
    # a phrase differing from another only in case stands for both: the first listed of them
    canonical = {}
    for phrase in ordered:
        canonical.setdefault(phrase.lower() if case_insensitive else phrase, phrase)
    table = pl.LazyFrame(
        {
            "_tag": tags,
            "pattern": [canonical[p.lower() if case_insensitive else p] for p in ordered],
            "_width": [len(p) for p in ordered],
        },
        schema={"_tag": pl.String, "pattern": pl.String, "_width": pl.Int64},
    )
    replaced = pl.col(text).str.replace_many(
        ordered, [MARK + tag for tag in tags], ascii_case_insensitive=case_insensitive, leftmost=True
    )
    piece, pattern, is_match = pl.col("piece"), pl.col("pattern"), pl.col("piece_no") > 0
    # a match's piece holding only its mark: the next match follows it with no text between
    bare = is_match & (piece.str.len_chars() == 1)
    # the characters on either side of a match, read off the pieces (slicing the text at the match's
    # offset walks its UTF-8 from the start): the last of the piece before, the first after the mark.
    # Where no text separates two matches, the neighbour's phrase stands for it (ignoring ASCII case
    # changes neither is a word character)
    last_before = pl.when(bare).then(pattern.str.tail(1)).otherwise(piece.str.tail(1)).shift(1)
    first_after = (
        pl.when(~bare)
        .then(piece.str.slice(1, 1))
        .when(pl.col("piece_no").shift(-1) > 0)  # the row's next piece is a match's
        .then(pattern.shift(-1).str.head(1))
        .otherwise(pl.lit(""))
    )
    return (
        cut_pieces(frame, [*keys, text] if case_insensitive else keys, replaced, marked_only=True)
        .with_columns(_tag=pl.when(is_match).then(piece.str.head(1)))
        .join(table, on="_tag", how="left", maintain_order="left")
        # a piece is its mark's character, then the text up to the next match: the match stands for the mark
        .with_columns(
            width=pl.col("_width").fill_null(0) + piece.str.len_chars() - is_match.cast(pl.Int64),
            _word_edge=_no_word_beside(last_before, first_after),
        )
        .with_columns(start=piece_starts(pl.col("width")))
        .filter(is_match & pl.col("_word_edge"))
        .with_columns(end=pl.col("start") + pl.col("_width"))
        .select(
            *keys,
            "start",
            "end",
            # a case-sensitive match is its phrase as written; ignoring case, the text says how it was written
            surface=pl.col(text).str.slice(pl.col("start"), pl.col("_width"))
            if case_insensitive
            else "pattern",
            pattern="pattern",
        )
    )


def _leftmost_longest(hits: pl.LazyFrame, keys: list[str]) -> pl.LazyFrame:
    """Of overlapping matches in one row, the one that starts first (the longest of those) wins."""
    return (
        hits.sort(*keys, "start", pl.col("end"), descending=[False] * len(keys) + [False, True])
        .with_columns(reach=running_max_before(pl.col("end"), group_starts(*keys)))
        .filter(pl.col("reach").is_null() | (pl.col("start") >= pl.col("reach")))
        .drop("reach")
    )


def is_word_edge(text: str, start: str, end: str) -> pl.Expr:
    """True where the span [start, end) of `text` neither follows nor precedes a word character."""
    before = (
        pl.when(pl.col(start) > 0).then(pl.col(text).str.slice(pl.col(start) - 1, 1)).otherwise(pl.lit(""))
    )
    after = pl.col(text).str.slice(pl.col(end), 1)
    return _no_word_beside(before, after)


def _no_word_beside(before: pl.Expr, after: pl.Expr) -> pl.Expr:
    """Neither `before` nor `after` (one character each, or empty) is a word character: a set lookup,
    about twice as fast as a regex per row."""
    return ~before.is_in(_WORD_CHARS) & ~after.is_in(_WORD_CHARS)

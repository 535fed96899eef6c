import polars as pl
import pytest

from orchestration.lib.text import (
    ascii_boundaries,
    group_starts,
    phrase_spans,
    regex_spans,
    rows_holding,
    running_max_before,
    running_sum,
    with_literal_flags,
)


def test_regex_spans_give_character_offsets_in_non_ascii_text() -> None:
    text = "Albania’s £4 billion and €5m for “housing”"
    frame = pl.LazyFrame({"k": [1], "t": [text]})
    out = regex_spans(frame, "t", r"[£€]\d+(?:\s?billion|m)", ["k"]).collect()
    assert out["surface"].to_list() == ["£4 billion", "€5m"]
    for row in out.iter_rows(named=True):
        assert text[row["start"] : row["end"]] == row["surface"]


def test_spans_hold_in_text_with_private_use_characters() -> None:
    text = "\ue000 Prime Minister \ue001Sunak\ue001 met \U000f0000 NATO"
    frame = pl.LazyFrame({"k": [1], "t": [text]})
    spans = pl.concat(
        [
            regex_spans(frame, "t", r"[A-Z]\w+", ["k"]).select("start", "end", "surface"),
            phrase_spans(frame, "t", ["NATO", "Prime Minister"], ["k"], case_insensitive=False).select(
                "start", "end", "surface"
            ),
        ]
    ).collect()
    assert sorted(spans["surface"]) == ["Minister", "NATO", "NATO", "Prime", "Prime Minister", "Sunak"]
    for row in spans.iter_rows(named=True):
        assert text[row["start"] : row["end"]] == row["surface"]


def test_regex_spans_prefilter_skips_rows_without_the_literals() -> None:
    frame = pl.LazyFrame({"k": [1, 2], "t": ["no digits here", "one 42 here"]})
    out = regex_spans(frame, "t", r"\d+", ["k"], prefilter=[str(d) for d in range(10)]).collect()
    assert out["k"].to_list() == [2]


def test_an_exact_prefilter_keeps_the_rows_a_case_sensitive_pattern_can_match() -> None:
    frame = pl.LazyFrame({"k": [1, 2, 3], "t": ["the Ministry of Health", "a ministry of health", "none"]})
    pattern = r"Ministry of [A-Z]\w+"
    loose = regex_spans(frame, "t", pattern, ["k"], prefilter=["Ministry"]).collect()
    exact = regex_spans(frame, "t", pattern, ["k"], prefilter=["Ministry"], exact_prefilter=True).collect()
    assert exact.equals(loose) and exact["k"].to_list() == [1]
    # literals without letters are exact whatever the pattern's case
    digits = regex_spans(frame.with_columns(t=pl.lit("Page 7")), "t", r"(?i:page) \d", ["k"], prefilter=["7"])
    assert (
        regex_spans(
            frame.with_columns(t=pl.lit("Page 7")),
            "t",
            r"(?i:page) \d",
            ["k"],
            prefilter=["7"],
            exact_prefilter=True,
        )
        .collect()
        .equals(digits.collect())
    )


def test_an_exact_prefilter_is_refused_for_a_pattern_ignoring_case() -> None:
    frame = pl.LazyFrame({"k": [1], "t": ["MINISTRY of Health"]})
    with pytest.raises(ValueError, match="case-insensitive prefilter"):
        regex_spans(frame, "t", r"(?i:ministry) of \w+", ["k"], prefilter=["ministry"], exact_prefilter=True)


def test_phrase_spans_are_whole_words_and_leftmost_longest() -> None:
    text = "Rehousing policy; energy security and food security; the Security Council’s housing."
    frame = pl.LazyFrame({"k": [1], "t": [text]})
    out = (
        phrase_spans(
            frame,
            "t",
            ["housing", "security", "energy security", "Security Council"],
            ["k"],
            case_insensitive=True,
        )
        .collect()
        .sort("start")
    )
    assert out["surface"].to_list() == ["energy security", "security", "Security Council", "housing"]
    for row in out.iter_rows(named=True):
        assert text[row["start"] : row["end"]] == row["surface"]


@pytest.mark.parametrize("case_insensitive", [False, True])
def test_phrase_spans_word_edges_hold_between_adjacent_matches_and_rows(case_insensitive: bool) -> None:
    # a match's neighbour is read off the text between the matches, or off the next match where none is
    # between: "ABCD" holds two matches, each beside a letter; "É" and "é" are word characters too
    texts = ["ABCD AB-CD ÉAB ABé AB", "CD", "AB", "’AB’ CDAB AB"]
    frame = pl.LazyFrame({"k": range(len(texts)), "t": texts})
    phrases = ["ab", "cd"] if case_insensitive else ["AB", "CD"]
    out = phrase_spans(frame, "t", phrases, ["k"], case_insensitive=case_insensitive).collect()
    assert out.select("k", "start", "surface").rows() == [
        (0, 5, "AB"),
        (0, 8, "CD"),
        (0, 19, "AB"),
        (1, 0, "CD"),
        (2, 0, "AB"),
        (3, 1, "AB"),
        (3, 10, "AB"),
    ]
    for k, start, end, surface in out.select("k", "start", "end", "surface").rows():
        assert texts[k][start:end] == surface


def test_running_sum_and_max_restart_at_each_group() -> None:
    frame = pl.DataFrame({"g": ["a", "a", "a", "b", "b", "c"], "v": [3, 1, 4, 1, 5, 9]})
    out = frame.with_columns(first=group_starts("g")).with_columns(
        total=running_sum(pl.col("v"), pl.col("first")),
        before=running_max_before(pl.col("v"), pl.col("first")),
    )
    assert out["first"].to_list() == [True, False, False, True, False, True]
    assert out["total"].to_list() == [3, 4, 8, 1, 6, 9]
    assert out["before"].to_list() == [None, 3, 3, None, 1, None]
    # the same as the window functions they replace
    windows = frame.with_columns(
        total=pl.col("v").cum_sum().over("g"), before=pl.col("v").cum_max().shift(1).over("g")
    )
    assert out.select("total", "before").equals(windows.select("total", "before"))


def test_phrase_spans_count_characters_not_bytes_and_keep_the_text_case() -> None:
    text = "Zürich’s ENERGY security; Energy Security again"
    frame = pl.LazyFrame({"k": [1], "t": [text]})
    out = phrase_spans(frame, "t", ["energy security"], ["k"], case_insensitive=True).collect()
    assert out["surface"].to_list() == ["ENERGY security", "Energy Security"]
    assert out["pattern"].to_list() == ["energy security", "energy security"]
    for row in out.iter_rows(named=True):
        assert text[row["start"] : row["end"]] == row["surface"]


def test_ascii_boundaries_keep_word_boundaries_for_ascii_words() -> None:
    pattern = ascii_boundaries(r"(?i)\bmet\b")
    frame = pl.DataFrame({"t": ["They met today", "Met.", "metal", "summet"]})
    assert frame.select(pl.col("t").str.contains(pattern))["t"].to_list() == [True, True, False, False]


def test_phrase_spans_refuse_more_phrases_than_they_can_tell_apart() -> None:
    frame = pl.LazyFrame({"k": [1], "t": ["w1 w2"]})
    too_many = [f"w{i}" for i in range(70_000)]
    with pytest.raises(ValueError, match="can be told apart"):
        phrase_spans(frame, "t", too_many, ["k"], case_insensitive=False)


def test_literal_flags_agree_with_a_search_per_list() -> None:
    texts = ["Three YEARS ago", "Hundreds met in Jan", "someone gave money", "nothing here", "", "4 dozen"]
    lists = {"words": ["three", "dozen", "one"], "plural": ["hundreds", "years"], "digits": ["4", "9"]}
    frame = pl.LazyFrame({"text": texts})
    flagged = with_literal_flags(frame, "text", lists).collect()
    for name, literals in lists.items():
        expected = [any(w in t.lower() for w in literals) for t in texts]
        assert flagged[name].to_list() == expected
        # the rows a list's flag keeps are those a search of that list alone keeps
        kept = rows_holding(flagged.lazy(), "text", literals, flag=name).collect()["text"].to_list()
        alone = rows_holding(frame, "text", literals, flag=name).collect()["text"].to_list()
        assert kept == alone == [t for t, hit in zip(texts, expected, strict=True) if hit]


def test_extraction_refuses_a_body_holding_the_mark_it_cuts_on() -> None:
    # ingestion quarantines such a file (BINARY); a body reaching extraction another way is refused, not cut
    from orchestration.lib.extract import extract_facts
    from orchestration.lib.lookups import Lookups

    docs = pl.LazyFrame(
        {"doc_id": ["ok", "bad"], "published_date": [None, None], "body": ["Fine.", "Half\x00way."]},
        schema_overrides={"published_date": pl.Date},
    )
    with pytest.raises(ValueError, match="1 document.* NUL character.*: bad"):
        extract_facts(docs, Lookups())

import polars as pl

from orchestration.lib.text import phrase_spans, regex_spans


def test_regex_spans_give_character_offsets_in_non_ascii_text() -> None:
    text = "Albania’s £4 billion and €5m for “housing”"
    frame = pl.LazyFrame({"k": [1], "t": [text]})
    out = regex_spans(frame, "t", r"[£€]\d+(?:\s?billion|m)", ["k"]).collect()
    assert out["surface"].to_list() == ["£4 billion", "€5m"]
    for row in out.iter_rows(named=True):
        assert text[row["start"] : row["end"]] == row["surface"]


def test_regex_spans_prefilter_skips_rows_without_the_literals() -> None:
    frame = pl.LazyFrame({"k": [1, 2], "t": ["no digits here", "one 42 here"]})
    out = regex_spans(frame, "t", r"\d+", ["k"], prefilter=[str(d) for d in range(10)]).collect()
    assert out["k"].to_list() == [2]


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

import polars as pl
import pytest

from orchestration.lib.sentences import split_sentences


def sentences(body: str) -> list[str]:
    out = split_sentences(pl.LazyFrame({"doc_id": ["d"], "body": [body]})).collect()
    return [body[r["start_char"] : r["end_char"]] for r in out.iter_rows(named=True)]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("Mr. Smith met Dr. Jones. They talked.", ["Mr. Smith met Dr. Jones.", "They talked."]),
        ("The U.S. and the U.K. agreed. Next.", ["The U.S. and the U.K. agreed.", "Next."]),
        ("He went to No. 10 Downing Street. Then home.", ["He went to No. 10 Downing Street.", "Then home."]),
        ("Secretary Antony J. Blinken spoke. Good.", ["Secretary Antony J. Blinken spoke.", "Good."]),
        ("Growth was 2.5 per cent this year. Fine.", ["Growth was 2.5 per cent this year.", "Fine."]),
        ("He said: “We will act. Now.” Then he left.", ["He said: “We will act. Now.”", "Then he left."]),
        ('She said "Yes. Go." Done.', ['She said "Yes. Go."', "Done."]),
        ("Is it? Yes! Sure.", ["Is it?", "Yes!", "Sure."]),
        (
            "First paragraph without a stop\n\nSecond paragraph.",
            ["First paragraph without a stop", "Second paragraph."],
        ),
        ("They met, e.g. in London. Later.", ["They met, e.g. in London.", "Later."]),
        # a stop standing alone with its space holds no sentence: it runs on into the next piece
        ("Yes. . Next one.", ["Yes.", ". Next one."]),
        ("Line one\nLine two.\n\nNew para.", ["Line one", "Line two.", "New para."]),
        # private-use characters (icon fonts) are text like any other: the splitter's own mark is NUL
        (
            "An icon \ue000 here. And \ue001\U000f0000 there.",
            ["An icon \ue000 here.", "And \ue001\U000f0000 there."],
        ),
        # a stray closing quotation mark does not leave the rest of its paragraph "inside a quotation"
        (
            "Fees called ”junk fees” are gone. Banks agreed. Prices fell.",
            ["Fees called ”junk fees” are gone.", "Banks agreed.", "Prices fell."],
        ),
    ],
)
def test_splits_where_a_reader_would(body: str, expected: list[str]) -> None:
    assert sentences(body) == expected


def test_numbers_are_consecutive_from_zero_per_document() -> None:
    docs = pl.LazyFrame({"doc_id": ["a", "b"], "body": ["One. Two. Three.", "Only one."]})
    out = split_sentences(docs).collect().sort("doc_id", "sentence_no")
    assert out.filter(pl.col("doc_id") == "a")["sentence_no"].to_list() == [0, 1, 2]
    assert out.filter(pl.col("doc_id") == "b")["sentence_no"].to_list() == [0]


def test_documents_in_one_batch_are_split_as_if_alone() -> None:
    bodies = {"a": "One. Two.\n\nThree “four. Five.” Six.", "b": "Alpha ”beta. Gamma.", "c": "Solo"}
    together = split_sentences(
        pl.LazyFrame({"doc_id": list(bodies), "body": list(bodies.values())})
    ).collect()
    for doc_id, body in bodies.items():
        alone = split_sentences(pl.LazyFrame({"doc_id": [doc_id], "body": [body]})).collect()
        assert together.filter(pl.col("doc_id") == doc_id).equals(alone)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The two leaders agreed to deepen cooperation.", True),
        ("The UK will provide £4 billion in export finance.", True),
        ("Ministers pledged support; the plan is to be concluded by April.", True),
        ("She intends to visit Tirana next month.", True),
        ("They plan to meet again.", True),
        ("The Prime Minister met President Zelenskyy.", False),
        # whole words only: "willing", "agreement" and "announcement" are not commitments
        ("Both sides were willing to discuss the agreement and its announcement.", False),
        # "Will" opening a sentence asks a question
        ("Will the talks resume?", False),
        ("The committee’s report was published.", False),
        ("Both had committed troops.", True),
    ],
)
def test_commits(text: str, expected: bool) -> None:
    from orchestration.lib.sentences import commits

    assert pl.select(commits(pl.lit(text))).item() is expected

import pytest

from orchestration.lib.metrics import extract_metrics
from tests.conftest import sentence_frame


def metrics(text: str) -> list[tuple]:
    out = extract_metrics(sentence_frame([text])).collect().sort("start_char")
    return [
        (r["metric_type"], r["value"], r["unit"], r["qualifier"], r["object"])
        for r in out.iter_rows(named=True)
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "with around 800 illegal migrants returning",
            [("COUNT", 800.0, "count", "approximate", "illegal migrants returning")],
        ),
        ("a doubling to £4 billion to help", [("MONEY", 4e9, "GBP", "exact", None)]),
        # a vague amount "in" investment or funding is money, in the currency of the document's other amounts
        (
            "attracted hundreds of billions in private sector investment",
            [("MONEY", 1e11, "USD", "at_least", None)],
        ),
        (
            "£4 billion now and millions in new funding",
            [("MONEY", 4e9, "GBP", "exact", None), ("MONEY", 1e6, "GBP", "at_least", None)],
        ),
        (
            "USD 5 million and $1.2bn and US$3 million",
            [
                ("MONEY", 5e6, "USD", "exact", None),
                ("MONEY", 1.2e9, "USD", "exact", None),
                ("MONEY", 3e6, "USD", "exact", None),
            ],
        ),
        (
            "€10 million and 20 euros and ¥3 billion",
            [
                ("MONEY", 1e7, "EUR", "exact", None),
                ("MONEY", 20.0, "EUR", "exact", None),
                ("MONEY", 3e9, "JPY", "exact", None),
            ],
        ),
        (
            "12% and 12.5 per cent and 12 percent and zero percent",
            [
                ("PERCENT", 12.0, "percent", "exact", None),
                ("PERCENT", 12.5, "percent", "exact", None),
                ("PERCENT", 12.0, "percent", "exact", None),
                ("PERCENT", 0.0, "percent", "exact", None),
            ],
        ),
        ("up to 5 million tonnes of grain", [("QUANTITY", 5e6, "tonnes", "at_most", None)]),
        ("more than 300 megawatts", [("QUANTITY", 300.0, "megawatts", "at_least", None)]),
        (
            "three new projects and a dozen schools",
            [("COUNT", 3.0, "count", "exact", "new projects"), ("COUNT", 12.0, "count", "exact", "schools")],
        ),
        ("two million people", [("COUNT", 2e6, "count", "exact", "people")]),
        ("the removal of hundreds of prisoners", [("COUNT", 100.0, "count", "at_least", "prisoners")]),
        ("hundreds of billions of dollars", [("MONEY", 1e11, "USD", "at_least", None)]),
        ("$2-3 billion in loans", [("MONEY", 2e9, "USD", "at_least", None)]),
        ("within 120 days", [("QUANTITY", 120.0, "days", "exact", None)]),
    ],
)
def test_numbers_with_units_and_qualifiers(text: str, expected: list) -> None:
    assert metrics(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "the G7 and COVID-19 and Resolution 2231 and Article 5",
        "on 23 March 2023 and March 23, 2023 and in 2024",
        "at 10:30 and the 75th anniversary",
        "the two leaders and one team",
        "from 0% in 1991",
        # legal citations: a title number before its code, a section number after it
        "section 232 of the Trade Expansion Act (19 U.S.C. 1862), 86 Fed. Reg. 1234 and 15 CFR 744",
    ],
)
def test_not_metrics(text: str) -> None:
    assert all(m[1] == 0.0 for m in metrics(text))  # only the 0% of the last case


def test_spans_hold(seed_body: str) -> None:
    out = extract_metrics(sentence_frame([seed_body])).collect()
    for row in out.iter_rows(named=True):
        assert seed_body[row["start_char"] : row["end_char"]] == row["surface"]

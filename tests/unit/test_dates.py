import datetime as dt

import polars as pl
import pytest

from orchestration.lib.dates import extract_dates
from tests.conftest import sentence_frame

D = dt.date.fromisoformat


def dates(text: str, published: str = "2023-03-24") -> list[tuple]:
    out = extract_dates(sentence_frame([text], published)).collect().sort("start_char")
    return [
        (r["surface"], r["date_start"], r["date_end"], r["granularity"], r["role"])
        for r in out.iter_rows(named=True)
    ]


@pytest.mark.parametrize(
    ("text", "published", "expected"),
    [
        (
            "They met yesterday [Thursday 23 March] in London.",
            "2023-03-24",
            [
                ("yesterday", D("2023-03-23"), D("2023-03-23"), "day", "event"),
                ("Thursday 23 March", D("2023-03-23"), D("2023-03-23"), "day", "event"),
            ],
        ),
        (
            "returns since December continue",
            "2023-03-24",
            [("December", D("2022-12-01"), D("2022-12-31"), "month", "since")],
        ),
        (
            "an assessment to be concluded by the end of April",
            "2023-03-24",
            [("the end of April", D("2023-04-01"), D("2023-04-30"), "month", "deadline")],
        ),
        ("net zero by 2030", "2023-03-24", [("2030", D("2030-01-01"), D("2030-12-31"), "year", "deadline")]),
        (
            "to act within six months",
            "2023-03-24",
            [("within six months", D("2023-03-24"), D("2023-09-24"), "day", "deadline")],
        ),
        (
            "Today, the President will meet with governors to announce new funding.",
            "2023-03-24",
            [("Today", D("2023-03-24"), D("2023-03-24"), "day", "event")],
        ),
        (
            "Today, the President will announce new funding.",
            "2023-03-24",
            [("Today", D("2023-03-24"), D("2023-03-24"), "day", "reference")],
        ),
        (
            "jobs created over the next five years",
            "2023-03-24",
            [("over the next five years", D("2023-03-24"), D("2028-03-24"), "day", "reference")],
        ),
        (
            "in the first half of 2024",
            "2023-03-24",
            [("the first half of 2024", D("2024-01-01"), D("2024-06-30"), "quarter", "reference")],
        ),
        ("results in Q3", "2023-03-24", [("Q3", D("2023-07-01"), D("2023-09-30"), "quarter", "reference")]),
        (
            "a review next month",
            "2023-03-24",
            [("next month", D("2023-04-01"), D("2023-04-30"), "month", "reference")],
        ),
        (
            "signed on March 3, 2023 in Paris",
            "2023-03-24",
            [("March 3, 2023", D("2023-03-03"), D("2023-03-03"), "day", "reference")],
        ),
        (
            "a 0% tariff will apply through January 20,",
            "2026-04-02",
            [("January 20", D("2027-01-20"), D("2027-01-20"), "day", "deadline")],
        ),
        (
            "They will act by May 14, 2025.",
            "2025-05-12",
            [("May 14, 2025", D("2025-05-14"), D("2025-05-14"), "day", "deadline")],
        ),
        (
            "The President announced today a new plan.",
            "2023-03-24",
            [("today", D("2023-03-24"), D("2023-03-24"), "day", "reference")],
        ),
        ("May we say 2024 grant funding", "2023-03-24", []),
        ("on 57 April", "2023-03-24", []),
    ],
)
def test_resolution_and_roles(text: str, published: str, expected: list) -> None:
    assert dates(text, published) == expected


def test_past_limits_are_not_deadlines() -> None:
    assert dates("completed by 2020", "2023-03-24")[0][4] != "deadline"


def test_the_end_of_a_range_is_no_deadline() -> None:
    roles = {
        surface: role
        for surface, *_, role in dates("the summit from June 6 through June 10, talks until June 30")
    }
    assert (roles["June 10"], roles["June 30"]) == ("reference", "deadline")


def test_a_restated_deadline_is_counted_once() -> None:
    """A goal restated later in its document ("30 GW by 2030", then "30 gigawatts ... by 2030") is one
    deadline; the restatement is a reference. Two goals for one year with different figures stay two, and
    a deadline repeated in its own sentence is one."""
    from orchestration.lib.extract import extract_facts
    from orchestration.lib.lookups import Lookups

    body = (
        "New Goal to Reach 15 GW by 2035: the Department will deploy 15 GW of floating wind by 2035.\n\n"
        "The President set a goal of deploying 30 GW of offshore wind by 2030.\n\n"
        "The Shot aims to cut the cost of floating wind by 70 percent by 2035.\n\n"
        "This builds on the goal to deploy 30 gigawatts of offshore wind by 2030."
    )
    docs = pl.LazyFrame({"doc_id": ["d"], "published_date": [D("2023-03-24")], "body": [body]})
    rows = extract_facts(docs, Lookups())["date_mentions"].sort("start_char")
    got = [(r["surface"], r["role"]) for r in rows.iter_rows(named=True)]
    assert got == [
        ("2035", "deadline"),  # 15 GW
        ("2035", "reference"),  # the same sentence
        ("2030", "deadline"),  # 30 GW
        ("2035", "deadline"),  # 70 percent: another goal for 2035
        ("2030", "reference"),  # 30 gigawatts again
    ]

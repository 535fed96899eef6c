"""Date mentions: full, partial, relative and period expressions, resolved against the publication
date, each with a granularity and a role (`event`, `deadline`, `since`, `reference`).

A year-less month or day is the nearest one in the direction the sentence points: back for "since"
and for past events, forward for limits ("by the end of April").
"""

from __future__ import annotations

import polars as pl

from orchestration.lib.metrics import WORD_VALUES
from orchestration.lib.text import SID, ascii_boundaries, document_offsets, regex_spans, rows_holding

KEYS = ["doc_id", "sentence_no", "sent_start", SID]

MONTHS = {
    m: i + 1
    for i, m in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ]
    )
}
MONTHS |= {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December|Jan\.|Feb\.|Aug\.|Sept?\.|Oct\.|Nov\.|Dec\.)"
_WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday),?\s+"
_YEAR = r"(?:19|20)\d\d"
ORDINAL_WORDS = {"first": 1, "second": 2, "third": 3, "fourth": 4}
# "within six months": the number words of the metrics, up to twelve, and "a"/"an" for one
NUMBER_WORDS = {w: int(v) for w, v in WORD_VALUES.items() if v <= 12 and " " not in w} | {"a": 1, "an": 1}

# every date expression holds a digit, a month (or its abbreviation) or a relative word
DATE_LITERALS = (
    [str(d) for d in range(10)]
    + [m[:3] for m in MONTHS]
    + [
        "today",
        "yesterday",
        "tomorrow",
        "tonight",
        "this morning",
        "this afternoon",
        "this evening",
        "last night",
        "week",
        "month",
        "year",
        "decade",
        "Q1",
        "Q2",
        "Q3",
        "Q4",
        "quarter",
        "half",
    ]
)
DATE_ROWS = "_holds_date_literal"  # the sentence frame's flag for DATE_LITERALS, where it has one
_PREP = (
    r"by no later than|no later than|not later than|in|since|by|until|till|through|from|during|before|after|early|late"
    r"|mid-?|of|on|to|for"
)
DATE = (
    rf"(?:"
    rf"(?:{_WEEKDAY})?(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m1>{_MONTH})(?:,?\s+(?P<y1>{_YEAR}))?"
    rf"|(?:{_WEEKDAY})?(?P<m2>{_MONTH})\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(?P<y2>{_YEAR}))?"
    rf"|(?:the\s+)?(?P<edge>end|beginning|start|middle)\s+of\s+(?:(?P<m3>{_MONTH})(?:\s+(?P<y3>{_YEAR}))?|(?P<y4>{_YEAR})"
    rf"|(?P<rel_y>this year|the year|next year|the calendar year|this calendar year|the decade|this decade))"
    rf"|(?P<m5>{_MONTH})\s+(?P<y5>{_YEAR})"
    rf"|(?:the\s+)?(?P<half>first|second)\s+half\s+of\s+(?P<y6>{_YEAR})"
    rf"|(?:the\s+)?(?P<qword>first|second|third|fourth)\s+quarter\s+of\s+(?P<y7>{_YEAR})|\bQ(?P<q>[1-4])(?:\s+(?P<y8>{_YEAR}))?\b"
    rf"|(?P<within>within|in the next|over the next)\s+(?P<n>\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
    rf"\s+(?P<unit>days?|weeks?|months?|years?|decades?)"
    rf"|(?P<rel>(?i:today|yesterday|tomorrow|tonight|this morning|this afternoon|this evening|last night|earlier today"
    rf"|this week|last week|next week|this month|last month|next month|this year|last year|next year))\b"
    rf"|(?P<m9>{_MONTH})\b"  # a bare month or year is a date only after a preposition (dropped otherwise)
    rf"|(?P<y9>{_YEAR})\b"
    rf")"
)
_LIMITS = ["by", "by no later than", "no later than", "not later than", "until", "till", "through", "before"]
_DEADLINE_BEFORE = ascii_boundaries(
    r"(?i)(?:\b(?:by|within|no later than|before|until|till|through|deadline of|due|concluded by|completed by|target of)\s+(?:the\s+)?$)"
)
# "from June 6 through June 10", "between January through October": the end of a range, no limit
_RANGE_BEFORE = ascii_boundaries(r"(?i)\b(?:from|between)\s+[^,;.]{1,40}?\s+(?:through|until|till|to)\s+$")
_MEETING = ascii_boundaries(
    r"(?i)\b(?:met|meet|meets|meeting|spoke|speak|speaks|call|called|calls|talks|visit|visited|visiting|hosted|hosts|host"
    r"|hosting|welcomed|held|holding|holds|convened|convenes|convening|joined|discussed|received|summit|attended|attends"
    r"|participated|traveled|travelled)\b"
)
# an announcement, signing or launch "today" is no meeting unless a meeting verb says so
_ANNOUNCEMENT = ascii_boundaries(
    r"(?i)\b(?:announc\w*|unveil\w*|sign(?:s|ed)?|launch\w*|issu(?:es|ed)|releas\w*)\b"
)
_MET = ascii_boundaries(
    r"(?i)\b(?:met|meets|spoke|speaks|hosted|visited|welcomed|convened|held talks|holding a summit|called"
    r"|will meet)\b"  # "Today, the President will meet with ... to announce ...": a meeting today
)
# the same words where they do not report a meeting: "meet the needs", "a call to action", "called for"
_NOT_MEETING = ascii_boundaries(
    r"(?i)\bmeets?\s+(?:the\s+|their\s+|our\s+|its\s+|this\s+)?(?:\w+\s+)?(?:needs?|goals?|demands?|targets?|obligations?"
    r"|commitments?|standards?|challenges?|requirements?|missions?|deadlines?)\b|\bcall to action\b|\bcall(?:s|ed)?\s+(?:for|on|upon)\b"
)


def extract_dates(sentences: pl.LazyFrame) -> pl.LazyFrame:
    sentences = sentences.with_row_index(SID)
    spans = regex_spans(
        rows_holding(sentences, "text", DATE_LITERALS, flag=DATE_ROWS), "text", DATE, KEYS, groups=True
    ).join(sentences.select(SID, "published_date", "text"), on=SID, how="left")
    return (
        spans.pipe(_surface_trim)
        .pipe(_parts)
        .pipe(_resolve)
        .pipe(_roles)
        .filter(pl.col("date_start").is_not_null())
        .select(
            "doc_id",
            "sentence_no",
            "surface",
            "date_start",
            "date_end",
            "granularity",
            "role",
            *document_offsets(),
        )
    )


def _surface_trim(spans: pl.LazyFrame) -> pl.LazyFrame:
    """The preposition just before a date ("in December", "by 2030") is its `lead`: it sets the role and
    the direction of a year-less date. The patterns start at the date itself, so the regex engine can skip
    ahead with its literal prefilter."""
    spans = spans.with_columns(
        before=pl.col("text").str.slice(0, pl.col("start")),
    ).with_columns(
        lead=pl.col("before").str.extract(ascii_boundaries(rf"(?i)\b({_PREP})\s+$"), 1).str.to_lowercase()
    )
    # a bare month or year ("May", "2024 grant funding") is no date without a preposition
    return spans.filter(
        ~((pl.col("m9").is_not_null() | pl.col("y9").is_not_null()) & pl.col("lead").is_null())
    )


def _month(col: str) -> pl.Expr:
    return (
        pl.col(col)
        .str.to_lowercase()
        .str.strip_suffix(".")
        .replace_strict(MONTHS, default=None, return_dtype=pl.Int32)
    )


def _parts(spans: pl.LazyFrame) -> pl.LazyFrame:
    pub = pl.col("published_date")
    rel = pl.col("rel").str.to_lowercase()
    return spans.with_columns(
        year=pl.coalesce([pl.col(c) for c in ("y1", "y2", "y3", "y4", "y5", "y6", "y7", "y8", "y9")]).cast(
            pl.Int32, strict=False
        ),
        month=pl.coalesce([_month(c) for c in ("m1", "m2", "m3", "m5", "m9")]),
        day=pl.coalesce("d1", "d2").cast(pl.Int32, strict=False),
        quarter=pl.coalesce(
            pl.col("q").cast(pl.Int32, strict=False),
            pl.col("qword").replace_strict(ORDINAL_WORDS, default=None, return_dtype=pl.Int32),
        ),
        rel_days=rel.replace_strict(
            {
                "today": 0,
                "tonight": 0,
                "this morning": 0,
                "this afternoon": 0,
                "this evening": 0,
                "earlier today": 0,
                "yesterday": -1,
                "last night": -1,
                "tomorrow": 1,
            },
            default=None,
            return_dtype=pl.Int32,
        ),
        rel_period=rel.replace_strict(
            {
                "this week": "w0",
                "last week": "w-1",
                "next week": "w1",
                "this month": "m0",
                "last month": "m-1",
                "next month": "m1",
                "this year": "y0",
                "last year": "y-1",
                "next year": "y1",
            },
            default=None,
            return_dtype=pl.String,
        ),
        rel_year=pl.col("rel_y")
        .str.to_lowercase()
        .replace_strict(
            {
                "this year": 0,
                "the year": 0,
                "next year": 1,
                "the calendar year": 0,
                "this calendar year": 0,
                "the decade": None,
                "this decade": None,
            },
            default=None,
            return_dtype=pl.Int32,
        ),
        n=pl.col("n")
        .str.to_lowercase()
        .replace_strict(NUMBER_WORDS, default=None, return_dtype=pl.Int32)
        .fill_null(pl.col("n").cast(pl.Int32, strict=False)),
        pub_year=pub.dt.year().cast(pl.Int32),
        pub_month=pub.dt.month().cast(pl.Int32),
        backward=pl.col("lead").is_in(["since", "from", "after"])
        | pl.col("text").str.contains(ascii_boundaries(r"(?i)\b(?:since|ago|last)\b")),
        forward=pl.col("before").str.contains(_DEADLINE_BEFORE)
        | pl.col("lead").is_in(_LIMITS)
        | pl.col("text").str.contains(ascii_boundaries(r"(?i)\b(?:will|next|upcoming|plans? to|to be)\b")),
    )


def _resolve(spans: pl.LazyFrame) -> pl.LazyFrame:
    pub = pl.col("published_date")
    month_year = (
        pl.when(pl.col("year").is_not_null())
        .then(pl.col("year"))
        .when(pl.col("edge").is_not_null() & pl.col("rel_year").is_not_null())
        .then(pl.col("pub_year") + pl.col("rel_year"))
        # a year-less month: the nearest one in the direction the sentence points
        .when(pl.col("forward") & ~pl.col("backward") & (pl.col("month") < pl.col("pub_month")))
        .then(pl.col("pub_year") + 1)
        .when(~pl.col("forward") & (pl.col("month") > pl.col("pub_month")))
        .then(pl.col("pub_year") - 1)
        .otherwise(pl.col("pub_year"))
    )
    resolved = spans.with_columns(ry=month_year)
    month_start = pl.date(pl.col("ry"), pl.col("month"), 1)
    # "57 April" is no date: a day past the month's end resolves to null instead of raising
    day = pl.when(pl.col("day").is_between(1, month_start.dt.month_end().dt.day())).then(
        month_start + pl.duration(days=pl.col("day") - 1)
    )
    year_start = pl.date(pl.col("ry"), 1, 1)
    unit = pl.col("unit").str.strip_suffix("s")
    offset = pl.concat_str(
        pl.col("n").cast(pl.String),
        unit.replace_strict({"day": "d", "week": "w", "month": "mo", "year": "y"}, default=None),
    )
    offset = (
        pl.when(unit == "decade")
        .then(pl.concat_str((pl.col("n") * 10).cast(pl.String), pl.lit("y")))
        .otherwise(offset)
    )
    rp = pl.col("rel_period")
    rel_start = (
        pl.when(rp.str.starts_with("w"))
        .then(pub.dt.truncate("1w").dt.offset_by(pl.concat_str(rp.str.slice(1), pl.lit("w"))))
        .when(rp.str.starts_with("m"))
        .then(pub.dt.truncate("1mo").dt.offset_by(pl.concat_str(rp.str.slice(1), pl.lit("mo"))))
        .when(rp.str.starts_with("y"))
        .then(pub.dt.truncate("1y").dt.offset_by(pl.concat_str(rp.str.slice(1), pl.lit("y"))))
    )
    rel_end = (
        pl.when(rp.str.starts_with("w"))
        .then(rel_start.dt.offset_by("6d"))
        .when(rp.str.starts_with("m"))
        .then(rel_start.dt.month_end())
        .when(rp.str.starts_with("y"))
        .then(rel_start.dt.offset_by("1y").dt.offset_by("-1d"))
    )
    quarter_start = pl.date(pl.coalesce("year", "pub_year"), (pl.col("quarter") - 1) * 3 + 1, 1)
    half_start = pl.date(pl.col("ry"), pl.when(pl.col("half") == "first").then(1).otherwise(7), 1)
    start = (
        pl.when(pl.col("rel_days").is_not_null())
        .then(pub.dt.offset_by(pl.concat_str(pl.col("rel_days").cast(pl.String), pl.lit("d"))))
        .when(pl.col("within").is_not_null())
        .then(pub)
        .when(pl.col("rel_period").is_not_null())
        .then(rel_start)
        .when(pl.col("day").is_not_null())
        .then(day)
        .when(pl.col("quarter").is_not_null())
        .then(quarter_start)
        .when(pl.col("half").is_not_null())
        .then(half_start)
        .when(pl.col("month").is_not_null())
        .then(month_start)
        .when(pl.col("ry").is_not_null())
        .then(year_start)
    )
    end = (
        pl.when(pl.col("rel_days").is_not_null())
        .then(start)
        .when(pl.col("within").is_not_null())
        .then(pub.dt.offset_by(offset))
        .when(pl.col("rel_period").is_not_null())
        .then(rel_end)
        .when(pl.col("day").is_not_null())
        .then(start)
        .when(pl.col("quarter").is_not_null())
        .then(start.dt.offset_by("2mo").dt.month_end())
        .when(pl.col("half").is_not_null())
        .then(start.dt.offset_by("5mo").dt.month_end())
        .when(pl.col("month").is_not_null())
        .then(start.dt.month_end())
        .when(pl.col("ry").is_not_null())
        .then(pl.date(pl.col("ry"), 12, 31))
    )
    granularity = (
        pl.when(
            pl.col("rel_days").is_not_null() | pl.col("within").is_not_null() | pl.col("day").is_not_null()
        )
        .then(pl.lit("day"))
        .when(rp.str.starts_with("w"))
        .then(pl.lit("day"))
        .when(pl.col("quarter").is_not_null() | pl.col("half").is_not_null())
        .then(pl.lit("quarter"))
        .when(pl.col("month").is_not_null() | rp.str.starts_with("m"))
        .then(pl.lit("month"))
        .otherwise(pl.lit("year"))
    )
    return resolved.with_columns(date_start=start, date_end=end, granularity=granularity)


def _roles(spans: pl.LazyFrame) -> pl.LazyFrame:
    pub = pl.col("published_date")
    deadline = (
        (
            pl.col("before").str.contains(_DEADLINE_BEFORE)
            | pl.col("lead").is_in(_LIMITS)
            # "within six months" and "in the next three years" limit; "over the next five years" is the period
            # something runs over, no limit
            | (pl.col("within").is_not_null() & (pl.col("within").str.to_lowercase() != "over the next"))
        )
        & (pl.col("date_end") > pub)
        & ~pl.col("before").str.contains(_RANGE_BEFORE)
    )
    since = (pl.col("lead") == "since") | pl.col("before").str.contains(
        ascii_boundaries(r"(?i)\bsince\s+(?:the\s+)?$")
    )
    recent_day = (
        (pl.col("granularity") == "day")
        & (pl.col("date_end") == pl.col("date_start"))
        & (pl.col("date_start") <= pub)
        & (pl.col("date_start") >= pub.dt.offset_by("-14d"))
    )
    meeting = (
        pl.col("text").str.contains(_MEETING)
        & ~pl.col("text").str.contains(_NOT_MEETING)
        & (pl.col("text").str.contains(_MET) | ~pl.col("text").str.contains(_ANNOUNCEMENT))
    )
    # the sentence's words are read only for a day in the fortnight before publication, the only dates that
    # can be a meeting's (a when/then would read them for every date). The spans are read twice, so they are
    # collected first: a cached plan kept every column and ran dates 0.2 s slower a batch
    spans = spans.with_row_index("_date").collect().lazy()
    meetings = spans.filter(recent_day).select("_date", _meeting=meeting)
    return (
        spans.join(meetings, on="_date", how="left", maintain_order="left")
        .with_columns(
            role=pl.when(deadline)
            .then(pl.lit("deadline"))
            .when(since)
            .then(pl.lit("since"))
            .when(pl.col("_meeting").fill_null(False))
            .then(pl.lit("event"))
            .otherwise(pl.lit("reference"))
        )
        .drop("_date", "_meeting")
    )


def restated_deadlines(dates: pl.LazyFrame, metrics: pl.LazyFrame) -> pl.LazyFrame:
    """`dates` (date_mentions rows) with each restated deadline's role turned to `reference`.

    A fact sheet states a goal, then restates it: "30 GW of offshore wind by 2030" in the summary and
    again in the body, "15 GW by 2035: ... deploy 15 GW ... by 2035". It is one commitment: counted each
    time, `mart_commitments` would have it fall due two or three times. A deadline restates an earlier
    one of its document when both fall due the same day and they stand in the same sentence, or their
    sentences name the same figure (a metric of the same type and value: "30 gigawatts" and "30 GW").
    Two goals for the same year with different figures ("15 GW by 2035", "costs down 70 percent by
    2035") stay two."""
    sentence = ["doc_id", "sentence_no"]
    dates = dates.with_row_index("_row")
    deadlines = dates.filter(pl.col("role") == "deadline").select("_row", *sentence, "start_char", "date_end")
    figures = metrics.select(*sentence, "metric_type", "value").unique()
    pairs = (
        deadlines.join(deadlines, on=["doc_id", "date_end"], how="inner", suffix="_first")
        .filter(
            (pl.col("sentence_no_first") < pl.col("sentence_no"))
            | (
                (pl.col("sentence_no_first") == pl.col("sentence_no"))
                & (pl.col("start_char_first") < pl.col("start_char"))
            )
        )
        .select("_row", "doc_id", "sentence_no", "sentence_no_first")
    )
    same_sentence = pairs.filter(pl.col("sentence_no_first") == pl.col("sentence_no")).select("_row")
    same_figure = (
        pairs.filter(pl.col("sentence_no_first") != pl.col("sentence_no"))
        .join(figures, on=sentence, how="inner")
        .join(
            figures.rename({"sentence_no": "sentence_no_first"}),
            on=["doc_id", "sentence_no_first", "metric_type", "value"],
            how="inner",
        )
        .select("_row")
    )
    restated = pl.concat([same_sentence, same_figure]).unique().with_columns(_restated=pl.lit(True))
    return (
        dates.join(restated, on="_row", how="left", maintain_order="left")
        .with_columns(
            role=pl.when(pl.col("_restated").fill_null(False)).then(pl.lit("reference")).otherwise("role")
        )
        .drop("_row", "_restated")
    )

"""Metric mentions: money, counts, percentages and other quantities, with value, unit and qualifier.

Rules follow shared/gold/GUIDELINES.md: numbers that are dates, years, times, ordinals or parts of
names are not metrics; "one"/"two" count only inside a larger amount; vague multiples ("hundreds of")
take their lower bound with `at_least`; a range takes its lower value with `at_least`.
"""

from __future__ import annotations

import polars as pl

from orchestration.lib.text import ascii_boundaries, document_offsets, regex_spans, rows_holding

KEYS = ["doc_id", "sentence_no", "sent_start"]

_UNITS_0_19 = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
WORD_VALUES: dict[str, float] = {w: float(i) for i, w in enumerate(_UNITS_0_19)} | {
    k: float(v) for k, v in _TENS.items()
}
WORD_VALUES |= {
    f"{t}-{u}": float(tv + i) for t, tv in _TENS.items() for i, u in enumerate(_UNITS_0_19) if 0 < i < 10
}
WORD_VALUES |= {
    "a dozen": 12.0,
    "dozen": 12.0,
    "a hundred": 100.0,
    "one hundred": 100.0,
    "a thousand": 1000.0,
}
_WORDS = "|".join(sorted(WORD_VALUES, key=len, reverse=True))
DIGITS = [str(d) for d in range(10)]
NUMBER_WORDS = [w for w in WORD_VALUES if " " not in w and "-" not in w] + ["dozen"]
# every numeric metric holds a digit or a number word
NUMBER_LITERALS = (
    [str(d) for d in range(10)] + [w for w in WORD_VALUES if " " not in w and "-" not in w] + ["dozen"]
)

SCALES = {
    "thousand": 1e3,
    "k": 1e3,
    "million": 1e6,
    "m": 1e6,
    "mn": 1e6,
    "mln": 1e6,
    "billion": 1e9,
    "bn": 1e9,
    "b": 1e9,
    "trillion": 1e12,
    "tn": 1e12,
    "tr": 1e12,
}
VAGUE = {
    "dozens": 12.0,
    "hundreds": 100.0,
    "thousands": 1e3,
    "tens of thousands": 1e4,
    "hundreds of thousands": 1e5,
    "millions": 1e6,
    "tens of millions": 1e7,
    "hundreds of millions": 1e8,
    "billions": 1e9,
    "tens of billions": 1e10,
    "hundreds of billions": 1e11,
    "trillions": 1e12,
}
CURRENCIES = {
    "$": "USD",
    "US$": "USD",
    "USD": "USD",
    "£": "GBP",
    "GBP": "GBP",
    "€": "EUR",
    "EUR": "EUR",
    "¥": "JPY",
    "JPY": "JPY",
    "dollars": "USD",
    "dollar": "USD",
    "pounds": "GBP",
    "pounds sterling": "GBP",
    "euros": "EUR",
    "euro": "EUR",
    "yen": "JPY",
    "C$": "CAD",
    "A$": "AUD",
    "CAD": "CAD",
    "AUD": "AUD",
    "rupees": "INR",
}
QUALIFIERS = {
    "approximate": "around|about|approximately|roughly|nearly|almost|some|an estimated|estimated|close to|circa|over",
    "at_least": "more than|over|at least|upwards of|in excess of|exceeding|above|greater than|no less than|nearly over",
    "at_most": "up to|less than|fewer than|under|no more than|below|as many as|as much as",
}
_QUAL = "more than|at least|upwards of|in excess of|no less than|greater than|up to|less than|fewer than|no more than|as many as|as much as|around|about|approximately|roughly|nearly|almost|some|an estimated|close to|over|exceeding|under|below|above"
_UNITS = (
    "metric tons|metric tonnes|tonnes|tons|megawatts|gigawatts|kilowatts|MW|GW|kW|GWh|TWh|MWh|kilometres|kilometers|km|miles"
    "|barrels|acres|hectares|square miles|square kilometres|square kilometers|kilograms|kg|litres|liters|gallons|bcm"
    "|cubic meters|cubic metres|degrees|days|weeks|months|years|hours|minutes|tonnes per annum|barrels per day|vessels?-days"
)
_TIME_UNITS = "days|weeks|months|years|hours|minutes"
_DIGITS = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_NUM = rf"{_DIGITS}|(?i:{_WORDS})"
_CUR_PREFIX = r"US\$|C\$|A\$|\$|£|€|¥|USD|GBP|EUR|JPY|CAD|AUD"
_SCALE = r"(?i:\s?(?:thousand|million|billion|trillion)|(?:bn|mn|mln|tn|m|b|k)\b)"
_TAIL = (
    rf"(?:\s?(?:-|–|to)\s?(?:{_CUR_PREFIX})?(?P<num2>{_NUM}))?(?P<scale>{_SCALE})?"
    rf"(?:\s(?P<curw>(?i:pounds sterling|dollars|dollar|pounds|euros|euro|yen|rupees)))?"
    rf"(?P<pct>\s?%|\s(?i:per cent|percent))?(?:\s(?P<unit>{_UNITS})\b)?"
)
# each pattern starts at the number itself (a currency, a digit or a number word), so the regex engine can
# skip ahead with its literal prefilter; a qualifier before it ("around", "more than") is read from the text
METRIC = rf"(?:(?P<cur>{_CUR_PREFIX})\s?)?(?P<num>{_DIGITS}){_TAIL}"
WORD_METRIC = rf"\b(?P<num>(?i:{_WORDS}))\b{_TAIL}"
_QUALIFIER_BEFORE = ascii_boundaries(rf"(?i)\b(?P<qual>{_QUAL})(?P<gap>\s+)$")
# every vague amount holds one of these; the sentence frame's flags for them and for NUMBER_WORDS
VAGUE_WORDS = ["dozens", "hundreds", "thousands", "millions", "billions", "trillions"]
NUMBER_ROWS, VAGUE_ROWS = "_holds_number_word", "_holds_vague_word"
VAGUE_METRIC = (
    r"(?P<vague>(?i:tens of thousands|hundreds of thousands|tens of millions|hundreds of millions|tens of billions"
    r"|hundreds of billions|dozens|hundreds|thousands|millions|billions|trillions))"
    # money: "of dollars", or an amount "in" what money is ("hundreds of billions in private sector investment")
    r"(?P<vcur>\s+of\s+dollars|\s+in\s+(?:(?:new|additional|private(?:[\s-]sector)?|public|federal)\s+)*"
    r"(?:funding|investments?|financing|spending|capital)\b)?"
)
# the codes a law is cited in, which the title number stands before and the section number after
_CODES = r"U\.S\.C\.|C\.F\.R\.|CFR|Fed\.\s?Reg\.|Stat\."
_CODE_AFTER = rf"^\s*(?:{_CODES})"
# a number preceded by one of these words names a thing: "Resolution 2231", "Article 5", "No. 10"
_NAME_BEFORE = rf"(?i:(?:resolution|resolutions|article|articles|section|title|chapter|no\.|no|number|phase|order|rule|pillar|tier|level|stage|round|part|annex|room|flight|route|highway|interstate|amendment|class|category|group|unit|item|version|form|covid|code|h\.r\.|s\.|population|vol\.|page|paragraph|point)\s*|(?:{_CODES})\s*)$"
_MONTHS = r"January|February|March|April|May|June|July|August|September|October|November|December|Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?"
_STOP = r"(?:of|to|in|and|or|from|for|with|by|that|who|which|on|at|since|per|than|this|these|a|an|the|will|would|is|are|was|were|have|has|had|be|been|under|over|across|through|into|as|each|every|while|when|where|including|between|among|during|last|next|ago|more|less|already|now)"


def extract_metrics(sentences: pl.LazyFrame) -> pl.LazyFrame:
    numeric = pl.concat(
        [
            regex_spans(sentences, "text", METRIC, KEYS, groups=True, prefilter=DIGITS, exact_prefilter=True),
            regex_spans(
                rows_holding(sentences, "text", NUMBER_WORDS, flag=NUMBER_ROWS),
                "text",
                WORD_METRIC,
                KEYS,
                groups=True,
            ),
        ],
        how="diagonal_relaxed",
    ).pipe(_with_qualifier)
    vague = regex_spans(
        rows_holding(sentences, "text", VAGUE_WORDS, flag=VAGUE_ROWS), "text", VAGUE_METRIC, KEYS, groups=True
    )
    numbers = _numeric_values(numeric).collect().lazy()  # read twice: the rows and the documents' currency
    typed = pl.concat([numbers, _vague_values(vague, _currencies(numbers))], how="diagonal_relaxed")
    return typed.select(
        "doc_id",
        "sentence_no",
        "surface",
        "metric_type",
        "value",
        "unit",
        "qualifier",
        "object",
        *document_offsets(),
    )


def _with_qualifier(spans: pl.LazyFrame) -> pl.LazyFrame:
    """Widen each span over a qualifier just before it ("around 800"), which sets `qual`."""
    found = pl.col("before").fill_null("").str.extract_groups(_QUALIFIER_BEFORE)
    width = (
        pl.col("_q").struct.field("qual").str.len_chars() + pl.col("_q").struct.field("gap").str.len_chars()
    ).fill_null(0)
    return (
        spans.with_columns(_q=found)
        .with_columns(
            qual=pl.col("_q").struct.field("qual"),
            surface=pl.concat_str(
                pl.col("_q").struct.field("qual"), pl.col("_q").struct.field("gap"), pl.col("surface")
            ).fill_null(pl.col("surface")),
            start=pl.col("start") - width,
            before=pl.col("before").str.slice(0, pl.col("before").str.len_chars() - width),
        )
        .drop("_q")
    )


def _number(column: str) -> pl.Expr:
    text = pl.col(column).str.to_lowercase()
    return (
        pl.when(text.str.contains(r"^\d"))
        .then(text.str.replace_all(",", "").cast(pl.Float64, strict=False))
        .otherwise(text.replace_strict(WORD_VALUES, default=None, return_dtype=pl.Float64))
    )


def _drop_year_before_range(spans: pl.LazyFrame) -> pl.LazyFrame:
    """ "from 0% in 1991 to 45%" is no range: the metric starts at its second number."""
    year_range = pl.col("num").str.contains(r"^(?:19|20)\d\d$") & pl.col("num2").is_not_null()
    shift = pl.col("surface").str.find(pl.col("num2"), literal=True, strict=False)
    return spans.with_columns(
        start=pl.when(year_range).then(pl.col("start") + shift).otherwise("start"),
        surface=pl.when(year_range).then(pl.col("surface").str.slice(shift)).otherwise("surface"),
        num=pl.when(year_range).then("num2").otherwise("num"),
        qual=pl.when(year_range).then(None).otherwise("qual"),
        cur=pl.when(year_range).then(None).otherwise("cur"),
        num2=pl.when(year_range).then(None).otherwise("num2"),
    )


def _numeric_values(spans: pl.LazyFrame) -> pl.LazyFrame:
    spans = _drop_year_before_range(spans)
    scale = (
        pl.col("scale")
        .str.strip_chars()
        .str.to_lowercase()
        .replace_strict(SCALES, default=1.0, return_dtype=pl.Float64)
    )
    currency = pl.coalesce(
        pl.col("cur").replace_strict(CURRENCIES, default=None, return_dtype=pl.String),
        pl.col("curw").str.to_lowercase().replace_strict(CURRENCIES, default=None, return_dtype=pl.String),
    )
    is_word = ~pl.col("num").str.contains(r"^\d")
    small_word = pl.col("num").str.to_lowercase().is_in(["zero", "one", "two"])
    obj = (
        pl.col("after")
        .str.extract(r"^\s+((?:[A-Za-z\u00C0-\u024F][A-Za-z\u00C0-\u024F’'\-\.]*\s?){1,5})", 1)
        .str.strip_chars()
        .str.replace(ascii_boundaries(rf"(?i)(?:^|\s){_STOP}\b.*$"), "")
        .str.replace(r"[\.\s]+$", "")
    )
    typed = spans.with_columns(
        value=_number("num") * scale,
        currency=currency,
        object=obj,
        metric_type=pl.when(currency.is_not_null())
        .then(pl.lit("MONEY"))
        .when(pl.col("pct").is_not_null())
        .then(pl.lit("PERCENT"))
        .when(pl.col("unit").is_not_null())
        .then(pl.lit("QUANTITY"))
        .otherwise(pl.lit("COUNT")),
    )
    before = pl.col("before").fill_null("")
    after = pl.col("after").fill_null("")
    keep = (
        pl.col("value").is_not_null()
        # part of a name or code: "G7", "COVID-19", "F-16", "Resolution 2231"
        & ~before.str.contains(r"[A-Za-z\u00C0-\u024F\-/]$")
        & ~before.str.contains(_NAME_BEFORE)
        & ~after.str.contains(
            r"^(?:[A-Za-z\u00C0-\u024F\d]|-[A-Za-z\u00C0-\u024F\d]|:\d|\.\d)"
        )  # ordinals "75th", "5G", times "10:30"
        # dates and years: "23 March", "March 23", "in 2023"
        & ~(~is_word & before.str.contains(rf"(?:{_MONTHS})\s*$"))
        & ~(~is_word & after.str.contains(ascii_boundaries(rf"^\s*(?:{_MONTHS})\b")))
        & ~(
            (pl.col("metric_type") == "COUNT")
            & pl.col("num").str.contains(r"^(?:1[89]|20)\d\d$")
            & pl.col("scale").is_null()
        )
        & ~after.str.contains(
            ascii_boundaries(r"^\s*(?:a\.m\.|p\.m\.|am\b|pm\b|o.clock|ago\b|-year-old|years? old)")
        )
        # a legal citation: the title before its code ("19 U.S.C. 1862", "86 Fed. Reg. 1234", "15 CFR 744")
        & ~after.str.contains(_CODE_AFTER)
        & ~(small_word & pl.col("scale").is_null() & (pl.col("metric_type") != "PERCENT"))
        # a bare number counts only with what it counts; a word number also only then
        & (
            (pl.col("metric_type") != "COUNT")
            | pl.col("object")
            .fill_null("")
            .str.contains(r"^[A-Za-z\u00C0-\u024F][A-Za-z\u00C0-\u024F.’'\-]+")
        )
        & ~(
            pl.col("metric_type").eq("COUNT")
            & pl.col("object").fill_null("").str.contains(ascii_boundaries(rf"^(?i:{_MONTHS}|percent|per)\b"))
        )
    )
    return typed.filter(keep).with_columns(
        unit=pl.when(pl.col("metric_type") == "MONEY")
        .then("currency")
        .when(pl.col("metric_type") == "PERCENT")
        .then(pl.lit("percent"))
        .when(pl.col("metric_type") == "QUANTITY")
        .then("unit")
        .otherwise(pl.lit("count")),
        object=pl.when(pl.col("metric_type") == "COUNT").then("object"),
        qualifier=pl.when(pl.col("num2").is_not_null())
        .then(pl.lit("at_least"))
        .otherwise(_qualifier("qual")),
    )


def _qualifier(column: str) -> pl.Expr:
    word = pl.col(column).str.to_lowercase()
    expr = pl.lit("exact")
    for name in ("approximate", "at_most", "at_least"):
        expr = pl.when(word.is_in(QUALIFIERS[name].split("|"))).then(pl.lit(name)).otherwise(expr)
    return expr


def _currencies(numbers: pl.LazyFrame) -> pl.LazyFrame:
    """Each document's currency: the one its amounts name most often ("£4 billion" in a GOV.UK readout), the
    first in alphabetical order on a tie."""
    return (
        numbers.filter(pl.col("metric_type") == "MONEY")
        .group_by("doc_id", "unit")
        .len()
        .sort("doc_id", "len", "unit", descending=[False, True, False])
        .group_by("doc_id")
        .agg(currency=pl.col("unit").first())
    )


def _vague_values(spans: pl.LazyFrame, currencies: pl.LazyFrame) -> pl.LazyFrame:
    """Vague amounts ("hundreds of migrants", "billions of dollars"). An amount "in funding" or "in investment"
    is in the currency of its document's other amounts, in dollars where it names none."""
    money = pl.col("vcur").is_not_null()
    dollars = pl.col("vcur").str.contains("dollars")
    obj = (
        pl.col("after")
        .str.extract(r"^\s+of\s+((?:[A-Za-z\u00C0-\u024F][A-Za-z\u00C0-\u024F’'\-]*\s?){1,4})", 1)
        .str.strip_chars()
        .str.replace(ascii_boundaries(rf"(?i)(?:^|\s){_STOP}\b.*$"), "")
    )
    return (
        spans.join(currencies, on="doc_id", how="left", maintain_order="left")
        .with_columns(
            value=pl.col("vague")
            .str.to_lowercase()
            .replace_strict(VAGUE, default=None, return_dtype=pl.Float64),
            metric_type=pl.when(money).then(pl.lit("MONEY")).otherwise(pl.lit("COUNT")),
            unit=pl.when(dollars)
            .then(pl.lit("USD"))
            .when(money)
            .then(pl.col("currency").fill_null("USD"))
            .otherwise(pl.lit("count")),
            qualifier=pl.lit("at_least"),
            object=pl.when(money).then(None).otherwise(obj),
        )
        .filter(
            money
            | pl.col("object").fill_null("").str.contains(r"^[A-Za-z\u00C0-\u024F]{2,}")
            & ~pl.col("object").fill_null("").str.contains("^(?:dollars|pounds)")
        )
    )

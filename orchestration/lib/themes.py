"""Theme mentions: the taxonomy's phrases matched whole-word in every sentence (Aho-Corasick).

Phrases marked case-sensitive (acronyms and names: "AI", "NATO", "WHO") match as written; the rest
ignore case. Longer phrases win over the shorter phrases inside them, so "energy security" is
ENERGY_CLIMATE and never also DEFENCE_SECURITY; phrases listed with an empty theme ("Security
Council") are matched only to swallow their words.
"""

from __future__ import annotations

import polars as pl

from orchestration.lib.lookups import Lookups
from orchestration.lib.text import document_offsets, phrase_spans

KEYS = ["doc_id", "sentence_no", "sent_start"]


def extract_themes(sentences: pl.LazyFrame, lookups: Lookups) -> pl.LazyFrame:
    phrases = lookups.theme_phrases
    passes = []
    for case_sensitive in (False, True):
        subset = phrases.filter(pl.col("case_sensitive") == case_sensitive)
        hits = phrase_spans(
            sentences, "text", subset["phrase"].to_list(), KEYS, case_insensitive=not case_sensitive
        )
        key = pl.col("pattern") if case_sensitive else pl.col("pattern").str.to_lowercase()
        lookup = subset.lazy().select(
            _key=pl.col("phrase") if case_sensitive else pl.col("phrase").str.to_lowercase(),
            theme_id="theme_id",
        )
        passes.append(hits.with_columns(_key=key).join(lookup.unique("_key"), on="_key", how="inner"))
    both = pl.concat(passes)
    # where a case-sensitive and a case-insensitive phrase overlap, the longer one stands
    ranked = both.with_columns(length=pl.col("end") - pl.col("start")).sort(
        ["doc_id", "sentence_no", "start", "length"], descending=[False, False, False, True]
    )
    kept = ranked.with_columns(
        prev_end=pl.col("end").cum_max().shift(1).over(["doc_id", "sentence_no"])
    ).filter(pl.col("prev_end").is_null() | (pl.col("start") >= pl.col("prev_end")))
    return kept.filter(pl.col("theme_id").is_not_null()).select(
        "doc_id",
        "sentence_no",
        "surface",
        "theme_id",
        *document_offsets(),
    )

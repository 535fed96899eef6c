"""Theme mentions: the taxonomy's phrases matched whole-word in every sentence (Aho-Corasick).

Phrases marked case-sensitive (acronyms and names: "AI", "NATO", "WHO") match as written; the rest
ignore case. Longer phrases win over the shorter phrases inside them, so "energy security" is
ENERGY_CLIMATE and never also DEFENCE_SECURITY; phrases listed with an empty theme ("Security
Council") are matched only to swallow their words.
"""

from __future__ import annotations

import polars as pl

from orchestration.lib.lookups import Lookups
from orchestration.lib.text import SID, document_offsets, group_starts, phrase_spans, running_max_before

KEYS = ["doc_id", "sentence_no", "sent_start", SID]


def extract_themes(sentences: pl.LazyFrame, lookups: Lookups) -> pl.LazyFrame:
    phrases = lookups.theme_phrases
    # a number per sentence: the passes are ranked on it, not on the document's string id
    sentences = sentences.with_row_index(SID)
    passes = []
    for case_sensitive in (False, True):
        subset = phrases.filter(pl.col("case_sensitive") == case_sensitive)
        hits = phrase_spans(
            sentences,
            "text",
            subset["phrase"].to_list(),
            KEYS,
            case_insensitive=not case_sensitive,
        )
        key = pl.col("pattern") if case_sensitive else pl.col("pattern").str.to_lowercase()
        lookup = subset.lazy().select(
            _key=pl.col("phrase") if case_sensitive else pl.col("phrase").str.to_lowercase(),
            theme_id="theme_id",
        )
        passes.append(hits.with_columns(_key=key).join(lookup.unique("_key"), on="_key", how="inner"))
    folded, exact = (found.collect().lazy() for found in passes)
    # where a case-sensitive and a case-insensitive phrase overlap, the longer one stands. Each pass is
    # leftmost-longest already, so only the sentences holding a case-sensitive match (a few in a hundred)
    # are ranked again: sorting every match cost a tenth of the themes' time
    contested = exact.select(SID).unique()
    both = pl.concat([folded.join(contested, on=SID, how="semi"), exact])
    ranked = both.with_columns(length=pl.col("end") - pl.col("start")).sort(
        [SID, "start", "length"], descending=[False, False, True]
    )
    kept = ranked.with_columns(prev_end=running_max_before(pl.col("end"), group_starts(SID))).filter(
        pl.col("prev_end").is_null() | (pl.col("start") >= pl.col("prev_end"))
    )
    kept = pl.concat([folded.join(contested, on=SID, how="anti"), kept.drop("length", "prev_end")])
    return kept.filter(pl.col("theme_id").is_not_null()).select(
        "doc_id",
        "sentence_no",
        "surface",
        "theme_id",
        *document_offsets(),
    )

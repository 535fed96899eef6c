"""The lookup tables that drive extraction, read from the dbt seeds (dbt_project/seeds/*.csv).

The same CSV files are loaded by `dbt seed` into the warehouse, so the taxonomy the matcher uses and
the one `dim_themes` shows cannot drift apart.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import polars as pl

from orchestration.lib.paths import LOOKUPS

FILES = ("themes", "theme_phrases", "countries", "country_aliases", "organisations", "locations")


@dataclass(frozen=True)
class Lookups:
    folder: Path = LOOKUPS

    def read(self, name: str) -> pl.DataFrame:
        return pl.read_csv(self.folder / f"{name}.csv", infer_schema=False).with_columns(
            pl.all().replace("", None)
        )

    @cached_property
    def digest(self) -> str:
        h = hashlib.sha256()
        for name in FILES:
            h.update((self.folder / f"{name}.csv").read_bytes())
        return h.hexdigest()

    @cached_property
    def themes(self) -> pl.DataFrame:
        """theme_id, parent_theme_id, top_theme_id, label."""
        return self.read("themes").with_columns(top_theme_id=pl.coalesce("parent_theme_id", "theme_id"))

    @cached_property
    def theme_phrases(self) -> pl.DataFrame:
        return self.read("theme_phrases").with_columns(pl.col("case_sensitive") == "true")

    @cached_property
    def countries(self) -> pl.DataFrame:
        return self.read("countries")

    @cached_property
    def country_aliases(self) -> pl.DataFrame:
        return with_apostrophe_variants(self.read("country_aliases"), "alias")

    @cached_property
    def organisations(self) -> pl.DataFrame:
        return with_apostrophe_variants(self.read("organisations"), "alias")

    @cached_property
    def locations(self) -> pl.DataFrame:
        return with_apostrophe_variants(self.read("locations"), "alias")


def with_apostrophe_variants(frame: pl.DataFrame, column: str) -> pl.DataFrame:
    """`frame` and, for each value of `column` with an apostrophe, the same row written with the other one
    (typographic ’ for ', and ' for ’): texts use both ("Cote d’Ivoire"), a seed lists one. A form the seed
    lists itself keeps its own row."""
    value = pl.col(column)
    swapped = frame.filter(value.str.contains("['’]")).with_columns(
        pl.when(value.str.contains("'", literal=True))
        .then(value.str.replace_all("'", "’", literal=True))
        .otherwise(value.str.replace_all("’", "'", literal=True))
    )
    return pl.concat([frame, swapped]).unique(column, keep="first", maintain_order=True)

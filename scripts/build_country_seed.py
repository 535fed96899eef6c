"""Regenerate dbt_project/seeds/countries.csv from pycountry (ISO 3166-1), the maintained source.

    .venv/bin/python scripts/build_country_seed.py

Names are short English names; Kosovo (XKX) is added as the gold rules and most statistics use it.
Aliases, short forms and demonyms are kept by hand in country_aliases.csv.
"""

import csv
from pathlib import Path

import pycountry

OUT = Path(__file__).resolve().parents[1] / "dbt_project" / "seeds" / "countries.csv"
# pycountry's names are formal ("Korea, Republic of"); these are the names analysts read
SHORT_NAMES = {
    "BOL": "Bolivia",
    "BRN": "Brunei",
    "COD": "Democratic Republic of the Congo",
    "CZE": "Czech Republic",
    "FSM": "Micronesia",
    "GBR": "United Kingdom",
    "IRN": "Iran",
    "KOR": "South Korea",
    "PRK": "North Korea",
    "LAO": "Laos",
    "MDA": "Moldova",
    "PSE": "Palestine",
    "RUS": "Russia",
    "SYR": "Syria",
    "TWN": "Taiwan",
    "TZA": "Tanzania",
    "USA": "United States",
    "VEN": "Venezuela",
    "VNM": "Vietnam",
    "VAT": "Holy See",
    "CIV": "Côte d'Ivoire",
    "TUR": "Türkiye",
    "NLD": "Netherlands",
    "MKD": "North Macedonia",
    "CPV": "Cabo Verde",
    "SWZ": "Eswatini",
    "BHS": "Bahamas",
    "GMB": "Gambia",
}


def main() -> None:
    rows = []
    for c in pycountry.countries:
        name = SHORT_NAMES.get(c.alpha_3, getattr(c, "common_name", None) or c.name)
        rows.append((c.alpha_3, c.alpha_2, name, getattr(c, "official_name", c.name)))
    rows.append(("XKX", "XK", "Kosovo", "Republic of Kosovo"))
    with OUT.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["country_iso3", "country_iso2", "country_name", "official_name"])
        writer.writerows(sorted(rows))


if __name__ == "__main__":
    main()

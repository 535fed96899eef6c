import polars as pl
import pytest

from orchestration.lib.entities import extract_entities
from orchestration.lib.lookups import Lookups
from tests.conftest import sentence_frame


@pytest.fixture(scope="module")
def lookups() -> Lookups:
    return Lookups()


def entities(texts: list[str], lookups: Lookups, kind: str | None = None) -> pl.DataFrame:
    """The mentions extracted from `texts`, one sentence each; only those of `kind` when given."""
    out = extract_entities(sentence_frame(texts), lookups).collect()
    return out if kind is None else out.filter(pl.col("entity_type") == kind)


def assert_spans_hold(out: pl.DataFrame, texts: list[str]) -> None:
    """Each mention's offsets cut its surface out of its text (each text is a sentence at offset 0)."""
    for row in out.iter_rows(named=True):
        assert texts[row["sentence_no"]][row["start_char"] : row["end_char"]] == row["surface"]


@pytest.mark.parametrize(
    ("text", "countries"),
    [
        ("British Prime Minister met Albania’s leader.", {"GBR", "ALB"}),
        ("The UK and the U.S. and the USA and the PRC and the ROK.", {"GBR", "USA", "CHN", "KOR"}),
        ("Emirati and Saudi officials met the DPRK envoy.", {"ARE", "SAU", "PRK"}),
        ("a doubling of UK Export Finance support", {"GBR"}),
        ("They met in Washington and Berlin.", set()),
        ("Leaders from Latin America and Native American tribes.", set()),
        ("The governor of Georgia spoke.", set()),
        ("Georgia and Tbilisi: the Georgian government.", {"GEO"}),
        # an ambiguous name in a list of countries is one; a person's name, a state or a language is not
        ("Members: Italy, Japan, Jordan, Kenya and Chad.", {"ITA", "JPN", "JOR", "KEN", "TCD"}),
        ("Goods from Japan, Korea, or Switzerland.", {"JPN", "KOR", "CHE"}),
        ("Michael Jordan and Chad Johnson met in Alabama, Georgia, and Florida.", set()),
        ("Counselors speak English and Spanish.", {"ESP"}),
        # both apostrophes, whichever the gazetteer lists
        ("Ghana and Cote d’Ivoire.", {"GHA", "CIV"}),
    ],
)
def test_countries(text: str, countries: set[str], lookups: Lookups) -> None:
    out = entities([text], lookups, kind="COUNTRY")
    assert set(out["country_iso3"].to_list()) == countries


def test_people_with_roles_countries_and_later_mentions(lookups: Lookups) -> None:
    out = entities(
        [
            "British Prime Minister Rishi Sunak met Albania’s Prime Minister Edi Rama at Downing Street.",
            "Prime Minister Sunak welcomed the visit. Mr Sunak and Rama agreed.",
        ],
        lookups,
        kind="PERSON",
    )
    assert set(out["entity_name"].to_list()) == {"Rishi Sunak", "Edi Rama"}
    first = out.sort("start_char").row(0, named=True)
    assert (first["entity_name"], first["role"], first["country_iso3"]) == (
        "Rishi Sunak",
        "Prime Minister",
        "GBR",
    )
    rama = out.filter(pl.col("role").is_not_null() & (pl.col("entity_name") == "Edi Rama")).row(0, named=True)
    assert rama["country_iso3"] == "ALB"


@pytest.mark.parametrize(
    ("text", "name", "role"),
    [
        ("Secretary of State Antony J. Blinken spoke.", "Antony J. Blinken", "Secretary of State"),
        ("His Majesty King Charles III hosted.", "Charles III", "His Majesty King"),
        ("Crown Prince Mohammed bin Salman met.", "Mohammed bin Salman", "Crown Prince"),
        ("Ambassador to Mexico Ken Salazar attended.", "Ken Salazar", "Ambassador to Mexico"),
        ("President Biden discussed with President Abbas U.S. efforts.", "Abbas", "President"),
        ("IAEA Director General Grossi visited.", "Grossi", "Director General"),
    ],
)
def test_titles_introduce_people(text: str, name: str, role: str, lookups: Lookups) -> None:
    out = entities([text], lookups, kind="PERSON")
    assert (name, role) in set(zip(out["entity_name"].to_list(), out["role"].to_list(), strict=True))


def test_organisations_from_gazetteer_patterns_and_acronyms(lookups: Lookups) -> None:
    out = entities(
        [
            "As NATO allies and members of the UN Security Council they welcomed UK Export Finance.",
            "The Indo-Pacific Economic Framework (IPEF) met. IPEF partners and the Department of Energy agreed.",
            "The Inflation Reduction Act (IRA) passed.",
        ],
        lookups,
        kind="ORGANISATION",
    )
    names = set(out["entity_name"].to_list())
    assert {
        "NATO",
        "UN Security Council",
        "UK Export Finance",
        "Indo-Pacific Economic Framework",
        "Department of Energy",
    } <= names
    assert not any("Inflation Reduction Act" in n for n in names)
    assert set(out.filter(pl.col("surface") == "NATO")["canonical_name"]) == {
        "North Atlantic Treaty Organization"
    }


def test_an_organisation_after_a_role_is_named_without_the_role(lookups: Lookups) -> None:
    texts = [
        "She is President and Director of the Gender Policy Council now.",
        "He met the Chair of the African Union (AU) in Addis Ababa. The AU agreed.",
        "He met President Yoon Suk Yeol of the Republic of Korea (ROK) and Governor Mike DeWine (R-OH).",
    ]
    out = entities(texts, lookups, kind="ORGANISATION")
    assert set(zip(out["surface"], out["entity_name"], strict=True)) >= {
        ("Gender Policy Council", "Gender Policy Council"),
        ("AU", "African Union"),
    }
    assert not out["entity_name"].str.contains("President|Chair|Governor").any()
    assert_spans_hold(out, texts)


def test_a_country_named_by_an_acronym_is_no_organisation(lookups: Lookups) -> None:
    texts = [
        "The Republic of Korea (ROK) and the Palestinian Authority (PA) met the Chief Executive Officer.",
        "The ROK and the PA agreed, said the National Security Office of the Republic of Korea (ROK).",
    ]
    out = entities(texts, lookups)
    organisations = out.filter(pl.col("entity_type") == "ORGANISATION")
    # an acronym defined twice stands for its first definition, whatever order the rows come in
    assert not organisations["entity_name"].str.contains("^(?:The )?Republic of Korea$").any()
    assert "National Security Office of the Republic of Korea" in organisations["entity_name"]
    assert set(organisations.filter(pl.col("surface") == "PA")["entity_name"]) == {"Palestinian Authority"}
    assert set(out.filter(pl.col("surface") == "ROK")["entity_type"]) == {"COUNTRY"}
    assert out.filter(pl.col("entity_type") == "PERSON").is_empty()


def test_a_us_prefix_is_part_of_the_name_and_a_memorandum_no_organisation(lookups: Lookups) -> None:
    texts = [
        "The U.S.-Japan Alliance is strong.",
        "They signed a U.S.-Norway Memorandum of Understanding (MOU).",
    ]
    out = entities(texts, lookups, kind="ORGANISATION")
    assert out["entity_name"].to_list() == ["U.S.-Japan Alliance"]


def test_a_state_or_party_in_brackets_defines_no_acronym(lookups: Lookups) -> None:
    texts = [
        "Chris Murphy (D-CT) and Amy Klobuchar (MN) met the Trade and Technology Council (TTC).",
        "The TTC and the CT agreed.",
    ]
    out = entities(texts, lookups, kind="ORGANISATION")
    assert set(zip(out["surface"], out["entity_name"], strict=True)) == {
        ("Trade and Technology Council", "Trade and Technology Council"),
        ("TTC", "Trade and Technology Council"),
    }


def test_the_white_house_is_a_place_after_at_the_and_an_organisation_otherwise(lookups: Lookups) -> None:
    out = entities(["He spoke at the White House.", "The White House announced a plan."], lookups)
    kinds = dict(zip(out["sentence_no"].to_list(), out["entity_type"].to_list(), strict=True))
    assert kinds == {0: "LOCATION", 1: "ORGANISATION"}


def test_every_span_holds(lookups: Lookups, seed_body: str) -> None:
    out = entities([seed_body], lookups)
    assert out.height > 10
    for row in out.iter_rows(named=True):
        assert seed_body[row["start_char"] : row["end_char"]] == row["surface"]


def test_a_country_across_a_comma_is_not_the_persons_country(lookups: Lookups) -> None:
    out = entities(["They praised the relationship with Nigeria, Vice President Harris said."], lookups)
    harris = out.filter(pl.col("entity_type") == "PERSON").row(0, named=True)
    assert harris["entity_name"] == "Harris" and harris["country_iso3"] is None


def test_a_documents_mentions_do_not_depend_on_the_other_documents_of_its_batch(lookups: Lookups) -> None:
    # the second document introduces "Al-Sudani"; the first introduces only "Sudani", whose later bare
    # mention stands inside "Al-Sudani": another document's longer name must not hide it
    first = "Prime Minister Sudani met the President. The Al-Sudani government agreed."
    second = "Prime Minister Mohammed Al-Sudani spoke."

    def people(bodies: dict[str, str]) -> pl.DataFrame:
        frame = pl.concat(
            [sentence_frame([body]).with_columns(doc_id=pl.lit(doc)) for doc, body in bodies.items()]
        )
        out = extract_entities(frame, lookups).collect()
        return (
            out.filter((pl.col("entity_type") == "PERSON") & (pl.col("doc_id") == "a"))
            .select("start_char", "end_char", "surface", "entity_name")
            .sort("start_char")
        )

    alone = people({"a": first})
    assert alone["surface"].to_list() == ["Prime Minister Sudani", "Sudani"]
    assert people({"a": first, "b": second}).equals(alone)


def test_a_role_without_a_name_introduces_no_one(lookups: Lookups) -> None:
    out = entities(
        [
            "The Director of the Domestic Policy Council said the Secretary General’s report was clear.",
            "The Chair of the Federal Trade Commission and Director General Grossi spoke.",
            "Later the General, Grossi and the Council met.",
        ],
        lookups,
        kind="PERSON",
    )
    assert out.sort("sentence_no")["surface"].to_list() == ["Director General Grossi", "Grossi"]


def test_a_one_letter_name_is_no_one(lookups: Lookups) -> None:
    # "Lady R" once made "R" a name, and every capital R in its document a mention of it
    out = entities(["Lady R’s garden opened.", "Russia and the UK agreed."], lookups)
    assert out.filter(pl.col("entity_type") == "PERSON").is_empty()


def test_programmes_and_assemblies_are_organisations(lookups: Lookups) -> None:
    texts = ["The U.S. Refugee Admissions Program grew.", "She addressed the World Health Assembly."]
    out = entities(texts, lookups, kind="ORGANISATION")
    assert set(out["entity_name"]) >= {"U.S. Refugee Admissions Program", "World Health Assembly"}


def test_an_owners_possessive_is_no_part_of_the_name(lookups: Lookups) -> None:
    texts = [
        "Mexico’s National Search Commission met the Department of Labor’s team.",
        "The DOE’s Solar Energy Technology Office grew.",
        "The Bureau of Reclamation’s Lower Colorado River Conservation Program grew.",
        "The National Women’s Law Center joined the U.S.-India Alliance for Women’s Economic Empowerment.",
        "Through the Merida Initiative, the Securities and Exchange Commission’s (SEC) staff acted. The SEC agreed.",
        "Since Fiscal Year (FY) 2021, FY budgets grew.",
    ]
    out = entities(texts, lookups, kind="ORGANISATION")
    names = set(zip(out["surface"], out["entity_name"], strict=True))
    assert names >= {
        ("National Search Commission", "National Search Commission"),
        ("Solar Energy Technology Office", "Solar Energy Technology Office"),
        ("Department of Labor", "Department of Labor"),
        # an owner that is an organisation's whole name is a mention of its own
        ("Bureau of Reclamation", "Bureau of Reclamation"),
        ("Lower Colorado River Conservation Program", "Lower Colorado River Conservation Program"),
        # a possessive that is no owner's stays
        ("National Women’s Law Center", "National Women’s Law Center"),
        (
            "U.S.-India Alliance for Women’s Economic Empowerment",
            "U.S.-India Alliance for Women’s Economic Empowerment",
        ),
        ("Merida Initiative", "Merida Initiative"),
        ("SEC", "Securities and Exchange Commission"),
    }
    assert not out["entity_name"].str.contains("’s$|^Through|Fiscal Year|Mexico|DOE’s").any()
    assert_spans_hold(out, texts)


def test_a_name_runs_on_past_its_acronym_to_a_head(lookups: Lookups) -> None:
    """ "... Research (SBIR) Program": the programme is the organisation, with its acronym in its name; the
    bracketed acronym is no mention of its own, a later one stands for the whole name, and an acronym with
    no head after it still defines the name before it."""
    texts = [
        "The Small Business Innovation Research (SBIR) Program grew, and the SBIR office with it.",
        "The U.S.-Japan Competitiveness and Resilience (CoRe) Partnership met the Food and Drug Administration (FDA).",
    ]
    out = entities(texts, lookups, kind="ORGANISATION")
    assert sorted(zip(out["surface"], out["entity_name"], strict=True)) == [
        ("FDA", "Food and Drug Administration"),
        ("Food and Drug Administration", "Food and Drug Administration"),
        ("SBIR", "Small Business Innovation Research (SBIR) Program"),
        (
            "Small Business Innovation Research (SBIR) Program",
            "Small Business Innovation Research (SBIR) Program",
        ),
        (
            "U.S.-Japan Competitiveness and Resilience (CoRe) Partnership",
            "U.S.-Japan Competitiveness and Resilience (CoRe) Partnership",
        ),
    ]
    assert out.filter(pl.col("surface") == "SBIR")["start_char"].to_list() == [texts[0].index("SBIR office")]
    assert_spans_hold(out, texts)


def test_a_role_after_the_name_introduces_a_person(lookups: Lookups) -> None:
    """ "Ali Zaidi, Assistant to the President": a name, a comma and a role that ends the phrase. A title before
    a name ("On Day One, President Biden") is not one, nor is a list of roles, and a name the titled pattern
    took keeps its own role."""
    texts = [
        "In attendance were Ali Zaidi, Assistant to the President and National Climate Advisor, and staff.",
        "Later, Zaidi spoke with Scott Bessent, Secretary of the Treasury",
        "On Day One, President Biden acted with the Secretary of the Interior, Secretary of Agriculture, and others.",
        "Deputy Secretary of State for Management and Resources Richard Verma, Acting Deputy Secretary Kristie"
        " Canegallo, and Co-Founder, Chairman of the board",
    ]
    out = entities(texts, lookups, kind="PERSON").sort("sentence_no", "start_char")
    assert list(zip(out["surface"], out["entity_name"], out["role"], strict=True)) == [
        ("Ali Zaidi, Assistant to the President", "Ali Zaidi", "Assistant to the President"),
        ("Zaidi", "Ali Zaidi", None),  # the same document: a later bare mention
        ("Scott Bessent, Secretary of the Treasury", "Scott Bessent", "Secretary of the Treasury"),
        ("President Biden", "Biden", "President"),
        (
            "Deputy Secretary of State for Management and Resources Richard Verma",
            "Richard Verma",
            "Deputy Secretary of State for Management and Resources",
        ),
        ("Acting Deputy Secretary Kristie Canegallo", "Kristie Canegallo", "Acting Deputy Secretary"),
    ]
    assert_spans_hold(out, texts)


def test_a_name_opening_an_instruments_is_no_mention(lookups: Lookups) -> None:
    """ "UN Charter", "Los Angeles Declaration": the instrument is named, not the organisation or the place."""
    texts = [
        "They upheld the UN Charter and the Los Angeles Declaration, and the UN met in Los Angeles.",
        "Under the United Nations Convention on the Law of the Sea, NATO Allies sailed.",
    ]
    out = entities(texts, lookups).filter(pl.col("entity_type").is_in(["ORGANISATION", "LOCATION"]))
    assert sorted(zip(out["sentence_no"], out["surface"], out["entity_type"], strict=True)) == [
        (0, "Los Angeles", "LOCATION"),
        (0, "UN", "ORGANISATION"),
        (1, "NATO", "ORGANISATION"),
    ]
    assert out.filter(pl.col("surface") == "UN")["start_char"].to_list() == [texts[0].index("UN met")]


def test_a_longer_gazetteer_name_is_not_hidden_by_an_article(lookups: Lookups) -> None:
    """ "the United Nations General Assembly" is the Assembly: an alias "the United Nations" had matched first."""
    texts = ["They spoke on the margins of the United Nations General Assembly in New York."]
    out = entities(texts, lookups, kind="ORGANISATION")
    assert list(out["entity_name"]) == ["United Nations General Assembly"]
    assert_spans_hold(out, texts)

"""Entity mentions: countries, organisations, places (gazetteers) and people (titles and names).

Input is the sentence frame (`doc_id`, `sentence_no`, `sent_start`, `text`, `body`); output rows follow
the `entity_mentions` schema with offsets into the document body.
"""

from __future__ import annotations

import polars as pl

from orchestration.lib.lookups import Lookups
from orchestration.lib.text import SID, ascii_boundaries, document_offsets, phrase_spans, regex_spans

# every span carries its sentence's number in the frame (`SID`): a join back to the sentence is on that integer
KEYS = ["doc_id", "sentence_no", "sent_start", SID]

_CAP = (
    r"(?:[a-z]{1,3}-)?[A-Z][A-Za-z\u00C0-\u024F'’\-]*[A-Za-z\u00C0-\u024F]"  # "Rama", "al-Thani", "El-Sisi"
)
_PARTICLE = r"(?:bin|bint|binti|al|el|de|da|del|dos|van|von|der|du|la|le|di|ibn|Al|El)"
_INITIAL = r"[A-Z]\."
_SUFFIX = r"(?:,?\s+(?:Jr\.|Sr\.|II|III|IV))?"
# initials lead ("P.K. Mishra") or stand inside ("Antony J. Blinken"), never end a name ("Abbas U.S.")
NAME = rf"(?:(?:{_INITIAL}\s?)+\s*)?{_CAP}(?:\s+(?:{_PARTICLE}\s+)?(?:{_INITIAL}\s+)*{_CAP})*{_SUFFIX}"
# after a long role ("Ambassador to Mexico Ken Salazar") the name is the last two or three words
SHORT_NAME = rf"{_CAP}(?:\s+{_INITIAL})?(?:\s+{_PARTICLE})?\s+{_CAP}{_SUFFIX}"
_TITLE_WORDS = (
    r"President|Vice President|Prime Minister|Deputy Prime Minister|Chancellor|Foreign Secretary|Home Secretary"
    r"|Defence Secretary|Defense Secretary|Secretary-General|Secretary General|Director-General|Director General"
    r"|Secretary|Minister|Foreign Minister"
    r"|King|Queen|Crown Prince|Prince|Princess|Emir|Amir|Sheikh|Sultan|Pope|Taoiseach|Premier|Governor|Senator"
    r"|Representative|Congressman|Congresswoman|Ambassador|Mayor|Director|Administrator|Commissioner|Chairman"
    r"|Chairwoman|Chair|Admiral|Leader|Speaker|Attorney General|First Lady|Second Gentleman|Chief Executive"
    r"|Advisor|Adviser|Envoy|Special Envoy|Coordinator|Chancellor of the Exchequer|His Majesty|Her Majesty"
    r"|His Royal Highness|His Highness|Her Highness|Majesty|Highness|Judge|Commander|Climate Advisor|Security Advisor"
    r"|Assistant to the President"
)
_MODIFIERS = "Deputy|Vice|Acting|Assistant|Former|Chief|Senior|Special|Under|Permanent|National|Principal"
_TITLE_MODIFIERS = rf"(?:(?:{_MODIFIERS})\s+)*"
_COMPLEMENT = (
    r"(?:\s+(?:of|for|to)\s+(?:the\s+)?(?:State|Defen[cs]e|Treasury|Commerce|Energy|Homeland Security|Labor|Agriculture"
    r"|Transportation|Interior|Health and Human Services|Education|Veterans Affairs|Foreign Affairs|Housing and Urban Development"
    r"|Justice|Exchequer|United Nations|NATO|European Commission|the President))?"
)
_HONORIFIC = r"(?:(?:Dr|Mr|Mrs|Ms|Sir|Dame|Lord|Lady)\.?\s+)?"
_TITLE = rf"{_TITLE_MODIFIERS}(?:{_TITLE_WORDS})"
TITLE_LITERALS = sorted({w.split()[-1] for w in _TITLE_WORDS.split("|")})
ROLE = rf"{_TITLE}{_COMPLEMENT}"
_LONG_ROLE = (
    rf"{_TITLE}\s+(?:of|for|to)\s+(?:the\s+)?[A-Z][A-Za-z\u00C0-\u024F\-]*(?:\s+(?:of\s+|for\s+|the\s+)*[A-Z][A-Za-z\u00C0-\u024F\-]*)*"
    rf"(?:\s+for\s+[A-Z][A-Za-z\u00C0-\u024F\-]*(?:\s+and\s+[A-Z][A-Za-z\u00C0-\u024F\-]*)?)?"  # "... of State for Management and Resources"
)
# stacked titles ("Emir Sheikh Tamim") are one role; a long role keeps only a short name
TITLED_PERSON = (
    rf"\b(?P<role>{_LONG_ROLE})\s+{_HONORIFIC}(?P<name>{SHORT_NAME})(?:\s|[,.;:)’']|$)"
    rf"|\b(?P<role2>(?:{ROLE})(?:\s+(?:{ROLE}))*)\s+{_HONORIFIC}(?P<name2>{NAME})"
)
# a role after the name, set off by a comma ("Ali Zaidi, Assistant to the President and ..."). The role ends
# the phrase (a comma, a stop or a linking word follows it), so "On Day One, President Biden" is no one's;
# `tail` is what follows the role. The pattern opens on the comma, a literal the regex engine skips to: the
# name is then read off the text before it
APPOSITIVE_ROLE = (
    rf",\s+(?:the\s+)?(?:(?:U\.S\.|UK|White House)\s+)?(?P<role>{ROLE})"
    r"(?P<tail>\s+(?:of|for|to|and|at|in|on|with|who|from)\b|\s*[,.;:)]|\s*$)"
)
# two words at least, just before the comma: a one-word "name" there is a list's last item ("Secretary of
# the Interior, Secretary of Agriculture") or a word such as "Co-Founder"
_NAME_BEFORE_COMMA = ascii_boundaries(
    rf"\b((?:(?:{_INITIAL}\s?)+\s*)?{_CAP}(?:\s+(?:{_PARTICLE}\s+)?(?:{_INITIAL}\s+)*{_CAP})+{_SUFFIX})$"
)
# a name opening with a title word or a title's modifier is the titled pattern's to read
_TITLE_LEAD = ascii_boundaries(rf"^(?:{_MODIFIERS}|{_TITLE_WORDS})\b")
_HONORIFICS = "Mr|Mrs|Ms|Dr|Sir|Dame|Lord|Lady"
HONORIFIC_PERSON = rf"\b(?:{_HONORIFICS})\.?\s+(?P<name>{NAME})"
# tokens that follow a title but are not names ("President Biden Directs", "Prime Minister Tuesday")
_NOT_NAMES = (
    "The|This|That|These|In|On|At|And|Or|Of|For|To|With|As|But|By|From|Today|Yesterday|Tomorrow|Monday|Tuesday|Wednesday"
    "|Thursday|Friday|Saturday|Sunday|January|February|March|April|May|June|July|August|September|October|November"
    "|December|Also|He|She|They|We|His|Her|Their|Our|It|Both|Together|Welcomed|Announced|Spoke|Met|Discussed"
    "|Noted|Agreed|Expressed|Reaffirmed|Emphasized|Emphasised|Highlighted|Thanked|Congratulated|Underscored|Called"
)

_HEADS = (
    "Department|Ministry|Agency|Council|Committee|Commission|Bank|Organization|Organisation|Alliance|Corps|Forum|Fund"
    "|Bureau|Institute|Association|Initiative|Academy|Corporation|Authority|Foundation|Service|Office|Network|Coalition"
    "|Cabinet|Panel|Center|Centre|Task Force|Taskforce|Board|Parliament|Secretariat|Tribunal|Command|Company|Group"
    "|Assembly|Program|Programme"
)
# a person's name never ends in one of these: after a role with no name ("Director of the Domestic Policy
# Council said", "the Secretary General's report") the name pattern takes the institution's last words
_INSTITUTION_WORDS = (
    "Affairs|Policy|Security|Innovation|Prevention|Development|Relations|Operations|Cooperation|Engagement"
    "|Partnerships|Programs|Programmes|Administration|House|County|Energy|Climate|Health|Defense|Defence|Justice"
    "|Commerce|Treasury|State|States|Nations|Union|Republic|Kingdom|Government|Services|Intelligence|General"
    "|Minister|President|Secretary|Ambassador|Director|Advisor|Adviser|Envoy|Coordinator|Commissioner"
    "|Administrator|Chairman|Chairwoman|Governor|Officer|Staff|Spokesperson|"
    + "|".join(head.split()[-1] for head in _HEADS.split("|"))  # and the heads: "Council", "Force"
)
_CAPSEQ = r"[A-Z][A-Za-z\u00C0-\u024F\-’']*(?:\s+(?:and\s+|of\s+|for\s+|on\s+|the\s+|&\s+)*(?:[A-Z][A-Za-z\u00C0-\u024F\-’']*|U\.S\.))*"
ORG_PATTERN = (
    rf"(?:U\.S\.\s+|UK\s+|British\s+)?(?:Department|Ministry|Office|Bureau)\s+(?:of|for)\s+(?:the\s+)?{_CAPSEQ}"
    rf"|(?:U\.S\.(?:\s+|-))?{_CAPSEQ}\s+(?:{_HEADS})\b(?:\s+(?:of|for|on)\s+(?:the\s+)?{_CAPSEQ})?"  # "U.S.-Japan Alliance"
)
_WHOLE_ORG = ascii_boundaries(f"^(?:{ORG_PATTERN})$")
# a head after the brackets is the name's own: "U.S.-Japan Competitiveness and Resilience (CoRe) Partnership"
ACRONYM_DEFINITION = (
    rf"(?P<full>(?:U\.S\.(?:\s+|-))?{_CAPSEQ})\s+\((?P<acr>[A-Z][A-Za-z&+\-]{{1,9}})\)"
    rf"(?P<head>\s+(?:{_HEADS}|Partnership)\b)?"
)
# a gazetteer's name opening an instrument's ("UN Charter", "United Nations Convention on the Law of the Sea",
# "WTO Agreement on ...", "Paris Agreement") is no mention of the organisation or the place
_INSTRUMENT_AFTER = ascii_boundaries(
    r"^\s+(?:Charter|Convention|Framework Convention|Treaty|Protocol|Agreement|Accords?|Act|Declaration)\b"
)
# laws, agreements, plans and meetings are not organisations, wherever the word stands in the name
_NOT_ORG_ENDINGS = ascii_boundaries(
    r"\b(?:Act|Plan|Agreement|Strategy|Summit|Conference|Declaration|Order|Treaty|Bill|Credit|Accords?|Rule"
    r"|Convention|Charter|Protocol|Resolution|Framework for|Roadmap|Agenda|Nation|Year)$"
    r"|\b(?:Summit|Conference|Convention|Treaty|Agreement|Act|Memorandum)\b"
)
# an organisation pattern's match can open with a role ("Director of the National Economic Council",
# "President and Director of the Gender Policy Council"): the organisation is what follows the last role's
# "of the". A name after a title ("Governor Mike DeWine (R-OH)") is no organisation's
_ROLE_LEAD = rf"^{_TITLE_MODIFIERS}(?:{_TITLE_WORDS})(?:\s|$)"
_TO_LAST_ROLE = ascii_boundaries(rf"^.*\b(?:{_TITLE_WORDS})\s+(?:of|for|to)\s+(?:the\s+)?")
_VENUE_BEFORE = ascii_boundaries(
    r"(?i)(?:\b(?:at|to|in|from|inside|outside|visit|visited|visiting|welcomed|hosted)\s+the\s+)$"
)


def extract_entities(sentences: pl.LazyFrame, lookups: Lookups) -> pl.LazyFrame:
    sentences = sentences.with_row_index(SID)
    # each pass feeds several later ones: materialise it once rather than re-run its regexes per use
    countries = _countries(sentences, lookups).collect().lazy()
    gazetteer = _organisations_and_places(sentences, lookups).collect().lazy()
    # a span is one mention of its kind. Only the people (titles, honorifics, later bare names) and the
    # patterned organisations can name a span twice: each gazetteer's pass is leftmost-longest, so its
    # matches do not overlap, and patterned organisations overlapping a gazetteer's match are dropped
    span = ["doc_id", "sentence_no", "start", "end"]
    people = _people(sentences, countries).unique(span, keep="first", maintain_order=True).collect().lazy()
    # collected on its own: inside the concat below the optimiser plans it about 0.4 s slower per batch
    patterned = (
        _organisation_patterns(sentences, gazetteer, countries, people)
        .unique(span, keep="first", maintain_order=True)
        .collect()
        .lazy()
    )
    mentions = pl.concat([countries, gazetteer, patterned, people], how="diagonal_relaxed").with_columns(
        *document_offsets()
    )
    return _fullest_form(mentions)


def _fullest_form(mentions: pl.LazyFrame) -> pl.LazyFrame:
    """An organisation is named by the fullest form the document uses for it ("U.S. Department of the
    Treasury" over "Treasury"); `canonical_name` keeps the gazetteer's name for grouping across documents."""
    is_org = pl.col("entity_type") == "ORGANISATION"
    mentions = mentions.with_columns(canonical_name=pl.col("entity_name"))
    organisations = mentions.filter(is_org)
    fullest = organisations.group_by("doc_id", "canonical_name").agg(fullest=_longest("surface"))
    organisations = (
        organisations.join(fullest, on=["doc_id", "canonical_name"], how="left")
        .with_columns(entity_name=pl.coalesce("fullest", "entity_name"))
        .drop("fullest")
    )
    # only the organisations take part in the join: the other rows are most of the batch
    return pl.concat([mentions.filter(~is_org), organisations])


def _longest(column: str) -> pl.Expr:
    """The longest value of `column` in a group; ties go to the first in alphabetical order, so the
    result does not depend on the order rows reach the group (which varies between runs)."""
    return (
        pl.col(column)
        .sort_by(pl.col(column).str.len_chars(), pl.col(column), descending=[True, False])
        .first()
    )


# what separates the items of a list: "Italy, Japan", "Japan, Korea, or Switzerland", "Chad and the Gambia"
_LIST_GAP = r"^(?:,\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+)(?:the\s+)?$"


def _countries(sentences: pl.LazyFrame, lookups: Lookups) -> pl.LazyFrame:
    aliases = lookups.country_aliases
    names = lookups.countries.select("country_iso3", entity_name="country_name")
    hits = phrase_spans(sentences, "text", aliases["alias"].to_list(), KEYS, case_insensitive=False)
    named = (
        hits.join(
            aliases.lazy().unique("alias", keep="first", maintain_order=True).rename({"alias": "pattern"}),
            on="pattern",
            how="inner",
        )
        .filter(pl.col("country_iso3").is_not_null())  # blockers ("Latin America") swallow their words
        .collect()
    )
    # an ambiguous name ("Georgia", "Jordan") counts only in a document that also shows its context:
    # looked for only in the documents that use such a name
    bodies = sentences.filter(pl.col("sentence_no") == 0).select("doc_id", "body")  # one row per document
    in_context = (
        named.lazy()
        .filter(pl.col("requires_context").is_not_null())
        .select("doc_id", "requires_context")
        .unique()
        .join(bodies, on="doc_id", how="inner")
        .select("doc_id", "requires_context", ok=pl.col("body").str.contains(pl.col("requires_context")))
    )
    # ... or, a country's name, stands in a list beside a name that needs none ("Italy, Japan, Jordan, Kenya");
    # not a demonym, which also names a language ("in Spanish and English")
    sentence = ["doc_id", "sentence_no"]
    # the row before (1) or after (-1) is of the same sentence
    same_as = {
        n: pl.all_horizontal(pl.col(c).shift(n) == pl.col(c) for c in sentence).fill_null(False)
        for n in (1, -1)
    }
    neighbours = (
        named.lazy()
        .filter(pl.col("kind") != "demonym")
        .sort(*sentence, "start")
        .with_columns(
            prev_end=pl.when(same_as[1]).then(pl.col("end").shift(1)),
            prev_plain=same_as[1] & pl.col("requires_context").shift(1).is_null(),
            next_start=pl.when(same_as[-1]).then(pl.col("start").shift(-1)),
            next_plain=same_as[-1] & pl.col("requires_context").shift(-1).is_null(),
        )
    )
    gap = pl.col("text").str.slice
    listed = (
        neighbours.filter(
            pl.col("requires_context").is_not_null() & (pl.col("prev_plain") | pl.col("next_plain"))
        )
        .join(sentences.select(SID, "text"), on=SID, how="inner")
        .filter(
            (
                pl.col("prev_plain")
                & gap("prev_end", pl.col("start") - pl.col("prev_end")).str.contains(_LIST_GAP)
            )
            | (
                pl.col("next_plain")
                & gap("end", pl.col("next_start") - pl.col("end")).str.contains(_LIST_GAP)
            )
        )
        .select(SID, "start", listed=pl.lit(True))
    )
    return (
        named.lazy()
        .join(in_context, on=["doc_id", "requires_context"], how="left")
        .join(listed, on=[SID, "start"], how="left")
        .filter(
            pl.col("requires_context").is_null()
            | pl.col("ok").fill_null(False)
            | pl.col("listed").fill_null(False)
        )
        .join(names.lazy(), on="country_iso3", how="left")
        .select(
            *KEYS, "start", "end", "surface", "entity_name", "country_iso3", entity_type=pl.lit("COUNTRY")
        )
    )


def _organisations_and_places(sentences: pl.LazyFrame, lookups: Lookups) -> pl.LazyFrame:
    orgs = lookups.organisations.select(
        pattern="alias", entity_name="organisation_name", country_iso3="country_iso3"
    )
    places = lookups.locations.select(pattern="alias", place_name="location_name", place_iso3="country_iso3")
    phrases = orgs["pattern"].to_list() + places["pattern"].to_list()
    # read twice: the matches, and the few that open an instrument's name
    found = phrase_spans(sentences, "text", phrases, KEYS, case_insensitive=False).collect().lazy()
    instrument = (
        found.join(sentences.select(SID, "text"), on=SID, how="inner")
        .filter(pl.col("text").str.slice(pl.col("end"), 24).str.contains(_INSTRUMENT_AFTER))
        .select(SID, "start")
    )
    named = (
        found.join(instrument, on=[SID, "start"], how="anti")
        .join(orgs.lazy().unique("pattern"), on="pattern", how="left")
        .join(places.lazy().unique("pattern"), on="pattern", how="left")
        .collect()
    )
    # a name that is both (the White House) is a place after "at the", "to the", ...: only those few
    # read the sentence before them
    both = pl.col("place_name").is_not_null() & pl.col("entity_name").is_not_null()
    hits = pl.concat(
        [
            named.lazy().filter(~both).with_columns(venue=pl.col("place_name").is_not_null()),
            regex_context(sentences, named.lazy().filter(both))
            .with_columns(venue=pl.col("before").str.contains(_VENUE_BEFORE))
            .drop("text", "before"),
        ]
    )
    return hits.select(
        *KEYS,
        "start",
        "end",
        "surface",
        entity_type=pl.when("venue").then(pl.lit("LOCATION")).otherwise(pl.lit("ORGANISATION")),
        entity_name=pl.when("venue").then("place_name").otherwise("entity_name"),
        country_iso3=pl.when("venue").then("place_iso3").otherwise("country_iso3"),
    )


def regex_context(sentences: pl.LazyFrame, hits: pl.LazyFrame) -> pl.LazyFrame:
    """Add `before`: the sentence text before each hit."""
    return hits.join(sentences.select(SID, "text"), on=SID, how="left").with_columns(
        before=pl.col("text").str.slice(0, pl.col("start"))
    )


def _people(sentences: pl.LazyFrame, countries: pl.LazyFrame) -> pl.LazyFrame:
    titled = (
        regex_spans(
            sentences,
            "text",
            TITLED_PERSON,
            KEYS,
            groups=True,
            prefilter=TITLE_LITERALS,
            exact_prefilter=True,
        )
        # the long-role branch also consumed the character after the name
        .with_columns(
            surface=pl.when(pl.col("role").is_not_null())
            .then(pl.col("surface").str.replace(r"[\s,.;:)’']$", ""))
            .otherwise(pl.col("surface"))
        )
        .with_columns(role=pl.coalesce("role", "role2"), name=pl.coalesce("name", "name2"))
        .with_columns(end=pl.col("start") + pl.col("surface").str.len_chars())
    )
    honorific = regex_spans(
        sentences,
        "text",
        HONORIFIC_PERSON,
        KEYS,
        groups=True,
        prefilter=_HONORIFICS.split("|"),
        exact_prefilter=True,  # the honorifics are matched as written
    ).with_columns(role=pl.lit(None, pl.String))
    name = pl.col("name")
    appositive = (
        regex_spans(
            sentences,
            "text",
            APPOSITIVE_ROLE,
            KEYS,
            groups=True,
            prefilter=TITLE_LITERALS,
            exact_prefilter=True,
        )
        .with_columns(name=pl.col("before").str.extract(_NAME_BEFORE_COMMA, 1))
        # a name opening with a title ("Secretary Blinken, Vice President Harris", "Deputy White House Counsel
        # Danielle Conley, Director") is the titled pattern's
        .filter(name.is_not_null() & ~name.str.contains(_TITLE_LEAD))
        .with_columns(
            start=pl.col("start") - name.str.len_chars(),
            surface=name
            + pl.col("surface").str.head(pl.col("surface").str.len_chars() - pl.col("tail").str.len_chars()),
        )
        .with_columns(end=pl.col("start") + pl.col("surface").str.len_chars())
    )
    found_first = pl.concat([titled, honorific], how="diagonal_relaxed").collect()
    # where a name the titled pattern took ("... for Management and Resources Richard Verma, Acting Deputy
    # Secretary") is also an appositive's, the titled one stands
    taken = found_first.lazy().select(SID, o_start="start", o_end="end")
    appositive = _apart_from(appositive, taken, within=False)
    # read twice below
    matched = pl.concat([found_first.lazy(), appositive], how="diagonal_relaxed").collect().lazy()
    # a name as matched recurs ("Biden"): it is cleaned once per distinct form
    names = (
        matched.select("name")
        .unique()
        .with_columns(clean=pl.col("name").str.replace(ascii_boundaries(r"['’]s\b.*$"), "").str.strip_chars())
        .filter(pl.col("clean").str.contains(r"[A-Z\u00C0-\u00DE]"))
        .filter(~pl.col("clean").str.extract(r"^(\S+)").str.contains(rf"^(?:{_NOT_NAMES})$"))
        .with_columns(clean=pl.col("clean").str.replace(rf"\s+(?:{_NOT_NAMES})(?:\s.*)?$", ""))
        .with_columns(surname=_surname(pl.col("clean")))
        .filter(~pl.col("surname").str.contains(f"^(?:{_INSTITUTION_WORDS}|.)$"))  # nor in one letter
    )
    found = (
        matched.join(names, on="name", how="inner", maintain_order="left")
        .with_columns(name="clean")
        .drop("clean")
        .collect()
        .lazy()
    )
    # the fullest form in the document is the person's name: every word of a name ("Tamim", "Thani")
    # points to the longest name containing it
    words = (
        found.select("doc_id", "name", word=pl.col("name").str.extract_all(r"[A-Za-z\u00C0-\u024F'’\-]+\.?"))
        .explode("word")
        # particles and initials name no one, nor do an institution's words: a later "General" alone is not
        # a mention of "General Grossi"
        .filter(
            ~pl.col("word").str.contains(
                rf"^(?:{_PARTICLE}|{_INSTITUTION_WORDS}|[A-Z]\.|Jr\.|Sr\.|II|III|IV)$"
            )
        )
    )
    canonical = (
        words.group_by("doc_id", "word")
        .agg(entity_name=_longest("name"))
        .rename({"word": "surname"})
        .collect()
    )
    # the country a person serves: a country word just before the title ("Albania's Prime Minister")
    served = (
        found.join(countries.select(SID, c_end="end", person_iso3="country_iso3"), on=SID, how="inner")
        .filter((pl.col("start") - pl.col("c_end")).is_between(0, 3))
        # only a possessive or a space between them ("Albania's Prime Minister", "British Prime Minister"),
        # not "... with Nigeria, Vice President Harris"
        .join(sentences.select(SID, "text"), on=SID, how="left")
        .filter(
            pl.col("text")
            .str.slice(pl.col("c_end"), pl.col("start") - pl.col("c_end"))
            .str.contains(r"^(?:['’]s?)?\s*$")
        )
        .group_by("doc_id", "surname")
        .agg(pl.col("person_iso3").sort_by("sentence_no", "start").first())  # the first in the text
    )
    titled_rows = (
        found.join(canonical.lazy(), on=["doc_id", "surname"], how="left")
        .with_columns(entity_name=pl.coalesce("entity_name", "name"))
        .join(served, on=["doc_id", "surname"], how="left")
        .select(
            *KEYS,
            "start",
            "end",
            "surface",
            "entity_name",
            "role",
            country_iso3="person_iso3",
            entity_type=pl.lit("PERSON"),
        )
    )
    # later bare mentions ("Sunak") of a name already introduced in the document: one Aho-Corasick pass
    # over the batch's name words, kept where the document introduced that word
    words = canonical["surname"].unique().to_list()
    introduced = canonical.lazy().select("doc_id", matched="surname")
    tokens = (
        phrase_spans(sentences, "text", words, KEYS, case_insensitive=False, only=introduced)
        if words
        else pl.LazyFrame(
            schema={
                **sentences.select(KEYS).collect_schema(),
                "start": pl.Int64,
                "end": pl.Int64,
                "surface": pl.String,
                "pattern": pl.String,
            }
        )
    )
    bare = tokens.join(
        canonical.lazy().join(served, on=["doc_id", "surname"], how="left"),
        left_on=["doc_id", "pattern"],
        right_on=["doc_id", "surname"],
        how="inner",
    ).select(
        *KEYS,
        "start",
        "end",
        "surface",
        entity_name="entity_name",
        country_iso3="person_iso3",
        role=pl.lit(None, pl.String),
        entity_type=pl.lit("PERSON"),
    )
    # a bare word inside an introduced mention ("Sunak" in "Prime Minister Rishi Sunak") is not another mention
    introduced_spans = titled_rows.select(SID, o_start="start", o_end="end")
    return pl.concat([titled_rows, _apart_from(bare, introduced_spans, within=True)], how="diagonal_relaxed")


def _apart_from(
    spans: pl.LazyFrame, others: pl.LazyFrame, *, within: bool, on: tuple[str, ...] = (SID,)
) -> pl.LazyFrame:
    """`spans` less those that overlap one of `others` (rows of `on` and `o_start`, `o_end`) in the same
    sentence, or with `within`, less those lying inside one."""
    start, end, o_start, o_end = (pl.col(c) for c in ("start", "end", "o_start", "o_end"))
    meets = (start >= o_start) & (end <= o_end) if within else (o_start < end) & (o_end > start)
    met = spans.join(others, on=list(on), how="inner").filter(meets).select(SID, "start", "end")
    return spans.join(met, on=[SID, "start", "end"], how="anti")


def _surname(name: pl.Expr) -> pl.Expr:
    return name.str.replace(r",?\s+(?:Jr\.|Sr\.|II|III|IV)$", "").str.extract(r"(\S+)$")


def _acronym_fits(spans: pl.LazyFrame) -> pl.LazyFrame:
    """The spans whose acronym's letters appear in its full form, in order, the first one starting a word
    ("PRC", "People’s Republic of China"; "HLED", "High-Level Economic Dialogue"). A state or party in
    brackets after a name ("Senator Jay Chaudhuri (D-NC)", "Wilson Community College (NC)") is no acronym."""
    letter = pl.col("_letters").str.slice
    spans = spans.with_columns(
        _letters=pl.col("acr").str.to_lowercase().str.replace_all("[^a-z]", ""),
        # one ASCII character for each of the full form's, so a found byte offset is a character offset
        _words=pl.concat_str(pl.lit(" "), pl.col("full").str.to_lowercase().str.replace_all("[^a-z]", " ")),
    ).with_columns(_at=pl.col("_words").str.find(pl.concat_str(pl.lit(" "), letter(0, 1)), literal=True))
    for k in range(1, 10):  # an acronym is at most ten characters; each step reads the last one's column
        found = pl.col("_words").str.slice(pl.col("_at") + 1).str.find(letter(k, 1), literal=True)
        spans = spans.with_columns(
            _at=pl.when(letter(k, 1) == "").then("_at").otherwise(pl.col("_at") + 1 + found)
        )
    return spans.filter(pl.col("_at").is_not_null()).drop("_letters", "_words", "_at")


def _without_role(spans: pl.LazyFrame, column: str, *, organisation: pl.Expr) -> pl.LazyFrame:
    """Spans whose `column` opens with a role keep what follows the last role's "of the" where
    `organisation` holds of it (`_rest`), and are dropped where it does not; `start` follows."""
    led = pl.col(column).str.contains(_ROLE_LEAD)
    rest = pl.when(led).then(pl.col(column).str.replace(_TO_LAST_ROLE, ""))
    return (
        spans.with_columns(_rest=rest)
        .filter(~led | organisation)
        .pipe(_keep_tail, column, pl.coalesce("_rest", column))
        .drop("_rest")
    )


def _keep_tail(spans: pl.LazyFrame, column: str, tail: pl.Expr) -> pl.LazyFrame:
    """`column` replaced by `tail`, an end of it, and `start` moved past what was cut."""
    return spans.with_columns(
        tail.alias(column), start=pl.col("start") + pl.col(column).str.len_chars() - tail.str.len_chars()
    )


# a sentence's first words are capitalised too: "Through the Rural Energy for America Program", "Under the
# Securities and Exchange Commission"
_LEADING_WORDS = r"^(?:(?:Through|Under|Since|During|Following|Via|Within|Across|Both)\s+)?(?:The|the)?\s*"


def _trimmed(spans: pl.LazyFrame, column: str) -> pl.LazyFrame:
    """`column` without a leading "The" ("The Republic of Korea") or a sentence's opening preposition, and
    without a possessive ending ("the Department of Labor’s"); `start` follows."""
    return spans.pipe(_keep_tail, column, pl.col(column).str.replace(_LEADING_WORDS, "")).with_columns(
        pl.col(column).str.replace(r"[’']s$", "")
    )


def _owned(spans: pl.LazyFrame, countries: pl.LazyFrame) -> pl.LazyFrame:
    """A name after its owner's possessive is the name alone: "Mexico’s National Search Commission", "USAID’s
    GEDI Initiative", "Bureau of Reclamation’s Lower Colorado River ... Program". An owner that is an
    organisation's whole name is a mention of its own; a country or an acronym owner is found on its own.
    Other possessives are part of the name ("President’s Council", "National Women’s Law Center")."""
    spans = (
        spans.with_columns(_owner=pl.col("surface").str.extract(r"^(.+?)[’']s\s+[A-Z]")).collect().lazy()
    )  # read twice below
    # only the few names with a possessive meet the organisation pattern again
    owned = spans.filter(pl.col("_owner").is_not_null()).with_columns(
        _o_end=pl.col("start") + pl.col("_owner").str.len_chars(),
        _tail=pl.col("surface").str.replace(r"^.+?[’']s\s+", ""),
    )
    by_country = (
        owned.join(countries.select(SID, _c_start="start", _c_end="end"), on=SID, how="inner")
        .filter(
            (pl.col("_c_start") == pl.col("start"))
            & pl.col("_c_end").is_between("_o_end", pl.col("_o_end") + 2)
        )
        .select(SID, "start", "end", _country=pl.lit(True))
        .unique()
    )
    owned = (
        owned.join(by_country, on=[SID, "start", "end"], how="left")
        .with_columns(_whole=pl.col("_owner").str.contains(_WHOLE_ORG))
        .with_columns(
            # and what follows is itself a name: "U.S.-India Alliance for Women’s Economic Empowerment" is one
            _cut=(
                pl.col("_country").fill_null(False)
                | pl.col("_owner").str.contains(r"^[A-Z][A-Z&\-]+$")
                | pl.col("_whole")
            )
            & pl.col("_tail").str.contains(_WHOLE_ORG),
        )
    )
    owners = owned.filter(pl.col("_cut") & pl.col("_whole")).with_columns(surface="_owner", end="_o_end")
    tails = owned.pipe(_keep_tail, "surface", pl.when("_cut").then("_tail").otherwise("surface"))
    scratch = ["_owner", "_o_end", "_tail", "_country", "_whole", "_cut"]
    return pl.concat(
        [spans.filter(pl.col("_owner").is_null()).drop("_owner"), tails.drop(scratch), owners.drop(scratch)]
    )


def _organisation_patterns(
    sentences: pl.LazyFrame, gazetteer: pl.LazyFrame, countries: pl.LazyFrame, people: pl.LazyFrame
) -> pl.LazyFrame:
    # a name that runs into a person's name ("... Drug Control Policy Adam Cohen") ends where the person starts
    person_starts = people.filter(pl.col("role").is_not_null()).select(
        SID, p_start=pl.col("end") - pl.col("entity_name").str.len_chars().fill_null(0)
    )
    named = (
        regex_spans(
            sentences,
            "text",
            ORG_PATTERN,
            KEYS,
            prefilter=[*_HEADS.split("|"), "Department", "Office"],
            exact_prefilter=True,
        )
        .join(person_starts, on=SID, how="left")
        .with_columns(
            p_start=pl.when((pl.col("p_start") > pl.col("start")) & (pl.col("p_start") < pl.col("end"))).then(
                "p_start"
            )
        )
        .group_by(*KEYS, "start", "end", "surface", maintain_order=True)
        .agg(pl.col("p_start").min())
        .with_columns(
            surface=pl.when(pl.col("p_start").is_not_null())
            .then(pl.col("surface").str.slice(0, pl.col("p_start") - pl.col("start")).str.strip_chars_end())
            .otherwise("surface")
        )
        .with_columns(end=pl.col("start") + pl.col("surface").str.len_chars())
        .pipe(_trimmed, "surface")
        .with_columns(end=pl.col("start") + pl.col("surface").str.len_chars())
        .pipe(_owned, countries)
        .pipe(_without_role, "surface", organisation=pl.col("_rest").str.contains(_WHOLE_ORG))
        .filter(~pl.col("surface").str.contains(_NOT_ORG_ENDINGS))
        .filter(pl.col("surface").str.contains(r"\s"))
    )
    defined = (
        regex_spans(sentences, "text", ACRONYM_DEFINITION, KEYS, groups=True, prefilter=["("])
        .filter(~pl.col("full").str.contains(_NOT_ORG_ENDINGS) & pl.col("full").str.contains(r"\s"))
        .pipe(_acronym_fits)
        # the name runs on to a head after the brackets, which the acronym's letters need not cover
        .with_columns(full=pl.when(pl.col("head").is_not_null()).then("surface").otherwise("full"))
        # "Chair of the African Union (AU)" defines the African Union's; "President Xi Jinping of the People’s
        # Republic of China (PRC)" no organisation's
        .pipe(
            _without_role,
            "full",
            organisation=pl.col("_rest").str.contains(r"\s") & ~pl.col("_rest").str.contains(_ROLE_LEAD),
        )
        # "The Republic of Korea (ROK)": the article is no part of the name, nor a possessive ending
        .pipe(_trimmed, "full")
        .collect()
    )
    # an acronym defined twice in a document ("Republic of Korea (ROK)", later "... of the Republic of Korea
    # (ROK)") stands for its first definition: any one of them made a run's rows differ from the next's
    acronyms = (
        defined.lazy()
        .select("doc_id", acr="acr", canonical="full")
        .unique(["doc_id", "acr"], keep="first", maintain_order=True)
    )
    # a use is one of its own document's acronyms: only the documents defining one are searched, and only
    # their sentences holding one of the batch's acronyms at all
    uses = regex_spans(
        sentences.join(acronyms.select("doc_id").unique(), on="doc_id", how="semi"),
        "text",
        r"\b[A-Z][A-Z&+\-]{1,9}\b",
        KEYS,
        prefilter=defined["acr"].unique().sort().to_list(),
        exact_prefilter=True,
    ).join(acronyms, left_on=["doc_id", "surface"], right_on=["doc_id", "acr"], how="inner")
    defined_rows = defined.lazy().with_columns(
        surface=pl.col("full"),
        end=pl.col("start") + pl.col("full").str.len_chars(),
        entity_name=pl.col("full"),
    )
    # the acronym in the brackets of a name that runs on past them ("... (SBIR) Program") is inside that name
    run_on = (
        defined.lazy()
        .filter(pl.col("head").is_not_null())
        .select(SID, surface="acr", o_start="start", o_end=pl.col("start") + pl.col("full").str.len_chars())
    )
    uses = _apart_from(uses, run_on, within=True, on=(SID, "surface"))
    uses_rows = uses.with_columns(entity_name=pl.col("canonical")).collect().lazy()  # read twice below
    rows = pl.concat(
        [named.with_columns(entity_name=pl.col("surface")), defined_rows, uses_rows], how="diagonal_relaxed"
    )
    # a span already named by the gazetteer keeps the gazetteer's canonical name
    known = gazetteer.select(SID, o_start="start", o_end="end")
    rows = _apart_from(rows, known, within=False)
    # nor is a country an acronym's ("Republic of Korea (ROK)" defines none, and a later "ROK" is no
    # organisation); a name an organisation pattern matches ("Palestinian Authority") still is one
    countries = countries.select(SID, c_start="start", c_end="end")
    country = (
        pl.concat([defined_rows, uses_rows], how="diagonal_relaxed")
        .join(countries, on=SID, how="inner")
        .filter(
            # the country's span holds the acronym's, but for a possessive ("Korea’s")
            (pl.col("c_start") <= pl.col("start"))
            & (pl.col("c_end") >= pl.col("end") - pl.col("surface").str.ends_with("’s").cast(pl.Int64) * 2)
            & ~pl.col("entity_name").str.contains(_WHOLE_ORG)
        )
        .select(SID, "start", "end")
    )
    return rows.join(country, on=[SID, "start", "end"], how="anti").select(
        *KEYS,
        "start",
        "end",
        "surface",
        "entity_name",
        country_iso3=pl.lit(None, pl.String),
        entity_type=pl.lit("ORGANISATION"),
    )

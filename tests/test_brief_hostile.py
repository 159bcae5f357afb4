"""Hostile and unusual briefs: real names accepted and escaped, hidden characters and look-alike words
refused, colliding pages and unknown keys named, the language read from the country, table cells kept whole."""

from __future__ import annotations

import json
import re

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from deznity_assets.agents.offline import OfflineGenerator
from deznity_assets.agents.provider import AgentContext
from deznity_assets.agents.roster import TASKS
from deznity_assets.assembly import qa_markdown
from deznity_assets.brief import REFERENCE_CLIENTS, BriefError, is_safe_slug, slugify, validate_brief
from deznity_assets.cli import main as cli
from deznity_assets.deliverables import CheckResult
from deznity_assets.deploy import build_deploy_config
from deznity_assets.qa.checks import build_qa_report, run_checks
from deznity_assets.reports import md_text
from deznity_assets.site.render import page_file
from deznity_assets.store.rows import ClientRow
from deznity_assets.summary import summary_markdown
from tests.plugins.site_fixtures import build_inputs

API_URL = "https://api.example.com"  # forms routed to a site API: forms_connected passes

GOOD = dict(REFERENCE_CLIENTS[4])


def problems_of(data: dict) -> list[str]:
    with pytest.raises(BriefError) as err:
        validate_brief(data)
    return err.value.problems


# ----- 1. real names with slashes and dots -------------------------------------------


@pytest.mark.parametrize(
    "name, slug",
    [
        ("24/7 Fitness", "24-7-fitness"),
        ("AC/DC Tribute Bar", "ac-dc-tribute-bar"),
        ("Wait... What? Bar", "wait-what-bar"),
        ("Salt \\ Pepper", "salt-pepper"),
        ("../../etc/passwd", "etc-passwd"),  # only text: paths are built from the slug
    ],
)
def test_names_with_slashes_and_dots_are_accepted_with_a_safe_slug(name, slug):
    brief = validate_brief({**GOOD, "business_name": name})
    assert brief.business_name == name
    assert slugify(name) == slug and is_safe_slug(slug)


def test_a_slashed_name_is_shown_as_typed_and_escaped_on_the_site():
    name = "AC/DC Tribute Bar & Grill"
    brief = validate_brief({**GOOD, "business_name": name})
    inputs = build_inputs(brief)
    site = inputs.render()
    home = BeautifulSoup(site.files["index.html"], "html5lib")
    assert home.find("a", class_="brand").get_text() == name
    assert "AC/DC Tribute Bar &amp; Grill" in site.files["index.html"]
    results = run_checks(site, inputs.design, escaped_values=[name], api_public_url=API_URL)
    assert next(r for r in results if r.id == "no_unescaped_client_text").passed


def test_angle_brackets_stay_refused_in_the_name():
    assert problems_of({**GOOD, "business_name": "I <3 Tacos"}) == [
        "business_name: contains markup (< or >); give the plain business name"
    ]


# ----- 2. hidden characters in every field, look-alike words -------------------------

# A valid value per text field: a character is slipped in after its first one.
FIELD_VALUES = {
    "business_name": "TacoLoco",
    "industry": "restaurant",
    "goal": "increase reservations",
    "color": "#FF6A00",
    "copy_tone": "fun, young",
    "target_geo": "CDMX",
    "pages": "home, menu",
    "logo_url": "https://example.com/logo.png",
    "language": "es",
    "budget": "starter",
}
HIDDEN = {
    "\x00": "a control character (U+0000)",
    "\t": "a control character (U+0009)",
    "\n": "a control character (U+000A)",
    "\x1b": "a control character (U+001B)",
    "\x7f": "a control character (U+007F)",
    "\x85": "a control character (U+0085)",
    "\x9b": "a control character (U+009B)",
    "\u202a": "a bidirectional text control (U+202A LEFT-TO-RIGHT EMBEDDING)",
    "\u202e": "a bidirectional text control (U+202E RIGHT-TO-LEFT OVERRIDE)",
    "\u2066": "a bidirectional text control (U+2066 LEFT-TO-RIGHT ISOLATE)",
    "\u2069": "a bidirectional text control (U+2069 POP DIRECTIONAL ISOLATE)",
    "\u200e": "a bidirectional text control (U+200E LEFT-TO-RIGHT MARK)",
    "\u200f": "a bidirectional text control (U+200F RIGHT-TO-LEFT MARK)",
    "\u061c": "a bidirectional text control (U+061C ARABIC LETTER MARK)",
    "\u200b": "an invisible formatting character (U+200B ZERO WIDTH SPACE)",
    "\u200c": "an invisible formatting character (U+200C ZERO WIDTH NON-JOINER)",
    "\u200d": "an invisible formatting character (U+200D ZERO WIDTH JOINER)",
    "\u2060": "an invisible formatting character (U+2060 WORD JOINER)",
    "\ufeff": "an invisible formatting character (U+FEFF ZERO WIDTH NO-BREAK SPACE)",
    "\u00ad": "an invisible formatting character (U+00AD SOFT HYPHEN)",
    "\u2028": "a line separator (U+2028 LINE SEPARATOR)",
}


@pytest.mark.parametrize("field", FIELD_VALUES)
@pytest.mark.parametrize("char", HIDDEN, ids=lambda c: f"U+{ord(c):04X}")
def test_hidden_characters_are_refused_in_every_field(field, char):
    value = FIELD_VALUES[field]
    problems = problems_of({**GOOD, field: value[:1] + char + value[1:]})
    assert f"{field}: contains {HIDDEN[char]} at position 2; remove it" in problems


def test_hidden_characters_in_a_list_entry_name_the_entry():
    problems = problems_of({**GOOD, "copy_tone": ["fun", "you\u200bng"], "pages": ["home", "me\x00nu"]})
    assert "copy_tone: entry 2 contains an invisible formatting character (U+200B ZERO WIDTH SPACE)" in problems[0]
    assert problems[1] == "pages: entry 2 contains a control character (U+0000) at position 3; remove it"


def test_nul_in_target_geo_never_reaches_the_store(store):
    with pytest.raises(BriefError, match=r"target_geo: contains a control character \(U\+0000\) at position 3"):
        store.add_client({**GOOD, "target_geo": "CD\x00MX"})
    assert store.list_clients() == []


def test_whitespace_around_a_value_is_still_stripped():
    brief = validate_brief({**GOOD, "business_name": "\t TacoLoco \n", "target_geo": "CDMX\r\n"})
    assert (brief.business_name, brief.target_geo) == ("TacoLoco", "CDMX")


@pytest.mark.parametrize(
    "name, word, character",
    [
        ("\u0422acoLoco", "\u0422acoLoco", "U+0422 CYRILLIC CAPITAL LETTER TE at position 1"),
        ("Green Gl\u043ew", "Gl\u043ew", "U+043E CYRILLIC SMALL LETTER O at position 9"),
        ("\u0391pex Gym", "\u0391pex", "U+0391 GREEK CAPITAL LETTER ALPHA at position 1"),
        ("\u041c\u043e\u0441\u043a\u0432a", "\u041c\u043e\u0441\u043a\u0432a", "U+0061 LATIN SMALL LETTER A"),
    ],
)
def test_words_mixing_latin_with_cyrillic_or_greek_are_refused(name, word, character):
    (problem,) = problems_of({**GOOD, "business_name": name})
    assert problem.startswith(f"business_name: the word {word!r} mixes ")
    assert character in problem and "type each word in one alphabet" in problem


@pytest.mark.parametrize(
    "name, slug",
    [
        ("\u041c\u043e\u0441\u043a\u0432\u0430 \u041a\u0430\u0444\u0435", "moskva-kafe"),  # Москва Кафе
        ("\u0395\u03bb\u03bb\u03b7\u03bd\u03b9\u03ba\u03cc \u039a\u03b1\u03c6\u03ad", "elleniko-kaphe"),
        ("Caf\u00e9 \u041c\u043e\u0441\u043a\u0432\u0430", "cafe-moskva"),  # one alphabet per word
    ],
)
def test_names_wholly_in_one_alphabet_per_word_are_accepted(name, slug):
    assert validate_brief({**GOOD, "business_name": name}).business_name == name
    assert slugify(name) == slug


# ----- 3. two spellings of one page ----------------------------------------------------


@pytest.mark.parametrize(
    "pages, first, second, path",
    [
        ("home, about us, about-us", "about us", "about-us", "about-us.html"),
        ("home, About Us, about us", "About Us", "about us", "about-us.html"),
        ("menu, Menu", "menu", "Menu", "menu.html"),
        ("home, index, index page", "index", "index page", "index-page.html"),
    ],
)
def test_pages_that_share_a_file_are_refused(pages, first, second, path):
    assert problems_of({**GOOD, "pages": pages}) == [
        f"pages: {first!r} and {second!r} are the same page ({path}); list it once"
    ]


def test_accepted_pages_each_get_their_own_file():
    brief = validate_brief({**GOOD, "pages": "about us, our-story, Our  Team, faq, index"})
    assert brief.pages == ["home", "about us", "our-story", "our team", "faq", "index"]
    assert len({page_file(p) for p in brief.pages}) == len(brief.pages)


# ----- 4. unknown keys -------------------------------------------------------------------


@pytest.mark.parametrize(
    "key, guess",
    [("colour", "color"), ("Business Name", "business_name"), ("geo", "target_geo"), ("tone", "copy_tone")],
)
def test_unknown_keys_are_refused_with_a_suggestion(key, guess):
    problems = problems_of({**GOOD, key: "x"})
    assert problems[0].startswith(f"{key}: is not a brief field; did you mean {guess}? The fields are: business_name,")


def test_unknown_key_without_a_likely_field_and_other_problems_together():
    problems = problems_of({**GOOD, "favourite_food": "tacos", "budget": "gold"})
    assert problems[0].startswith("favourite_food: is not a brief field; remove it or rename it. The fields are:")
    assert problems[1].startswith("budget:")


def test_table_columns_are_not_unknown_keys(store):
    row = store.add_client(GOOD)
    stored = {"id": row.id, "slug": "x", "status": "failed", "attempt": 3, "last_error": "e", "run_id": "r"}
    again = store.add_client({**GOOD, **stored, "created_at": None, "updated_at": None, "claimed_at": None})
    assert (again.slug, again.status) == ("tacoloco-2", "pending")
    # A row read back (every column of the table) gives its brief.
    mapping = {**GOOD, **stored, "created_at": None, "updated_at": None, "claimed_at": None}
    assert ClientRow.from_mapping(mapping).brief().business_name == "TacoLoco"
    with pytest.raises(BriefError, match="id: is not a brief field"):
        validate_brief({**GOOD, "id": "1"})  # outside a store, a column is no brief field


def test_add_client_command_names_the_unknown_key(platform, tmp_path):
    path = tmp_path / "brief.json"
    path.write_text(json.dumps({**GOOD, "colour": "#FF6A00"}))
    result = CliRunner().invoke(cli, ["add-client", "--file", str(path)])
    assert result.exit_code == 1
    assert "invalid brief: colour: is not a brief field; did you mean color?" in result.output
    assert platform.store.list_clients() == []


# ----- 5. the language of the country --------------------------------------------------


@pytest.mark.parametrize(
    "geo, language",
    [
        ("New Mexico, USA", "en"),
        ("Lima, Ohio", "en"),
        ("Lima, Peru", "es"),
        ("Santiago, Chile", "es"),
        ("Ciudad de M\u00e9xico", "es"),
        ("Barcelona, Spain", "es"),
        ("Toronto, Canada", "en"),
        ("Miami, FL", "en"),
        ("Polanco, CDMX", "es"),
        ("Bogot\u00e1, D.C.", "es"),
        ("Tijuana, Baja California", "es"),
        ("San Diego, California", "en"),
        ("CDMX", "es"),
        ("Madrid", "es"),
        ("Lima", "es"),
        ("Austin", "en"),
        ("Latin America", "es"),
        ("Global", "en"),
    ],
)
def test_language_follows_the_country(geo, language):
    assert validate_brief({**GOOD, "target_geo": geo}).language == language


def test_an_explicit_language_still_wins():
    assert validate_brief({**GOOD, "target_geo": "Lima, Peru", "language": "en"}).language == "en"
    assert validate_brief({**GOOD, "target_geo": "Lima, Ohio", "language": "es"}).language == "es"


# ----- 6. Markdown table cells ---------------------------------------------------------


def table_widths(markdown: str) -> list[set[int]]:
    """For each Markdown table, the set of its rows' cell counts (bare `|` only; escape pairs skipped)."""
    tables: list[set[int]] = []
    previous = False
    for line in markdown.splitlines():
        is_row = line.startswith("|")
        if is_row and not previous:
            tables.append(set())
        if is_row:
            tables[-1].add(re.sub(r"\\.", "", line).count("|") - 1)
        previous = is_row
    return tables


def test_md_text_escapes_pipes_and_folds_newlines():
    assert md_text("Tacos | Bar\nand\r\nGrill") == r"Tacos \| Bar and Grill"
    assert md_text("a \\| b") == r"a \\\| b"  # the backslash stays text, the pipe is escaped


PIPED = {
    **GOOD,
    "business_name": "Tacos | Bar",
    "goal": "more | reservations",
    "target_geo": "CDMX | Polanco",
    "copy_tone": "fun | young",
}


@pytest.fixture(scope="module")
def piped_package():
    brief = validate_brief(PIPED)
    inputs = build_inputs(brief)
    site = inputs.render()
    results = run_checks(site, inputs.design, escaped_values=[brief.business_name], api_public_url=API_URL)
    results.append(CheckResult(id="custom", severity="warning", passed=False, message=f"{brief.goal}\nsee | here"))
    reports = [build_qa_report(results, "functional"), build_qa_report(results, "seo_performance")]
    ctx = AgentContext(brief=brief, slug=slugify(brief.business_name))
    for key, task in TASKS.items():
        ctx.upstream[key] = OfflineGenerator().run(task, ctx).output
    deploy = build_deploy_config(
        slug="tacos-bar", site=site, base_url="https://tacos-bar.example.com", hero_variants=[]
    )
    return brief, site, reports, ctx.upstream, deploy


def test_qa_report_tables_keep_their_columns(piped_package):
    brief, _site, reports, _out, _deploy = piped_package
    markdown = qa_markdown(brief, reports)
    assert r"more \| reservations see \| here" in markdown
    widths = table_widths(markdown)
    assert widths and all(w == {4} for w in widths)


def test_summary_tables_keep_their_columns(piped_package):
    brief, site, reports, out, deploy = piped_package
    markdown = summary_markdown(
        slug="tacos-bar",
        brief=brief,
        run_id="run-1",
        website=site,
        reports=reports,
        qa_score=90.0,
        market=out["market_analysis"],
        seo=out["seo_copy"],
        plan=out["project_plan"],
        deploy_config=deploy,
        usage={
            "tokens": 0,
            "cost": 0.0,
            "calls": 0,
            "cached": 0,
            "retries": 0,
            "corrections": 0,
            "correction_tokens": 0,
            "correction_cost": 0.0,
            "qa_rounds": 0,
            "providers": set(),
            "knowledge": {},
        },
        provider="offline | test",
        phases=[{"name": "intake | x", "agents": "-", "seconds": 1.0}],
        files=["BOOTSTRAP_SUMMARY.md"],
    )
    assert "Tacos \\| Bar" in markdown
    widths = table_widths(markdown)
    assert widths == [{2}, {3}]

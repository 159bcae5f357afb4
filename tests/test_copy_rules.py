"""Copy an agency can sign: no invented claims, one language per page, every industry in both languages.

Generated sites of a seeded sample of random briefs pass every QA check (no browser needed), the
client's facts appear word for word and nothing else does, and the checks catch the invented
testimonials, ratings, prices, figures and pasted English of the old copy.
"""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from deznity_assets.agents.offline import Copy, OfflineGenerator
from deznity_assets.agents.offline_profiles import PROFILES
from deznity_assets.agents.provider import AgentContext
from deznity_assets.agents.roster import TASKS
from deznity_assets.brief import REFERENCE_CLIENTS, ClientBrief, validate_brief
from deznity_assets.deliverables import CheckResult, RenderedSite
from deznity_assets.facts import facts_to_get
from deznity_assets.qa.checks import run_checks
from deznity_assets.site.brand import build_design_system
from deznity_assets.site.render import render_site
from tests.plugins.random_briefs import EXTREME_COLOURS, random_briefs

API_URL = "https://api.example.com"  # forms routed to a site API: forms_connected passes

SEED = 2026
SAMPLE = random_briefs(10, seed=SEED)
# One brief per industry profile and language: the profile's own name as the industry.
PROFILE_BRIEFS = [
    dict(
        business_name="Punto Norte",
        industry=profile,
        goal="increase lead generation",
        color="#FFFF00",
        copy_tone="warm, caring",
        target_geo="Madrid" if lang == "es" else "Austin, Texas",
        pages="home, services, about, contact, blog",
        budget="growth",
        language=lang,
    )
    for profile in sorted(PROFILES)
    for lang in ("en", "es")
]
OLD_INVENTIONS = ("5/5", "Rating", "Valoración", "+14%", "from €", "desde €", "desde MX$", "Years of", "Compramos cada")


def generate(raw: dict) -> tuple[ClientBrief, dict, RenderedSite, list[CheckResult]]:
    """The offline deliverables, the rendered site and its QA results for a raw brief."""
    brief = validate_brief(raw)
    ctx = AgentContext(brief=brief, slug="sample")
    generator = OfflineGenerator()
    for key, task in TASKS.items():
        ctx.upstream[key] = generator.run(task, ctx).output
    out = ctx.upstream
    design = build_design_system(brief, out["design_direction"])  # type: ignore[arg-type]
    site = render_site(
        brief,
        slug="sample",
        structure=out["site_structure"],  # type: ignore[arg-type]
        design=design,
        seo=out["seo_copy"],  # type: ignore[arg-type]
        content=out["marketing_content"],  # type: ignore[arg-type]
        base_url="https://sample.deznity.site",
        form_action="/api/forms/{form}",
    )
    results = run_checks(site, design, escaped_values=[brief.business_name], brief=brief, api_public_url=API_URL)
    return brief, out, site, results


def visible_text(site: RenderedSite) -> str:
    """Every word a visitor reads on the site's pages."""
    texts = []
    for path, html in site.files.items():
        if path.endswith(".html"):
            soup = BeautifulSoup(html, "html5lib")
            for tag in soup(["script", "style"]):
                tag.decompose()
            texts.append(soup.get_text(" "))
    return " ".join(texts)


@pytest.mark.parametrize("raw", SAMPLE + REFERENCE_CLIENTS, ids=lambda r: f"{r['industry']}-{r['business_name']}")
def test_generated_sites_of_random_briefs_pass_every_qa_check(raw: dict) -> None:
    _brief, _out, site, results = generate(raw)
    assert [f"{r.id}: {r.message}" for r in results if not r.passed] == []
    text = visible_text(site)
    assert not [old for old in OLD_INVENTIONS if old in text]


def test_forty_random_briefs_cover_every_profile_in_both_languages() -> None:
    languages: dict[str, set[str]] = {}
    for raw in random_briefs(40, seed=12):  # the benchmark's sample
        brief = validate_brief(raw)
        languages.setdefault(Copy(brief).profile_key, set()).add(brief.language or "en")
    assert languages == {profile: {"en", "es"} for profile in PROFILES}


def test_the_sample_covers_both_languages_pages_and_extreme_colours() -> None:
    briefs = [validate_brief(raw) for raw in SAMPLE]
    assert {b.language for b in briefs} == {"en", "es"}
    assert min(len(b.pages) for b in briefs) <= 3 and max(len(b.pages) for b in briefs) >= 5
    assert any(b.color in EXTREME_COLOURS for b in briefs)
    assert any(not b.facts.empty for b in briefs) and any(b.facts.empty for b in briefs)


@pytest.mark.parametrize("raw", PROFILE_BRIEFS, ids=lambda r: f"{r['industry']}-{r['language']}")
def test_every_industry_profile_in_both_languages(raw: dict) -> None:
    brief, out, _site, results = generate(raw)
    assert [f"{r.id}: {r.message}" for r in results if not r.passed] == []
    copy = Copy(brief)
    assert copy.profile_key == raw["industry"]
    home = out["marketing_content"].pages[0]
    features = next(s for s in home.sections if s.kind == "features")
    # The profile's own words reach the page, and its own call to action leads it.
    assert features.items[0].title == PROFILES[raw["industry"]][brief.language or "en"]["features"][0][0]
    assert out["seo_copy"].hero_a.cta_label == copy.cta


def test_each_profile_has_its_own_vocabulary_and_calls_to_action() -> None:
    for lang in ("en", "es"):
        firsts = [profile[lang]["features"][0][0] for profile in PROFILES.values()]
        assert len(set(firsts)) == len(firsts), lang
        offers = [profile[lang]["offer"] for profile in PROFILES.values()]
        assert len(set(offers)) == len(offers), lang
        ctas = {name: profile[lang]["cta"].get("leads") for name, profile in PROFILES.items() if name != "general"}
        assert len(set(ctas.values())) >= 6, ctas


def test_regulated_sectors_carry_their_notice_and_need_registration_details() -> None:
    for sector, words in (("health", "medical advice"), ("legal", "legal advice"), ("finance", "financial advice")):
        raw = dict(PROFILE_BRIEFS[0], industry=sector, language="en")
        brief, _out, site, _results = generate(raw)
        assert words in visible_text(site)
        assert any("Registration or licence" in line for line in facts_to_get(brief))


FACTS = {
    "testimonials": [
        {"quote": "The easiest booking I have made this year.", "author": "Jordan K.", "consent": True},
        {"quote": "Do not publish this one.", "author": "Private Person", "consent": False},
    ],
    "offers": [
        {"name": "House special", "price": "$14", "description": "The dish regulars ask for by name."},
        {"name": "Lemonade", "price": "$4.50"},
    ],
    "founded": 2011,
    "sourcing": "Coffee from two farms we visit every year.",
    "awards": ["Finalist, Best New Business Awards"],
}


def test_the_clients_facts_appear_word_for_word_and_nothing_else() -> None:
    raw = dict(REFERENCE_CLIENTS[4], language="en", target_geo="Austin, Texas", facts=FACTS)
    brief, _out, site, results = generate(raw)
    assert [f"{r.id}: {r.message}" for r in results if not r.passed] == []
    home = BeautifulSoup(site.files["index.html"], "html5lib")
    [quote] = home.find_all("blockquote")
    assert quote.get_text(strip=True) == "The easiest booking I have made this year."
    assert "Jordan K." in home.find("figcaption").get_text()
    text = visible_text(site)
    assert "Do not publish this one." not in text and "Private Person" not in text
    assert "Since 2011" in text and "Coffee from two farms we visit every year." in text
    assert "Finalist, Best New Business Awards" in text
    menu = BeautifulSoup(site.files["menu.html"], "html5lib")
    assert [p.get_text() for p in menu.select(".menu-item .price")] == ["$14", "$4.50"]
    to_get = facts_to_get(brief)
    assert any("Consent to publish the testimonial of Private Person" in line for line in to_get)
    assert not any(line.startswith("What the business sells") for line in to_get)


def test_without_facts_the_site_claims_nothing_and_the_summary_asks_for_them() -> None:
    brief, out, site, _results = generate(REFERENCE_CLIENTS[4])  # TacoLoco: no facts in the brief
    kinds = {s.kind for p in out["marketing_content"].pages for s in p.sections}
    assert "social_proof" not in kinds and "menu" not in kinds and "pricing" not in kinds
    menu = BeautifulSoup(site.files["menu.html"], "html5lib")
    assert "llegará pronto" in menu.get_text()  # the list is announced, not invented
    to_get = " ".join(facts_to_get(brief))
    for wanted in ("Testimonials", "prices", "founding year", "Photos" if "gallery" in brief.pages else "logo"):
        assert wanted in to_get, wanted


def _checked(site: RenderedSite, brief: ClientBrief, design_source: dict, check_id: str) -> CheckResult:
    design = build_design_system(brief, design_source["design_direction"])
    return {r.id: r for r in run_checks(site, design, escaped_values=[], brief=brief, api_public_url=API_URL)}[check_id]


def _inject(site: RenderedSite, path: str, markup: str) -> RenderedSite:
    html = site.files[path].replace('<main id="main" tabindex="-1">', '<main id="main" tabindex="-1">' + markup, 1)
    return site.model_copy(update={"files": {**site.files, path: html}})


@pytest.mark.parametrize(
    "markup",
    [
        "<figure><blockquote><p>Best tacos in town, hands down.</p></blockquote>"
        "<figcaption>Emily W.</figcaption></figure>",
        "<p>Rating: 5/5 from our guests</p>",
        "<p>Valoración: 4.8 estrellas</p>",
        "<p>Tech audit from €1,500</p>",
        "<p>Weekly trend +14%</p>",
        "<p>Over 500 customers served</p>",
        "<p>Orders ship within 24 hours.</p>",
        "<p>“The best meal of my life” — Ana R.</p>",
    ],
)
def test_no_invented_claims_fails_each_kind_of_invention(markup: str) -> None:
    brief, out, site, _results = generate(dict(REFERENCE_CLIENTS[0]))  # FitTrack, English, no facts
    result = _checked(_inject(site, "index.html", markup), brief, out, "no_invented_claims")
    assert not result.passed and result.locations[0].startswith("index.html: ")


def test_claims_the_brief_gives_pass() -> None:
    facts = {
        "offers": [{"name": "Pro", "price": "$29/mo"}],
        "statements": ["Over 500 customers since launch, 14% of them teams."],
        "testimonials": [{"quote": "Best tracker I have used.", "author": "Priya N.", "consent": True}],
    }
    brief, out, site, _results = generate(dict(REFERENCE_CLIENTS[0], facts=facts))
    markup = (
        "<p>Pro for $29/mo. Over 500 customers, +14% teams.</p>"
        "<figure><blockquote><p>Best tracker I have used.</p></blockquote><figcaption>Priya N.</figcaption></figure>"
    )
    assert _checked(_inject(site, "index.html", markup), brief, out, "no_invented_claims").passed
    credited = markup.replace("Priya N.", "Someone Else")
    assert not _checked(_inject(site, "index.html", credited), brief, out, "no_invented_claims").passed


@pytest.mark.parametrize(
    "markup",
    [
        # The old Spanish copy: the English tone pasted into a Spanish sentence.
        "<p>Porque ofrecemos comida rica, con un estilo fun, young, street-food vibes, y una meta clara.</p>",
        # A whole paragraph in English.
        "<p>Our kitchen opens early every single morning so that everything is ready when you arrive.</p>",
    ],
)
def test_page_language_flags_english_on_a_spanish_page(markup: str) -> None:
    brief, out, site, _results = generate(REFERENCE_CLIENTS[4])  # TacoLoco, Spanish, English tone
    result = _checked(_inject(site, "menu.html", markup), brief, out, "page_language")
    assert not result.passed and result.locations[0].startswith("menu.html: ")


def test_page_language_flags_a_page_in_the_wrong_language() -> None:
    brief, out, site, _results = generate(REFERENCE_CLIENTS[0])  # FitTrack, English
    spanish = generate(REFERENCE_CLIENTS[4])[2]
    swapped = spanish.files["index.html"].replace('<html lang="es">', '<html lang="en">')
    broken = site.model_copy(update={"files": {**site.files, "blog.html": swapped}})
    result = _checked(broken, brief, out, "page_language")
    assert not result.passed and any(loc.startswith("blog.html: the page reads as 'es'") for loc in result.locations)


def test_the_review_ticket_lists_what_to_get_from_the_client() -> None:
    from deznity_assets.flow import REWORK_STEPS
    from deznity_assets.reports import render_markdown

    brief = validate_brief(dict(PROFILE_BRIEFS[0], industry="dental clinic", business_name="Sonrisa & Clara"))
    ticket = render_markdown(
        "REVIEW_TICKET.md.j2",
        brief=brief,
        slug="sonrisa",
        approval=None,
        reviews=[],
        rework_steps=REWORK_STEPS,
        to_get=facts_to_get(brief),
    )
    assert "## To get from the client" in ticket and "Testimonials" in ticket
    assert "Registration or licence details that health rules require" in ticket


def test_facts_round_trip_through_the_store_and_old_tables_gain_the_column(tmp_path) -> None:
    import sqlalchemy as sa

    from deznity_assets.store.sql import SqlClientStore

    url = f"sqlite:///{tmp_path / 'old.db'}"
    old = SqlClientStore(url)
    with old.engine.begin() as conn:  # the clients table as versions before facts made it
        conn.exec_driver_sql("ALTER TABLE clients DROP COLUMN facts")
    old.dispose()
    store = SqlClientStore(url)  # create_tables adds the missing columns
    try:
        with store.engine.connect() as conn:
            columns = {c["name"] for c in sa.inspect(conn).get_columns("clients")}
        assert "facts" in columns
        row = store.add_client(dict(REFERENCE_CLIENTS[4], facts=FACTS))
        with store.engine.connect() as conn:
            stored = conn.exec_driver_sql("SELECT facts FROM clients WHERE slug = ?", (row.slug,)).scalar_one()
        assert '"consent":true' in stored and "House special" in stored  # compact JSON text
        brief = store.get(row.slug).brief()
        assert brief.facts.founded == 2011 and [t.author for t in brief.facts.published_testimonials] == ["Jordan K."]
        plain = store.add_client(REFERENCE_CLIENTS[0])
        assert store.get(plain.slug).brief().facts.empty
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT facts FROM clients WHERE slug = ?", (plain.slug,)).scalar_one() is None
    finally:
        store.dispose()

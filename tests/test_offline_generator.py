"""The offline generator: every deliverable valid, brief-aware, localised and deterministic."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest

from deznity_assets.agents.offline import OfflineGenerator
from deznity_assets.agents.provider import AgentContext, KnowledgePassage
from deznity_assets.agents.roster import AGENTS, TASKS
from deznity_assets.brief import REFERENCE_CLIENTS, ClientBrief, generic_client, slugify, validate_brief
from deznity_assets.deliverables import MarketingContent, SeoCopy, SiteStructure
from deznity_assets.flow import PHASE_NAMES

YOGA = dict(
    business_name="Sol & Luna Yoga",
    industry="yoga",
    goal="increase class bookings",
    color="#7A4FE0",
    copy_tone="calm, warm",
    target_geo="Madrid",
    pages="home, classes, pricing, contact",
    budget="growth",
)
BRIEFS = {slugify(b["business_name"]): b for b in REFERENCE_CLIENTS}
BRIEFS["bakery-bob"] = generic_client("bakery-bob")
BRIEFS["yoga"] = YOGA
# A client who told us things: consented and unconsented testimonials, priced offers, a story.
FACTS = {
    "testimonials": [
        {"quote": "La mejor noche del mes, y reservar fue facilísimo.", "author": "Ana R.", "consent": True},
        {"quote": "Volvemos cada viernes con la familia.", "author": "Luis M.", "consent": True},
        {"quote": "Esta no se publica sin permiso.", "author": "Sin Permiso", "consent": False},
    ],
    "offers": [
        {"name": "Taco al pastor", "price": "MX$35", "description": "Cerdo marinado y piña asada."},
        {"name": "Agua de jamaica", "price": "MX$30"},
    ],
    "founded": 2019,
    "sourcing": "Tortillas hechas a mano en el local.",
}
BRIEFS["taco-facts"] = dict(BRIEFS["tacoloco"], facts=FACTS, pages="home, menu, book, about")
SPANISH = {"tacoloco", "beautylux", "yoga", "taco-facts"}

HOME_BASE = ["hero", "features", "how_it_works"]
PAGE_KINDS = {
    "menu": ["menu"],
    "book": ["reservation_form"],
    "reservations": ["reservation_form"],
    "reserve": ["reservation_form"],
    "products": ["product_grid"],
    "shop": ["product_grid"],
    "store": ["product_grid"],
    "cart": ["cart"],
    "pricing": ["plans"],
    "plans": ["plans"],
    "dashboard": ["dashboard_preview"],
    "services": ["services"],
    "contact": ["contact_form"],
    "gallery": ["gallery"],
    "portfolio": ["gallery"],
    "blog": ["blog_index"],
    "news": ["blog_index"],
}
ENGLISH_CTAS = (
    "Book now",
    "Book a table",
    "Shop now",
    "Get in touch",
    "Learn more",
    "Sign up",
    "Start free",
    "Buy now",
    "Contact us",
    "Read more",
)


def _run_all(brief: ClientBrief, knowledge: list[KnowledgePassage] | None = None) -> dict:
    generator = OfflineGenerator()
    ctx = AgentContext(brief=brief, slug=slugify(brief.business_name), knowledge=knowledge or [])
    outputs = {}
    for key, task in TASKS.items():
        result = generator.run(task, ctx)
        assert isinstance(result.output, task.output_model)
        assert result.usage.provider == "offline" and result.usage.model == "deznity-offline-generator-v1"
        ctx.upstream[key] = result.output
        outputs[key] = result.output
    return outputs


@pytest.fixture(scope="module", params=sorted(BRIEFS))
def client(request) -> tuple[str, ClientBrief, dict]:
    brief = validate_brief(BRIEFS[request.param])
    return request.param, brief, _run_all(brief)


def _visitor_texts(out: dict) -> list[str]:
    """Every string a site visitor reads: SEO copy, heroes and all page sections."""
    seo: SeoCopy = out["seo_copy"]
    content: MarketingContent = out["marketing_content"]
    texts = [
        seo.hero_a.headline,
        seo.hero_a.subheadline,
        seo.hero_a.cta_label,
        seo.hero_b.headline,
        seo.hero_b.subheadline,
        seo.hero_b.cta_label,
    ]
    texts += [t for p in seo.pages for t in (p.title, p.meta_description, p.h1)]
    texts += [p.nav_label for p in out["site_structure"].pages]
    for page in content.pages:
        for section in page.sections:
            texts += [section.heading, section.intro]
            texts += [t for item in section.items for t in (item.title, item.text)]
    return [t for t in texts if t]


def _expected_sections(brief: ClientBrief, page: str) -> list[str]:
    facts = brief.facts
    if page == "home":
        # Testimonials only when the client gave consented ones; facts only when it told us any.
        sections = ["hero"] + (["social_proof"] if facts.published_testimonials else []) + HOME_BASE[1:]
        if facts.story and "about" not in brief.pages:
            sections.append("text")
        priced = bool(facts.priced_offers)
        if priced and (
            brief.industry == "saas"
            or ("lead" in brief.goal and brief.industry not in ("restaurant", "ecommerce", "beauty"))
        ):
            sections.append("pricing")
        if brief.industry == "restaurant" and "reserv" in brief.goal:
            sections.append("reservation_form")
        return sections + ["faq", "cta"]
    if page == "about":
        return ["text", "cta"]
    kinds = PAGE_KINDS.get(page, ["text", "cta"])
    if kinds[0] in ("menu", "product_grid", "services", "plans") and not facts.offers:
        return ["text", "cta"]  # nothing to list: the page says the list is coming
    return kinds


def test_every_task_round_trips(client):
    _slug, _brief, out = client
    for key, output in out.items():
        again = TASKS[key].output_model.model_validate_json(output.model_dump_json())
        assert again == output


def test_model_for_every_agent():
    generator = OfflineGenerator()
    assert generator.name == "offline"
    assert set(generator.describe().values()) == {"deznity-offline-generator-v1"}
    assert set(generator.describe()) == set(AGENTS)


def test_structure_follows_brief_pages_and_section_rules(client):
    _slug, brief, out = client
    structure: SiteStructure = out["site_structure"]
    assert [p.page for p in structure.pages] == brief.pages
    assert structure.navigation == brief.pages and brief.pages[0] == "home"
    for plan in structure.pages:
        assert plan.sections == _expected_sections(brief, plan.page), plan.page
        assert plan.nav_label and plan.purpose


def test_content_sections_mirror_the_structure(client):
    _slug, _brief, out = client
    structure: SiteStructure = out["site_structure"]
    content: MarketingContent = out["marketing_content"]
    assert [p.page for p in content.pages] == [p.page for p in structure.pages]
    for plan, page in zip(structure.pages, content.pages):
        assert [s.kind for s in page.sections] == [k for k in plan.sections if k != "hero"]


COUNTS = {
    "social_proof": (1, 3),
    "features": (4, 4),
    "how_it_works": (3, 3),
    "pricing": (1, 30),
    "plans": (1, 30),
    "faq": (4, 4),
    "cta": (0, 0),
    "menu": (1, 30),
    "reservation_form": (0, 0),
    "contact_form": (0, 0),
    "cart": (0, 2),
    "product_grid": (1, 30),
    "dashboard_preview": (4, 4),
    "services": (1, 30),
    "gallery": (6, 6),
    "blog_index": (3, 3),
    "text": (0, 4),
}


def test_section_items_have_the_agreed_meaning(client):
    _slug, brief, out = client
    offers = {o.name: o for o in brief.facts.offers}
    quotes = {t.quote: t.author for t in brief.facts.published_testimonials}
    for page in out["marketing_content"].pages:
        for s in page.sections:
            low, high = COUNTS[s.kind]
            assert low <= len(s.items) <= high, (page.page, s.kind, len(s.items))
            assert s.heading.strip()
            if s.kind in ("cta", "reservation_form", "contact_form") or (s.kind == "text" and page.page != "home"):
                assert s.intro.strip()
            if s.kind == "how_it_works":
                assert [i.meta for i in s.items] == [str(n) for n in range(1, len(s.items) + 1)]
            if s.kind in ("pricing", "plans", "menu", "product_grid", "services", "cart"):
                # What a business sells and its prices come from the brief, word for word.
                assert all(i.source == "brief" and i.meta == offers[i.title].price for i in s.items), s.items
            if s.kind == "social_proof":
                assert all(i.source == "brief" and quotes[i.text] == i.title and not i.meta for i in s.items)
            if s.kind not in ("pricing", "plans", "menu", "product_grid", "services", "cart", "social_proof", "text"):
                assert all(i.source == "none" for i in s.items), (s.kind, s.items)
            if s.kind == "dashboard_preview":
                assert not any(i.meta for i in s.items)  # no sample figures
            if s.kind == "blog_index":
                for post in s.items:
                    date.fromisoformat(post.meta)
                    assert len(post.text.split("\n\n")) == 3 and all(p.strip() for p in post.text.split("\n\n"))
            if s.kind == "text":
                assert 1 <= len(s.intro.split("\n\n")) <= 3


def test_home_word_count_and_no_repeated_sentences_across_pages(client):
    _slug, _brief, out = client
    seo: SeoCopy = out["seo_copy"]
    pages = out["marketing_content"].pages
    home_text = [seo.hero_a.headline, seo.hero_a.subheadline]
    for s in pages[0].sections:
        home_text += [s.heading, s.intro] + [t for i in s.items for t in (i.title, i.text)]
    words = len(" ".join(home_text).split())
    assert 250 <= words <= 600, words
    seen: dict[str, str] = {}
    for page in pages:
        for s in page.sections:
            for sentence in re.split(r"(?<=[.!?])\s+", " ".join([s.intro] + [i.text for i in s.items])):
                if len(sentence) < 25:
                    continue
                assert seen.setdefault(sentence, page.page) == page.page, (
                    f"{sentence!r} on {seen[sentence]} and {page.page}"
                )
    assert "lorem" not in " ".join(_visitor_texts(out)).lower()


def test_seo_limits_and_uniqueness(client):
    _slug, brief, out = client
    seo: SeoCopy = out["seo_copy"]
    assert [p.page for p in seo.pages] == brief.pages
    for p in seo.pages:
        assert 15 <= len(p.title) <= 60, p.title
        assert 70 <= len(p.meta_description) <= 155, p.meta_description
        assert 3 <= len(p.keywords) <= 6
    assert len({p.title for p in seo.pages}) == len(seo.pages)
    assert len({p.h1 for p in seo.pages}) == len(seo.pages)
    assert seo.pages[0].h1 == seo.hero_a.headline
    assert seo.hero_a.headline != seo.hero_b.headline
    assert seo.hero_a.subheadline != seo.hero_b.subheadline
    assert seo.hero_a.cta_label
    expected = {
        "restaurant": "Restaurant",
        "ecommerce": "Store",
        "saas": "SoftwareApplication",
        "beauty": "LocalBusiness",
    }.get(brief.industry, "Organization")
    assert seo.schema_type == expected


def test_language_follows_the_market(client):
    slug, brief, out = client
    text = " ".join(_visitor_texts(out))
    words = set(re.findall(r"[a-záéíóúñü]+", text.lower()))
    if slug in SPANISH:
        assert brief.language == "es"
        assert {"de", "tu", "para", "con", "en"} <= words
        assert re.search(r"[áéíóúñ¿]", text)
        for cta in ENGLISH_CTAS:
            assert cta.lower() not in text.lower(), cta
        assert not {"the", "your", "with", "and"} & words
        # The brief's tone adjectives are in English: they steer the copy but never appear in it.
        assert not {w.lower() for tone in brief.copy_tone for w in re.findall(r"[A-Za-z]+", tone)} - {"de"} & words
    else:
        assert brief.language == "en"
        assert {"the", "and", "your"} <= words
        assert not {"tu", "para", "nuestro", "reserva"} & words


def test_marketing_extras(client):
    _slug, brief, out = client
    content: MarketingContent = out["marketing_content"]
    networks = [p.network for p in content.social_posts]
    expected = ["instagram", "facebook", "linkedin", "x"]
    if brief.industry in ("restaurant", "beauty"):
        expected.append("tiktok")
    assert networks == expected
    for post in content.social_posts:
        assert post.text and all(not tag.startswith("#") for tag in post.hashtags)
        assert len({t.lower() for t in post.hashtags}) == len(post.hashtags)
    assert [a.channel for a in content.ads] == ["search", "social", "display"]
    assert len(content.launch_email.subject) <= 60 and content.launch_email.preheader and content.launch_email.body
    assert brief.business_name in content.launch_email.body


def test_plan_analysis_design_and_support(client):
    _slug, brief, out = client
    plan = out["project_plan"]
    assert [m.phase for m in plan.milestones] == PHASE_NAMES
    assert plan.objectives and plan.risks and plan.kpis
    assert plan.knowledge_cited == []
    market = out["market_analysis"]
    assert 2 <= len(market.audience) <= 3 and len(market.competitors) == 3
    assert 5 <= len(market.keywords) <= 8
    assert brief.business_name in market.positioning
    # The tone steers the wording (the register's mood) and is never pasted in: the brief's
    # adjectives may be in another language than the deliverables.
    written = " ".join([plan.summary, market.positioning, out["design_direction"].mood]).lower()
    assert not any(re.search(rf"\b{re.escape(tone.lower())}\b", written) for tone in brief.copy_tone)
    assert brief.goal.lower() not in written
    support = out["support_kit"]
    assert len(support.faq) == 4 and support.channels
    assert all(e.trigger and e.properties for e in support.analytics_events)


@pytest.mark.parametrize(
    "slug, event",
    [
        ("tacoloco", "reservation_submitted"),
        ("greenglow", "checkout_started"),
        ("techstart", "lead_form_submitted"),
        ("fittrack", "signup_started"),
        ("beautylux", "newsletter_signup"),
        ("yoga", "reservation_submitted"),
    ],
)
def test_goal_drives_events_and_kpis(slug, event):
    out = _run_all(validate_brief(BRIEFS[slug]))
    assert event in [e.name for e in out["support_kit"].analytics_events]
    assert out["seo_copy"].hero_a.cta_label == out["seo_copy"].hero_b.cta_label


@pytest.mark.parametrize(
    "slug, kinds",
    [
        ("tacoloco", {"menu", "reservation_form"}),
        ("greenglow", {"product_grid", "cart"}),
        ("fittrack", {"plans", "dashboard_preview"}),
        ("techstart", {"services", "contact_form"}),
        ("beautylux", {"product_grid", "gallery"}),
    ],
)
def test_industry_modules(slug, kinds):
    # The catalogue kinds (menu, products, plans, services) need the client's offers.
    raw = dict(BRIEFS[slug], facts={"offers": [{"name": "Uno", "price": "$10"}, {"name": "Dos", "price": "$20"}]})
    out = _run_all(validate_brief(raw))
    present = {s.kind for p in out["marketing_content"].pages for s in p.sections}
    assert kinds <= present
    if slug == "tacoloco":
        menu = next(s for p in out["marketing_content"].pages for s in p.sections if s.kind == "menu")
        assert [(i.title, i.meta) for i in menu.items] == [("Uno", "$10"), ("Dos", "$20")]
        assert any("cdmx" in k for k in out["market_analysis"].keywords)
        assert out["seo_copy"].hero_a.cta_label == "Reserva tu mesa"


@pytest.mark.parametrize("slug, font", [("beautylux", "serif"), ("tacoloco", "rounded"), ("techstart", "geometric")])
def test_tone_sets_the_design_direction(slug, font):
    out = _run_all(validate_brief(BRIEFS[slug]))
    assert out["design_direction"].font_style == font


def test_tone_changes_the_wording():
    base = dict(BRIEFS["greenglow"])
    elegant = _run_all(validate_brief(base | {"copy_tone": "elegant, luxurious"}))
    playful = _run_all(validate_brief(base | {"copy_tone": "fun, young"}))
    assert elegant["seo_copy"].hero_a != playful["seo_copy"].hero_a
    assert elegant["design_direction"].mood != playful["design_direction"].mood


def test_budget_changes_the_schedule():
    totals = {}
    for budget in ("starter", "growth", "enterprise"):
        plan = _run_all(validate_brief(BRIEFS["techstart"] | {"budget": budget}))["project_plan"]
        totals[budget] = sum(m.days for m in plan.milestones)
    assert totals["starter"] < totals["growth"] < totals["enterprise"]


def test_unknown_industry_gets_copy_about_the_business_and_its_trade():
    out = _run_all(validate_brief(BRIEFS["yoga"]))
    text = " ".join(_visitor_texts(out))
    assert "Sol & Luna Yoga" in text and "yoga" in text.lower()
    assert "&amp;" not in text and "taco" not in text.lower()
    assert out["seo_copy"].schema_type == "Organization"
    classes = out["marketing_content"].pages[1]
    assert [s.kind for s in classes.sections] == ["text", "cta"]


def test_deterministic_and_thread_safe():
    briefs = [validate_brief(BRIEFS[slug]) for slug in sorted(BRIEFS)]
    serial = [{k: v.model_dump_json() for k, v in _run_all(b).items()} for b in briefs]
    again = [{k: v.model_dump_json() for k, v in _run_all(b).items()} for b in briefs]
    assert serial == again
    with ThreadPoolExecutor(max_workers=4) as pool:
        parallel = list(pool.map(lambda b: {k: v.model_dump_json() for k, v in _run_all(b).items()}, briefs))
    assert parallel == serial


def test_tasks_work_from_the_brief_alone():
    brief = validate_brief(BRIEFS["tacoloco"])
    chained = _run_all(brief)
    generator = OfflineGenerator()
    for key in ("seo_copy", "marketing_content", "support_kit"):
        alone = generator.run(TASKS[key], AgentContext(brief=brief, slug="tacoloco")).output
        assert alone == chained[key]


def test_upstream_structure_is_used_when_present():
    brief = validate_brief(BRIEFS["techstart"])
    generator = OfflineGenerator()
    structure = generator.run(TASKS["site_structure"], AgentContext(brief=brief, slug="techstart")).output
    trimmed = structure.model_copy(update={"pages": structure.pages[:2], "navigation": structure.navigation[:2]})
    ctx = AgentContext(brief=brief, slug="techstart", upstream={"site_structure": trimmed})
    seo = generator.run(TASKS["seo_copy"], ctx).output
    assert [p.page for p in seo.pages] == ["home", "services"]


def test_knowledge_titles_are_cited():
    passages = [
        KnowledgePassage(title="SOP: project kickoff", text="Start with the brief."),
        KnowledgePassage(title="Template: landing page", text="Hero, social proof, features."),
    ]
    plan = _run_all(validate_brief(BRIEFS["fittrack"]), passages)["project_plan"]
    assert plan.knowledge_cited == ["SOP: project kickoff", "Template: landing page"]


def test_client_text_stays_verbatim_data():
    brief = validate_brief(
        dict(
            business_name="Tom & Jerry's {Café}",
            industry="restaurant",
            goal="increase reservations",
            color="#AA3300",
            copy_tone="warm, cozy",
            target_geo="Ciudad de México",
            pages="home, menu, reservations, our story",
            budget="enterprise",
        )
    )
    out = _run_all(brief)
    text = " ".join(_visitor_texts(out))
    assert "Tom & Jerry's {Café}" in text and "&amp;" not in text and "&#" not in text
    assert brief.language == "es" and out["design_direction"].font_style == "humanist"
    assert [p.sections for p in out["site_structure"].pages][2:] == [["reservation_form"], ["text", "cta"]]

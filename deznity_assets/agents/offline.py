"""The offline generator: deterministic agent deliverables from the brief and the house copy tables.

No key, no network, no randomness: the same brief always gives the same package. Every
output names itself as the offline generator (provider "offline"), never as a model.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from typing import Any

from ..brief import ClientBrief
from ..deliverables import (
    AdVariant,
    AudienceSegment,
    Competitor,
    ContentItem,
    DesignDirection,
    HeroCopy,
    LaunchEmail,
    MarketAnalysis,
    MarketingContent,
    Milestone,
    PageContent,
    PagePlan,
    PageSection,
    PageSeo,
    ProjectPlan,
    SectionKind,
    SeoCopy,
    SiteStructure,
    SocialPost,
    SupportKit,
    TrackingEvent,
)
from ..facts import Offer
from ..flow import PHASE_NAMES
from ..language import reads_as
from ..site.i18n import in_market, market_label
from .offline_copy import BLOG_POSTS, GOALS, NAV_LABELS, NON_LOCAL_MARKETS, REGISTERS, SCHEMA_TYPES, WORDS
from .offline_profiles import INDUSTRY_ALIASES, INDUSTRY_WORDS, PROFILES
from .offline_review import honour_feedback
from .provider import AgentContext, AgentProvider, AgentResult, Usage
from .roster import AgentTask

MODEL = "deznity-offline-generator-v1"
# Days per phase by plan: a bigger plan buys more depth, not a slower start.
PHASE_DAYS = {"starter": [1, 2, 2, 1, 1], "growth": [2, 3, 3, 2, 1], "enterprise": [3, 5, 5, 3, 2]}
PAGE_SECTIONS: list[tuple[tuple[str, ...], list[SectionKind]]] = [
    (("menu",), ["menu"]),
    (("book", "reservations", "reserve", "booking", "appointments"), ["reservation_form"]),
    (("products", "shop", "store"), ["product_grid"]),
    (("cart",), ["cart"]),
    (("pricing", "plans"), ["plans"]),
    (("dashboard",), ["dashboard_preview"]),
    (("services",), ["services"]),
    (("contact",), ["contact_form"]),
    (("gallery", "portfolio"), ["gallery"]),
    (("blog", "news"), ["blog_index"]),
]
# Kinds that list what the business sells: they come from the brief's offers, or not at all.
CATALOGUE_KINDS = frozenset({"menu", "product_grid", "services", "plans", "pricing"})
# Sectors whose offers read as tiers (plans, packages) rather than a catalogue (dishes, products).
TIERED = frozenset({"saas", "tech", "general", "legal", "finance", "health"})
QUOTES_ON_HOME = 3


class Copy:
    """Everything the generator says about one client, resolved once from the brief."""

    def __init__(self, brief: ClientBrief):
        self.brief = brief
        self.lang = brief.language or "en"
        self.name = brief.business_name
        self.facts = brief.facts
        # The market as this language names it: no English "Latin America" on a Spanish page.
        self.geo = market_label(brief.target_geo, self.lang)
        self.in_geo = in_market(brief.target_geo, self.lang)
        self.profile_key = _profile_key(brief)
        self.profile = PROFILES[self.profile_key][self.lang]
        self.goal_kind = _goal_kind(brief.goal)
        self.goal = GOALS[self.goal_kind]
        self.register = _register(brief.copy_tone)
        self.words = WORDS[self.lang]
        quotes = self.facts.published_testimonials
        self.home_quotes = quotes[:QUOTES_ON_HOME]
        self.more_quotes = quotes[QUOTES_ON_HOME : QUOTES_ON_HOME * 2]

    def fill(self, text: str, **extra: Any) -> str:
        """Put the client's values into a copy template (never the brief's free text: tone, goal)."""
        values = {
            "name": self.name,
            "geo": self.geo,
            "in_geo": self.in_geo,
            "industry": self.industry_word,
            "style": REGISTERS[self.register]["mood"][self.lang],
            "offer": self.offer,
            "offer_cap": self.offer[:1].upper() + self.offer[1:],
            "cta": self.cta,
            "cta_lower": self.cta[:1].lower() + self.cta[1:],
            "goal_short": self.goal_short,
            "provider": self.provider,
            "catalogue": self.profile["catalogue"],
        }
        values.update(extra)
        return text.format(**values)

    @property
    def industry_word(self) -> str:
        """The sector as the site's language says it; the brief's word only when it is in that language."""
        if self.profile_key != "general":
            return str(INDUSTRY_WORDS[self.lang][self.profile_key])
        typed = self.brief.industry
        # Brief text steers the copy but is never pasted into a page in another language: an
        # English "bakery" stays out of a Spanish page, which says "servicios" instead.
        if typed != "general" and reads_as(typed, self.lang):
            return typed
        return str(INDUSTRY_WORDS[self.lang]["general"])

    @property
    def sector_named(self) -> bool:
        """True when the copy can name the client's own sector (not just "services")."""
        return self.industry_word != INDUSTRY_WORDS[self.lang]["general"]

    @property
    def local(self) -> bool:
        """True when the market is a place (a city, a country), not a region or the world."""
        return not any(w in self.brief.target_geo.lower() for w in NON_LOCAL_MARKETS)

    def keyword(self, template: str) -> str:
        """A search keyword from a template; the geo only when the market is local."""
        text = self.fill(template) if self.local else self.fill(template, geo="")
        return " ".join(text.split()).lower()

    @property
    def offer(self) -> str:
        if self.profile_key == "general" and not self.sector_named:
            return (
                "servicios a la medida de lo que necesitas" if self.lang == "es" else "services built around your needs"
            )
        return str(self.profile["offer"]).format(industry=self.industry_word)

    @property
    def provider(self) -> str:
        if self.profile_key == "general" and not self.sector_named:
            return "un negocio como este" if self.lang == "es" else "a business like this one"
        return str(self.profile["provider"]).format(industry=self.industry_word)

    @property
    def cta(self) -> str:
        """The sector's own call to action for the goal, else the goal's."""
        return str(self.profile["cta"].get(self.goal_kind) or self.goal["cta"][self.lang])

    @property
    def goal_short(self) -> str:
        """What the site helps a visitor do, in the site's language."""
        return str(self.profile["phrase"].get(self.goal_kind) or self.goal["phrase"][self.lang])

    def faq(self) -> list[tuple[str, str]]:
        """The sector's questions (advice a visitor can use) and how to start on this site."""
        question, _ = self.words["faq_goal"].split("|")
        return [*self.profile["faq"], (question, self.words[self._how_key()])]

    def _how_key(self) -> str:
        kinds = {kind for page in self.brief.pages for kind in _sections_for(page, self)}
        if "reservation_form" in kinds:
            return "how_form_reservation"
        if "contact_form" in kinds:
            return "how_form_contact"
        if "product_grid" in kinds or "cart" in kinds:
            return "how_shop"
        if "plans" in kinds:
            return "how_plans"
        return "how_default"

    def nav_label(self, page: str) -> str:
        return NAV_LABELS[self.lang].get(page, page.replace("-", " ").title())

    def goal_page(self) -> str:
        for candidate in self.goal["page"]:
            if candidate in self.brief.pages:
                return candidate
        return "home"


def _profile_key(brief: ClientBrief) -> str:
    """The industry profile a brief reads as: its regulated sector, its industry, an alias, or general."""
    for finding in brief.review_findings:
        if finding.field == "industry":
            return finding.sector
    industry = " ".join(brief.industry.split())
    if industry in PROFILES:
        return industry
    return INDUSTRY_ALIASES.get(industry, "general")


def _goal_kind(goal: str) -> str:
    lowered = goal.lower()
    for kind, spec in GOALS.items():
        if any(word in lowered for word in spec["words"]):
            return kind
    return "growth"


def _register(tone: list[str]) -> str:
    # The first adjective that names a register wins: clients list their main tone first.
    for adjective in tone:
        lowered = adjective.lower()
        for name, spec in REGISTERS.items():
            if any(word in lowered for word in spec["words"]):
                return name
    return "warm"


def _clamp(text: str, limit: int) -> str:
    """Shorten at a word boundary to at most `limit` characters."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:-—")
    return cut + "…"


def _meta(first: str, filler: str) -> str:
    """A meta description between 70 and 155 characters."""
    text = first if len(first) >= 70 else f"{first} {filler}"
    return _clamp(text, 155)


def _page_kind(page: str) -> list[SectionKind] | None:
    for names, page_sections in PAGE_SECTIONS:
        if page in names:
            return list(page_sections)
    return None


def _sections_for(page: str, copy: Copy) -> list[SectionKind]:
    facts = copy.facts
    if page == "home":
        sections: list[SectionKind] = ["hero"]
        if copy.home_quotes:  # only the client's own, consented testimonials
            sections.append("social_proof")
        sections += ["features", "how_it_works"]
        if facts.story and "about" not in copy.brief.pages:
            sections.append("text")  # what the client told us (an about page, when there is one, says it)
        # Tiered prices fit software and services; a shop or a kitchen shows prices in its catalogue.
        tiered = copy.profile_key in TIERED
        if facts.priced_offers and (copy.profile_key == "saas" or (copy.goal_kind in ("sales", "leads") and tiered)):
            sections.append("pricing")
        if copy.goal_kind == "reservations" and copy.profile_key == "restaurant":
            sections.append("reservation_form")
        return sections + ["faq", "cta"]
    if page == "about":
        return ["text", "social_proof"] if copy.more_quotes else ["text", "cta"]
    kinds = _page_kind(page)
    if kinds is None:
        return ["text", "cta"]
    if set(kinds) & CATALOGUE_KINDS and not facts.offers:
        # Nothing to list: a page that says the list is coming, and the summary asks for it.
        return ["text", "cta"]
    return kinds


class OfflineGenerator(AgentProvider):
    """Deterministic deliverables for every agent task, in the client's language, with no network."""

    name = "offline"

    def model_for(self, agent_id: str) -> str:
        """Every agent is served by the same generator."""
        return MODEL

    def run(self, task: AgentTask, ctx: AgentContext) -> AgentResult:
        """Build the task's deliverable from the brief (and earlier deliverables when present)."""
        started = time.perf_counter()
        builder: Callable[[Copy, AgentContext], Any] = _BUILDERS[task.key]
        output = builder(Copy(ctx.brief), ctx)
        output = task.output_model.model_validate(output.model_dump())
        if ctx.review_feedback:
            output = honour_feedback(
                output,
                reasons=ctx.review_feedback,
                sectors=[f.sector for f in ctx.brief.review_findings],
                language=ctx.brief.language or "en",
                fallback=ctx.brief.business_name,
            )
        usage = Usage(provider=self.name, model=MODEL, duration_ms=int((time.perf_counter() - started) * 1000))
        return AgentResult(output=output, usage=usage)


# ----- client_analysis ---------------------------------------------------------------


def _project_plan(c: Copy, ctx: AgentContext) -> ProjectPlan:
    es = c.lang == "es"
    days = PHASE_DAYS[c.brief.budget]
    deliverables = {
        "client_analysis": ["plan", "market analysis"] if not es else ["plan", "análisis de mercado"],
        "web_development": ["site structure", "design tokens"]
        if not es
        else ["estructura del sitio", "tokens de diseño"],
        "content_creation": ["copy and SEO", "marketing kit"] if not es else ["textos y SEO", "kit de marketing"],
        "testing_validation": ["QA report"] if not es else ["informe de QA"],
        "deployment": ["deploy bundle", "analytics", "summary"]
        if not es
        else ["paquete de despliegue", "analítica", "resumen"],
    }
    milestones = [
        Milestone(name=phase.replace("_", " ").capitalize(), phase=phase, days=d, deliverables=deliverables[phase])
        for phase, d in zip(PHASE_NAMES, days)
    ]
    pages = ", ".join(c.brief.pages)
    # The tone and the goal are named in the plan's language (the register's mood, the goal's
    # phrase): the brief's own words may be in another language, and are never pasted.
    mood = REGISTERS[c.register]["mood"][c.lang]
    summary = (
        f"{c.name} tendrá un sitio de {len(c.brief.pages)} páginas ({pages}) para {c.goal_short}, "
        f"con un tono {mood}, en {sum(days)} días con el plan {c.brief.budget}."
        if es
        else f"{c.name} gets a {len(c.brief.pages)}-page site ({pages}) built to help visitors {c.goal_short}, "
        f"written in a {mood} tone, delivered in {sum(days)} days on the {c.brief.budget} plan."
    )
    objectives = (
        [
            f"Lanzar el sitio completo en {sum(days)} días",
            f"Que cada página lleve a: {c.cta}",
            "Puntuación de QA de 90 o más en la primera entrega",
        ]
        if es
        else [
            f"Launch the full site in {sum(days)} days",
            f"Every page leads to one action: {c.cta}",
            "A QA score of 90 or more on the first delivery",
        ]
    )
    risks = (
        [
            "Textos poco específicos: se mitigan con el análisis de mercado y la voz de la marca.",
            "Contraste del color de marca: la paleta se ajusta automáticamente a WCAG AA.",
        ]
        if es
        else [
            "Generic copy: mitigated by the market analysis and the brand voice.",
            "Brand colour contrast: the palette is adjusted to WCAG AA automatically.",
        ]
    )
    if c.facts.empty:
        risks.append(
            "Sin datos del cliente (testimonios, precios, hechos): el sitio no afirma ninguno; pedirlos al cliente."
            if es
            else "No client facts (testimonials, prices, facts): the site states none; ask the client for them."
        )
    if c.brief.needs_human_review:
        risks.append(
            "Sector regulado: el contenido requiere revisión humana antes de publicarse."
            if es
            else "Regulated sector: content needs a human review before publication."
        )
    kpis = [c.goal["kpi"][c.lang], "Lighthouse ≥ 95" if not es else "Lighthouse ≥ 95 en las cuatro categorías"]
    return ProjectPlan(
        summary=summary,
        objectives=objectives,
        milestones=milestones,
        risks=risks,
        kpis=kpis,
        knowledge_cited=[p.title for p in ctx.knowledge],
    )


def _market_analysis(c: Copy, ctx: AgentContext) -> MarketAnalysis:
    p = c.profile
    es = c.lang == "es"
    keywords = list(dict.fromkeys([c.keyword(k) for k in p["keywords"]] + [c.name.lower()]))
    return MarketAnalysis(
        market_summary=(
            f"{c.in_geo[:1].upper() + c.in_geo[1:]}, quienes buscan {c.industry_word} investigan en línea antes "
            f"de decidir; gana quien ofrece {c.offer} y hace fácil {c.goal_short}."
            if es
            else f"{c.in_geo[:1].upper() + c.in_geo[1:]}, people looking for {c.industry_word} research online "
            f"before they decide; the winner offers {c.offer} and makes it easy to {c.goal_short}."
        ),
        audience=[AudienceSegment(name=n, needs=needs, channels=ch) for n, needs, ch in p["audience"]],
        competitors=[Competitor(name=n, strengths=s, weaknesses=w) for n, s, w in p["competitors"]],
        positioning=(
            f"{c.name}: {c.offer}, con un estilo {REGISTERS[c.register]['mood'][c.lang]}."
            if es
            else f"{c.name}: {c.offer}, in a {REGISTERS[c.register]['mood'][c.lang]} style."
        ),
        opportunities=(
            [
                f"Posicionarse en búsquedas de {c.geo}",
                f"Convertir visitas con un solo llamado: {c.cta}",
                "Publicar testimonios reales de clientes, con su permiso",
            ]
            if es
            else [
                f"Rank for searches in {c.geo}",
                f"Convert visits with one clear call: {c.cta}",
                "Publish real customer testimonials, with their consent",
            ]
        ),
        keywords=keywords,
    )


# ----- web_development ---------------------------------------------------------------


def _site_structure(c: Copy, ctx: AgentContext) -> SiteStructure:
    es = c.lang == "es"
    pages = []
    blog_seen = False
    for page in c.brief.pages:
        sections = _sections_for(page, c)
        if "blog_index" in sections:
            # One blog per site: a second ("blog" and "news") would publish every post twice.
            sections = ["text", "cta"] if blog_seen else sections
            blog_seen = True
        purpose = (
            (f"Llevar a la acción: {c.cta}" if page == "home" else f"Página {c.nav_label(page)}")
            if es
            else (f"Lead visitors to one action: {c.cta}" if page == "home" else f"The {c.nav_label(page)} page")
        )
        pages.append(PagePlan(page=page, nav_label=c.nav_label(page), purpose=purpose, sections=sections))
    return SiteStructure(
        pages=pages,
        navigation=list(c.brief.pages),
        notes=(
            "Navegación simple; el llamado a la acción principal va a "
            if es
            else "Simple navigation; the main call to action goes to "
        )
        + c.goal_page(),
    )


def _design_direction(c: Copy, ctx: AgentContext) -> DesignDirection:
    reg = REGISTERS[c.register]
    es = c.lang == "es"
    return DesignDirection(
        mood=reg["mood"][c.lang],
        font_style=reg["font"],
        corner_style=reg["corners"],
        layout_notes=(
            [
                "Héroe amplio con un solo botón de acción",
                "Tarjetas con aire y jerarquía clara",
                f"El color de marca {c.brief.color} para acentos y botones",
            ]
            if es
            else [
                "A wide hero with one action button",
                "Airy cards with a clear hierarchy",
                f"Brand colour {c.brief.color} for accents and buttons",
            ]
        ),
    )


# ----- content_creation --------------------------------------------------------------


def _structure(c: Copy, ctx: AgentContext) -> SiteStructure:
    upstream = ctx.upstream.get("site_structure")
    return upstream if isinstance(upstream, SiteStructure) else _site_structure(c, ctx)


def _heroes(c: Copy) -> tuple[HeroCopy, HeroCopy]:
    a_tpl, b_tpl = REGISTERS[c.register]["hero"][c.lang]
    sub_a = _clamp(c.fill(c.profile["features"][0][1]) + " " + c.fill(c.words["hero_sub_a"]), 160)
    sub_b = _clamp(c.fill(c.profile["features"][1][1]) + " " + c.fill(c.words["hero_sub_b"]), 160)
    hero_a = HeroCopy(headline=_clamp(c.fill(a_tpl), 70), subheadline=sub_a, cta_label=c.cta)
    hero_b = HeroCopy(headline=_clamp(c.fill(b_tpl), 70), subheadline=sub_b, cta_label=c.cta)
    return hero_a, hero_b


def _seo_copy(c: Copy, ctx: AgentContext) -> SeoCopy:
    structure = _structure(c, ctx)
    hero_a, hero_b = _heroes(c)
    keywords = list(dict.fromkeys(c.keyword(k) for k in c.profile["keywords"]))[:5]
    pages = []
    headings: set[str] = set()
    for plan in structure.pages:
        label = plan.nav_label
        if plan.page == "home":
            title = _clamp(f"{c.name} | {c.offer}", 60)
            h1 = hero_a.headline
            first = f"{c.name}: {c.offer}. {c.cta}."
        else:
            heading = _first_heading(plan.sections, c, plan.page) or label
            title = _clamp(f"{label} | {c.name}", 60)
            h1 = heading
            # Two pages of one kind ("products" and "shop") share a heading: the label tells them apart.
            lead = heading if heading not in headings else f"{label}: {heading}"
            headings.add(heading)
            first = f"{lead} — {c.name}, {c.geo}. {c.cta}."
        if len(title) < 15:
            title = f"{title} · {c.geo}"[:60]
        description = _meta(first, c.fill(c.words["about_p1"]))
        pages.append(
            PageSeo(
                page=plan.page,
                title=title,
                meta_description=description,
                h1=h1,
                keywords=keywords[:3] + [label.lower()],
            )
        )
    _make_unique([p.title for p in pages], pages, "title", 60)
    _make_unique([p.h1 for p in pages], pages, "h1", 90)
    return SeoCopy(
        primary_keywords=keywords,
        pages=pages,
        hero_a=hero_a,
        hero_b=hero_b,
        schema_type=SCHEMA_TYPES.get(c.profile_key, "Organization"),
    )


def offline_page_seo(brief: ClientBrief, pages: list[str]) -> dict[str, PageSeo]:
    """The offline copy's title, meta description and h1 of each page, in the brief's language."""
    c = Copy(brief)
    plans = [PagePlan(page=p, nav_label=c.nav_label(p), purpose="", sections=_sections_for(p, c)) for p in pages]
    ctx = AgentContext(brief=brief, slug="", upstream={"site_structure": SiteStructure(pages=plans, navigation=pages)})
    return {p.page: p for p in _seo_copy(c, ctx).pages}


def offline_nav_label(brief: ClientBrief, page: str) -> str:
    """The offline copy's navigation label of a page, in the brief's language."""
    return Copy(brief).nav_label(page)


def _make_unique(values: list[str], pages: list[PageSeo], field: str, limit: int) -> None:
    seen: set[str] = set()
    for page, value in zip(pages, values):
        if value in seen:
            value = _clamp(f"{value} ({page.page})", limit)
            setattr(page, field, value)
        seen.add(value)


def _first_heading(sections: Sequence[str], c: Copy, page: str = "") -> str | None:
    for kind in sections:
        if kind == "reservation_form" and c.profile_key != "restaurant":
            return c.words["booking_form"]
        if kind == "text":
            return _text_heading(c, page)
        if kind != "hero":
            return c.fill(c.words.get(kind, "{name}"))
    return None


def _text_heading(c: Copy, page: str) -> str:
    """The heading of a page's text section: about, a catalogue still to come, or the page's own."""
    if page == "home":
        return c.fill(c.words["facts"])
    if page == "about":
        return c.fill(c.words["text"])
    kinds = _page_kind(page) or []
    if kinds and kinds[0] in CATALOGUE_KINDS:
        return c.fill(c.words[kinds[0]])
    return c.fill(c.words["page_generic"], page_label=c.nav_label(page))


def _items(pairs: list[tuple[Any, ...]], c: Copy, *, meta: Callable[[int], str] | None = None) -> list[ContentItem]:
    """House copy as items: it states no fact, so its source is none."""
    return [
        ContentItem(title=c.fill(pair[0]), text=c.fill(pair[1]), meta=meta(i) if meta else "")
        for i, pair in enumerate(pairs)
    ]


def _offer_items(offers: list[Offer], *, details: bool = True) -> list[ContentItem]:
    """The client's offers as items, verbatim: names, descriptions and prices come from the brief."""
    return [
        ContentItem(title=o.name, text=o.description if details else "", meta=o.price, source="brief") for o in offers
    ]


def _fact_items(c: Copy) -> list[ContentItem]:
    """What the client told us about the business, each as a titled paragraph (source: brief)."""
    facts, w = c.facts, c.words
    items = []
    if facts.founded:
        year = str(facts.founded)
        items.append(
            ContentItem(title=w["since"].format(year=year), text=c.fill(w["since_text"], year=year), source="brief")
        )
    if facts.sourcing:
        items.append(ContentItem(title=w["sourcing"], text=facts.sourcing, source="brief"))
    if facts.awards:
        items.append(ContentItem(title=w["awards"], text="\n\n".join(facts.awards), source="brief"))
    if facts.statements:
        items.append(ContentItem(title=w["statement"], text="\n\n".join(facts.statements), source="brief"))
    return items


def _quotes(section_quotes: list[Any]) -> list[ContentItem]:
    """Consented testimonials, word for word, with the author as the client gave it."""
    return [ContentItem(title=t.author, text=t.quote, source="brief") for t in section_quotes]


def _section(kind: SectionKind, c: Copy, page: str) -> PageSection | None:
    p, w, facts = c.profile, c.words, c.facts
    heading = c.fill(w.get(kind, "{name}"))
    if kind == "social_proof":
        home = page == "home"
        quotes = c.home_quotes if home else c.more_quotes
        if not quotes:
            return None
        return PageSection(
            kind=kind,
            heading=heading,
            intro=c.fill(w["proof_intro" if home else "proof_intro_page"]),
            items=_quotes(quotes),
        )
    if kind == "features":
        return PageSection(
            kind=kind, heading=heading, intro=c.fill(w["features_intro"]), items=_items(p["features"], c)
        )
    if kind == "how_it_works":
        return PageSection(
            kind=kind,
            heading=heading,
            intro=c.fill(w["steps_intro"]),
            items=_items(p["steps"], c, meta=lambda i: str(i + 1)),
        )
    if kind == "pricing":
        # A teaser: names and prices; the plans page has the details.
        return PageSection(
            kind=kind, heading=heading, intro=w["pricing_intro"], items=_offer_items(facts.priced_offers, details=False)
        )
    if kind == "plans":
        return PageSection(kind=kind, heading=heading, intro=w["plans_intro"], items=_offer_items(facts.offers))
    if kind == "faq":
        return PageSection(kind=kind, heading=heading, intro=w["faq_intro"], items=_items(c.faq(), c))
    if kind == "cta":
        if page == "home":
            return PageSection(kind=kind, heading=heading, intro=c.fill(w["cta_intro"]))
        label = c.nav_label(page)
        return PageSection(
            kind=kind, heading=heading, intro=c.fill(w["cta_intro_page"], page_label_lower=label.lower())
        )
    if kind == "menu":
        return PageSection(kind=kind, heading=heading, intro=c.fill(w["menu_intro"]), items=_offer_items(facts.offers))
    if kind == "reservation_form":
        if c.profile_key != "restaurant":
            heading = w["booking_form"]
        return PageSection(
            kind=kind, heading=heading, intro=w["reservation_intro_home" if page == "home" else "reservation_intro"]
        )
    if kind == "product_grid":
        return PageSection(kind=kind, heading=heading, intro=w["products_intro"], items=_offer_items(facts.offers))
    if kind == "cart":
        sample = facts.priced_offers[:2]
        return PageSection(
            kind=kind,
            heading=heading,
            intro=w["cart_intro"] if sample else w["cart_empty"],
            items=[ContentItem(title=o.name, text="", meta=o.price, source="brief") for o in sample],
        )
    if kind == "dashboard_preview":
        # What the dashboard shows, never sample figures: a number on a page reads as a fact.
        shown = p.get("dashboard") or p["features"]
        return PageSection(kind=kind, heading=heading, intro=w["dashboard_intro"], items=_items(shown, c))
    if kind == "services":
        return PageSection(kind=kind, heading=heading, intro=w["services_intro"], items=_offer_items(facts.offers))
    if kind == "contact_form":
        return PageSection(kind=kind, heading=heading, intro=w["contact_intro"])
    if kind == "gallery":
        return PageSection(kind=kind, heading=heading, intro=c.fill(w["gallery_intro"]), items=_items(p["gallery"], c))
    if kind == "blog_index":
        return PageSection(kind=kind, heading=heading, intro=c.fill(w["blog_intro"]), items=_blog_posts(c))
    if kind == "text":
        return _text_section(c, page)
    return None


def _text_section(c: Copy, page: str) -> PageSection:
    w = c.words
    heading = _text_heading(c, page)
    if page == "home":
        return PageSection(kind="text", heading=heading, items=_fact_items(c))
    if page == "about":
        intro = c.fill(w["about_p1"]) + "\n\n" + c.fill(w["about_p2"])
        if not c.facts.story:
            intro += "\n\n" + c.fill(w["about_more"])
        return PageSection(kind="text", heading=heading, intro=intro, items=_fact_items(c))
    kinds = _page_kind(page) or []
    if kinds and kinds[0] in CATALOGUE_KINDS:
        key = "services_soon" if kinds[0] == "services" else "catalogue_soon"
        return PageSection(kind="text", heading=heading, intro=c.fill(w[key]))
    label = c.nav_label(page)
    return PageSection(kind="text", heading=heading, intro=c.fill(w["page_generic_p"], page_label_lower=label.lower()))


def _blog_posts(c: Copy) -> list[ContentItem]:
    q1, q2, q3 = c.profile["questions"]
    posts = []
    for title, date, paragraphs in BLOG_POSTS[c.lang]:
        text = "\n\n".join(c.fill(p, q1=q1, q2=q2, q3=q3) for p in paragraphs)
        # The page title is "<post> | <business>": keep it within the 60 characters search results show.
        limit = max(24, 60 - len(f" | {c.name}"))
        long, short = (c.fill(t, n=3) for t in title.split("|"))
        posts.append(ContentItem(title=_clamp(long if len(long) <= limit else short, limit), text=text, meta=date))
    return posts


def _marketing_content(c: Copy, ctx: AgentContext) -> MarketingContent:
    structure = _structure(c, ctx)
    pages = []
    for plan in structure.pages:
        sections = [s for s in (_section(kind, c, plan.page) for kind in plan.sections if kind != "hero") if s]
        pages.append(PageContent(page=plan.page, sections=sections))
    es = c.lang == "es"
    tags = [
        re.sub(r"[^0-9a-zA-ZáéíóúñÁÉÍÓÚÑ]", "", c.name),
        re.sub(r"[^0-9a-zA-ZáéíóúñÁÉÍÓÚÑ]", "", c.geo),
        re.sub(r"[^0-9a-zA-ZáéíóúñÁÉÍÓÚÑ]", "", c.industry_word),
    ]
    tags = list(dict.fromkeys(t for t in tags if t))
    networks = ["instagram", "facebook", "linkedin", "x"]
    if c.profile_key in ("restaurant", "beauty"):
        networks.append("tiktok")
    feature = c.profile["features"]
    posts = [
        SocialPost(network=n, hashtags=tags, text=_clamp(c.fill(feature[i % len(feature)][1]) + f" {c.cta}.", 280))
        for i, n in enumerate(networks)
    ]
    ads = [
        AdVariant(channel=ch, headline=_clamp(h, 30), body=_clamp(b, 90), cta=c.cta)
        for ch, h, b in [
            ("search", c.name, c.fill(feature[0][1])),
            ("social", c.fill(feature[1][0]), c.fill(feature[1][1])),
            ("display", c.fill(feature[2][0]), c.fill(feature[2][1])),
        ]
    ]
    email = LaunchEmail(
        subject=_clamp((f"{c.name} estrena sitio web" if es else f"{c.name} has a new website"), 60),
        preheader=c.offer,
        body=(
            f"Hola:\n\n{c.name} estrena sitio web. {c.fill(c.words['about_p1'])}\n\n{c.cta}: te esperamos."
            if es
            else f"Hello,\n\n{c.name} has a new website. {c.fill(c.words['about_p1'])}\n\n"
            f"{c.cta}: we look forward to seeing you."
        ),
    )
    return MarketingContent(pages=pages, social_posts=posts, ads=ads, launch_email=email)


# ----- deployment --------------------------------------------------------------------


def _support_kit(c: Copy, ctx: AgentContext) -> SupportKit:
    name, trigger, props = c.goal["event"]
    events = [
        TrackingEvent(name="page_view", trigger="any page loads", properties=["page", "variant"]),
        TrackingEvent(
            name="cta_click", trigger="the main call-to-action button is clicked", properties=["page", "variant"]
        ),
        TrackingEvent(name=name, trigger=trigger, properties=list(props)),
    ]
    if "blog" in c.brief.pages:
        events.append(
            TrackingEvent(name="post_read", trigger="a blog post is scrolled to its end", properties=["post"])
        )
    return SupportKit(
        analytics_events=events,
        faq=_items(c.faq(), c),
        channels=["email", "WhatsApp"] if c.lang == "es" else ["email", "contact form"],
    )


_BUILDERS: dict[str, Callable[[Copy, AgentContext], Any]] = {
    "project_plan": _project_plan,
    "market_analysis": _market_analysis,
    "site_structure": _site_structure,
    "design_direction": _design_direction,
    "seo_copy": _seo_copy,
    "marketing_content": _marketing_content,
    "support_kit": _support_kit,
}

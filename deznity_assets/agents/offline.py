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
from ..flow import PHASE_NAMES
from .offline_copy import (
    BLOG_POSTS,
    GOALS,
    INDUSTRIES,
    INDUSTRY_ALIASES,
    NAV_LABELS,
    NON_LOCAL_MARKETS,
    PRICE_LEVELS,
    REGISTERS,
    SCHEMA_TYPES,
    WORDS,
)
from .offline_review import honour_feedback
from .provider import AgentContext, AgentProvider, AgentResult, Usage
from .roster import AgentTask

MODEL = "deznity-offline-generator-v1"
# Days per phase by plan: a bigger plan buys more depth, not a slower start.
PHASE_DAYS = {"starter": [1, 2, 2, 1, 1], "growth": [2, 3, 3, 2, 1], "enterprise": [3, 5, 5, 3, 2]}
PAGE_SECTIONS: list[tuple[tuple[str, ...], list[SectionKind]]] = [
    (("menu",), ["menu"]),
    (("book", "reservations", "reserve", "booking"), ["reservation_form"]),
    (("products", "shop", "store"), ["product_grid"]),
    (("cart",), ["cart"]),
    (("pricing", "plans"), ["plans"]),
    (("dashboard",), ["dashboard_preview"]),
    (("services",), ["services"]),
    (("contact",), ["contact_form"]),
    (("gallery", "portfolio"), ["gallery"]),
    (("blog", "news"), ["blog_index"]),
    (("about",), ["text", "social_proof"]),
]


class Copy:
    """Everything the generator says about one client, resolved once from the brief."""

    def __init__(self, brief: ClientBrief):
        self.brief = brief
        self.lang = brief.language or "en"
        self.name = brief.business_name
        self.geo = brief.target_geo
        profile_key = (
            brief.industry if brief.industry in INDUSTRIES else INDUSTRY_ALIASES.get(brief.industry, "general")
        )
        profiles = INDUSTRIES.get(profile_key, {})
        # A profile written in another language would put the wrong language on the site:
        # fall back to the general profile in the site's language instead.
        self.profile_key = profile_key if self.lang in profiles else "general"
        self.profile = INDUSTRIES[self.profile_key][self.lang]
        self.goal_kind = _goal_kind(brief.goal)
        self.goal = GOALS[self.goal_kind]
        self.register = _register(brief.copy_tone)
        self.words = WORDS[self.lang]
        self.currency = _currency(self.geo, self.lang)

    def fill(self, text: str, **extra: Any) -> str:
        """Put the client's values into a copy template."""
        values = {
            "name": self.name,
            "geo": self.geo,
            "industry": self.industry_word,
            "tone": self.brief.tone,
            "cur": self.currency,
            "style": REGISTERS[self.register]["mood"][self.lang],
            "goal": self.brief.goal,
            "offer": self.offer,
            "offer_cap": self.offer[:1].upper() + self.offer[1:],
            "cta": self.cta,
            "goal_short": self.goal_short,
        }
        values.update(extra)
        return text.format(**values)

    @property
    def industry_word(self) -> str:
        """The sector as copy reads it ('general' is no sector a visitor would recognise)."""
        if self.brief.industry == "general":
            return "negocios" if self.lang == "es" else "business"
        return self.brief.industry

    @property
    def local(self) -> bool:
        """True when the market is a place (a city, a country), not a region or the world."""
        return not any(w in self.geo.lower() for w in NON_LOCAL_MARKETS)

    def keyword(self, template: str) -> str:
        """A search keyword from a template; the geo only when the market is local."""
        text = self.fill(template) if self.local else self.fill(template, geo="")
        return " ".join(text.split()).lower()

    @property
    def offer(self) -> str:
        return self.profile["offer"].format(industry=self.industry_word, geo=self.geo)

    def _goal_text(self, key: str) -> str:
        override = self.goal.get(self.profile_key, {})
        return override.get(key, self.goal[key])[self.lang]

    @property
    def cta(self) -> str:
        return self._goal_text("cta")

    @property
    def goal_short(self) -> str:
        """What the site helps a visitor do, in the site's language."""
        return self._goal_text("phrase")

    def faq(self) -> list[tuple[str, str]]:
        """The profile's FAQ plus two questions every business gets (contact, why us)."""
        extra = self.pairs("faq_extra")
        return list(self.profile["faq"]) + extra[: 6 - len(self.profile["faq"])]

    def pairs(self, key: str) -> list[tuple[str, ...]]:
        """A 'title|text||title|text' entry of the word table as (title, text) pairs."""
        return [tuple(pair.split("|")) for pair in self.words[key].split("||")]

    def price(self, amount: Any) -> str:
        """A price label in the market's currency (strings pass through)."""
        if isinstance(amount, str):
            return self.fill(amount)
        return f"{self.currency}{amount}"

    def nav_label(self, page: str) -> str:
        return NAV_LABELS[self.lang].get(page, page.replace("-", " ").title())

    def goal_page(self) -> str:
        for candidate in self.goal["page"]:
            if candidate in self.brief.pages:
                return candidate
        return "home"


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


def _currency(geo: str, lang: str) -> str:
    lowered = geo.lower()
    if any(w in lowered for w in ("cdmx", "mexico", "méxico", "guadalajara", "monterrey")):
        return "MX$"
    if any(w in lowered for w in ("europe", "spain", "españa", "madrid", "france", "germany", "italy")):
        return "€"
    return "US$" if lang == "es" else "$"


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


def _sections_for(page: str, copy: Copy) -> list[SectionKind]:
    if page == "home":
        sections: list[SectionKind] = ["hero", "social_proof", "features", "how_it_works"]
        # Tiered prices fit software and services; a shop or a kitchen shows prices in its catalogue.
        tiered = copy.profile_key not in ("restaurant", "ecommerce", "beauty")
        if copy.profile_key == "saas" or (copy.goal_kind in ("sales", "leads") and tiered):
            sections.append("pricing")
        if copy.goal_kind == "reservations" and copy.profile_key == "restaurant":
            sections.append("reservation_form")
        return sections + ["faq", "cta"]
    for names, page_sections in PAGE_SECTIONS:
        if page in names:
            return list(page_sections)
    return ["text", "cta"]


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
    summary = (
        f"{c.name} tendrá un sitio de {len(c.brief.pages)} páginas ({pages}) para {c.goal_short}, "
        f"con un tono {c.brief.tone}, en {sum(days)} días con el plan {c.brief.budget}. "
        f"Objetivo del cliente: {c.brief.goal}."
        if es
        else f"{c.name} gets a {len(c.brief.pages)}-page site ({pages}) built to {c.brief.goal}, "
        f"written in a {c.brief.tone} tone, delivered in {sum(days)} days on the {c.brief.budget} plan."
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
            f"En {c.geo}, los clientes de {c.brief.industry} buscan en línea antes de decidir; "
            f"gana quien ofrece {c.offer} y lo hace fácil de {c.cta.lower()}."
            if es
            else f"In {c.geo}, {c.brief.industry} customers research online before they decide; the winner "
            f"offers {c.offer} and makes it easy to {c.cta.lower()}."
        ),
        audience=[AudienceSegment(name=n, needs=needs, channels=ch) for n, needs, ch in p["audience"]],
        competitors=[Competitor(name=n, strengths=s, weaknesses=w) for n, s, w in p["competitors"]],
        positioning=(
            f"{c.name}: {c.offer}, con un estilo {c.brief.tone}."
            if es
            else f"{c.name}: {c.offer}, with a {c.brief.tone} style."
        ),
        opportunities=(
            [
                f"Posicionarse en búsquedas locales de {c.geo}",
                f"Convertir visitas con un solo llamado: {c.cta}",
                "Reseñas visibles en la página de inicio",
            ]
            if es
            else [
                f"Rank for local searches in {c.geo}",
                f"Convert visits with one clear call: {c.cta}",
                "Show reviews on the home page",
            ]
        ),
        keywords=keywords,
    )


# ----- web_development ---------------------------------------------------------------


def _site_structure(c: Copy, ctx: AgentContext) -> SiteStructure:
    es = c.lang == "es"
    pages = [
        PagePlan(
            page=page,
            nav_label=c.nav_label(page),
            purpose=(f"Llevar a la acción: {c.cta}" if page == "home" else f"Página {c.nav_label(page)}")
            if es
            else (f"Lead visitors to one action: {c.cta}" if page == "home" else f"The {c.nav_label(page)} page"),
            sections=_sections_for(page, c),
        )
        for page in c.brief.pages
    ]
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
        mood=f"{reg['mood'][c.lang]}: {c.brief.tone}",
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
    for plan in structure.pages:
        label = plan.nav_label
        if plan.page == "home":
            title = _clamp(f"{c.name} | {c.offer}", 60)
            h1 = hero_a.headline
            first = f"{c.name}: {c.offer}. {c.cta}."
        else:
            heading = _first_heading(plan.sections, c) or label
            title = _clamp(f"{label} | {c.name}", 60)
            h1 = heading
            first = f"{heading} — {c.name}, {c.geo}. {c.cta}."
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
        schema_type=SCHEMA_TYPES.get(c.brief.industry, "Organization"),
    )


def _make_unique(values: list[str], pages: list[PageSeo], field: str, limit: int) -> None:
    seen: set[str] = set()
    for page, value in zip(pages, values):
        if value in seen:
            value = _clamp(f"{value} ({page.page})", limit)
            setattr(page, field, value)
        seen.add(value)


def _first_heading(sections: Sequence[str], c: Copy) -> str | None:
    for kind in sections:
        if kind == "reservation_form" and c.profile_key != "restaurant":
            return c.words["booking_form"]
        if kind != "hero":
            return c.fill(c.words.get(kind, "{name}"))
    return None


def _items(
    pairs: list[tuple[Any, ...]], c: Copy, *, meta: Callable[[int, tuple[Any, ...]], str] | None = None
) -> list[ContentItem]:
    out = []
    for i, pair in enumerate(pairs):
        out.append(ContentItem(title=c.fill(pair[0]), text=c.fill(pair[1]), meta=meta(i, pair) if meta else ""))
    return out


def _section(kind: SectionKind, c: Copy, page: str) -> PageSection | None:
    p, w = c.profile, c.words
    heading = c.fill(w.get(kind, "{name}"))
    price = lambda i, pair: c.price(pair[2]) if len(pair) > 2 else ""  # noqa: E731
    if kind == "social_proof":
        # Pages other than home quote other customers, so no quote appears twice on the site.
        home = page == "home"
        quotes = p["testimonials"] if home else c.pairs("testimonials_more")
        return PageSection(
            kind=kind,
            heading=heading,
            intro=c.fill(w["proof_intro" if home else "proof_intro_page"]),
            items=_items(quotes, c, meta=lambda i, _: "5/5"),
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
            items=_items(p["steps"], c, meta=lambda i, _: str(i + 1)),
        )
    if kind in ("pricing", "plans"):
        if c.profile_key == "saas":
            tiers = p["items"][:3]
        else:
            levels = PRICE_LEVELS.get(c.profile_key, PRICE_LEVELS["general"])
            tiers = [
                tuple(c.fill(part, p1=levels[0], p2=levels[1], p3=levels[2]) for part in tier)
                for tier in c.pairs("tiers")
            ]
        if kind == "pricing":
            return PageSection(kind=kind, heading=heading, intro=w["pricing_intro"], items=_items(tiers, c, meta=price))
        # The plans page is the detailed comparison; it must not repeat the home teaser word for word.
        detailed = [(t[0], f"{t[1]}; {w['plans_extra']}", t[2]) for t in tiers]
        return PageSection(kind=kind, heading=heading, intro=w["plans_intro"], items=_items(detailed, c, meta=price))
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
        dishes = p["items"] if c.profile_key == "restaurant" else INDUSTRIES["restaurant"][c.lang]["items"]
        return PageSection(kind=kind, heading=heading, intro=w["menu_intro"], items=_items(dishes, c, meta=price))
    if kind == "reservation_form":
        if c.profile_key != "restaurant":
            heading = w["booking_form"]
        return PageSection(
            kind=kind, heading=heading, intro=w["reservation_intro_home" if page == "home" else "reservation_intro"]
        )
    if kind == "product_grid":
        return PageSection(
            kind=kind, heading=heading, intro=w["products_intro"], items=_items(p["items"], c, meta=price)
        )
    if kind == "cart":
        return PageSection(
            kind=kind,
            heading=heading,
            intro=w["cart_intro"],
            items=[
                ContentItem(title=c.fill(item[0]), text=w["cart_qty"], meta=c.price(item[2])) for item in p["items"][:2]
            ],
        )
    if kind == "dashboard_preview":
        metrics = p.get("metrics") or [(f[0], f[1], "✓") for f in p["features"]]
        return PageSection(
            kind=kind,
            heading=heading,
            intro=w["dashboard_intro"],
            items=_items(metrics, c, meta=lambda i, pair: pair[2]),
        )
    if kind == "services":
        return PageSection(
            kind=kind, heading=heading, intro=w["services_intro"], items=_items(p["items"], c, meta=price)
        )
    if kind == "contact_form":
        return PageSection(kind=kind, heading=heading, intro=w["contact_intro"])
    if kind == "gallery":
        pictures = p.get("gallery") or [(f"{f[0]} — {c.name}", f[1]) for f in p["features"] + p["steps"]][:6]
        return PageSection(kind=kind, heading=heading, intro=w["gallery_intro"], items=_items(pictures, c))
    if kind == "blog_index":
        return PageSection(kind=kind, heading=heading, intro=c.fill(w["blog_intro"]), items=_blog_posts(c))
    if kind == "text":
        if page == "about":
            intro = c.fill(w["about_p1"]) + "\n\n" + c.fill(w["about_p2"])
        else:
            label = c.nav_label(page)
            heading = c.fill(w["page_generic"], page_label=label)
            intro = c.fill(w["page_generic_p"], page_label=label, page_label_lower=label.lower())
            intro += "\n\n" + c.fill(w["about_p1"])
        return PageSection(kind=kind, heading=heading, intro=intro)
    return None


def _blog_posts(c: Copy) -> list[ContentItem]:
    posts = []
    for title, date, paragraphs in BLOG_POSTS[c.lang]:
        posts.append(ContentItem(title=c.fill(title, n=3), text="\n\n".join(c.fill(p) for p in paragraphs), meta=date))
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
        c.brief.industry.replace(" ", ""),
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
        faq=_items(c.profile["faq"], c),
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

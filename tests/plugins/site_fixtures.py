"""Hand-built deliverables for website, QA and deploy tests: a small factory per brief."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from deznity_assets.brief import REFERENCE_CLIENTS, ClientBrief, slugify, validate_brief
from deznity_assets.deliverables import (
    AdVariant,
    ContentItem,
    DesignDirection,
    DesignSystem,
    HeroCopy,
    LaunchEmail,
    MarketingContent,
    PageContent,
    PagePlan,
    PageSection,
    PageSeo,
    RenderedSite,
    SeoCopy,
    SiteStructure,
    SocialPost,
)
from deznity_assets.facts import ClientFacts, Offer, Testimonial
from deznity_assets.site.brand import build_design_system
from deznity_assets.site.render import render_site

SCHEMA = {
    "restaurant": "Restaurant",
    "ecommerce": "Store",
    "saas": "SoftwareApplication",
    "beauty": "LocalBusiness",
    "tech": "Organization",
}
FORM_ACTION = "/api/forms/{form}"


def _l(brief: ClientBrief, en: str, es: str) -> str:
    """The text in the brief's language: a page holds one language (the page_language check)."""
    return es if brief.language == "es" else en


def _items(brief: ClientBrief, prefix: str, n: int, *, meta: str = "", text: str = "") -> list[ContentItem]:
    return [
        ContentItem(
            title=f"{prefix} {i}",
            text=text
            or _l(
                brief,
                f"What {prefix.lower()} {i} brings you, in plain words.",
                f"Lo que {prefix.lower()} {i} te da, en palabras sencillas.",
            ),
            meta=meta.format(i=i) if meta else "",
        )
        for i in range(1, n + 1)
    ]


# The facts the hand-built copy states (its testimonials, prices and figures): a site may state
# only what the brief gives (the no_invented_claims check), so the fixture briefs carry them.
FIXTURE_QUOTES = {
    "en": [
        ("Friendly, fast and exactly what we needed.", "Ana R."),
        ("We came back twice in the same week.", "Luis M."),
    ],
    "es": [
        ("Amables, rápidos y justo lo que necesitábamos.", "Ana R."),
        ("Volvimos dos veces en la misma semana.", "Luis M."),
    ],
}
FIXTURE_FACTS = ClientFacts(
    testimonials=[
        Testimonial(quote=q, author=a, consent=True) for quotes in FIXTURE_QUOTES.values() for q, a in quotes
    ],
    offers=[
        Offer(name="Starter", price="$297/mo"),
        Offer(name="Growth", price="$647/mo"),
        *(Offer(name=f"Taco {i}", price=f"${i}.50") for i in range(1, 5)),
        *(Offer(name=f"Product {i}", price=f"${i}9.00") for i in range(1, 5)),
        Offer(name="Free", price="$0"),
        Offer(name="Pro", price="$9/mo"),
    ],
    statements=["Members keep streaks of 6 days and more."],
)


def page_sections(page: str, brief: ClientBrief) -> list[PageSection]:
    """Typical sections of a page name, filled with short neutral copy in the brief's language."""
    if page == "home":
        return [
            PageSection(kind="hero", heading=brief.business_name),
            PageSection(
                kind="social_proof",
                heading=_l(brief, "What people say", "Lo que dicen"),
                items=[
                    ContentItem(title=author, text=quote, source="brief")
                    for quote, author in FIXTURE_QUOTES[brief.language or "en"]
                ],
            ),
            PageSection(
                kind="features",
                heading=_l(brief, "Why choose us", "Por qué elegirnos"),
                intro=_l(brief, "Three reasons clients stay.", "Tres razones para quedarse."),
                items=_items(brief, _l(brief, "Feature", "Ventaja"), 3),
            ),
            PageSection(
                kind="how_it_works",
                heading=_l(brief, "How it works", "Cómo funciona"),
                items=_items(brief, _l(brief, "Step", "Paso"), 3, meta="{i}"),
            ),
            PageSection(
                kind="pricing",
                heading=_l(brief, "Plans", "Planes"),
                items=[
                    ContentItem(
                        title="Starter",
                        text=_l(
                            brief, "One page; Hosting; Email support", "Una página; Alojamiento; Soporte por correo"
                        ),
                        meta="$297/mo",
                    ),
                    ContentItem(
                        title="Growth",
                        text=_l(
                            brief, "Five pages; Blog; Priority support", "Cinco páginas; Blog; Soporte prioritario"
                        ),
                        meta="$647/mo",
                    ),
                ],
            ),
            PageSection(
                kind="faq",
                heading=_l(brief, "Questions", "Preguntas"),
                items=[
                    ContentItem(
                        title=_l(brief, "How long does it take?", "¿Cuánto tarda?"),
                        text=_l(
                            brief, "About as long as it takes to read the brief.", "Lo que se tarda en leer el encargo."
                        ),
                    ),
                    ContentItem(
                        title=_l(brief, "Can I change the copy?", "¿Puedo cambiar los textos?"),
                        text=_l(
                            brief, "Yes, every word can be edited later.", "Sí, cada palabra se puede editar después."
                        ),
                    ),
                ],
            ),
            PageSection(
                kind="cta",
                heading=_l(brief, "Ready when you are", "Cuando quieras"),
                intro=_l(brief, "Start today.", "Empieza hoy."),
            ),
            PageSection(
                kind="text",
                heading=_l(brief, "Our story", "Nuestra historia"),
                intro=_l(
                    brief,
                    "We started small.\n\nWe still care about every detail.",
                    "Empezamos en pequeño.\n\nSeguimos cuidando cada detalle.",
                ),
            ),
        ]
    sections = {
        "menu": [
            PageSection(kind="menu", heading=_l(brief, "Menu", "Menú"), items=_items(brief, "Taco", 4, meta="${i}.50"))
        ],
        "book": [
            PageSection(
                kind="reservation_form",
                heading=_l(brief, "Book a table", "Reserva una mesa"),
                intro=_l(brief, "We confirm by email.", "Te confirmamos por correo."),
            )
        ],
        "blog": [
            PageSection(
                kind="blog_index",
                heading=_l(brief, "Latest posts", "Últimas entradas"),
                items=[
                    ContentItem(
                        title=_l(brief, "Opening our second kitchen", "Abrimos nuestra segunda cocina"),
                        text=_l(
                            brief,
                            "Big news for the neighbourhood.\n\nWe are opening a second kitchen soon, with the same "
                            "menu and longer hours.",
                            "Grandes noticias para el barrio.\n\nPronto abrimos una segunda cocina, con el mismo "
                            "menú y un horario más amplio.",
                        ),
                        meta="2026-01-10",
                    ),
                    ContentItem(
                        title=_l(brief, "Five tips for a better week", "Cinco ideas para una mejor semana"),
                        text=_l(
                            brief,
                            "Tip one: plan your meals on Sunday.\n\nTip two: book your table early and bring "
                            "friends along.",
                            "Primera idea: planea tus comidas el domingo.\n\nSegunda idea: reserva tu mesa con "
                            "tiempo y trae a tus amigos.",
                        ),
                        meta="2026-02-02",
                    ),
                ],
            )
        ],
        "products": [
            PageSection(
                kind="product_grid",
                heading=_l(brief, "Shop", "Tienda"),
                items=_items(brief, _l(brief, "Product", "Producto"), 4, meta="${i}9.00"),
            )
        ],
        "cart": [
            PageSection(
                kind="cart",
                heading=_l(brief, "Your cart", "Tu carrito"),
                items=_items(brief, _l(brief, "Product", "Producto"), 2, meta="${i}9.00"),
            )
        ],
        "dashboard": [
            PageSection(
                kind="dashboard_preview",
                heading=_l(brief, "Your dashboard", "Tu panel"),
                items=[
                    ContentItem(
                        title=_l(brief, "Active days", "Días activos"),
                        text=_l(brief, "Days with a workout this month.", "Días con entrenamiento este mes."),
                        meta="18",
                    ),
                    ContentItem(
                        title=_l(brief, "Streak", "Racha"),
                        text=_l(brief, "Your current streak.", "Tu racha actual."),
                        meta=_l(brief, "6 days", "6 días"),
                    ),
                ],
            )
        ],
        "pricing": [
            PageSection(
                kind="plans",
                heading=_l(brief, "Pricing", "Precios"),
                items=[
                    ContentItem(
                        title="Free",
                        text=_l(brief, "Tracking; Weekly report", "Seguimiento; Informe semanal"),
                        meta="$0",
                    ),
                    ContentItem(
                        title="Pro",
                        text=_l(
                            brief,
                            "Everything in Free; Coaching; Exports",
                            "Todo lo de Free; Entrenamiento; Exportaciones",
                        ),
                        meta="$9/mo",
                    ),
                ],
            )
        ],
        "services": [
            PageSection(
                kind="services",
                heading=_l(brief, "Services", "Servicios"),
                items=_items(brief, _l(brief, "Service", "Servicio"), 3),
            )
        ],
        "about": [
            PageSection(
                kind="text",
                heading=_l(brief, "About us", "Sobre nosotros"),
                intro=_l(brief, "Founded to help.\n\nStill helping.", "Nacimos para ayudar.\n\nSeguimos ayudando."),
            )
        ],
        "contact": [
            PageSection(
                kind="contact_form",
                heading=_l(brief, "Write to us", "Escríbenos"),
                intro=_l(brief, "We answer every message.", "Respondemos cada mensaje."),
            )
        ],
        "gallery": [
            PageSection(
                kind="gallery",
                heading=_l(brief, "Gallery", "Galería"),
                items=_items(brief, _l(brief, "Look", "Vista"), 4),
            )
        ],
    }
    return sections.get(
        page,
        [PageSection(kind="text", heading=page.title(), intro=_l(brief, f"All about {page}.", f"Todo sobre {page}."))],
    )


@dataclass
class SiteInputs:
    """Every deliverable render_site needs, for one brief."""

    brief: ClientBrief
    slug: str
    structure: SiteStructure
    design: DesignSystem
    seo: SeoCopy
    content: MarketingContent
    base_url: str = "https://example-client.deznity.site"

    def render(self) -> RenderedSite:
        """Render the site from these inputs."""
        return render_site(
            self.brief,
            slug=self.slug,
            structure=self.structure,
            design=self.design,
            seo=self.seo,
            content=self.content,
            base_url=self.base_url,
            form_action=FORM_ACTION,
        )


def build_inputs(brief: ClientBrief, *, font_style: str = "humanist", corner_style: str = "soft") -> SiteInputs:
    """Hand-built deliverables for `brief`, as the agents return them; a brief without facts gets FIXTURE_FACTS."""
    if brief.facts.empty:
        brief = brief.model_copy(update={"facts": FIXTURE_FACTS})
    plans = [
        PagePlan(
            page=p,
            nav_label=_l(brief, "Home", "Inicio") if p == "home" else p.title(),
            purpose=f"Serve the {p} page",
            sections=[s.kind for s in page_sections(p, brief)],
        )
        for p in brief.pages
    ]
    name = brief.business_name
    seo_pages = [
        PageSeo(
            page=p,
            title=_l(brief, f"{p.title()} | {name} official site", f"{p.title()} | sitio oficial de {name}")[:60],
            meta_description=_l(
                brief,
                f"{name}: the {p} page, with a site that is fast, clear and built for every visitor who comes by.",
                f"{name}: la página {p}, en un sitio rápido, claro y pensado para cada persona que lo visita.",
            )[:158],
            h1=_l(brief, f"{p.title()} at {name}", f"{p.title()} en {name}"),
            keywords=[p, brief.industry],
        )
        for p in brief.pages
    ]
    seo = SeoCopy(
        primary_keywords=[brief.industry, name],
        pages=seo_pages,
        hero_a=HeroCopy(
            headline=_l(brief, f"{name}, made for you", f"{name}, hecho para ti"),
            subheadline=_l(brief, "A short promise that sells.", "Una promesa breve que vende."),
            cta_label=_l(brief, "Get started", "Empieza ya"),
        ),
        hero_b=HeroCopy(
            headline=_l(brief, f"Meet {name}", f"Conoce {name}"),
            subheadline=_l(
                brief, "Another promise, tested against the first.", "Otra promesa, probada contra la primera."
            ),
            cta_label=_l(brief, "Try it now", "Pruébalo ahora"),
        ),
        schema_type=SCHEMA.get(brief.industry, "Organization"),
    )
    content = MarketingContent(
        pages=[PageContent(page=p, sections=page_sections(p, brief)) for p in brief.pages],
        social_posts=[SocialPost(network="instagram", text="We are live!", hashtags=["launch"])],
        ads=[AdVariant(channel="search", headline="Visit us", body="Now open.", cta="Go")],
        launch_email=LaunchEmail(subject="We are live", preheader="New site", body="Come and see."),
    )
    direction = DesignDirection(
        mood="warm and modern",
        font_style=font_style,  # type: ignore[arg-type]
        corner_style=corner_style,
        layout_notes=["generous spacing"],
    )  # type: ignore[arg-type]
    return SiteInputs(
        brief=brief,
        slug=slugify(name),
        structure=SiteStructure(pages=plans, navigation=brief.pages),
        design=build_design_system(brief, direction),
        seo=seo,
        content=content,
    )


def reference_brief(slug: str) -> ClientBrief:
    """The validated reference brief with this slug."""
    for raw in REFERENCE_CLIENTS:
        if slugify(raw["business_name"]) == slug:
            return validate_brief(raw)
    raise KeyError(slug)


@pytest.fixture(scope="session")
def tacoloco_inputs() -> SiteInputs:
    """Deliverables for the TacoLoco reference brief (restaurant, Spanish market)."""
    return build_inputs(reference_brief("tacoloco"))


@pytest.fixture(scope="session")
def tacoloco_site(tacoloco_inputs: SiteInputs) -> RenderedSite:
    """The rendered TacoLoco site."""
    return tacoloco_inputs.render()


@pytest.fixture(scope="session")
def reference_sites() -> dict[str, SiteInputs]:
    """Hand-built deliverables for each of the five reference briefs, by slug."""
    return {slugify(raw["business_name"]): build_inputs(validate_brief(raw)) for raw in REFERENCE_CLIENTS}

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


def _items(prefix: str, n: int, *, meta: str = "", text: str = "") -> list[ContentItem]:
    return [
        ContentItem(
            title=f"{prefix} {i}",
            text=text or f"What {prefix.lower()} {i} brings you, in plain words.",
            meta=meta.format(i=i) if meta else "",
        )
        for i in range(1, n + 1)
    ]


def page_sections(page: str, brief: ClientBrief) -> list[PageSection]:
    """Typical sections of a page name, filled with short neutral copy."""
    if page == "home":
        return [
            PageSection(kind="hero", heading=brief.business_name),
            PageSection(
                kind="social_proof",
                heading="What people say",
                items=[
                    ContentItem(title="Ana R.", text="Friendly, fast and exactly what we needed.", meta="5/5"),
                    ContentItem(title="Luis M.", text="We came back twice in the same week.", meta="5/5"),
                ],
            ),
            PageSection(
                kind="features",
                heading="Why choose us",
                intro="Three reasons clients stay.",
                items=_items("Feature", 3),
            ),
            PageSection(kind="how_it_works", heading="How it works", items=_items("Step", 3, meta="{i}")),
            PageSection(
                kind="pricing",
                heading="Plans",
                items=[
                    ContentItem(title="Starter", text="One page; Hosting; Email support", meta="$297/mo"),
                    ContentItem(title="Growth", text="Five pages; Blog; Priority support", meta="$647/mo"),
                ],
            ),
            PageSection(
                kind="faq",
                heading="Questions",
                items=[
                    ContentItem(title="How long does it take?", text="About two minutes from brief to site."),
                    ContentItem(title="Can I change the copy?", text="Yes, every word can be edited later."),
                ],
            ),
            PageSection(kind="cta", heading="Ready when you are", intro="Start today."),
            PageSection(
                kind="text", heading="Our story", intro="We started small.\n\nWe still care about every detail."
            ),
        ]
    sections = {
        "menu": [PageSection(kind="menu", heading="Menu", items=_items("Taco", 4, meta="${i}.50"))],
        "book": [PageSection(kind="reservation_form", heading="Book a table", intro="We confirm by email.")],
        "blog": [
            PageSection(
                kind="blog_index",
                heading="Latest posts",
                items=[
                    ContentItem(
                        title="Opening our second kitchen",
                        text="Big news for the neighbourhood.\n\nWe are opening a second kitchen soon, with the same "
                        "menu and longer hours.",
                        meta="2026-01-10",
                    ),
                    ContentItem(
                        title="Five tips for a better week",
                        text="Tip one: plan your meals on Sunday.\n\nTip two: book your table early and bring "
                        "friends along.",
                        meta="2026-02-02",
                    ),
                ],
            )
        ],
        "products": [PageSection(kind="product_grid", heading="Shop", items=_items("Product", 4, meta="${i}9.00"))],
        "cart": [PageSection(kind="cart", heading="Your cart", items=_items("Product", 2, meta="${i}9.00"))],
        "dashboard": [
            PageSection(
                kind="dashboard_preview",
                heading="Your dashboard",
                items=[
                    ContentItem(title="Active days", text="Days with a workout this month.", meta="18"),
                    ContentItem(title="Streak", text="Your current streak.", meta="6 days"),
                ],
            )
        ],
        "pricing": [
            PageSection(
                kind="plans",
                heading="Pricing",
                items=[
                    ContentItem(title="Free", text="Tracking; Weekly report", meta="$0"),
                    ContentItem(title="Pro", text="Everything in Free; Coaching; Exports", meta="$9/mo"),
                ],
            )
        ],
        "services": [PageSection(kind="services", heading="Services", items=_items("Service", 3))],
        "about": [PageSection(kind="text", heading="About us", intro="Founded to help.\n\nStill helping.")],
        "contact": [PageSection(kind="contact_form", heading="Write to us", intro="We answer within a day.")],
        "gallery": [PageSection(kind="gallery", heading="Gallery", items=_items("Look", 4))],
    }
    return sections.get(page, [PageSection(kind="text", heading=page.title(), intro=f"All about {page}.")])


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
    """Hand-built deliverables for `brief`, shaped as the agents return them."""
    plans = [
        PagePlan(
            page=p,
            nav_label="Home" if p == "home" else p.title(),
            purpose=f"Serve the {p} page",
            sections=[s.kind for s in page_sections(p, brief)],
        )
        for p in brief.pages
    ]
    name = brief.business_name
    seo_pages = [
        PageSeo(
            page=p,
            title=f"{p.title()} | {name} official site"[:60],
            meta_description=(
                f"{name}: {p} page. {brief.goal.capitalize()} with a site that is fast, "
                "clear and built for every visitor."
            )[:158],
            h1=f"{p.title()} at {name}",
            keywords=[p, brief.industry],
        )
        for p in brief.pages
    ]
    seo = SeoCopy(
        primary_keywords=[brief.industry, name],
        pages=seo_pages,
        hero_a=HeroCopy(
            headline=f"{name}, made for you", subheadline="A short promise that sells.", cta_label="Get started"
        ),
        hero_b=HeroCopy(
            headline=f"Meet {name}", subheadline="Another promise, tested against the first.", cta_label="Try it now"
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

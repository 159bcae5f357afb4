"""Typed deliverables: what each agent returns, what an LLM must produce and the offline generator fills."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

QAScope = Literal["functional", "seo_performance"]
SectionKind = Literal[
    "hero",
    "social_proof",
    "features",
    "how_it_works",
    "pricing",
    "faq",
    "cta",
    "text",
    "menu",
    "reservation_form",
    "product_grid",
    "cart",
    "plans",
    "dashboard_preview",
    "services",
    "contact_form",
    "gallery",
    "blog_index",
]


class Deliverable(BaseModel):
    """Base of every agent deliverable: strict about unknown keys so LLM drift is caught."""

    model_config = ConfigDict(extra="forbid")


# The reviewer's reasons a rework answers, set by the platform after the agent's answer (left out of
# the schema a model is given, so no model writes or rewrites them).
ReviewerFeedback = SkipJsonSchema[list[str]]


# ----- client_analysis ---------------------------------------------------------------


class Milestone(Deliverable):
    name: str
    phase: str
    days: int = Field(ge=0, le=90)
    deliverables: list[str]


class ProjectPlan(Deliverable):
    """PM Agent (Gantt): the project plan from the brief and the knowledge base."""

    summary: str
    objectives: list[str]
    milestones: list[Milestone]
    risks: list[str]
    kpis: list[str]
    knowledge_cited: list[str] = Field(default_factory=list, description="titles of house knowledge used")


class AudienceSegment(Deliverable):
    name: str
    needs: str
    channels: list[str]


class Competitor(Deliverable):
    name: str
    strengths: str
    weaknesses: str


class MarketAnalysis(Deliverable):
    """Strategy Agent (Atlas): market, audience and competitors."""

    market_summary: str
    audience: list[AudienceSegment]
    competitors: list[Competitor]
    positioning: str
    opportunities: list[str]
    keywords: list[str]


# ----- web_development ---------------------------------------------------------------


class PagePlan(Deliverable):
    page: str = Field(description="page name from the brief, e.g. home, menu")
    nav_label: str
    purpose: str
    sections: list[SectionKind]


class SiteStructure(Deliverable):
    """Web Agent (Flow): pages, their sections and the navigation order."""

    pages: list[PagePlan]
    navigation: list[str] = Field(description="page names in menu order")
    notes: str = ""


class DesignDirection(Deliverable):
    """UX Agent (Lense): the creative direction; colours are computed, never guessed."""

    mood: str
    font_style: Literal["geometric", "humanist", "serif", "rounded"]
    corner_style: Literal["sharp", "soft", "round"]
    layout_notes: list[str]


class DesignSystem(Deliverable):
    """Design tokens: the UX direction plus the palette and scales derived from the brand colour."""

    direction: DesignDirection
    colors: dict[str, str]
    font_stack: str
    type_scale: dict[str, str]
    spacing: dict[str, str]
    radius: str
    breakpoints: dict[str, str]
    contrast: dict[str, float] = Field(default_factory=dict, description="pair name -> contrast ratio")


# ----- content_creation --------------------------------------------------------------


class PageSeo(Deliverable):
    page: str
    title: str
    meta_description: str
    h1: str
    keywords: list[str]


class HeroCopy(Deliverable):
    headline: str
    subheadline: str
    cta_label: str


class SeoCopy(Deliverable):
    """SEO Agent (Quill): landing copy, keywords, meta per page, schema.org type."""

    primary_keywords: list[str]
    pages: list[PageSeo]
    hero_a: HeroCopy
    hero_b: HeroCopy
    schema_type: str
    reviewer_feedback: ReviewerFeedback = Field(default_factory=list)


# Where an item's facts come from: "brief" when it states a fact, quote, price or figure taken from
# client_brief.facts (word for word), "none" when it states none. A page may quote a person, show a
# rating, a price or a statistic only from the brief (the no_invented_claims QA check).
FactSource = Literal["brief", "none"]


class ContentItem(Deliverable):
    title: str
    text: str
    meta: str = Field(
        default="",
        description="a step number, a date or a short label; a price only when client_brief.facts.offers gives it",
    )
    source: FactSource = Field(
        default="none",
        description=(
            "brief: the item states a fact, testimonial, price or figure copied from client_brief.facts; "
            "none: it states no fact at all (general copy)"
        ),
    )


class PageSection(Deliverable):
    kind: SectionKind
    heading: str
    intro: str = ""
    items: list[ContentItem] = Field(default_factory=list)


class PageContent(Deliverable):
    page: str
    sections: list[PageSection]


class SocialPost(Deliverable):
    network: str
    text: str
    hashtags: list[str]


class AdVariant(Deliverable):
    channel: str
    headline: str
    body: str
    cta: str


class LaunchEmail(Deliverable):
    subject: str
    preheader: str
    body: str


class MarketingContent(Deliverable):
    """Marketing Agent (Buzz): the content of every page, social posts, ads and a launch email."""

    pages: list[PageContent]
    social_posts: list[SocialPost]
    ads: list[AdVariant]
    launch_email: LaunchEmail
    reviewer_feedback: ReviewerFeedback = Field(default_factory=list)


# ----- website, QA, deployment -------------------------------------------------------


class RenderedPage(Deliverable):
    page: str
    path: str
    title: str
    words: int
    bytes: int


class RenderedSite(Deliverable):
    """The rendered static site: every file's text by relative path, and per-page facts."""

    language: str
    base_url: str
    files: dict[str, str]
    pages: list[RenderedPage]
    # What the renderer took from the offline generator's copy because the deliverables lacked it.
    defaults: list[str] = Field(default_factory=list)
    # The hero experiments state the site was rendered with (herocopy.py, as its JSON file
    # holds it), carried into every package so the decided copy outlives the package swap; None
    # before the client's first decision.
    experiment: dict[str, Any] | None = None

    @property
    def total_words(self) -> int:
        return sum(p.words for p in self.pages)


class CheckResult(Deliverable):
    id: str
    severity: Literal["error", "warning"]
    passed: bool
    message: str
    locations: list[str] = Field(default_factory=list)


class QAReport(Deliverable):
    """QA Agent (Bugz): checks run against the rendered site, with a score out of 100."""

    scope: QAScope
    score: float
    checks: list[CheckResult]
    summary: str

    @property
    def failing_blockers(self) -> list[CheckResult]:
        return [c for c in self.checks if not c.passed and c.severity == "error"]


class DeployConfig(Deliverable):
    """Web Agent (Flow): domain and production deploy configuration."""

    domain: str
    base_url: str
    files: dict[str, str] = Field(description="deploy/ file name -> content")
    steps: list[str]
    # Whether the host configuration routes /api/ to the site API (DEZNITY_API_PUBLIC_URL was set).
    forms_connected: bool = False


class LiveDeployment(Deliverable):
    """The site published live: where (production, and hero B as a preview), by which provider, or why not."""

    provider: Literal["vercel", "netlify"] | None = None  # None: no token configured, the bundle only
    url: str | None = None  # the production URL
    preview_url: str | None = None  # hero variant B's preview deployment
    deployment_id: str | None = None
    preview_id: str | None = None
    files: int = 0  # files in the production deployment
    uploaded: int = 0  # of which sent now (the provider had the others already), preview included
    note: str = ""


class TrackingEvent(Deliverable):
    name: str
    trigger: str
    properties: list[str]


class SupportKit(Deliverable):
    """Support Agent (Help): analytics and tracking plan, and the support FAQ."""

    analytics_events: list[TrackingEvent]
    faq: list[ContentItem]
    channels: list[str]


class ReviewApproval(Deliverable):
    """The review gate's clearance to publish: not needed (no regulated sector), or a reviewer's approval."""

    required: bool
    sectors: list[str] = Field(default_factory=list)
    reasons: list[str] = Field(default_factory=list)
    review_id: str | None = None
    reviewer: str | None = None
    note: str = ""
    decided_at: datetime | None = None


class BootstrapSummary(Deliverable):
    """The executive summary of one client's run."""

    slug: str
    business_name: str
    status: Literal["completed", "failed", "needs_review"]
    qa_score: float
    pages: int
    words: int
    provider: str
    markdown: str
    # The whole package, path -> text, BOOTSTRAP_SUMMARY.md included: what client_package publishes.
    files: dict[str, str] = {}


class PublishedPackage(Deliverable):
    """Where a client's package was published, and how much it holds."""

    slug: str
    path: str
    files: int
    bytes: int

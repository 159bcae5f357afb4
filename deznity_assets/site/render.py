"""Render a client's static multi-page website from the typed deliverables (pure, no I/O)."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlparse

from jinja2 import PackageLoader, StrictUndefined
from markupsafe import Markup

from ..brief import ClientBrief, slugify
from ..deliverables import (
    ContentItem,
    DesignSystem,
    HeroCopy,
    MarketingContent,
    PageSection,
    PageSeo,
    RenderedPage,
    RenderedSite,
    SeoCopy,
    SiteStructure,
)
from ..templating import environment
from .brand import css_custom_properties, design_tokens_json
from .i18n import market_label, ui_strings

SCHEMA_TYPES = ("Restaurant", "Store", "SoftwareApplication", "LocalBusiness", "Organization")
ITEM_KINDS = frozenset(
    {
        "social_proof",
        "features",
        "how_it_works",
        "pricing",
        "plans",
        "faq",
        "menu",
        "product_grid",
        "dashboard_preview",
        "services",
        "gallery",
        "blog_index",
    }
)
FORM_KINDS = frozenset({"reservation_form", "contact_form", "cart"})
KNOWN_KINDS = ITEM_KINDS | FORM_KINDS | {"hero", "cta", "text"}
RESERVED_NAMES = frozenset({"index", "404", "thanks", "sitemap", "robots", "favicon", "assets", "api"})
FORMS = ("reservation", "contact", "cart", "newsletter")
# Goal keywords -> the section kinds of the page that serves that goal, most specific first.
GOAL_SECTIONS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("reserv", "book", "table", "appointment", "cita"), ("reservation_form",)),
    (("sale", "sell", "shop", "order", "revenue", "venta", "compra"), ("product_grid", "cart")),
    (("lead", "contact", "quote", "prospect", "cliente"), ("contact_form",)),
    (("engag", "user", "signup", "sign up", "trial", "subscri", "usuario"), ("plans", "pricing", "dashboard_preview")),
)
CONVERSION_KINDS = ("reservation_form", "contact_form", "product_grid", "plans", "pricing", "cart")
OG_LOCALES = {"en": "en_US", "es": "es_LA"}
ES_LOCALES = (
    ("mexico", "es_MX"),
    ("méxico", "es_MX"),
    ("cdmx", "es_MX"),
    ("spain", "es_ES"),
    ("españa", "es_ES"),
    ("madrid", "es_ES"),
    ("barcelona", "es_ES"),
)


@dataclass
class ItemView:
    """One content item prepared for a template."""

    title: str
    text: str
    meta: str
    paragraphs: list[str] = field(default_factory=list)
    bullets: list[str] = field(default_factory=list)
    href: str = ""
    image: str = ""
    excerpt: str = ""


@dataclass
class SectionView:
    """One page section prepared for a template."""

    kind: str
    id: str
    heading: str
    paragraphs: list[str]
    items: list[ItemView]


@dataclass
class Post:
    """A blog post: its own page under blog/."""

    slug: str
    item: ContentItem

    @property
    def path(self) -> str:
        return f"blog/{self.slug}.html"


CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _drop_control_chars(value: Any) -> Any:
    """Jinja finalizer: control characters in text are parse errors in HTML and XML, so drop them."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return CONTROL_CHARS.sub("", value)
    return value


_env = environment(
    "site",
    loader=PackageLoader("deznity_assets.site", "templates"),
    autoescape=True,  # every template, HTML, SVG, XML and CSS alike
    finalize=_drop_control_chars,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


def page_file(page: str) -> str:
    """The HTML file of a page name: home -> index.html, 'about us' -> about-us.html."""
    if page == "home":
        return "index.html"
    name = slugify(page, fallback="page", max_length=40)
    # Names the site itself uses (index.html, 404.html, blog/...) get a suffix so pages never collide.
    return f"{name}-page.html" if name in RESERVED_NAMES or name.endswith("-b") else f"{name}.html"


def variant_file(path: str, variant: str) -> str:
    """The file of a hero variant: index.html + 'b' -> index-b.html; 'a' is the page itself."""
    return path if variant == "a" else f"{path.removesuffix('.html')}-{variant}.html"


def page_url(base_url: str, path: str) -> str:
    """Public clean URL of a site file (the deploy config serves clean URLs)."""
    base = base_url.rstrip("/")
    if path == "index.html":
        return base + "/"
    if path.endswith("/index.html"):
        return f"{base}/{path.removesuffix('index.html')}"
    return f"{base}/{path.removesuffix('.html')}"


def form_url(pattern: str, form: str) -> str:
    """The action URL of a form from a pattern holding '{form}'."""
    if "{form}" not in pattern:
        raise ValueError(f"form_action {pattern!r} has no '{{form}}' placeholder; use e.g. '/api/forms/{{form}}'")
    return pattern.replace("{form}", form)


def post_slug(title: str) -> str:
    """URL slug of a blog post title."""
    return slugify(title, fallback="post", max_length=60)


def json_for_script(data: Any) -> Markup:
    """JSON safe inside a <script> element: '<', '>', '&' and line separators escaped as \\uXXXX."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(ch, esc)
    # Safe to mark: every character that could end the script element is escaped above.
    return Markup(text)


class _VisibleText(HTMLParser):
    """The text of a page outside head, script, style and template, as the standard tokenizer reads it."""

    HIDDEN = frozenset({"script", "style", "head", "template"})

    def __init__(self) -> None:
        super().__init__()
        self.hidden = 0  # how many hidden elements are open around the current text
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.hidden += tag in self.HIDDEN

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN and self.hidden:
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def visible_words(html: str) -> int:
    """Number of words a visitor sees on an HTML page."""
    # Tokens, not a BeautifulSoup tree: this runs for every page rendered.
    reader = _VisibleText()
    reader.feed(html)
    reader.close()
    return len(" ".join(reader.parts).split())


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", text or "") if p.strip()]


def _excerpt(text: str, limit: int = 160) -> str:
    flat = " ".join((text or "").split())
    if len(flat) <= limit:
        return flat
    return flat[:limit].rsplit(" ", 1)[0].rstrip(",.;:") + "…"


def _art(index: int, colors: dict[str, str], label_seed: str) -> str:
    """A decorative SVG illustration in brand tints, as a data URI (no request, no client text)."""
    tints = [
        colors.get(k, "#CCCCCC")
        for k in ("primary-100", "primary-200", "primary-300", "primary-400", "primary-600", "primary-700")
    ]
    seed = int(hashlib.sha256(f"{label_seed}{index}".encode()).hexdigest()[:8], 16)
    bg, a, b, c = tints[seed % 2], tints[2 + seed % 2], tints[4 + (seed >> 3) % 2], tints[(seed >> 5) % 4]
    cx, cy, r = 120 + seed % 360, 90 + (seed >> 7) % 240, 70 + (seed >> 11) % 70
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 600 450">'
        f'<rect width="600" height="450" fill="{bg}"/>'
        f'<circle cx="{cx}" cy="{cy}" r="{r}" fill="{a}"/>'
        f'<rect x="{300 - (seed >> 13) % 160}" y="{200 + (seed >> 9) % 90}" width="260" height="140" '
        f'rx="{20 + seed % 50}" fill="{b}" opacity=".85"/>'
        f'<circle cx="{600 - cx}" cy="{450 - cy // 2}" r="{r // 2}" fill="{c}" opacity=".9"/></svg>'
    )
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def _og_locale(brief: ClientBrief) -> str:
    lang = brief.language or "en"
    if lang == "es":
        geo = brief.target_geo.lower()
        for needle, locale in ES_LOCALES:
            if needle in geo:
                return locale
    return OG_LOCALES.get(lang, "en_US")


class _SiteBuilder:
    """Holds the per-site facts while pages are assembled; use render_site()."""

    def __init__(
        self,
        brief: ClientBrief,
        slug: str,
        structure: SiteStructure,
        design: DesignSystem,
        seo: SeoCopy,
        content: MarketingContent,
        base_url: str,
        form_action: str,
        show_b: bool = True,
    ):
        parsed = urlparse(base_url)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise ValueError(f"base_url {base_url!r} must be an absolute http(s) URL, e.g. https://{slug}.example.com")
        self.brief, self.slug, self.design, self.seo = brief, slug, design, seo
        self.base_url = base_url.rstrip("/")
        self.base_path = parsed.path.rstrip("/")
        self.lang = brief.language or "en"
        self.t = ui_strings(self.lang)
        self.form_action = form_action
        self.show_b = show_b
        self.forms = {name: form_url(form_action, name) for name in FORMS}
        self.plans = {p.page.strip().lower(): p for p in structure.pages}
        self.contents = {c.page.strip().lower(): c for c in content.pages}
        self.page_seo = {p.page.strip().lower(): p for p in seo.pages}
        self.pages = list(dict.fromkeys(["home", *brief.pages]))
        order = [p.strip().lower() for p in structure.navigation]
        self.nav_order = [p for p in order if p in self.pages] + [p for p in self.pages if p not in order]
        self.sections = {page: self._page_sections(page) for page in self.pages}
        self.posts = self._posts()
        self.files: dict[str, str] = {}
        self.rendered: list[RenderedPage] = []
        self.titles: set[str] = set()
        self.variant_b: set[str] = set()
        self.css_version = ""
        # Pages whose title, description and h1 came from the offline copy (no SEO copy for them).
        self.defaults: list[str] = []
        self._offline_seo: dict[str, PageSeo] | None = None

    # ----- content ------------------------------------------------------------------

    def nav_label(self, page: str) -> str:
        plan = self.plans.get(page)
        if plan and plan.nav_label.strip():
            return plan.nav_label.strip()
        from ..agents.offline import offline_nav_label

        return self.t["home"] if page == "home" else offline_nav_label(self.brief, page)

    def _page_sections(self, page: str) -> list[PageSection]:
        found = self.contents.get(page)
        if found is not None:
            return [s for s in found.sections if s.kind in KNOWN_KINDS]
        plan = self.plans.get(page)
        kinds = plan.sections if plan else []
        return [PageSection(kind=k, heading=self.nav_label(page)) for k in kinds if k in FORM_KINDS or k == "hero"]

    def has_hero(self, page: str) -> bool:
        plan = self.plans.get(page)
        return (
            page == "home"
            or any(s.kind == "hero" for s in self.sections[page])
            or bool(plan and "hero" in plan.sections)
        )

    def _posts(self) -> list[Post]:
        posts: list[Post] = []
        seen: set[str] = set()
        for page in self.pages:
            for section in self.sections[page]:
                if section.kind != "blog_index":
                    continue
                for item in section.items:
                    slug = post_slug(item.title)
                    n = 2
                    while slug in seen:
                        slug, n = f"{post_slug(item.title)[:56]}-{n}", n + 1
                    seen.add(slug)
                    posts.append(Post(slug=slug, item=item))
        return posts

    def goal_target(self) -> str:
        """Where the hero and CTA buttons lead: the page that serves the brief's goal."""
        goal = self.brief.goal.lower()
        wanted: tuple[str, ...] = ()
        for keywords, kinds in GOAL_SECTIONS:
            if any(k in goal for k in keywords):
                wanted = kinds
                break
        for kinds in (wanted, CONVERSION_KINDS):
            for kind in kinds:
                for page in self.pages:
                    if page != "home" and any(s.kind == kind for s in self.sections[page]):
                        return page_file(page)
        if "contact" in self.pages:
            return page_file("contact")
        return "#contact"

    def seo_for(self, page: str) -> PageSeo:
        found = self.page_seo.get(page)
        if found is not None:
            return found
        # No SEO copy for this page: the offline generator's, in the site's language, never the brief's
        # free text (a goal typed in English would land in a Spanish page's description).
        if self._offline_seo is None:
            from ..agents.offline import offline_page_seo

            self._offline_seo = offline_page_seo(self.brief, self.pages)
        if page not in self.defaults:
            self.defaults.append(page)
        return self._offline_seo[page]

    def hero(self, page: str, variant: str, root: str) -> dict[str, str]:
        copy: HeroCopy = self.seo.hero_a if variant == "a" else self.seo.hero_b
        target = self.goal_target()
        href = target if target.startswith("#") else root + target
        if page == "home":
            return {"headline": copy.headline, "sub": copy.subheadline, "cta": copy.cta_label, "href": href}
        section = next((s for s in self.sections[page] if s.kind == "hero"), None)
        sub = section.intro if (section and section.intro and variant == "a") else copy.subheadline
        return {"headline": self.seo_for(page).h1, "sub": sub, "cta": copy.cta_label, "href": href}

    def section_views(self, page: str, root: str) -> list[SectionView]:
        views: list[SectionView] = []
        used: dict[str, int] = {}
        post_by_item = {id(p.item): p for p in self.posts}
        for section in self.sections[page]:
            if section.kind == "hero":
                continue
            if section.kind in ITEM_KINDS and not section.items:
                continue
            if section.kind == "text" and not (section.intro.strip() or section.items):
                continue
            if section.kind == "cta" and not section.heading.strip():
                continue
            base = section.kind.replace("_", "-")
            used[base] = used.get(base, 0) + 1
            sid = base if used[base] == 1 else f"{base}-{used[base]}"
            items = []
            for index, item in enumerate(section.items):
                view = ItemView(
                    title=item.title,
                    text=item.text,
                    meta=item.meta,
                    paragraphs=_paragraphs(item.text),
                    excerpt=_excerpt(item.text),
                )
                if section.kind in ("pricing", "plans"):
                    view.bullets = [b.strip() for b in re.split(r";\s*|\n", item.text) if b.strip()]
                if section.kind in ("product_grid", "gallery"):
                    view.image = _art(index, self.design.colors, item.title)
                if section.kind == "blog_index":
                    post = post_by_item.get(id(item))
                    view.href = root + post.path if post else ""
                items.append(view)
            views.append(
                SectionView(
                    kind=section.kind,
                    id=sid,
                    heading=section.heading,
                    paragraphs=_paragraphs(section.intro),
                    items=items,
                )
            )
        return views

    # ----- structured data ------------------------------------------------------------

    def organization_ld(self) -> dict[str, Any]:
        schema = self.seo.schema_type if self.seo.schema_type in SCHEMA_TYPES else "Organization"
        data: dict[str, Any] = {
            "@context": "https://schema.org",
            "@type": schema,
            "name": self.brief.business_name,
            "url": self.base_url + "/",
            "description": self.seo_for("home").meta_description,
        }
        if schema == "SoftwareApplication":
            data.update(applicationCategory="BusinessApplication", operatingSystem="Web")
        else:
            data["areaServed"] = self.brief.target_geo
        if schema == "Restaurant":
            data["acceptsReservations"] = any(
                s.kind == "reservation_form" for page in self.pages for s in self.sections[page]
            )
        return data

    @staticmethod
    def faq_ld(sections: list[SectionView]) -> dict[str, Any] | None:
        questions = [i for s in sections if s.kind == "faq" for i in s.items]
        if not questions:
            return None
        return {
            "@context": "https://schema.org",
            "@type": "FAQPage",
            "mainEntity": [
                {"@type": "Question", "name": q.title, "acceptedAnswer": {"@type": "Answer", "text": q.text}}
                for q in questions
            ],
        }

    # ----- output -------------------------------------------------------------------

    def unique_title(self, title: str, label: str) -> str:
        if title in self.titles:
            title = f"{label} | {title}"
        self.titles.add(title)
        return title

    def common(self, *, root: str, current: str | None, path: str) -> dict[str, Any]:
        target = self.goal_target()
        return {
            "t": self.t,
            "lang": self.lang,
            "brief": self.brief,
            # The market as the page's language names it ("Latinoamérica" on a Spanish page).
            "market": market_label(self.brief.target_geo, self.lang),
            "root": root,
            "path": path,
            "css_href": f"{root}assets/site.css?v={self.css_version}",
            "favicon_href": f"{root}favicon.svg",
            "home_href": root or "./",
            "nav": [
                {
                    "label": self.nav_label(p),
                    "href": (root or "./") if p == "home" else root + page_file(p),
                    "current": p == current,
                }
                for p in self.nav_order
            ],
            "forms": self.forms,
            "og_locale": _og_locale(self.brief),
            "cta_href": target if target.startswith("#") else root + target,
            "cta_label": self.seo.hero_a.cta_label,
            "theme_color": self.design.colors.get("surface", "#FFFFFF"),
        }

    def add_page(self, path: str, page: str, html: str, title: str) -> None:
        self.files[path] = html
        self.rendered.append(
            RenderedPage(page=page, path=path, title=title, words=visible_words(html), bytes=len(html.encode("utf-8")))
        )

    def render(self) -> RenderedSite:
        css = _env.get_template("site.css.j2").render(
            props=css_custom_properties(self.design),
            ds=self.design,
            c=self.design.colors,
            fill_mark=form_url(self.form_action, "started"),
        )
        self.css_version = hashlib.sha256(css.encode()).hexdigest()[:10]
        self.files["assets/site.css"] = css
        self.files["assets/tokens.json"] = design_tokens_json(self.design)
        self.files["favicon.svg"] = _env.get_template("favicon.svg.j2").render(
            initial=(self.brief.business_name.strip()[:1] or "D").upper(), c=self.design.colors
        )
        org = self.organization_ld()
        page_tpl = _env.get_template("page.html.j2")
        for page in self.pages:
            path = page_file(page)
            meta = self.seo_for(page)
            title = self.unique_title(meta.title, self.nav_label(page))
            sections = self.section_views(page, "")
            ld = [org] + [d for d in [self.faq_ld(sections)] if d]
            for variant in ("a", "b") if self.has_hero(page) and self.show_b else ("a",):
                html = page_tpl.render(
                    **self.common(root="", current=page, path=path),
                    title=title,
                    description=meta.meta_description,
                    h1=meta.h1,
                    canonical=page_url(self.base_url, path),
                    og_type="website",
                    variant=variant,
                    hero=self.hero(page, variant, "") if self.has_hero(page) else None,
                    sections=sections,
                    jsonld=[json_for_script(d) for d in ld],
                    noindex=False,
                )
                if variant != "a":
                    self.variant_b.add(variant_file(path, variant))
                self.add_page(variant_file(path, variant), page, html, title)
        post_tpl = _env.get_template("post.html.j2")
        for post in self.posts:
            title = self.unique_title(f"{post.item.title} | {self.brief.business_name}", post.item.title)
            description = _excerpt(post.item.text, 155)
            if len(description) < 70:  # short posts: lead with the title so the snippet says something
                description = _excerpt(f"{post.item.title} | {self.brief.business_name}: {post.item.text}", 155)
            post_ld: dict[str, Any] = {
                "@context": "https://schema.org",
                "@type": "BlogPosting",
                "headline": post.item.title,
                "description": description,
                "url": page_url(self.base_url, post.path),
                "publisher": {"@type": org["@type"], "name": self.brief.business_name},
            }
            blog_page = next((p for p in self.pages if any(s.kind == "blog_index" for s in self.sections[p])), None)
            html = post_tpl.render(
                **self.common(root="../", current=blog_page, path=post.path),
                title=title,
                description=description,
                canonical=page_url(self.base_url, post.path),
                og_type="article",
                variant="a",
                post=post.item,
                paragraphs=_paragraphs(post.item.text),
                back_href="../" + page_file(blog_page) if blog_page else "../",
                jsonld=[json_for_script(org), json_for_script(post_ld)],
                noindex=False,
            )
            self.add_page(post.path, f"blog/{post.slug}", html, title)
        # Where the site API sends a visitor once their form is stored (its 303 names ../../thanks).
        title_thanks = f"{self.t['thanks_title']} | {self.brief.business_name}"
        html = _env.get_template("thanks.html.j2").render(
            **self.common(root="", current=None, path="thanks.html"),
            title=title_thanks,
            description=self.t["thanks_text"],
            canonical=page_url(self.base_url, "thanks.html"),
            og_type="website",
            variant="a",
            jsonld=[json_for_script(org)],
            noindex=False,
        )
        self.add_page("thanks.html", "thanks", html, title_thanks)
        root_404 = self.base_path + "/"
        title_404 = f"{self.t['not_found_title']} | {self.brief.business_name}"
        html = _env.get_template("404.html.j2").render(
            **self.common(root=root_404, current=None, path="404.html"),
            title=title_404,
            description=self.t["not_found_text"],
            canonical=None,
            og_type="website",
            variant="a",
            jsonld=[],
            noindex=True,
        )
        self.add_page("404.html", "404", html, title_404)
        # The thank-you page stays indexable and listed: a noindex page costs Lighthouse's SEO score.
        indexed = [p.path for p in self.rendered if p.path != "404.html" and p.path not in self.variant_b]
        self.files["sitemap.xml"] = _env.get_template("sitemap.xml.j2").render(
            urls=[page_url(self.base_url, p) for p in indexed]
        )
        self.files["robots.txt"] = _env.get_template("robots.txt.j2").render(sitemap=f"{self.base_url}/sitemap.xml")
        return RenderedSite(
            language=self.lang,
            base_url=self.base_url,
            files=self.files,
            pages=self.rendered,
            defaults=[f"{page}: title, meta description and h1" for page in self.defaults],
        )


def render_site(
    brief: ClientBrief,
    *,
    slug: str,
    structure: SiteStructure,
    design: DesignSystem,
    seo: SeoCopy,
    content: MarketingContent,
    base_url: str,
    form_action: str,
    show_b: bool = True,
) -> RenderedSite:
    """The static site for one client: HTML pages, CSS, tokens, favicon, sitemap and robots.txt.

    `show_b` False renders no B page (index-b.html): no split is made for the site, every visitor sees A
    (a regulated client's challenger waiting for review, or no untried copy left).
    """
    return _SiteBuilder(brief, slug, structure, design, seo, content, base_url, form_action, show_b).render()


__all__ = [
    "form_url",
    "json_for_script",
    "page_file",
    "page_url",
    "post_slug",
    "render_site",
    "variant_file",
    "visible_words",
]

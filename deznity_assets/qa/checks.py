"""QA checks that gate a rendered site: each has an id, a scope, a severity, and says where it failed."""

from __future__ import annotations

import html as html_lib
import posixpath
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal
from urllib.parse import unquote, urlparse

import html5lib
from bs4 import BeautifulSoup, Tag

from ..brief import ClientBrief
from ..claims import brief_numbers, claims_in, normalised_quote, quoted_with_name
from ..deliverables import CheckResult, DesignSystem, QAReport, RenderedSite
from ..language import CANDIDATES, rank
from ..site.brand import CONTRAST_PAIRS, contrast_ratio
from ..site.i18n import market_label
from ..site.render import page_url
from ..site_api.routing import API_PREFIX, routed

Scope = Literal["functional", "seo_performance"]
Severity = Literal["error", "warning"]
SEVERITY_WEIGHT = {"error": 3.0, "warning": 1.0}
TITLE_RANGE = (15, 60)
DESCRIPTION_RANGE = (70, 160)
HTML_BUDGET = 60 * 1024
CSS_BUDGET = 30 * 1024
PAGE_BUDGET = 100 * 1024  # one page's HTML plus its stylesheets
MAX_LOCATIONS = 50
RAW_MARKERS = ("<", ">", "&")
SKIP_INPUT_TYPES = {"hidden", "submit", "button", "reset", "image"}


@dataclass
class QAContext:
    """A rendered site, its design system and the raw client strings, with parsed pages cached."""

    site: RenderedSite
    design: DesignSystem
    escaped_values: list[str] = field(default_factory=list)
    # The brief: the only source of facts, quotes, prices and figures a page may state. Without it
    # nothing counts as given, so any claim fails.
    brief: ClientBrief | None = None
    # Where the site API is reached (DEZNITY_API_PUBLIC_URL); empty: the host routes no /api/.
    api_public_url: str = ""

    @cached_property
    def html_files(self) -> dict[str, str]:
        return {p: t for p, t in sorted(self.site.files.items()) if p.endswith(".html")}

    @cached_property
    def soups(self) -> dict[str, BeautifulSoup]:
        return {p: BeautifulSoup(t, "html5lib") for p, t in self.html_files.items()}

    @cached_property
    def ids(self) -> dict[str, set[str]]:
        return {p: {str(t["id"]) for t in s.find_all(id=True)} for p, s in self.soups.items()}

    @cached_property
    def visible(self) -> dict[str, list[str]]:
        """Per page, the text blocks a visitor reads: title, meta description, then the body's blocks."""
        out = {}
        for path, soup in self.soups.items():
            blocks = [soup.title.get_text(" ", strip=True)] if soup.title else []
            description = soup.find("meta", attrs={"name": "description"})
            if description is not None:
                blocks.append(str(description.get("content", "")))
            body = soup.body
            if body is not None:
                for tag in body.find_all(TEXT_BLOCKS):
                    if tag.find(TEXT_BLOCKS):
                        continue  # its inner blocks are read on their own
                    blocks.append(tag.get_text(" ", strip=True))
            out[path] = [" ".join(b.split()) for b in blocks if b and b.strip()]
        return out

    @cached_property
    def base_path(self) -> str:
        return urlparse(self.site.base_url).path.rstrip("/")

    def indexable(self, path: str) -> bool:
        """A page meant for search engines: not noindex, and canonical to itself (not a B variant)."""
        soup = self.soups[path]
        robots = soup.find("meta", attrs={"name": "robots"})
        if robots and "noindex" in str(robots.get("content", "")).lower():
            return False
        canonical = soup.find("link", rel="canonical")
        return not (canonical and canonical.get("href") != page_url(self.site.base_url, path))

    def resolve(self, page: str, ref: str) -> tuple[str | None, str]:
        """The site file and fragment an internal reference points to ('' file = this page)."""
        parsed = urlparse(ref)
        path, fragment = unquote(parsed.path), parsed.fragment
        if not path:
            return page, fragment
        if path.startswith("/"):
            if self.base_path and not (path == self.base_path or path.startswith(self.base_path + "/")):
                return None, fragment
            path = path[len(self.base_path) :].lstrip("/") or "./"
            joined = path
        else:
            joined = posixpath.join(posixpath.dirname(page), path)
        is_dir = path.endswith("/") or path in (".", "..")
        target = posixpath.normpath(joined)
        if target.startswith(".."):
            return None, fragment
        if is_dir:
            target = "index.html" if target == "." else f"{target}/index.html"
        return target, fragment


# Elements whose text is read as one block (a heading, a paragraph, a list item, a caption ...).
TEXT_BLOCKS = [
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "p",
    "li",
    "summary",
    "figcaption",
    "blockquote",
    "q",
    "td",
    "th",
    "label",
    "button",
    "dt",
    "dd",
    "caption",
    "legend",
    "span",
    "a",
    "strong",
]


CheckFn = Callable[[QAContext], CheckResult]
CHECKS: dict[str, tuple[Scope, Severity, CheckFn]] = {}


def check(
    check_id: str, scope: Scope, severity: Severity
) -> Callable[[Callable[[QAContext], tuple[list[str], str]]], CheckFn]:
    """Register a check whose function returns (failure locations, what was checked)."""

    def wrap(fn: Callable[[QAContext], tuple[list[str], str]]) -> CheckFn:
        def run(ctx: QAContext) -> CheckResult:
            locations, scope_note = fn(ctx)
            if locations:
                more = f" (and {len(locations) - MAX_LOCATIONS} more)" if len(locations) > MAX_LOCATIONS else ""
                message = (
                    f"{len(locations)} problem(s): "
                    + "; ".join(locations[:3])
                    + (" …" if len(locations) > 3 else "")
                    + more
                )
            else:
                message = f"ok: {scope_note}"
            return CheckResult(
                id=check_id,
                severity=severity,
                passed=not locations,
                message=message,
                locations=locations[:MAX_LOCATIONS],
            )

        run.__doc__ = fn.__doc__
        run.__name__ = fn.__name__
        CHECKS[check_id] = (scope, severity, run)
        return run

    return wrap


def _where(tag: Tag) -> str:
    attrs = "".join(
        f'[{k}="{v if isinstance(v, str) else " ".join(v)}"]'
        for k, v in tag.attrs.items()
        if k in ("id", "name", "href", "src", "class", "type")
    )
    return f"<{tag.name}{attrs[:120]}>"


# ----- functional -------------------------------------------------------------------------


@check("html_parses", "functional", "error")
def html_parses(ctx: QAContext) -> tuple[list[str], str]:
    """Every HTML file parses without errors under the HTML5 parsing algorithm (html5lib)."""
    problems = []
    for path, text in ctx.html_files.items():
        parser = html5lib.HTMLParser(tree=html5lib.getTreeBuilder("etree"))
        parser.parse(text)
        for (line, col), code, data in parser.errors:
            problems.append(f"{path}:{line}:{col}: {code} {data if data else ''}".rstrip())
    return problems, f"{len(ctx.html_files)} HTML files parse cleanly"


@check("links_resolve", "functional", "error")
def links_resolve(ctx: QAContext) -> tuple[list[str], str]:
    """Every internal href and src points to a file of the site, and every #anchor to an element id."""
    problems, count = [], 0
    for path, soup in ctx.soups.items():
        for tag in soup.find_all(["a", "link", "img", "script", "source", "iframe", "audio", "video"]):
            for attr in ("href", "src"):
                ref = tag.get(attr)
                if ref is None:
                    continue
                ref = str(ref).strip()
                if not ref:
                    problems.append(f"{path}: {_where(tag)} has an empty {attr}")
                    continue
                scheme = urlparse(ref).scheme
                if scheme or ref.startswith("//"):
                    continue  # external, data:, mailto: ... (third-party requests are their own check)
                count += 1
                target, fragment = ctx.resolve(path, ref)
                if target is None or target not in ctx.site.files:
                    problems.append(f"{path}: {_where(tag)} points to {ref!r}, which is not a file of the site")
                elif fragment and (target not in ctx.ids or fragment not in ctx.ids[target]):
                    problems.append(f"{path}: {_where(tag)} points to #{fragment}, which is not an id in {target}")
    return problems, f"{count} internal links resolve"


@check("forms_routed", "functional", "error")
def forms_routed(ctx: QAContext) -> tuple[list[str], str]:
    """Every form posts to a path of the site that the host configuration routes to the site API."""
    if not ctx.api_public_url:
        return [], "no site API configured (see forms_connected)"
    problems, count = [], 0
    for path, soup in ctx.soups.items():
        for form in soup.find_all("form"):
            count += 1
            action = str(form.get("action") or "")
            if str(form.get("method", "get")).lower() != "post" or not routed(action):
                problems.append(
                    f"{path}: {_where(form)} posts to {action!r}, which the host does not route to the site API "
                    f"(forms must post to {API_PREFIX}…)"
                )
    return problems, f"{count} forms post to {API_PREFIX}, routed to {ctx.api_public_url}"


@check("forms_connected", "functional", "warning")
def forms_connected(ctx: QAContext) -> tuple[list[str], str]:
    """A site with forms has a site API to send them to (DEZNITY_API_PUBLIC_URL)."""
    counts = {path: len(soup.find_all("form")) for path, soup in ctx.soups.items()}
    if ctx.api_public_url:
        return [], f"{sum(counts.values())} forms connected"
    return [
        f"{path}: {n} form(s) not connected to a site API; set DEZNITY_API_PUBLIC_URL to where `deznity api` is reached"
        for path, n in counts.items()
        if n
    ], "no forms"


@check("images_alt", "functional", "error")
def images_alt(ctx: QAContext) -> tuple[list[str], str]:
    """Every <img> has a text alternative (alt, or alt="" / role=presentation when decorative)."""
    problems, count = [], 0
    for path, soup in ctx.soups.items():
        for img in soup.find_all("img"):
            count += 1
            alt = img.get("alt")
            decorative = img.get("role") in ("presentation", "none")
            if alt is None and not decorative:
                problems.append(f"{path}: {_where(img)} has no alt attribute")
            elif alt is not None and alt != "" and not str(alt).strip():
                problems.append(f'{path}: {_where(img)} has a blank alt; describe the image or use alt=""')
        for svg in soup.find_all("svg", attrs={"role": "img"}):
            if not (svg.get("aria-label") or svg.find("title")):
                problems.append(f"{path}: <svg role=img> has no aria-label or <title>")
    return problems, f"{count} images have text alternatives"


@check("single_h1", "functional", "error")
def single_h1(ctx: QAContext) -> tuple[list[str], str]:
    """Every HTML page has exactly one non-empty <h1>."""
    problems = []
    for path, soup in ctx.soups.items():
        h1s = soup.find_all("h1")
        if len(h1s) != 1:
            problems.append(f"{path}: has {len(h1s)} <h1> elements; a page needs exactly one")
        elif not h1s[0].get_text(strip=True):
            problems.append(f"{path}: the <h1> is empty")
    return problems, f"{len(ctx.soups)} pages have one h1"


@check("heading_order", "functional", "error")
def heading_order(ctx: QAContext) -> tuple[list[str], str]:
    """Headings start at h1 and never skip a level going down (h2 -> h4 is a skip)."""
    problems = []
    for path, soup in ctx.soups.items():
        previous = 0
        for tag in soup.find_all(re.compile(r"^h[1-6]$")):
            level = int(tag.name[1])
            if level > previous + 1:
                text = tag.get_text(" ", strip=True)[:40]
                problems.append(f"{path}: <{tag.name}> {text!r} follows h{previous or '-'} (skips a level)")
            previous = level
    return problems, "no heading levels skipped"


def _has_label(soup: BeautifulSoup, control: Tag) -> bool:
    if str(control.get("aria-label") or "").strip() or control.get("aria-labelledby"):
        return True
    if control.find_parent("label") is not None:
        return True
    control_id = control.get("id")
    if control_id:
        label = soup.find("label", attrs={"for": control_id})
        return bool(label and label.get_text(strip=True))
    return False


@check("form_labels", "functional", "error")
def form_labels(ctx: QAContext) -> tuple[list[str], str]:
    """Every visible form control has a label (<label for>, a wrapping label, or aria-label)."""
    problems, count = [], 0
    for path, soup in ctx.soups.items():
        for control in soup.find_all(["input", "select", "textarea"]):
            if control.name == "input" and str(control.get("type", "text")).lower() in SKIP_INPUT_TYPES:
                continue
            count += 1
            if not _has_label(soup, control):
                problems.append(f"{path}: {_where(control)} has no label")
    return problems, f"{count} form controls are labelled"


@check("contrast", "functional", "error")
def contrast(ctx: QAContext) -> tuple[list[str], str]:
    """Every text/background colour pair the stylesheet uses meets WCAG 2.1 AA (4.5:1 text, 3:1 UI)."""
    problems = []
    colors = ctx.design.colors
    for pair in CONTRAST_PAIRS:
        if pair.fg not in colors or pair.bg not in colors:
            problems.append(
                f"design tokens: {pair.name} is missing colour token {pair.fg if pair.fg not in colors else pair.bg}"
            )
            continue
        ratio = contrast_ratio(colors[pair.fg], colors[pair.bg])
        if ratio < pair.minimum:
            problems.append(
                f"assets/site.css: {pair.name} ({colors[pair.fg]} on {colors[pair.bg]}) is "
                f"{ratio:.2f}:1, below {pair.minimum}:1"
            )
    return problems, f"{len(CONTRAST_PAIRS)} colour pairs meet AA"


def _raw_occurrences(text: str, value: str) -> int:
    """Occurrences of `value` in `text` that are not part of its HTML-escaped form."""
    escaped_forms = {
        html_lib.escape(value, quote=True),
        html_lib.escape(value, quote=False),
        value.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&#34;")
        .replace("'", "&#39;"),
    }
    covered: list[tuple[int, int]] = []
    for form in escaped_forms:
        for m in re.finditer(re.escape(form), text):
            covered.append((m.start(), m.end()))
    raw = 0
    for m in re.finditer(re.escape(value), text):
        if not any(start <= m.start() and m.end() <= end for start, end in covered):
            raw += 1
    return raw


@check("no_unescaped_client_text", "functional", "error")
def no_unescaped_client_text(ctx: QAContext) -> tuple[list[str], str]:
    """Client strings holding markup characters (<, >, &) appear only in escaped form in any page."""
    risky = [v for v in dict.fromkeys(ctx.escaped_values) if v and any(ch in v for ch in RAW_MARKERS)]
    problems = []
    for path, text in sorted(ctx.site.files.items()):
        if not path.endswith((".html", ".svg", ".xml")):
            continue
        for value in risky:
            n = _raw_occurrences(text, value)
            if n:
                problems.append(f"{path}: {value[:40]!r} appears unescaped {n} time(s)")
    return problems, f"{len(risky)} client strings with markup characters are escaped everywhere"


@check("lang_attribute", "functional", "error")
def lang_attribute(ctx: QAContext) -> tuple[list[str], str]:
    """Every page declares <html lang> matching the site's language."""
    problems = []
    for path, soup in ctx.soups.items():
        lang = soup.html.get("lang") if soup.html else None
        if not lang:
            problems.append(f"{path}: <html> has no lang attribute")
        elif str(lang).split("-")[0].lower() != ctx.site.language:
            problems.append(f"{path}: <html lang={lang!r}> does not match the site language {ctx.site.language!r}")
    return problems, f"every page has lang={ctx.site.language!r}"


# ----- content: claims and language -----------------------------------------------------------


@check("no_invented_claims", "functional", "error")
def no_invented_claims(ctx: QAContext) -> tuple[list[str], str]:
    """No page quotes a person, shows a rating, a price or a statistic that the brief does not contain."""
    allowed_numbers = brief_numbers(ctx.brief)
    testimonials = ctx.brief.facts.published_testimonials if ctx.brief else []
    quotes = {normalised_quote(t.quote): t.author for t in testimonials}
    problems = []
    for path, soup in ctx.soups.items():
        for tag in soup.find_all(["blockquote", "q"]):
            said = normalised_quote(tag.get_text(" ", strip=True))
            if said not in quotes:
                problems.append(f"{path}: quotes {said[:60]!r}, which is no consented testimonial of the brief")
                continue
            caption = tag.find_parent("figure")
            credited = caption.find("figcaption") if caption else None
            if credited is not None and normalised_quote(quotes[said]) not in normalised_quote(
                credited.get_text(" ", strip=True)
            ):
                problems.append(f"{path}: credits the quote {said[:40]!r} to someone the brief does not name")
        for block in ctx.visible[path]:
            for quote in quoted_with_name(block):
                if normalised_quote(quote) not in quotes:
                    problems.append(f"{path}: quotes {quote[:60]!r} with a name; the brief has no such quote")
            for kind, shown in claims_in(block, allowed_numbers):
                problems.append(f"{path}: shows the {kind} {shown!r}, which the brief does not give")
    return problems, "every quote, price, rating and figure comes from the brief"


# A block shorter than this many words says too little for a detector to tell its language.
LANGUAGE_MIN_WORDS = 6
# How sure the detector must be that a block is in another language to flag it; whole pages are
# flagged whenever their text reads as another language.
LANGUAGE_BLOCK_CONFIDENCE = 0.99
_WORD = re.compile(r"[^\W\d_]+(?:[-'\u2019][^\W\d_]+)*")


def _without_names(text: str, names: list[str]) -> str:
    """The text without proper names (the business, its market, its offers): they have no language."""
    for name in names:
        if name:
            text = re.sub(re.escape(name), " ", text, flags=re.I)
    return text


@check("page_language", "functional", "error")
def page_language(ctx: QAContext) -> tuple[list[str], str]:
    """Every page's visible text is in its <html lang>: no page, paragraph or pasted brief phrase in another."""
    brief = ctx.brief
    names: list[str] = []
    pasted: list[str] = []
    if brief is not None:
        names = [brief.business_name, brief.target_geo, market_label(brief.target_geo, brief.language)]
        names += [o.name for o in brief.facts.offers] + [t.author for t in brief.facts.testimonials]
        # Brief free text steers the copy and is never pasted into a page of another language: the
        # tone and goal phrases that read as another language must not appear word for word.
        for text in [*brief.copy_tone, brief.goal]:
            words = _WORD.findall(text)
            if len(words) >= 2 or "-" in text:
                pasted.append(text)
    names.sort(key=len, reverse=True)
    problems = []
    for path, soup in ctx.soups.items():
        lang = str(soup.html.get("lang", "") if soup.html else "").split("-")[0].lower() or ctx.site.language
        blocks = ctx.visible[path]
        page_text = _without_names(" ".join(blocks), names)
        if len(_WORD.findall(page_text)) >= LANGUAGE_MIN_WORDS:
            top, p = rank(page_text)[0]
            if top != lang:
                problems.append(f"{path}: the page reads as {top!r} ({p:.2f}), not its lang {lang!r}")
                continue
        for block in dict.fromkeys(blocks):
            text = _without_names(block, names)
            if len(_WORD.findall(text)) < LANGUAGE_MIN_WORDS:
                continue
            top, p = rank(text, ("en", "es") if lang in ("en", "es") else CANDIDATES)[0]
            if top != lang and p >= LANGUAGE_BLOCK_CONFIDENCE:
                problems.append(f"{path}: {block[:60]!r} reads as {top!r} ({p:.2f}), not {lang!r}")
        lowered = " ".join(blocks).lower()
        for phrase in pasted:
            other = rank(phrase, ("en", "es"))[0]
            if (
                other[0] != lang
                and other[1] >= 0.8
                and re.search(rf"(?<!\w){re.escape(phrase.lower())}(?!\w)", lowered)
            ):
                problems.append(f"{path}: pastes the brief's {other[0]!r} text {phrase[:40]!r} into a {lang!r} page")
    return problems, "every page is in its language"


# ----- SEO and performance ----------------------------------------------------------------


def _meta(soup: BeautifulSoup, name: str) -> str | None:
    tag = soup.find("meta", attrs={"name": name})
    return None if tag is None else str(tag.get("content", ""))


@check("meta_viewport", "seo_performance", "error")
def meta_viewport(ctx: QAContext) -> tuple[list[str], str]:
    """Every page has <meta name=viewport content=width=device-width> and does not block zooming."""
    problems = []
    for path, soup in ctx.soups.items():
        content = _meta(soup, "viewport")
        if content is None:
            problems.append(f"{path}: no <meta name=viewport>")
            continue
        flat = content.replace(" ", "").lower()
        if "width=device-width" not in flat:
            problems.append(f"{path}: <meta name=viewport> lacks width=device-width")
        scale = re.search(r"maximum-scale=([\d.]+)", flat)
        if "user-scalable=no" in flat or (scale and float(scale.group(1)) < 2):
            problems.append(f"{path}: <meta name=viewport> blocks zooming")
    return problems, "every page is mobile-ready and zoomable"


@check("title_length", "seo_performance", "warning")
def title_length(ctx: QAContext) -> tuple[list[str], str]:
    """Every page has a <title> of 15-60 characters, unique among indexable pages."""
    problems: list[str] = []
    seen: dict[str, str] = {}
    low, high = TITLE_RANGE
    for path, soup in ctx.soups.items():
        title = soup.title.get_text(strip=True) if soup.title else ""
        if not low <= len(title) <= high:
            problems.append(f"{path}: <title> is {len(title)} characters ({title[:70]!r}); aim for {low}-{high}")
        if ctx.indexable(path):
            if title in seen:
                problems.append(f"{path}: <title> {title!r} repeats {seen[title]}")
            seen.setdefault(title, path)
    return problems, f"titles are {low}-{high} characters and unique"


@check("description_length", "seo_performance", "warning")
def description_length(ctx: QAContext) -> tuple[list[str], str]:
    """Every page has a meta description of 70-160 characters, unique among indexable pages."""
    problems: list[str] = []
    seen: dict[str, str] = {}
    low, high = DESCRIPTION_RANGE
    for path, soup in ctx.soups.items():
        if not ctx.indexable(path):
            continue
        text = (_meta(soup, "description") or "").strip()
        if not low <= len(text) <= high:
            problems.append(f"{path}: <meta name=description> is {len(text)} characters; aim for {low}-{high}")
        elif text in seen:
            problems.append(f"{path}: <meta name=description> repeats {seen[text]}")
        seen.setdefault(text, path)
    return problems, f"descriptions are {low}-{high} characters and unique"


@check("page_weight", "seo_performance", "error")
def page_weight(ctx: QAContext) -> tuple[list[str], str]:
    """Each HTML file stays under 60 KB, each stylesheet under 30 KB, and a page with its CSS under 100 KB."""
    problems = []
    sizes = {p: len(t.encode("utf-8")) for p, t in ctx.site.files.items()}
    for path, size in sizes.items():
        if path.endswith(".css") and size > CSS_BUDGET:
            problems.append(f"{path}: {size / 1024:.1f} KB, over the {CSS_BUDGET // 1024} KB stylesheet budget")
    for path, soup in ctx.soups.items():
        if sizes[path] > HTML_BUDGET:
            problems.append(f"{path}: {sizes[path] / 1024:.1f} KB of HTML, over the {HTML_BUDGET // 1024} KB budget")
        css = 0
        for link in soup.find_all("link", rel="stylesheet"):
            target, _ = ctx.resolve(path, str(link.get("href", "")))
            css += sizes.get(target or "", 0)
        if sizes[path] + css > PAGE_BUDGET:
            problems.append(f"{path}: {(sizes[path] + css) / 1024:.1f} KB with its CSS, over {PAGE_BUDGET // 1024} KB")
    return problems, "every page is within its weight budget"


@check("canonical_url", "seo_performance", "error")
def canonical_url(ctx: QAContext) -> tuple[list[str], str]:
    """Every indexable page has one absolute canonical URL on the site's base URL, matching og:url."""
    problems = []
    base = ctx.site.base_url.rstrip("/")
    for path, soup in ctx.soups.items():
        robots = _meta(soup, "robots") or ""
        if "noindex" in robots:
            continue
        links = soup.find_all("link", rel="canonical")
        if len(links) != 1:
            problems.append(f"{path}: has {len(links)} <link rel=canonical>; it needs exactly one")
            continue
        href = str(links[0].get("href", ""))
        if not (href == base + "/" or href.startswith(base + "/")):
            problems.append(f"{path}: canonical {href!r} is not on the base URL {base}")
        og = soup.find("meta", attrs={"property": "og:url"})
        if og is None or og.get("content") != href:
            problems.append(f"{path}: og:url does not equal the canonical URL {href!r}")
    return problems, "every indexable page has a canonical URL"


@check("sitemap_complete", "seo_performance", "error")
def sitemap_complete(ctx: QAContext) -> tuple[list[str], str]:
    """sitemap.xml lists every indexable page and nothing else, and robots.txt points to it."""
    text = ctx.site.files.get("sitemap.xml")
    if text is None:
        return ["sitemap.xml: missing"], ""
    try:
        root = ET.fromstring(text.encode("utf-8"))
    except ET.ParseError as exc:
        return [f"sitemap.xml: not well-formed XML ({exc})"], ""
    ns = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    listed = {(loc.text or "").strip() for loc in root.findall("sm:url/sm:loc", ns)}
    expected = {page_url(ctx.site.base_url, p): p for p in ctx.html_files if ctx.indexable(p)}
    problems = [f"sitemap.xml: {expected[url]} ({url}) is not listed" for url in sorted(set(expected) - listed)]
    problems += [f"sitemap.xml: {url} is not an indexable page of the site" for url in sorted(listed - set(expected))]
    robots = ctx.site.files.get("robots.txt", "")
    sitemap_url = f"{ctx.site.base_url.rstrip('/')}/sitemap.xml"
    if not re.search(rf"(?im)^sitemap:\s*{re.escape(sitemap_url)}\s*$", robots):
        problems.append(f"robots.txt: no 'Sitemap: {sitemap_url}' line")
    return problems, f"{len(expected)} pages listed in sitemap.xml"


_CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)|@import\s+['"]([^'"]+)""")


@check("no_third_party_requests", "seo_performance", "error")
def no_third_party_requests(ctx: QAContext) -> tuple[list[str], str]:
    """Pages load nothing from other hosts: no absolute src, stylesheet, icon or CSS url() elsewhere."""
    problems = []
    base_host = urlparse(ctx.site.base_url).netloc

    def foreign(ref: str) -> bool:
        parsed = urlparse(ref.strip())
        return ref.strip().startswith("//") or (parsed.scheme in ("http", "https") and parsed.netloc != base_host)

    for path, soup in ctx.soups.items():
        for tag in soup.find_all(True):
            for attr in ("src", "srcset", "poster", "data"):
                value = tag.get(attr)
                if value and any(foreign(part.split()[0]) for part in str(value).split(",") if part.strip()):
                    problems.append(f"{path}: {_where(tag)} loads {str(value)[:80]!r} from another host")
            href = tag.get("href")
            if href and tag.name in ("link", "a", "area", "base") and foreign(str(href)):
                rel = {r.lower() for r in (tag.get("rel") or [])}
                if tag.name == "link" and rel & {"canonical", "alternate"}:
                    continue
                problems.append(f"{path}: {_where(tag)} links to {str(href)[:80]!r} on another host")
        for style in soup.find_all("style"):
            for m in _CSS_URL.finditer(style.get_text()):
                if foreign(m.group(1) or m.group(2)):
                    problems.append(f"{path}: <style> loads {(m.group(1) or m.group(2))[:80]!r}")
    for path, text in ctx.site.files.items():
        if path.endswith(".css"):
            for m in _CSS_URL.finditer(text):
                if foreign(m.group(1) or m.group(2)):
                    problems.append(f"{path}: loads {(m.group(1) or m.group(2))[:80]!r} from another host")
    return problems, "no requests to other hosts"


# ----- running ----------------------------------------------------------------------------


def run_checks(
    site: RenderedSite,
    design: DesignSystem,
    *,
    escaped_values: list[str],
    brief: ClientBrief | None = None,
    api_public_url: str = "",
) -> list[CheckResult]:
    """Run every registered QA check on a rendered site, in registry order; `brief` is the source of facts."""
    ctx = QAContext(
        site=site, design=design, escaped_values=list(escaped_values), brief=brief, api_public_url=api_public_url
    )
    return [fn(ctx) for _scope, _severity, fn in CHECKS.values()]


def qa_score(results: list[CheckResult]) -> float:
    """Weighted share of passed checks out of 100 (an error weighs three warnings)."""
    total = sum(SEVERITY_WEIGHT[r.severity] for r in results)
    if not total:
        return 0.0
    return round(100.0 * sum(SEVERITY_WEIGHT[r.severity] for r in results if r.passed) / total, 1)


def build_qa_report(results: list[CheckResult], scope: Scope) -> QAReport:
    """The QA report of one scope: its checks (others are dropped), a score and a one-line summary."""
    scoped = [r for r in results if r.id not in CHECKS or CHECKS[r.id][0] == scope]
    failed = [r for r in scoped if not r.passed]
    score = qa_score(scoped)
    if not scoped:
        summary = f"no {scope} checks ran"
    elif failed:
        summary = f"{len(scoped) - len(failed)} of {len(scoped)} {scope} checks passed; failing: " + ", ".join(
            f"{r.id} ({r.severity})" for r in failed
        )
    else:
        summary = f"all {len(scoped)} {scope} checks passed"
    return QAReport(scope=scope, score=score, checks=scoped, summary=summary)

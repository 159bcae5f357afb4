"""The brief's rules for each agent's deliverable, beyond its schema, and filling what still breaks them.

A schema says what shape an answer has; these rules say whether it fits this client: page names
exactly the brief's, every page with what the site needs, human-readable text in the site's
language, no claims beyond the brief's facts, no markup, lengths the templates hold. The LLM
provider sends the violations back in its repair request; what the repair leaves broken is
replaced, part by part, by the offline generator's copy for that part (`fill_from_offline`),
which follows the same rules, and the deliverable's metadata says which parts were filled.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from ..brief import ClientBrief
from ..claims import brief_numbers, claims_in, normalised_quote, quoted_with_name
from ..site.i18n import market_label
from .provider import AgentContext
from .roster import AgentTask

# Tasks whose deliverable is a list of pages, keyed by the brief's page names.
PAGE_TASKS = frozenset({"site_structure", "seo_copy", "marketing_content"})
# Tasks whose text is published on the site (navigation labels too): no claim beyond the brief's facts.
PUBLISHED_TASKS = frozenset({"site_structure", "seo_copy", "marketing_content", "hero_challenger"})
# Sections a page shows only with items; the offline copy always has items for these (catalogues
# without offers stay empty on purpose: the page says its list is on its way).
ITEM_SECTIONS = frozenset({"features", "how_it_works", "faq", "dashboard_preview", "gallery", "blog_index"})
# Field names whose values are identifiers, not text a visitor reads.
NOT_TEXT = frozenset(
    {
        "page",
        "kind",
        "source",
        "network",
        "channel",
        "font_style",
        "corner_style",
        "schema_type",
        "phase",
        "name",
        "trigger",
        "properties",
    }
)
# Lengths the templates and search results hold (the QA checks' ranges for titles and descriptions).
TITLE_RANGE = (15, 60)
DESCRIPTION_RANGE = (70, 160)
MAX_LENGTH = {"nav_label": 30, "h1": 90, "headline": 90, "heading": 100, "cta_label": 40, "cta": 40, "subject": 90}
_MARKUP = re.compile(r"<\s*/?\s*[a-zA-Z][^<>]*>|&(?:[a-zA-Z]+|#\d+);|\*\*[^*]+\*\*|^#{1,6}\s", re.M)
_WORD = re.compile(r"[^\W\d_]+(?:[-'\u2019][^\W\d_]+)*")
# A text this long is judged for its language (shorter ones say too little; the page check sees them together).
LANGUAGE_MIN_WORDS = 6
LANGUAGE_CONFIDENCE = 0.99


@dataclass(frozen=True)
class Violation:
    """One rule an answer breaks: where, what, and the part a fill would replace."""

    where: str  # pages[menu].title
    message: str  # is 74 characters; give 15-60
    part: str  # pages[menu], pages, hero_a ...

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def page_names(brief: ClientBrief) -> list[str]:
    """The brief's page names, in order, once each: the only names a deliverable's pages may have."""
    return list(dict.fromkeys(brief.pages))


def check_deliverable(task: AgentTask, output: BaseModel, ctx: AgentContext) -> list[Violation]:
    """Every rule of the brief that `output` (already valid against its schema) breaks."""
    brief = ctx.brief
    found: list[Violation] = []
    pages_by_index: dict[int, str] = {}
    if task.key in PAGE_TASKS:
        found += _page_list(output, brief)
        pages_by_index = {i: str(getattr(p, "page", "")) for i, p in enumerate(getattr(output, "pages", []))}
    found += _empty_lists(output, (), pages_by_index)
    lang = brief.language or "en"
    names = _names(brief)
    published = task.key in PUBLISHED_TASKS
    allowed = brief_numbers(brief) if published else set()
    quotes = {normalised_quote(t.quote) for t in brief.facts.published_testimonials}
    for path, text in _strings(output.model_dump(mode="json"), ()):
        where, part = _where(path, pages_by_index)
        key = next((str(p) for p in reversed(path) if isinstance(p, str)), "")
        markup = _MARKUP.search(text)
        if markup:
            found.append(Violation(where, f"contains markup ({markup.group()[:20]!r}); write plain text", part))
        limit = MAX_LENGTH.get(key)
        if limit and len(text) > limit:
            found.append(Violation(where, f"is {len(text)} characters; the template holds at most {limit}", part))
        if (
            key in ("heading", "nav_label", "h1", "headline", "title", "meta_description", "cta_label")
            and not text.strip()
        ):
            found.append(Violation(where, "is empty; write it", part))
        language = _other_language(text, lang, names)
        if language:
            found.append(
                Violation(where, f"is written in {language!r}; write it in {lang!r}, the site's language", part)
            )
        if published:
            for kind, shown in claims_in(text, allowed):
                found.append(
                    Violation(
                        where, f"states the {kind} {shown!r}, which client_brief.facts does not give; remove it", part
                    )
                )
            for quote in quoted_with_name(text):
                if normalised_quote(quote) not in quotes:
                    found.append(
                        Violation(
                            where,
                            "quotes someone; only consented testimonials of client_brief.facts may be quoted",
                            part,
                        )
                    )
    if task.key == "seo_copy":
        found += _seo_lengths(output)
    if task.key == "marketing_content":
        found += _sections(output, quotes)
    if task.key == "site_structure":
        allowed_pages = set(page_names(brief))
        wrong = [n for n in getattr(output, "navigation", []) if n not in allowed_pages]
        if wrong:
            found.append(
                Violation(
                    "navigation",
                    f"names {', '.join(map(repr, wrong))}, not pages of the brief; use {', '.join(page_names(brief))}",
                    "navigation",
                )
            )
    return list(dict.fromkeys(found))


def _page_list(output: BaseModel, brief: ClientBrief) -> list[Violation]:
    expected = page_names(brief)
    given = [str(getattr(p, "page", "")) for p in getattr(output, "pages", [])]
    found = []
    for name in dict.fromkeys(given):
        if name not in expected:
            found.append(
                Violation(
                    f"pages[{name}]", f"{name!r} is not a page of the brief; use exactly {', '.join(expected)}", "pages"
                )
            )
        elif given.count(name) > 1:
            found.append(Violation(f"pages[{name}]", "appears more than once; give each page once", "pages"))
    for name in expected:
        if name not in given:
            found.append(
                Violation("pages", f"the brief's page {name!r} is missing; give every page of the brief", "pages")
            )
    return found


def _seo_lengths(output: Any) -> list[Violation]:
    found = []
    titles: dict[str, str] = {}
    for page in output.pages:
        part = f"pages[{page.page}]"
        low, high = TITLE_RANGE
        if not low <= len(page.title) <= high:
            found.append(Violation(f"{part}.title", f"is {len(page.title)} characters; give {low}-{high}", part))
        low, high = DESCRIPTION_RANGE
        if not low <= len(page.meta_description) <= high:
            found.append(
                Violation(
                    f"{part}.meta_description", f"is {len(page.meta_description)} characters; give {low}-{high}", part
                )
            )
        if page.title in titles:
            found.append(
                Violation(f"{part}.title", f"repeats the title of {titles[page.title]}; give each page its own", part)
            )
        titles.setdefault(page.title, page.page)
    return found


def _sections(output: Any, quotes: set[str]) -> list[Violation]:
    found = []
    for page in output.pages:
        part = f"pages[{page.page}]"
        for index, section in enumerate(page.sections):
            where = f"{part}.sections[{index}]"
            if section.kind in ITEM_SECTIONS and not section.items:
                found.append(
                    Violation(
                        f"{where}.items",
                        f"a {section.kind} section needs items; give some or leave the section out",
                        part,
                    )
                )
            if section.kind == "social_proof":
                for item in section.items:
                    if normalised_quote(item.text) not in quotes:
                        found.append(
                            Violation(
                                f"{where}.items",
                                "is a testimonial that client_brief.facts does not give with consent;"
                                " publish only those, word for word",
                                part,
                            )
                        )
    return found


def _empty_lists(value: Any, path: tuple[Any, ...], pages: dict[int, str]) -> list[Violation]:
    """Required lists (no default in the model) that are empty: the deliverable leaves out what the site needs."""
    found: list[Violation] = []
    if isinstance(value, BaseModel):
        for name, field in type(value).model_fields.items():
            child = getattr(value, name)
            if isinstance(child, list) and not child and field.is_required():
                where, part = _where((*path, name), pages)
                found.append(Violation(where, "is empty; give at least one", part))
            found += _empty_lists(child, (*path, name), pages)
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _empty_lists(child, (*path, index), pages)
    return found


def _strings(value: Any, path: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], str]]:
    if isinstance(value, dict):
        for key, child in value.items():
            if key not in NOT_TEXT and key != "reviewer_feedback":
                yield from _strings(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _strings(child, (*path, index))
    elif isinstance(value, str):
        yield path, value


def _where(path: tuple[Any, ...], pages: dict[int, str]) -> tuple[str, str]:
    """'pages[menu].sections[0].heading' and the part a fill replaces ('pages[menu]', or the top-level field)."""
    text = ""
    part = ""
    for index, step in enumerate(path):
        if isinstance(step, int):
            label = pages.get(step, str(step)) if index == 1 and path[0] == "pages" and pages else str(step)
            text += f"[{label}]"
        else:
            text += f".{step}" if text else step
        if index == 0:
            part = str(step)
        if index == 1 and path[0] == "pages" and pages:
            part = text
    return text or "(root)", part or "(root)"


def _names(brief: ClientBrief) -> list[str]:
    names = [brief.business_name, brief.target_geo, market_label(brief.target_geo, brief.language or "en")]
    names += [o.name for o in brief.facts.offers] + [t.author for t in brief.facts.testimonials]
    return sorted((n for n in names if n), key=len, reverse=True)


def _other_language(text: str, lang: str, names: list[str]) -> str | None:
    """The other site language `text` is written in, when it is long enough to tell and clearly so."""
    if lang not in ("en", "es"):
        return None
    for name in names:
        text = re.sub(re.escape(name), " ", text, flags=re.I)
    if len(_WORD.findall(text)) < LANGUAGE_MIN_WORDS:
        return None
    from ..language import rank

    top, p = rank(text, ("en", "es"))[0]
    return top if top != lang and p >= LANGUAGE_CONFIDENCE else None


# ----- filling from the offline generator's copy --------------------------------------------


def fill_from_offline(
    task: AgentTask, output: BaseModel, ctx: AgentContext, violations: list[Violation]
) -> tuple[BaseModel, list[str]]:
    """`output` with each part a violation names replaced by the offline generator's copy of it, and those parts.

    Honest because the offline copy states nothing beyond the brief, in the site's language; the
    caller records the parts so that the summary says which text is the house copy, not the model's.
    """
    from .offline import OfflineGenerator

    offline = OfflineGenerator().run(task, ctx).output
    data = output.model_dump()
    spare = offline.model_dump()
    filled: list[str] = []
    parts = list(dict.fromkeys(v.part for v in violations))
    if task.key in PAGE_TASKS and "pages" in parts:
        given = {p["page"]: p for p in reversed(data["pages"])}  # the first entry of a repeated page wins
        theirs = {p["page"]: p for p in spare["pages"]}
        pages = []
        for name in page_names(ctx.brief):
            if name in given:
                pages.append(given[name])
            elif name in theirs:
                pages.append(theirs[name])
                filled.append(f"pages[{name}]")
        data["pages"] = pages
    for part in parts:
        match = re.fullmatch(r"pages\[(.+)\]", part)
        if match and task.key in PAGE_TASKS:
            name = match.group(1)
            spare_page: dict[str, Any] | None = next((p for p in spare["pages"] if p["page"] == name), None)
            if spare_page is not None:
                data["pages"] = [spare_page if p["page"] == name else p for p in data["pages"]]
                filled.append(part)
        elif part in spare and part != "pages":
            data[part] = spare[part]
            filled.append(part)
        elif part == "(root)":
            data = spare
            filled.append("the whole deliverable")
    return type(output).model_validate(data), list(dict.fromkeys(filled))

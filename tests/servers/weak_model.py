"""Answers of a weak model for the OpenAI-compatible test server: valid JSON, sloppy in the ways real models are.

Each answer starts from the offline generator's deliverable for the request (what a good model
would write) and spoils it with the scenario's mistakes: page names that are not the brief's, a
missing page, text in the other site language, an invented 5-star rating and testimonial,
overlong titles, HTML in strings, empty lists. A scenario says whether a correction request
(the repair's <validation_errors> or a QA round's <qa_findings>) gets the mistakes fixed or
made again. The server still speaks the real wire protocol: `WeakModel` is a content callable
for `openai_compatible.content()`, or a route.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from typing import Any

from tests.servers.offline_answers import offline_answer, request_brief

MISTAKES = (
    "page_names",  # "Menu", "Book" for the brief's "menu", "book"
    "missing_page",  # the brief's last page left out
    "other_language",  # a sentence in English on a Spanish site (in Spanish on an English one)
    "rating",  # "★★★★★ 5 estrellas", "rated 4.9/5"
    "testimonial",  # a made-up customer quote on the home page
    "long_titles",  # page titles of 80+ characters; blog post titles that overflow with the business name
    "html",  # <b>, <br> in strings
    "empty_list",  # FAQ without questions, no keywords, no risks
)
# Beyond the brief's rules: an answer of the wrong shape (a section kind the schema does not know).
# Nothing can stand in for an answer that is not there: when it persists, the client fails naming it.
WRONG_SHAPE = "wrong_shape"
OTHER = {
    "es": "Our friendly team is always here to help you every single day of the week with anything you need.",
    "en": "Nuestro equipo amable siempre está aquí para ayudarte todos los días de la semana con lo que necesites.",
}


def _correcting(body: dict[str, Any]) -> bool:
    return any(
        "<validation_errors>" in m["content"] or "<qa_findings>" in m["content"]
        for m in body["messages"]
        if m["role"] == "user"
    )


class WeakModel:
    """A content callable answering like a weak model; `fixes`: 'next' (a correction fixes all), 'never'."""

    def __init__(self, mistakes: tuple[str, ...] = MISTAKES, *, fixes: str = "next"):
        unknown = set(mistakes) - {*MISTAKES, WRONG_SHAPE}
        if unknown or fixes not in ("next", "never"):
            raise ValueError(f"unknown mistakes {sorted(unknown)} or fixes {fixes!r}")
        self.mistakes = set(mistakes)
        self.fixes = fixes
        self.made: Counter[str] = Counter()  # mistake -> answers that carried it
        self.corrections = 0  # requests that asked for a correction
        self._lock = threading.Lock()

    def __call__(self, body: dict[str, Any]) -> str:
        perfect = json.loads(offline_answer(body))
        correcting = _correcting(body)
        with self._lock:
            self.corrections += correcting
        if correcting and self.fixes == "next":
            return json.dumps(perfect)
        brief, _slug = request_brief(body)
        name = (
            body["response_format"]["json_schema"]["name"] if body.get("response_format", {}).get("json_schema") else ""
        )
        spoiled = self.spoil(name, perfect, brief.language or "en", brief.business_name)
        return json.dumps(spoiled, ensure_ascii=False)

    def _did(self, mistake: str) -> bool:
        if mistake not in self.mistakes:
            return False
        with self._lock:
            self.made[mistake] += 1
        return True

    def spoil(self, name: str, data: dict[str, Any], lang: str, business: str) -> dict[str, Any]:
        """`data` (a deliverable named `name`) with this model's mistakes."""
        other = OTHER[lang]
        if name in ("SiteStructure", "SeoCopy", "MarketingContent"):
            pages = data["pages"]
            if len(pages) > 2 and self._did("missing_page"):
                del pages[-1]
            if self._did("page_names"):
                for page in pages:
                    if page["page"] != "home":
                        page["page"] = page["page"].title()
                if "navigation" in data:
                    data["navigation"] = [n.title() for n in data["navigation"]]
        if name == "ProjectPlan":
            if self._did("other_language"):
                data["summary"] = other
            if self._did("empty_list"):
                data["risks"] = []
        elif name == "MarketAnalysis":
            if self._did("empty_list"):
                data["keywords"] = []
            if self._did("html"):
                data["positioning"] = f"<b>{data['positioning']}</b>"
        elif name == "SeoCopy":
            if self._did("long_titles"):
                for page in data["pages"]:
                    page["title"] = (page["title"] + " — " + page["meta_description"])[:95]
            if self._did("other_language"):
                data["pages"][-1]["meta_description"] = other
            if self._did("rating"):
                data["hero_b"]["subheadline"] += " ★★★★★ 5 estrellas" if lang == "es" else " Rated 4.9/5 ★★★★★"
            if self._did("html"):
                data["hero_a"]["headline"] = f"<strong>{data['hero_a']['headline']}</strong>"
        elif name == "MarketingContent":
            home = next((p for p in data["pages"] if p["page"] == "home"), data["pages"][0])
            if self._did("testimonial"):
                quote = (
                    "La mejor experiencia de la ciudad, sin duda." if lang == "es" else "The best in town, hands down."
                )
                home["sections"].insert(
                    0,
                    {
                        "kind": "social_proof",
                        "heading": "Opiniones" if lang == "es" else "Reviews",
                        "intro": "",
                        "items": [{"title": "María G.", "text": quote, "meta": "", "source": "none"}],
                    },
                )
            if self._did("rating"):
                home["sections"][-1]["intro"] += " ★★★★★ 5 estrellas" if lang == "es" else " Rated 4.9/5 by our guests."
            if self._did("other_language"):
                home["sections"][-1]["intro"] = other
            if self._did("html"):
                home["sections"][-1]["heading"] = f"{home['sections'][-1]['heading']}<br>"
            if self._did("long_titles"):
                # Within the rules for an item, but "<title> | <business>" overflows the 60 characters of
                # a result page's title: only the QA check on the rendered post sees it.
                for page in data["pages"]:
                    for section in page["sections"]:
                        if section["kind"] == "blog_index":
                            for item in section["items"]:
                                filler = (
                                    " para toda la familia y los amigos"
                                    if lang == "es"
                                    else " for the whole family and friends"
                                )
                                item["title"] = (item["title"] + filler * 3)[: 64 - len(business)].strip()
            if self._did(WRONG_SHAPE):
                home["sections"][0]["kind"] = "carousel"
            if self._did("empty_list"):
                for page in data["pages"]:
                    for section in page["sections"]:
                        if section["kind"] in ("faq", "features"):
                            section["items"] = []
        elif name == "SupportKit":
            if self._did("empty_list"):
                data["faq"] = []
            if self._did("html"):
                data["channels"] = [f"<a href='#'>{c}</a>" for c in data["channels"]]
        elif name == "DesignDirection" and self._did("empty_list"):
            data["layout_notes"] = []
        return data

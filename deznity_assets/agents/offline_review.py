"""How the offline generator answers a reviewer's rejection: quoted wording removed, the sector's notice added.

A model reads the reviewer's reasons and rewrites; a template generator cannot. It does the two
things a compliance review asks most and that it can do reliably: wording the reviewer quotes
("…", “…”, «…», '…') disappears from every text of the deliverable (the sentence holding it is
dropped), and the home page gains the sector's notice (general information, not professional
advice). The reasons themselves are recorded on the deliverable by the platform (agents/work.py).
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel

from ..deliverables import MarketingContent, PageSection

# Quoted wording in a reason: double quotes of any style, guillemets, or single quotes that
# open after a space (so that "don't" is no quote).
QUOTED = re.compile(r"\"([^\"]{2,120})\"|“([^”]{2,120})”|«([^»]{2,120})»|(?:^|(?<=\s))'([^']{2,120})'(?=[\s.,;:!?)]|$)")
SENTENCE = re.compile(r"(?<=[.!?])\s+")

NOTICES: dict[str, dict[str, tuple[str, str]]] = {
    "health": {
        "en": (
            "Important information",
            "The information on this site is general and does not replace a consultation with a qualified "
            "health professional. Results vary from person to person.",
        ),
        "es": (
            "Información importante",
            "La información de este sitio es general y no sustituye la consulta con un profesional sanitario "
            "cualificado. Los resultados varían de una persona a otra.",
        ),
    },
    "legal": {
        "en": (
            "Important information",
            "The content of this site is general information, not legal advice. Each case needs its own "
            "assessment by a qualified lawyer.",
        ),
        "es": (
            "Información importante",
            "El contenido de este sitio es información general, no asesoramiento jurídico. Cada caso necesita "
            "su propia valoración por un abogado colegiado.",
        ),
    },
    "finance": {
        "en": (
            "Important information",
            "The content of this site is general information, not financial advice. Past results do not "
            "guarantee future returns, and every product carries risks.",
        ),
        "es": (
            "Información importante",
            "El contenido de este sitio es información general, no asesoramiento financiero. Los resultados "
            "pasados no garantizan rentabilidades futuras y todo producto conlleva riesgos.",
        ),
    },
}


def quoted_phrases(reasons: list[str]) -> list[str]:
    """The wording a reviewer quoted in their reasons, lower-cased, longest first."""
    found = {next(g for g in m.groups() if g).strip().lower() for reason in reasons for m in QUOTED.finditer(reason)}
    return sorted((p for p in found if p), key=len, reverse=True)


def _strip(text: str, phrases: list[str], fallback: str) -> str:
    if not any(p in text.lower() for p in phrases):
        return text
    kept = [s for s in SENTENCE.split(text) if not any(p in s.lower() for p in phrases)]
    return " ".join(kept).strip() or fallback


def _walk(value: Any, phrases: list[str], fallback: str) -> Any:
    if isinstance(value, str):
        return _strip(value, phrases, fallback)
    if isinstance(value, list):
        return [_walk(v, phrases, fallback) for v in value]
    if isinstance(value, dict):
        return {
            k: (v if k in ("page", "kind", "reviewer_feedback") else _walk(v, phrases, fallback))
            for k, v in value.items()
        }
    return value


def honour_feedback(
    output: BaseModel, *, reasons: list[str], sectors: list[str], language: str, fallback: str
) -> BaseModel:
    """The deliverable with the reviewer's quoted wording removed and, for page content, the sector's notice."""
    phrases = quoted_phrases(reasons)
    if phrases:
        data = _walk(output.model_dump(), phrases, fallback)
        output = type(output).model_validate(data)
    if isinstance(output, MarketingContent) and output.pages and sectors:
        notice = NOTICES[sectors[0]].get(language, NOTICES[sectors[0]]["en"])
        home = output.pages[0]
        if not any(s.heading == notice[0] and s.intro == notice[1] for s in home.sections):
            home.sections.append(PageSection(kind="text", heading=notice[0], intro=notice[1]))
    return output

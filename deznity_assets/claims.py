"""What a page may claim only when the brief gives it: prices, ratings, statistics, figures and quotes.

The rules are shared by QA's `no_invented_claims` check and by the agents' check of an answer
against the brief (agents/rules.py), so a model's answer is held to the same rule the page is.
"""

from __future__ import annotations

import re

from .brief import ClientBrief
from .facts import numbers_in

# What a page may state only when the brief gives it. Numbers inside a match must all be numbers
# of the brief (facts.numbers_in): "MX$45" passes when the brief's offers say MX$45.
_CURRENCY = r"(?:[A-Z]{1,3}\$|[$€£¥₹]|\b(?:USD|EUR|MXN|GBP|COP|ARS|CLP|PEN|CAD|AUD)\b)"
CLAIM_PATTERNS: dict[str, re.Pattern[str]] = {
    "price": re.compile(
        rf"{_CURRENCY}\s?\d[\d.,]*|\b\d[\d.,]*\s?(?:{_CURRENCY}|(?:pesos|euros?|d[oó]lares|dollars)\b)", re.I
    ),
    "rating": re.compile(
        r"\b\d(?:[.,]\d)?\s?/\s?(?:5|10)\b|[★☆⭐]|\b\d(?:[.,]\d)?\s?(?:stars?|estrellas?)\b"
        r"|\b(?:rated|rating|valoraci[oó]n|calificaci[oó]n|puntuaci[oó]n)\b\s*:?\s*\d",
        re.I,
    ),
    "statistic": re.compile(
        r"[+\-\u2212±]?\d+(?:[.,]\d+)?\s?%|\b\d+(?:[.,]\d+)?\s?[x\u00d7]\b|(?<![\w+])\+\s?\d[\d.,]*\b|\b\d[\d.,]*\s?\+(?!\w)"
        r"|\b\d[\d.,]*\s+(?:more\s+|m[aá]s\s+)?(?:years?|años|customers?|clients?|clientes|users?|usuarios"
        r"|projects?|proyectos|reviews?|reseñas|patients?|pacientes|cases?|casos|orders?|pedidos|members?"
        r"|miembros|countries|pa[ií]ses|cities|ciudades|stores?|tiendas|locations?|sucursales|awards?|premios)\b",
        re.I,
    ),
    "figure": re.compile(
        r"\b\d[\d.,]*(?:\s?(?:-|\u2013|to|a)\s?\d[\d.,]*)?\s?(?:hours?|hrs?|horas?|days?|d[ií]as?|weeks?|semanas?"
        r"|months?|meses|minutes?|minutos?|mins?)\b",
        re.I,
    ),
}
_QUOTED = re.compile(r"[“\"«]([^”\"»]{12,})[”\"»]\s*[—\u2013-]\s*\w")


def _norm(text: str) -> str:
    return " ".join(text.replace("“", "").replace("”", "").replace('"', "").split()).strip().lower()


def brief_text(brief: ClientBrief | None) -> str:
    """Every text of the brief (its facts included): what a page may take numbers and quotes from."""
    if brief is None:
        return ""
    fields = [brief.business_name, brief.industry, brief.goal, brief.target_geo, *brief.copy_tone, *brief.pages]
    return "\n".join(fields + brief.facts.texts())


def claims_in(text: str, allowed_numbers: set[str]) -> list[tuple[str, str]]:
    """(kind, text) of every price, rating, statistic or figure in `text` whose numbers are not `allowed_numbers`."""
    found_claims = []
    for kind, pattern in CLAIM_PATTERNS.items():
        for match in pattern.finditer(text):
            found = numbers_in(match.group())
            if kind == "rating" or not found <= allowed_numbers:
                if kind == "rating" and found <= allowed_numbers and found:
                    continue  # a rating the brief itself states
                found_claims.append((kind, match.group().strip()))
    return found_claims


def brief_numbers(brief: ClientBrief | None) -> set[str]:
    """The numbers the brief states (its facts included): the only ones a page may show as a claim."""
    return numbers_in(brief_text(brief))


def quoted_with_name(text: str) -> list[str]:
    """Quotes credited to someone in `text` ("..." — Name)."""
    return [m.group(1) for m in _QUOTED.finditer(text)]


def normalised_quote(text: str) -> str:
    """A quote as the claims check compares it (no quote marks, one space, lower case)."""
    return _norm(text)

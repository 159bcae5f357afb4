"""Seeded random briefs nobody tuned for: every industry profile, both languages, extreme colours, 1-8 pages.

Used by tests/test_copy_rules.py (a sample, without a browser) and benchmarks/lighthouse_sites.py
(40 of them through Lighthouse and html-validate). The same seed always gives the same briefs.
"""

from __future__ import annotations

import random
from typing import Any

# Industries as clients type them: every profile's own name, aliases, regulated sectors in both
# languages, and trades with no profile of their own.
INDUSTRIES = [
    "restaurant",
    "saas",
    "ecommerce",
    "tech",
    "beauty",
    "health",
    "legal",
    "finance",
    "general",
    "cafe",
    "software",
    "salon",
    "dental clinic",
    "law firm",
    "accounting",
    "clínica dental",
    "abogados",
    "restaurante",
    "tienda",
    "belleza",
    "yoga",
    "bakery",
    "plumbing",
    "fotografía",
]
EXTREME_COLOURS = ["#FFFF00", "#FFFFFF", "#000000", "#00FF00", "#FF00FF", "#00FFFF", "#808080", "#FEFEFE", "#0000FF"]
PAGE_POOL = [
    "menu",
    "book",
    "blog",
    "products",
    "cart",
    "pricing",
    "dashboard",
    "services",
    "about",
    "contact",
    "gallery",
    "team",
    "reservations",
    "shop",
    "plans",
    "news",
    "portfolio",
    "location",
]
GEOS = {
    "en": ["Global", "North America", "Europe", "Austin, Texas", "London, UK", "Toronto, Canada", "Lima, Ohio"],
    "es": ["CDMX", "Latin America", "Madrid", "Bogotá, Colombia", "Lima, Peru", "Buenos Aires, Argentina"],
}
TONES = [
    "fun, young, street-food vibes",
    "elegant, luxurious",
    "professional, reliable",
    "warm, caring",
    "motivational, bold",
    "innovative, professional",
    "calm, friendly",
    "divertido, joven",
    "elegante, exclusivo",
]
GOALS = [
    "increase reservations",
    "increase online sales",
    "increase lead generation",
    "increase user engagement",
    "increase brand awareness",
    "grow the business",
    "aumentar las reservas",
    "conseguir más clientes potenciales",
]
NAME_PARTS = (
    ["Sol", "Luna", "Casa", "Green", "Blue", "Nova", "Punto", "Alto", "Brisa", "Clara", "North", "Bright"],
    ["Studio", "Lab", "& Co", "Kitchen", "Works", "Central", "House", "Bar", "Care", "Legal", "Capital", "Market"],
)
# Facts a client might give, written in the site's language (a page holds one language).
QUOTES = {
    "en": [
        "We came for a birthday and stayed until closing time.",
        "Clear answers, friendly people and exactly what we asked for.",
        "The easiest booking I have made this year.",
        "They explained every option before we decided anything.",
    ],
    "es": [
        "Vinimos por un cumpleaños y nos quedamos hasta el cierre.",
        "Respuestas claras, gente amable y justo lo que pedimos.",
        "La reserva más fácil que he hecho este año.",
        "Nos explicaron cada opción antes de decidir nada.",
    ],
}
AUTHORS = ["Ana R.", "Mark T.", "Lucía P.", "Jordan K.", "Sofía M."]
OFFERS = {
    "en": [
        ("House special", "The dish regulars ask for by name."),
        ("Starter plan", "One user; core features; email support"),
        ("Signature set", "Three favourites in one box."),
        ("First consultation", "A first conversation about your situation."),
        ("Monthly care", "A visit every month, planned with you."),
    ],
    "es": [
        ("Especial de la casa", "El plato que los habituales piden por su nombre."),
        ("Plan inicial", "Un usuario; funciones básicas; soporte por correo"),
        ("Set de la casa", "Tres favoritos en una caja."),
        ("Primera consulta", "Una primera conversación sobre tu situación."),
        ("Cuidado mensual", "Una visita cada mes, planeada contigo."),
    ],
}
PRICES = ["$12", "$29/mo", "€45", "MX$180", "US$60", "$1,200", "€9.50"]
STORY = {
    "en": (
        "Coffee from two farms we visit every year.",
        "Finalist, Best New Business Awards",
        "Family-run, with the same team since the start.",
    ),
    "es": (
        "Café de dos fincas que visitamos cada año.",
        "Finalista en los Premios al Mejor Negocio Nuevo",
        "Un negocio familiar, con el mismo equipo desde el inicio.",
    ),
}


def random_colour(rng: random.Random) -> str:
    """Half the time an extreme colour (pure yellow, white, black...), else any colour."""
    if rng.random() < 0.5:
        return rng.choice(EXTREME_COLOURS)
    return f"#{rng.randrange(0x1000000):06X}"


def random_facts(rng: random.Random, lang: str) -> dict[str, Any]:
    """Facts in the site's language: some testimonials (a few without consent), offers, a story."""
    facts: dict[str, Any] = {}
    if rng.random() < 0.6:
        quotes = rng.sample(QUOTES[lang], rng.randint(1, 4))
        facts["testimonials"] = [
            {"quote": q, "author": rng.choice(AUTHORS), "consent": rng.random() < 0.8} for q in quotes
        ]
    if rng.random() < 0.6:
        offers = rng.sample(OFFERS[lang], rng.randint(1, 5))
        facts["offers"] = [
            {"name": n, "description": d, "price": rng.choice(PRICES) if rng.random() < 0.8 else ""} for n, d in offers
        ]
    if rng.random() < 0.5:
        sourcing, award, statement = STORY[lang]
        facts["founded"] = rng.randint(1950, 2024)
        facts["sourcing"] = sourcing
        facts["awards"] = [award]
        facts["statements"] = [statement]
    return facts


def random_briefs(count: int, *, seed: int) -> list[dict[str, Any]]:
    """`count` raw briefs: industries in turn (every one), both languages for each profile, 1 to 8 pages."""
    rng = random.Random(seed)
    briefs = []
    for index in range(count):
        # Languages alternate, and swap on each pass over INDUSTRIES: with 40 briefs every industry
        # profile (the first entries) is written in both English and Spanish.
        lang = "es" if (index + index // len(INDUSTRIES)) % 2 else "en"
        industry = INDUSTRIES[index % len(INDUSTRIES)]
        pages = ["home", *rng.sample(PAGE_POOL, rng.randint(0, 7))]
        name = f"{rng.choice(NAME_PARTS[0])} {rng.choice(NAME_PARTS[1])}"
        brief: dict[str, Any] = {
            "business_name": name,
            "industry": industry,
            "goal": rng.choice(GOALS),
            # The two hardest brand colours for contrast come first, then chance picks.
            "color": EXTREME_COLOURS[index] if index < 2 else random_colour(rng),
            "copy_tone": rng.choice(TONES),
            "target_geo": rng.choice(GEOS[lang]),
            "pages": ", ".join(pages),
            "budget": rng.choice(["starter", "growth", "enterprise"]),
            "language": lang,
        }
        # About a third of clients give no facts at all: their sites must claim nothing.
        if rng.random() >= 0.35 and (facts := random_facts(rng, lang)):
            brief["facts"] = facts
        briefs.append(brief)
    return briefs

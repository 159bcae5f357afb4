"""Sector classification: free-text briefs in health, legal and finance are found, and say why."""

from __future__ import annotations

import dataclasses

import pytest

from deznity_assets.brief import REFERENCE_CLIENTS, generic_client, validate_brief
from deznity_assets.sectors import (
    REGULATED_SECTORS,
    SECTOR_LABELS,
    SectorFinding,
    classify,
    regulated_sectors,
)

NEUTRAL_GOAL = "increase business growth"
STANDARD_PAGES = ["Home", "About", "Contact", "Privacy policy", "Aviso legal"]


@pytest.mark.parametrize(
    "industry, sector, term",
    [
        ("healthcare", "health", "healthcare"),
        ("dental clinic", "health", "dental clinic"),
        ("medical", "health", "medical"),
        ("pharmacy", "health", "pharmacy"),
        ("mental health therapy", "health", "mental health therapy"),
        ("law firm", "legal", "law firm"),
        ("legal services", "legal", "legal services"),
        ("insurance", "finance", "insurance"),
        ("accounting", "finance", "accounting"),
        ("fintech", "finance", "fintech"),
        ("physiotherapy", "health", "physiotherapy"),
        ("veterinary clinic", "health", "veterinary clinic"),
        ("immigration lawyer", "legal", "immigration lawyer"),
        ("notary", "legal", "notary"),
        ("mortgage broker", "finance", "mortgage broker"),
        ("tax advisor", "finance", "tax"),
        ("wealth management", "finance", "wealth management"),
        ("crypto exchange", "finance", "crypto"),
        ("payments", "finance", "payments"),
    ],
)
def test_industry_in_a_regulated_sector(industry, sector, term):
    findings = classify(industry, NEUTRAL_GOAL, STANDARD_PAGES)
    assert findings == [
        SectorFinding(sector, "industry", term, f"industry '{industry}' is {SECTOR_LABELS[sector]}"),
    ]


@pytest.mark.parametrize("industry", REGULATED_SECTORS)
def test_the_exact_sector_names_of_today_still_need_review(industry):
    assert regulated_sectors(classify(industry)) == [industry]


@pytest.mark.parametrize(
    "industry, sector, term",
    [
        ("clínica dental", "health", "clínica dental"),
        ("bufete de abogados", "legal", "bufete de abogados"),
        ("asesoría fiscal", "finance", "asesoría fiscal"),
        ("seguros", "finance", "seguros"),
        ("despacho jurídico", "legal", "jurídico"),
        ("farmacia", "health", "farmacia"),
        ("psicólogo", "health", "psicólogo"),
        ("fisioterapia", "health", "fisioterapia"),
        ("notaría", "legal", "notaría"),
        ("contabilidad", "finance", "contabilidad"),
        ("préstamos rápidos", "finance", "préstamos"),
        ("hipotecas", "finance", "hipotecas"),
        ("salud mental", "health", "salud"),
    ],
)
def test_spanish_industry(industry, sector, term):
    findings = classify(industry, "aumentar las reservas", ["Inicio", "Contacto", "Aviso legal"])
    assert findings == [
        SectorFinding(sector, "industry", term, f"industry '{industry}' is {SECTOR_LABELS[sector]}"),
    ]


@pytest.mark.parametrize(
    "industry, sector",
    [
        ("CLÍNICA", "health"),
        ("Clinica", "health"),
        ("clinic", "health"),
        ("Clínicas Dentales", "health"),
        ("dentist", "health"),
        ("Dentists", "health"),
        ("dentistry", "health"),
        ("DENTISTA", "health"),
        ("abogado", "legal"),
        ("Abogados", "legal"),
        ("ABOGADA", "legal"),
        ("Lawyers", "legal"),
        ("préstamo", "finance"),
        ("PRESTAMO", "finance"),
        ("Inversión", "finance"),
        ("inversiones", "finance"),
        ("Banks", "finance"),
        ("taxes", "finance"),
        ("ﬁnance", "finance"),  # U+FB01 LATIN SMALL LIGATURE FI: NFKD makes it "fi"
    ],
)
def test_accents_case_and_plurals(industry, sector):
    findings = classify(industry)
    assert [(f.sector, f.term) for f in findings] == [(sector, industry)]


@pytest.mark.parametrize(
    "industry",
    [
        "restaurant",
        "saas",
        "ecommerce",
        "tech",
        "beauty",
        "general",
        "lawn care",
        "taxi company",
        "bakery",
        "fitness",
        # Sector words inside other words: none of these is regulated.
        "hospitality",
        "plant nursery",
        "private investigator",
        "cryptography software",
        "outlaw bbq",
        "dent repair",
        "taxidermy",
        "church",
    ],
)
def test_unregulated_industry_with_a_neutral_brief(industry):
    pages = ["Home", "About", "Contact", "Privacy policy", "Aviso legal", "Terms", "Cookies", "Imprint"]
    assert classify(industry, NEUTRAL_GOAL, pages) == []


@pytest.mark.parametrize("brief", [*REFERENCE_CLIENTS, generic_client("acme")], ids=lambda b: b["business_name"])
def test_reference_briefs_are_not_regulated(brief):
    parsed = validate_brief(brief)
    assert classify(parsed.industry, parsed.goal, parsed.pages) == []


@pytest.mark.parametrize(
    "page",
    [
        "Privacy policy",
        "Terms",
        "Terms and conditions",
        "Legal notice",
        "Legal",
        "Aviso legal",
        "Avisos legales",
        "Política de privacidad",
        "Términos y condiciones",
        "Cookies",
        "Imprint",
        "Payments",
        "Health & Safety",
        "Salud y seguridad",
    ],
)
def test_standard_pages_are_not_claims(page):
    assert classify("restaurant", NEUTRAL_GOAL, ["Home", page]) == []


@pytest.mark.parametrize(
    "goal",
    [
        "sell more sweet treats",
        "accept credit card payments online",
        "aumentar las ventas con pagos seguros",
        "a free SEO audit for every visitor",
        "show our health and safety record",
        "longer trading hours",
        "increase reservations",
    ],
)
def test_everyday_goals_are_not_claims(goal):
    assert classify("restaurant", goal, ["Home"]) == []


@pytest.mark.parametrize(
    "goal, sector, term",
    [
        ("We treat back pain", "health", "We treat"),
        ("Free legal advice for tenants", "legal", "legal advice"),
        ("Quick loans approved in minutes", "finance", "loans"),
        ("Natural cure for anxiety", "health", "cure"),
        ("Book a treatment today", "health", "treatment"),
        ("Online diagnosis in 10 minutes", "health", "diagnosis"),
        ("Refill your prescription", "health", "prescription"),
        ("Get insurance quotes", "finance", "insurance"),
        ("Investment returns of 12% a year", "finance", "Investment"),
        ("Ofrecemos asesoría legal gratuita", "legal", "asesoría legal"),
        ("Tratamiento del dolor de espalda", "health", "Tratamiento"),
        ("Diagnóstico gratis", "health", "Diagnóstico"),
        ("Alta rentabilidad garantizada", "finance", "rentabilidad"),
        ("Curar la ansiedad", "health", "Curar"),
    ],
)
def test_goal_claims(goal, sector, term):
    findings = classify("general", goal, ["Home", "About"])
    assert findings == [SectorFinding(sector, "goal", term, f"goal mentions '{term}' ({SECTOR_LABELS[sector]})")]


@pytest.mark.parametrize(
    "page, sector",
    [
        ("Loans", "finance"),
        ("Legal advice", "legal"),
        ("Tratamientos", "health"),
        ("Terapia", "health"),
        ("Our doctors", "health"),
        ("Abogados", "legal"),
        ("Seguros de vida", "finance"),
        ("Mortgage calculator", "finance"),
    ],
)
def test_page_claims(page, sector):
    findings = classify("general", NEUTRAL_GOAL, ["Home", "About", page, "Contact"])
    assert findings == [
        SectorFinding(sector, "pages", findings[0].term, f"page '{page}' is {SECTOR_LABELS[sector]}"),
    ]
    assert findings[0].term.lower() in page.lower()


def test_one_finding_per_sector_and_field_in_a_fixed_order():
    findings = classify(
        "health insurance",
        "Loans, legal advice and treatment for back pain; more loans",
        ["Home", "Mortgages", "Therapy", "Loans", "Legal advice", "Clinic"],
    )
    assert [(f.field, f.sector, f.term) for f in findings] == [
        ("industry", "health", "health"),
        ("industry", "finance", "insurance"),
        ("goal", "health", "treatment"),
        ("goal", "legal", "legal advice"),
        ("goal", "finance", "Loans"),
        ("pages", "health", "Therapy"),
        ("pages", "legal", "Legal advice"),
        ("pages", "finance", "Mortgages"),
    ]
    assert classify("health insurance", "Loans and legal advice", ["Therapy"]) == classify(
        "health insurance", "Loans and legal advice", ["Therapy"]
    )


def test_term_is_traced_back_to_the_text_as_typed():
    (finding,) = classify("general", "Somos la mejor  CLÍNICA   de  Fisioterapia de Madrid")
    assert finding.term == "CLÍNICA   de  Fisioterapia"
    assert finding.reason == "goal mentions 'CLÍNICA   de  Fisioterapia' (health care)"


def test_industry_is_quoted_without_surrounding_spaces():
    (finding,) = classify("  law firm ")
    assert finding.reason == "industry 'law firm' is legal services"


def test_pages_given_as_one_comma_separated_string():
    findings = classify("general", NEUTRAL_GOAL, "home, loans, about")
    assert [(f.field, f.sector, f.term) for f in findings] == [("pages", "finance", "loans")]


def test_empty_brief_is_not_regulated():
    assert classify("") == []
    assert classify("   ", "   ", ["", " "]) == []


@pytest.mark.parametrize(
    "sectors, expected",
    [
        ([], []),
        (["finance"], ["finance"]),
        (["finance", "health", "finance", "legal", "health"], ["health", "legal", "finance"]),
    ],
)
def test_regulated_sectors_are_distinct_and_ordered(sectors, expected):
    findings = [SectorFinding(sector, "industry", "x", "x") for sector in sectors]
    assert regulated_sectors(findings) == expected


def test_every_sector_has_a_label_and_findings_are_frozen():
    assert set(SECTOR_LABELS) == set(REGULATED_SECTORS) == {"health", "legal", "finance"}
    (finding,) = classify("dentist")
    with pytest.raises(dataclasses.FrozenInstanceError):
        finding.sector = "legal"  # type: ignore[misc]

"""The brief: validation names the field and the fix; slugs stay safe and unique."""

from __future__ import annotations

import pytest

from deznity_assets.brief import (
    REFERENCE_CLIENTS,
    BriefError,
    generic_client,
    is_safe_slug,
    slugify,
    unique_slug,
    validate_brief,
)

GOOD = dict(REFERENCE_CLIENTS[4])


@pytest.mark.parametrize("brief", REFERENCE_CLIENTS, ids=lambda b: b["business_name"])
def test_reference_clients_are_valid(brief):
    parsed = validate_brief(brief)
    assert parsed.pages[0] == "home"
    assert parsed.color.startswith("#") and len(parsed.color) == 7


@pytest.mark.parametrize(
    "change, field, words",
    [
        ({"business_name": None}, "business_name", "required"),
        ({"color": "orange"}, "color", "#RRGGBB"),
        ({"color": "#GGHHII"}, "color", "hex colour"),
        ({"budget": "platinum"}, "budget", "starter"),
        ({"pages": ""}, "pages", "empty"),
        ({"pages": []}, "pages", "empty"),
        ({"pages": "home, ../../etc/passwd"}, "pages", "not a page name"),
        ({"goal": "x" * 1_048_576}, "goal", "limit is 200"),
        ({"business_name": "<script>alert(1)</script>"}, "business_name", "markup"),
        ({"business_name": "Taco\x00Loco"}, "business_name", "control character (U+0000)"),
        ({"business_name": "!!!"}, "business_name", "letters or digits"),
        ({"logo_url": "javascript:alert(1)"}, "logo_url", "http(s) URL"),
        ({"industry": "<b>food</b>"}, "industry", "plain sector name"),
    ],
)
def test_bad_fields_are_named_with_a_fix(change, field, words):
    data = {**GOOD, **change}
    if change.get(field) is None and field in change:
        del data[field]
    with pytest.raises(BriefError) as err:
        validate_brief(data)
    message = str(err.value)
    assert message.startswith(f"{field}:") or f"; {field}:" in message
    assert words in message


def test_all_problems_reported_at_once():
    with pytest.raises(BriefError) as err:
        validate_brief({**GOOD, "color": "red", "budget": "x"})
    assert {p.split(":")[0] for p in err.value.problems} == {"color", "budget"}


def test_normalisation_and_language():
    brief = validate_brief({**GOOD, "color": "#f60", "budget": " Growth ", "pages": "Menu,  book , Our   Story"})
    assert brief.color == "#FF6600"
    assert brief.budget == "growth"
    assert brief.pages == ["home", "menu", "book", "our story"]
    assert brief.language == "es"  # CDMX
    assert validate_brief(REFERENCE_CLIENTS[0]).language == "en"
    assert validate_brief({**GOOD, "target_geo": "Global", "language": "es"}).language == "es"


@pytest.mark.parametrize(
    "name, slug",
    [
        ("TacoLoco", "tacoloco"),
        ("Café Olé & Co", "cafe-ole-co"),
        ("Über  Fit!!", "uber-fit"),
        ("Панорама", "panorama"),
        ("東京ラーメン", "dong-jing-ra-men"),
        ("A" * 50, "a" * 20),
        ("!!!", "client"),
    ],
)
def test_slugify(name, slug):
    assert slugify(name) == slug
    assert is_safe_slug(slugify(name))


def test_unique_slug_suffixes_within_limit():
    taken = {"a" * 20}
    assert unique_slug("A" * 30, taken) == "a" * 18 + "-2"
    assert unique_slug("TacoLoco", {"tacoloco", "tacoloco-2"}) == "tacoloco-3"


def test_generic_fallback():
    brief = validate_brief(generic_client("bakery-bob"))
    assert brief.business_name == "Bakery Bob"
    assert brief.industry == "general" and brief.color == "#007BFF"

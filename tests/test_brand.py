"""The brand system: WCAG contrast maths, AA-safe palettes for any brand colour, tokens and CSS."""

from __future__ import annotations

import json

import pytest

from deznity_assets.brief import validate_brief
from deznity_assets.deliverables import DesignDirection
from deznity_assets.site.brand import (
    CONTRAST_PAIRS,
    FONT_STACKS,
    build_design_system,
    build_palette,
    contrast_ratio,
    css_custom_properties,
    design_tokens_json,
    normalize_hex,
    relative_luminance,
)

DIRECTION = DesignDirection(mood="calm", font_style="serif", corner_style="round", layout_notes=[])


@pytest.mark.parametrize(
    ("fg", "bg", "expected"),
    [
        ("#000000", "#FFFFFF", 21.0),
        ("#FFFFFF", "#FFFFFF", 1.0),
        ("#777777", "#FFFFFF", 4.48),  # the classic "just fails AA" grey
        ("#767676", "#FFFFFF", 4.54),  # the lightest grey that passes AA on white
        ("#595959", "#FFFFFF", 7.0),  # AAA on white
        ("#FF0000", "#FFFFFF", 4.0),
        ("#0000FF", "#FFFFFF", 8.59),
        ("#FFFF00", "#000000", 19.56),
    ],
)
def test_contrast_ratio_matches_published_pairs(fg: str, bg: str, expected: float) -> None:
    assert contrast_ratio(fg, bg) == pytest.approx(expected, abs=0.01)
    assert contrast_ratio(bg, fg) == pytest.approx(expected, abs=0.01)


def test_relative_luminance_endpoints_and_shorthand() -> None:
    assert relative_luminance("#000") == 0.0
    assert relative_luminance("#FFFFFF") == pytest.approx(1.0)
    assert relative_luminance("#808080") == pytest.approx(0.2159, abs=1e-4)


def test_bad_colour_names_the_field_and_the_fix() -> None:
    with pytest.raises(ValueError, match=r"color 'orange' is not a hex colour; use the form #RRGGBB"):
        normalize_hex("orange")


@pytest.mark.parametrize(
    "brand",
    [
        "#FFFF00",
        "#FAFAFA",
        "#0A0A0A",
        "#000000",
        "#FFFFFF",
        "#808080",
        "#767676",
        "#FF6A00",
        "#00D4AA",
        "#2ECC71",
        "#E91E63",
        "#3498DB",
        "#00FFFF",
    ],
)
def test_every_css_pair_meets_aa_for_any_brand_colour(brand: str) -> None:
    colors = build_palette(brand)
    for pair in CONTRAST_PAIRS:
        ratio = contrast_ratio(colors[pair.fg], colors[pair.bg])
        assert ratio >= pair.minimum, f"{brand}: {pair.name} is {ratio:.2f}"
    assert colors["accent"] == brand.upper()
    # Tints get lighter and shades darker, monotonically.
    lum = [
        relative_luminance(colors[f"primary-{k}"])
        for k in ("50", "100", "200", "300", "400", "500", "600", "700", "800", "900")
    ]
    assert lum == sorted(lum, reverse=True)


def test_yellow_brand_keeps_yellow_as_accent_but_darkens_text_and_buttons() -> None:
    colors = build_palette("#FFFF00")
    assert contrast_ratio("#FFFF00", "#FFFFFF") < 1.1  # unusable as text on white
    assert colors["on-accent"] == "#000000"
    assert contrast_ratio(colors["on-primary"], colors["primary-strong"]) >= 4.5
    assert colors["primary-strong"] != "#FFFF00"


def test_design_system_from_brief_and_direction() -> None:
    brief = validate_brief(
        dict(
            business_name="Sol",
            industry="beauty",
            goal="more bookings",
            color="#ff0",
            copy_tone="warm",
            target_geo="Madrid",
            pages="home, contact",
            budget="starter",
        )
    )
    ds = build_design_system(brief, DIRECTION)
    assert ds.colors["primary-500"] == "#FFFF00"
    assert ds.font_stack == FONT_STACKS["serif"] and "serif" in ds.font_stack
    assert ds.radius == "20px"
    assert set(ds.contrast) == {p.name for p in CONTRAST_PAIRS}
    assert min(ds.contrast.values()) >= 3.0
    assert {"sm", "md", "lg"} <= set(ds.breakpoints)
    props = css_custom_properties(ds)
    assert props["--color-primary-500"] == "#FFFF00" and props["--radius-button"] == "999px"
    # No web fonts: system families only, no quotes that autoescaping would mangle.
    assert '"' not in ds.font_stack and "'" not in ds.font_stack


def test_design_tokens_json_is_dtcg_shaped() -> None:
    brief = validate_brief(
        dict(
            business_name="Sol",
            industry="beauty",
            goal="more bookings",
            color="#123456",
            copy_tone="warm",
            target_geo="Global",
            pages="home",
            budget="starter",
        )
    )
    tokens = json.loads(design_tokens_json(build_design_system(brief, DIRECTION)))
    assert tokens["color"]["primary-500"] == {"$type": "color", "$value": "#123456"}
    assert tokens["font"]["body"]["$type"] == "fontFamily" and "serif" in tokens["font"]["body"]["$value"]
    assert tokens["radius"]["base"]["$value"] == "20px"
    assert tokens["$extensions"]["com.deznity"]["contrast"]["text/surface"] >= 12

"""The brand system: an AA-safe palette, type, spacing and tokens derived from the brief's colour."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from ..brief import ClientBrief
from ..deliverables import DesignDirection, DesignSystem

HEX6 = re.compile(r"^#[0-9A-Fa-f]{6}$")
WHITE = "#FFFFFF"
BLACK = "#000000"
AA_TEXT = 4.5  # WCAG 2.1 SC 1.4.3, normal text
AA_LARGE = 3.0  # WCAG 2.1 SC 1.4.3 large text and SC 1.4.11 UI components

# System font stacks only (no web fonts: no third-party request, no layout shift).
# Multi-word family names stay unquoted (valid CSS identifiers) so the stack survives autoescaping.
FONT_STACKS: dict[str, str] = {
    "geometric": "Avenir Next, Avenir, Montserrat, Century Gothic, ui-sans-serif, system-ui, "
    "-apple-system, Segoe UI, Roboto, Helvetica Neue, Arial, sans-serif",
    "humanist": "Seravek, Gill Sans Nova, Ubuntu, Calibri, DejaVu Sans, ui-sans-serif, system-ui, "
    "-apple-system, Segoe UI, Roboto, sans-serif",
    "serif": "Charter, Bitstream Charter, Sitka Text, Cambria, Georgia, ui-serif, serif",
    "rounded": "ui-rounded, Hiragino Maru Gothic ProN, Quicksand, Comfortaa, Manjari, Arial Rounded MT, "
    "Arial Rounded MT Bold, Calibri, ui-sans-serif, system-ui, sans-serif",
}
RADII = {"sharp": "2px", "soft": "10px", "round": "20px"}
# A major-third modular scale (1.25); display sizes are fluid in the stylesheet.
TYPE_SCALE = {
    "xs": "0.8rem",
    "sm": "0.875rem",
    "base": "1rem",
    "lg": "1.25rem",
    "xl": "1.563rem",
    "2xl": "1.953rem",
    "3xl": "2.441rem",
    "4xl": "3.052rem",
}
SPACING = {
    "1": "0.25rem",
    "2": "0.5rem",
    "3": "0.75rem",
    "4": "1rem",
    "5": "1.5rem",
    "6": "2rem",
    "7": "3rem",
    "8": "4rem",
    "9": "6rem",
}
BREAKPOINTS = {"sm": "480px", "md": "768px", "lg": "1024px", "xl": "1280px"}
TINT_STEPS = {"50": 0.92, "100": 0.82, "200": 0.64, "300": 0.44, "400": 0.22}
SHADE_STEPS = {"600": 0.16, "700": 0.34, "800": 0.52, "900": 0.70}


@dataclass(frozen=True)
class ContrastPair:
    """A foreground/background pair of colour tokens the stylesheet puts together."""

    name: str
    fg: str
    bg: str
    minimum: float


# Every text or UI colour placed on a background in site.css.j2; the QA contrast check recomputes these.
CONTRAST_PAIRS: tuple[ContrastPair, ...] = (
    ContrastPair("text/surface", "text", "surface", AA_TEXT),
    ContrastPair("text/surface-alt", "text", "surface-alt", AA_TEXT),
    ContrastPair("text-muted/surface", "text-muted", "surface", AA_TEXT),
    ContrastPair("text-muted/surface-alt", "text-muted", "surface-alt", AA_TEXT),
    ContrastPair("link/surface", "link", "surface", AA_TEXT),
    ContrastPair("link/surface-alt", "link", "surface-alt", AA_TEXT),
    ContrastPair("on-primary/primary-strong", "on-primary", "primary-strong", AA_TEXT),
    ContrastPair("on-accent/accent", "on-accent", "accent", AA_TEXT),
    ContrastPair("inverse-text/inverse-surface", "inverse-text", "inverse-surface", AA_TEXT),
    ContrastPair("inverse-muted/inverse-surface", "inverse-muted", "inverse-surface", AA_TEXT),
    ContrastPair("border-strong/surface", "border-strong", "surface", AA_LARGE),
    ContrastPair("focus/surface", "focus", "surface", AA_LARGE),
    ContrastPair("focus/inverse-surface", "focus-inverse", "inverse-surface", AA_LARGE),
)


def normalize_hex(color: str) -> str:
    """'#abc' or '#aabbcc' as '#AABBCC'; ValueError naming the colour otherwise."""
    value = color.strip()
    if re.fullmatch(r"#[0-9A-Fa-f]{3}", value):
        value = "#" + "".join(ch * 2 for ch in value[1:])
    if not HEX6.match(value):
        raise ValueError(f"color {color!r} is not a hex colour; use the form #RRGGBB, e.g. #FF6A00")
    return value.upper()


def _rgb(color: str) -> tuple[int, int, int]:
    value = normalize_hex(color)
    return int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16)


def _hex(rgb: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{max(0, min(255, round(c))):02X}" for c in rgb)


def relative_luminance(color: str) -> float:
    """Relative luminance of an sRGB hex colour per WCAG 2.1."""

    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in _rgb(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(fg: str, bg: str) -> float:
    """WCAG 2.1 contrast ratio of two hex colours, from 1 to 21."""
    la, lb = relative_luminance(fg), relative_luminance(bg)
    hi, lo = max(la, lb), min(la, lb)
    return (hi + 0.05) / (lo + 0.05)


def mix(color: str, other: str, amount: float) -> str:
    """`color` moved `amount` (0..1) of the way towards `other`, in sRGB."""
    a, b = _rgb(color), _rgb(other)
    return _hex(tuple(x + (y - x) * amount for x, y in zip(a, b)))  # type: ignore[arg-type]


def ensure_contrast(color: str, backgrounds: list[str], minimum: float, *, toward: str = BLACK) -> str:
    """The colour closest to `color`, mixed towards `toward`, that reaches `minimum` on every background."""
    for step in range(0, 101):
        candidate = mix(color, toward, step / 100)
        if all(contrast_ratio(candidate, bg) >= minimum for bg in backgrounds):
            return candidate
    raise ValueError(f"no shade of {color} towards {toward} reaches {minimum}:1 on {backgrounds}")


def best_text_on(bg: str) -> str:
    """Black or white, whichever contrasts more with `bg` (always at least 4.58:1)."""
    return BLACK if contrast_ratio(BLACK, bg) >= contrast_ratio(WHITE, bg) else WHITE


def build_palette(brand: str) -> dict[str, str]:
    """Tints, shades and AA-safe text, link, button and surface colours from one brand colour."""
    brand = normalize_hex(brand)
    colors: dict[str, str] = {f"primary-{k}": mix(brand, WHITE, v) for k, v in TINT_STEPS.items()}
    colors["primary-500"] = brand
    colors.update({f"primary-{k}": mix(brand, BLACK, v) for k, v in SHADE_STEPS.items()})
    colors = dict(sorted(colors.items(), key=lambda kv: int(kv[0].split("-")[1])))

    surface = WHITE
    # A faint brand tint for alternate bands; very light brands get a neutral grey instead.
    surface_alt = mix(brand, WHITE, 0.94)
    if contrast_ratio(surface_alt, surface) < 1.03:
        surface_alt = "#F3F4F6"
    backgrounds = [surface, surface_alt]
    # Text stays a near-black with a hint of the brand hue: at least 12:1 on both surfaces.
    text = ensure_contrast(mix(brand, BLACK, 0.82), backgrounds, 12.0)
    muted = ensure_contrast(mix(mix(brand, "#6B7280", 0.8), BLACK, 0.15), backgrounds, AA_TEXT + 0.3)
    # The darkest the brand must go to carry white text and act as a link colour (AA + margin).
    strong = ensure_contrast(brand, backgrounds, AA_TEXT + 0.2)
    inverse_surface = ensure_contrast(mix(brand, BLACK, 0.86), [WHITE], 14.0)
    inverse_muted = ensure_contrast(mix(brand, WHITE, 0.7), [inverse_surface], AA_TEXT + 0.3, toward=WHITE)
    colors.update(
        {
            "accent": brand,
            # Decorative bars and dots: the brand itself unless it vanishes on white (e.g. #FAFAFA).
            "decor": brand if contrast_ratio(brand, surface) >= 1.5 else strong,
            "on-accent": best_text_on(brand),
            "surface": surface,
            "surface-alt": surface_alt,
            "text": text,
            "text-muted": muted,
            "link": strong,
            "primary-strong": strong,
            "primary-strong-hover": ensure_contrast(mix(strong, BLACK, 0.15), [WHITE], AA_TEXT + 0.5),
            "on-primary": WHITE,
            "border": mix(brand, "#E5E7EB", 0.85),
            "border-strong": ensure_contrast(mix(brand, "#8A8F98", 0.7), [surface], AA_LARGE + 0.2),
            "focus": ensure_contrast(brand, [surface], AA_LARGE + 0.2),
            "focus-inverse": ensure_contrast(mix(brand, WHITE, 0.3), [inverse_surface], AA_LARGE + 0.2, toward=WHITE),
            "inverse-surface": inverse_surface,
            "inverse-text": WHITE,
            "inverse-muted": inverse_muted,
        }
    )
    return colors


def contrast_report(colors: dict[str, str]) -> dict[str, float]:
    """Pair name -> contrast ratio for every pair in CONTRAST_PAIRS present in `colors`."""
    return {
        p.name: round(contrast_ratio(colors[p.fg], colors[p.bg]), 2)
        for p in CONTRAST_PAIRS
        if p.fg in colors and p.bg in colors
    }


def build_design_system(brief: ClientBrief, direction: DesignDirection) -> DesignSystem:
    """The design system for a brief: palette from its colour, type and shape from the UX direction."""
    colors = build_palette(brief.color)
    return DesignSystem(
        direction=direction,
        colors=colors,
        font_stack=FONT_STACKS[direction.font_style],
        type_scale=dict(TYPE_SCALE),
        spacing=dict(SPACING),
        radius=RADII[direction.corner_style],
        breakpoints=dict(BREAKPOINTS),
        contrast=contrast_report(colors),
    )


def css_custom_properties(ds: DesignSystem) -> dict[str, str]:
    """The design tokens as CSS custom property name -> value."""
    props = {f"--color-{k}": v for k, v in ds.colors.items()}
    props["--font-body"] = ds.font_stack
    props.update({f"--step-{k}": v for k, v in ds.type_scale.items()})
    props.update({f"--space-{k}": v for k, v in ds.spacing.items()})
    props["--radius"] = ds.radius
    props["--radius-button"] = "999px" if ds.direction.corner_style == "round" else ds.radius
    return props


def design_tokens_json(ds: DesignSystem) -> str:
    """The design system as W3C Design Tokens (DTCG) JSON."""
    tokens = {
        "color": {k: {"$type": "color", "$value": v} for k, v in ds.colors.items()},
        "font": {"body": {"$type": "fontFamily", "$value": [f.strip() for f in ds.font_stack.split(",")]}},
        "size": {k: {"$type": "dimension", "$value": v} for k, v in ds.type_scale.items()},
        "space": {k: {"$type": "dimension", "$value": v} for k, v in ds.spacing.items()},
        "radius": {"base": {"$type": "dimension", "$value": ds.radius}},
        "breakpoint": {k: {"$type": "dimension", "$value": v} for k, v in ds.breakpoints.items()},
        "$extensions": {
            "com.deznity": {
                "mood": ds.direction.mood,
                "font_style": ds.direction.font_style,
                "corner_style": ds.direction.corner_style,
                "contrast": ds.contrast,
            }
        },
    }
    return json.dumps(tokens, indent=2, ensure_ascii=False)

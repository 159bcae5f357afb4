"""The client brief: validation, normalisation, slugs and the reference roster."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import ErrorDetails
from unidecode import unidecode

Budget = Literal["starter", "growth", "enterprise"]
Language = Literal["en", "es"]

SLUG_MAX = 20
MAX_PAGES = 12
# Field length caps: a brief is a short form, and every field ends up in prompts and pages.
LIMITS = {
    "business_name": 80,
    "industry": 40,
    "goal": 200,
    "copy_tone": 200,
    "target_geo": 80,
    "logo_url": 500,
    "page": 30,
}
HEX_COLOR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
PAGE_NAME = re.compile(r"^[a-z0-9][a-z0-9 -]*$")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SPANISH_MARKETS = (
    "cdmx",
    "mexico",
    "méxico",
    "latin america",
    "latam",
    "latinoamerica",
    "latinoamérica",
    "spain",
    "españa",
    "espana",
    "madrid",
    "barcelona",
    "argentina",
    "buenos aires",
    "colombia",
    "bogota",
    "bogotá",
    "chile",
    "santiago",
    "peru",
    "perú",
    "lima",
    "guadalajara",
    "monterrey",
    "uruguay",
    "venezuela",
    "ecuador",
    "guatemala",
    "costa rica",
    "panama",
    "panamá",
)
# Regulated sectors whose content needs a human review before publication (domain.md).
REVIEWED_INDUSTRIES = frozenset({"health", "legal", "finance"})


class BriefError(ValueError):
    """A brief that cannot be processed; `problems` names each bad field and the fix."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


class ClientBrief(BaseModel):
    """One validated row of the `clients` table: what the client asked for."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    business_name: str = Field(min_length=1, max_length=LIMITS["business_name"])
    industry: str = Field(min_length=1, max_length=LIMITS["industry"])
    goal: str = Field(min_length=1, max_length=LIMITS["goal"])
    color: str
    copy_tone: list[str] = Field(min_length=1)
    target_geo: str = Field(min_length=1, max_length=LIMITS["target_geo"])
    pages: list[str] = Field(min_length=1, max_length=MAX_PAGES)
    budget: Budget
    logo_url: str | None = Field(default=None, max_length=LIMITS["logo_url"])
    language: Language | None = None

    @field_validator("business_name")
    @classmethod
    def _plain_name(cls, value: str) -> str:
        if re.search(r"[<>]", value):
            raise ValueError("contains markup (< or >); give the plain business name")
        if re.search(r"[/\\]|\.\.", value):
            raise ValueError("looks like a file path (/, \\ or ..); give the plain business name")
        if re.search(r"[\x00-\x1f\x7f]", value):
            raise ValueError("contains control characters; give the plain business name")
        if not slugify(value, fallback=""):
            raise ValueError("has no letters or digits to build a URL slug from; add some")
        return value

    @field_validator("industry")
    @classmethod
    def _industry(cls, value: str) -> str:
        value = value.lower()
        if not re.fullmatch(r"[a-z][a-z &-]*", value):
            raise ValueError("must be a plain sector name such as restaurant, saas or ecommerce")
        return value

    @field_validator("color")
    @classmethod
    def _hex_color(cls, value: str) -> str:
        value = value.strip()
        if not HEX_COLOR.match(value):
            raise ValueError(f"{value[:20]!r} is not a hex colour; use the form #RRGGBB, e.g. #FF6A00")
        if len(value) == 4:
            value = "#" + "".join(ch * 2 for ch in value[1:])
        return value.upper()

    @field_validator("copy_tone", mode="before")
    @classmethod
    def _tone_list(cls, value: Any) -> Any:
        if isinstance(value, str):
            if len(value) > LIMITS["copy_tone"]:
                raise ValueError(f"is {len(value)} characters; the limit is {LIMITS['copy_tone']}")
            value = [part.strip() for part in value.split(",")]
        if isinstance(value, list):
            value = [str(v).strip() for v in value if str(v).strip()]
            if sum(len(v) for v in value) > LIMITS["copy_tone"]:
                raise ValueError(f"is longer than {LIMITS['copy_tone']} characters in all; shorten it")
        return value

    @field_validator("pages", mode="before")
    @classmethod
    def _page_list(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [part for part in value.split(",")]
        if isinstance(value, list):
            names: list[str] = []
            for raw in value:
                name = re.sub(r"\s+", " ", str(raw).strip().lower())
                if not name:
                    continue
                if len(name) > LIMITS["page"] or not PAGE_NAME.match(name):
                    raise ValueError(
                        f"{str(raw)[:40]!r} is not a page name; use short names of letters, digits,"
                        " spaces or dashes, e.g. home, menu, book"
                    )
                if name not in names:
                    names.append(name)
            if names and "home" not in names:
                names.insert(0, "home")
            return names
        return value

    @field_validator("budget", mode="before")
    @classmethod
    def _budget(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("logo_url")
    @classmethod
    def _logo(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not re.match(r"^https?://[^\s<>\"']+$", str(value)):
            raise ValueError("must be an http(s) URL without spaces or quotes, or left empty")
        return value

    @model_validator(mode="after")
    def _language(self) -> ClientBrief:
        if self.language is None:
            geo = self.target_geo.lower()
            spanish = any(re.search(rf"\b{re.escape(m)}\b", geo) for m in SPANISH_MARKETS)
            self.language = "es" if spanish else "en"
        return self

    @property
    def needs_human_review(self) -> bool:
        """Regulated sectors (health, legal, finance) are not published automatically."""
        return self.industry in REVIEWED_INDUSTRIES

    @property
    def tone(self) -> str:
        """The copy tone as one readable phrase."""
        return ", ".join(self.copy_tone)


BRIEF_FIELDS = tuple(ClientBrief.model_fields)
REQUIRED_FIELDS = tuple(name for name, f in ClientBrief.model_fields.items() if f.is_required())


def validate_brief(data: dict[str, Any]) -> ClientBrief:
    """Validate raw brief fields; raise BriefError naming every bad field and its fix."""
    cleaned = {k: v for k, v in data.items() if k in BRIEF_FIELDS and v is not None}
    try:
        return ClientBrief.model_validate(cleaned)
    except ValidationError as exc:
        raise BriefError([_describe(err) for err in exc.errors()]) from None


def _describe(err: ErrorDetails) -> str:
    field = str(err["loc"][0]) if err["loc"] else "brief"
    kind = err["type"]
    if kind == "missing":
        return f"{field}: is required; add it to the brief"
    if kind == "string_too_long":
        limit = err.get("ctx", {}).get("max_length")
        return f"{field}: is {len(err.get('input') or '')} characters; the limit is {limit}, shorten it"
    if kind in ("string_too_short", "too_short"):
        return f"{field}: is empty; fill it in"
    if kind == "too_long":
        return f"{field}: has too many entries; the limit is {MAX_PAGES}"
    if kind == "literal_error":
        expected = err.get("ctx", {}).get("expected", "")
        return f"{field}: {str(err.get('input'))[:40]!r} is not allowed; use one of {expected}"
    if kind == "value_error":
        return f"{field}: {err['msg'].removeprefix('Value error, ')}"
    return f"{field}: {err['msg']}"


def slugify(name: str, *, fallback: str = "client", max_length: int = SLUG_MAX) -> str:
    """URL slug of a business name: ASCII a-z, 0-9 and '-', at most `max_length` characters."""
    ascii_name = unidecode(name).lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name).strip("-")[:max_length].strip("-")
    return slug or fallback


def unique_slug(name: str, taken: set[str]) -> str:
    """A slug for `name` that is not in `taken`, suffixed -2, -3, ... on collision."""
    base = slugify(name)
    if base not in taken:
        return base
    n = 2
    while True:
        suffix = f"-{n}"
        candidate = base[: SLUG_MAX - len(suffix)].rstrip("-") + suffix
        if candidate not in taken:
            return candidate
        n += 1


def is_safe_slug(slug: str) -> bool:
    """True when `slug` can name a folder under output/ and a Dagster partition."""
    return bool(SLUG_RE.match(slug)) and len(slug) <= SLUG_MAX


REFERENCE_CLIENTS: list[dict[str, Any]] = [
    dict(
        business_name="FitTrack",
        industry="saas",
        goal="increase user engagement",
        color="#00D4AA",
        copy_tone="motivational, data-driven",
        target_geo="Global",
        pages="home, dashboard, pricing, blog",
        budget="growth",
    ),
    dict(
        business_name="GreenGlow",
        industry="ecommerce",
        goal="increase online sales",
        color="#2ECC71",
        copy_tone="eco-friendly, premium",
        target_geo="North America",
        pages="home, products, cart, blog",
        budget="enterprise",
    ),
    dict(
        business_name="TechStart",
        industry="tech",
        goal="increase lead generation",
        color="#3498DB",
        copy_tone="innovative, professional",
        target_geo="Europe",
        pages="home, services, about, contact",
        budget="starter",
    ),
    dict(
        business_name="BeautyLux",
        industry="beauty",
        goal="increase brand awareness",
        color="#E91E63",
        copy_tone="elegant, luxurious",
        target_geo="Latin America",
        pages="home, products, gallery, blog",
        budget="growth",
    ),
    dict(
        business_name="TacoLoco",
        industry="restaurant",
        goal="increase reservations",
        color="#FF6A00",
        copy_tone="fun, young, street-food vibes",
        target_geo="CDMX",
        pages="home, menu, book, blog",
        budget="starter",
    ),
]


def generic_client(slug: str) -> dict[str, Any]:
    """The original simulator's fallback brief for a slug outside the reference roster."""
    name = " ".join(part.capitalize() for part in slug.split("-")) or "Client"
    return dict(
        business_name=name,
        industry="general",
        goal="increase business growth",
        color="#007BFF",
        copy_tone="professional, friendly",
        target_geo="Global",
        pages="home, about, services, contact",
        budget="starter",
    )


def reference_client(slug: str) -> dict[str, Any] | None:
    """The reference brief whose slug is `slug`, if any."""
    for brief in REFERENCE_CLIENTS:
        if slugify(brief["business_name"]) == slug:
            return dict(brief)
    return None

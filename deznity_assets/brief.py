"""The client brief: validation, normalisation, slugs and the reference roster."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Collection
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import ErrorDetails
from unidecode import unidecode

from .facts import ClientFacts, parse_facts
from .geo import market_language
from .sectors import SectorFinding, classify

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
    "contact_email": 254,  # RFC 5321's longest forward path
}
HEX_COLOR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
# An e-mail address as the platform accepts one, in a brief or from a visitor: an ASCII local part of
# dot-separated atoms (no quoted strings, no comments) and a domain of LDH labels with a TLD of letters.
# Stricter than RFC 5322 on purpose: an address goes into e-mail headers, so nothing that needs quoting
# (spaces, quotes, commas, angle brackets, line breaks) passes.
EMAIL_RE = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)
PAGE_NAME = re.compile(r"^[a-z0-9][a-z0-9 -]*$")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Characters refused in every field, by Unicode category: none is visible, and each can hide or
# reorder what a reviewer reads (zero-width spaces and joiners, soft hyphens, bidi overrides as in
# "Trojan Source"), break a single-line field (tab, newline, line separators) or a database write
# (PostgreSQL refuses NUL). Escaping cannot help: the text itself is what misleads.
HIDDEN_CATEGORIES = {
    "Cc": "a control character",  # C0, DEL and C1
    "Cf": "an invisible formatting character",  # U+200B-200D, U+2060, U+FEFF, U+00AD, bidi controls
    "Zl": "a line separator",
    "Zp": "a paragraph separator",
    "Cs": "an unpaired surrogate",
}
# Whitespace the model strips from both ends of a value: allowed there, as it is never stored.
EDGE_WHITESPACE = " \t\n\r\x0b\x0c"
# Format characters that steer text direction: embeddings, overrides, isolates (by their bidi
# class) and the three direction marks (whose bidi class is an ordinary L, R or AL).
BIDI_CONTROL_CLASSES = frozenset({"LRE", "RLE", "PDF", "LRO", "RLO", "LRI", "RLI", "FSI", "PDI"})
BIDI_MARKS = frozenset("\u200e\u200f\u061c")
# Scripts with look-alike letters: one word mixing them is how a spoofed name is typed ("Taco" whose
# T is U+0422 CYRILLIC CAPITAL LETTER TE). A name wholly in one of them (a Russian "Moskva Kafe") is fine.
CONFUSABLE_SCRIPTS = ("LATIN", "CYRILLIC", "GREEK")


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
    # Where the site's leads are e-mailed (deznity_assets/site_api/mail.py); none: no e-mails.
    contact_email: str | None = Field(default=None, max_length=LIMITS["contact_email"])
    # A/B experiments on this client's site (docs/EXPERIMENTS.md); none: the global DEZNITY_EXPERIMENTS decides.
    experiments: bool | None = None
    # What only the client knows (testimonials, offers and prices, facts): the only facts a site states.
    facts: ClientFacts = Field(default_factory=ClientFacts)

    @field_validator("facts", mode="before")
    @classmethod
    def _facts(cls, value: Any) -> Any:
        # The clients table keeps them as JSON text; a brief.json gives an object.
        return parse_facts(value)

    @field_validator("business_name")
    @classmethod
    def _plain_name(cls, value: str) -> str:
        # "24/7 Fitness", "AC/DC Tribute Bar", "Wait... Bar": slashes and dots are escaped wherever
        # the name is written, and the slug (the only name a path or URL gets) is built apart.
        # Angle brackets stay refused although every Deznity output escapes them too: the name
        # also leaves Deznity (brief.json, the clients table, deploy dashboards, e-mail subjects)
        # for tools that may not escape it, and no real business name needs them.
        if re.search(r"[<>]", value):
            raise ValueError("contains markup (< or >); give the plain business name")
        if mixed := _mixed_script_word(value):
            raise ValueError(mixed)
        if not slugify(value, fallback=""):
            raise ValueError("has no letters or digits to build a URL slug from; add some")
        return value

    @field_validator("industry")
    @classmethod
    def _industry(cls, value: str) -> str:
        value = value.lower()
        # Letters of any alphabet (a Spanish "clínica dental" too), spaces, '&' and '-'.
        if not re.fullmatch(r"[^\W\d_](?:[^\W\d_]|[ &-])*", value):
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
        # Imported here: the site package imports this module.
        from .site.render import page_file

        if isinstance(value, str):
            value = value.split(",")
        if isinstance(value, list):
            names: list[str] = []
            spellings: dict[str, str] = {}  # site file -> the entry that claimed it
            for raw in value:
                typed = str(raw).strip()
                name = re.sub(r"\s+", " ", typed.lower())
                if not name:
                    continue
                if len(name) > LIMITS["page"] or not PAGE_NAME.match(name):
                    raise ValueError(
                        f"{str(raw)[:40]!r} is not a page name; use short names of letters, digits,"
                        " spaces or dashes, e.g. home, menu, book"
                    )
                # Two spellings of one file ("about us", "about-us") would render twice and the
                # second would overwrite the first: refuse rather than merge them silently.
                path = page_file(name)
                if path in spellings:
                    raise ValueError(f"{spellings[path]!r} and {typed!r} are the same page ({path}); list it once")
                spellings[path] = typed
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

    @field_validator("experiments", mode="before")
    @classmethod
    def _experiments(cls, value: Any) -> Any:
        # The clients table keeps it as text: true/false (1/0, yes/no); empty means "not set".
        if isinstance(value, str):
            text = value.strip().lower()
            if text == "":
                return None
            if text not in ("true", "false", "1", "0", "yes", "no", "on", "off"):
                raise ValueError(f"{value[:20]!r} is not true or false; leave it empty to follow DEZNITY_EXPERIMENTS")
            return text in ("true", "1", "yes", "on")
        return value

    @field_validator("contact_email")
    @classmethod
    def _contact_email(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if problem := email_problem(str(value)):
            raise ValueError(problem)
        return value

    # Defined after every other "before" validator because pydantic runs those last-defined first:
    # the text is checked as typed, before splitting or whitespace folding could hide a character.
    @field_validator("*", mode="before")
    @classmethod
    def _visible_text(cls, value: Any) -> Any:
        if isinstance(value, str) and (problem := _hidden_character(value)):
            raise ValueError(problem)
        if isinstance(value, (list, tuple)):
            for number, entry in enumerate(value, 1):
                if isinstance(entry, str) and (problem := _hidden_character(entry)):
                    raise ValueError(f"entry {number} {problem}")
        if isinstance(value, dict) and (problem := _hidden_in(value)):
            raise ValueError(problem)  # the facts: every string inside them, named by its path
        return value

    @model_validator(mode="after")
    def _language(self) -> ClientBrief:
        if self.language is None:
            # The country decides ("Lima, Peru" is Spanish, "Lima, Ohio" English); English when none is named.
            self.language = market_language(self.target_geo) or "en"
        return self

    @property
    def review_findings(self) -> list[SectorFinding]:
        """What makes this brief health, legal or finance work: industry, goal or pages, with the words."""
        return classify(self.industry, self.goal, self.pages)

    @property
    def review_reasons(self) -> list[str]:
        """Why a person must review this client's content before it is published; empty when nobody must."""
        return [finding.reason for finding in self.review_findings]

    @property
    def needs_human_review(self) -> bool:
        """Regulated sectors (health, legal, finance) are not published before a reviewer approves."""
        return bool(self.review_findings)

    @property
    def tone(self) -> str:
        """The copy tone as one readable phrase."""
        return ", ".join(self.copy_tone)


BRIEF_FIELDS = tuple(ClientBrief.model_fields)
# Fields about the client rather than its site: kept out of prompts and of the brief's digest (control/resume.py).
PRIVATE_BRIEF_FIELDS: set[str] = {"contact_email", "experiments"}
REQUIRED_FIELDS = tuple(name for name, f in ClientBrief.model_fields.items() if f.is_required())


def validate_brief(data: dict[str, Any], *, columns: Collection[str] = ()) -> ClientBrief:
    """Validate raw brief fields; raise BriefError naming every bad field (unknown ones too) and its fix."""
    # `columns`: the other columns of a clients row (id, slug, status...), passed by a store so
    # that a row handed back as a brief is not refused for them; any other key is a mistyped field.
    problems = [_unknown_field(str(key)) for key in data if key not in BRIEF_FIELDS and key not in columns]
    cleaned = {k: v for k, v in data.items() if k in BRIEF_FIELDS and v is not None}
    try:
        brief = ClientBrief.model_validate(cleaned)
    except ValidationError as exc:
        problems += [_describe(err) for err in exc.errors()]
    if problems:
        raise BriefError(problems)
    return brief


def email_problem(value: str) -> str | None:
    """What is wrong with `value` as an e-mail address (with the fix), or None when it is one."""
    if len(value) > LIMITS["contact_email"]:
        return f"is {len(value)} characters; an e-mail address has at most {LIMITS['contact_email']}"
    if value.count("@") != 1:
        return f"{value[:60]!r} is not an e-mail address; give one address such as name@example.com"
    if len(value.split("@")[0]) > 64:
        return f"{value[:60]!r} has a name before @ longer than 64 characters; shorten it"
    if not EMAIL_RE.fullmatch(value):
        return (
            f"{value[:60]!r} is not an e-mail address; give one address such as name@example.com "
            "(letters, digits and . _ + - before @, a domain such as example.com after it)"
        )
    return None


def is_email(value: object) -> bool:
    """True when `value` is an e-mail address the platform accepts (safe to put in a header)."""
    return isinstance(value, str) and email_problem(value) is None


def _unknown_field(key: str) -> str:
    """The problem of a key that is no brief field, with the field it most likely meant."""
    fields = ", ".join(BRIEF_FIELDS)
    typed = re.sub(r"[\s-]+", "_", key.strip().lower())
    guess = difflib.get_close_matches(typed, BRIEF_FIELDS, n=1, cutoff=0.6)
    if not guess:
        # A part of a field's name: "name" -> business_name, "geo" -> target_geo, "tone" -> copy_tone.
        parts = {part: name for name in BRIEF_FIELDS for part in name.split("_")}
        guess = [parts[p] for p in difflib.get_close_matches(typed, parts, n=1, cutoff=0.75)]
    shown = key[:40]
    if guess:
        return f"{shown}: is not a brief field; did you mean {guess[0]}? The fields are: {fields}"
    return f"{shown}: is not a brief field; remove it or rename it. The fields are: {fields}"


def hidden_character(text: str) -> str | None:
    """What is wrong with the first invisible or control character of `text` (a brief's rule), or None."""
    return _hidden_character(text)


def _hidden_character(text: str) -> str | None:
    """What is wrong with the first invisible or control character of `text`, or None."""
    # Ordinary whitespace around the value is stripped by the model, so only what stays is checked;
    # not str.strip(): it would also pass U+001C-001F and U+0085, which the model keeps.
    start = len(text) - len(text.lstrip(EDGE_WHITESPACE))
    for index in range(start, start + len(text.strip(EDGE_WHITESPACE))):
        ch = text[index]
        code = ord(ch)
        kind = HIDDEN_CATEGORIES.get(unicodedata.category(ch))
        if kind and (ch in BIDI_MARKS or unicodedata.bidirectional(ch) in BIDI_CONTROL_CLASSES):
            kind = "a bidirectional text control"
        if 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE:
            kind = "a Unicode noncharacter"
        if kind:
            return f"contains {kind} ({_char_label(ch)}) at position {index + 1}; remove it"
    return None


def _hidden_in(value: Any, path: str = "") -> str | None:
    """The first hidden-character problem of any string nested in dicts and lists, with its path."""
    if isinstance(value, str):
        problem = _hidden_character(value)
        return f"{path} {problem}" if problem and path else problem
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, entry in items:
        if problem := _hidden_in(entry, f"{path}.{key}" if path else str(key)):
            return problem
    return None


def _char_label(ch: str) -> str:
    """U+XXXX and, when Unicode gives one, the character's name."""
    name = unicodedata.name(ch, "")
    return f"U+{ord(ch):04X} {name}" if name else f"U+{ord(ch):04X}"


def _script(ch: str) -> str | None:
    """The confusable script (LATIN, CYRILLIC, GREEK) of a letter, from its Unicode name."""
    script = unicodedata.name(ch, "").split(" ", 1)[0]
    return script if script in CONFUSABLE_SCRIPTS else None


def _mixed_script_word(text: str) -> str | None:
    """The problem of the first word that mixes Latin, Cyrillic or Greek letters, or None."""
    for word in re.finditer(r"\w+", text):
        found: dict[str, list[int]] = {}
        for index in range(word.start(), word.end()):
            if script := _script(text[index]):
                found.setdefault(script, []).append(index)
        if len(found) > 1:
            # Name a letter of the script with fewest letters in the word: the odd one out.
            odd = min(found, key=lambda s: (len(found[s]), s == "LATIN"))
            index = found[odd][0]
            scripts = " and ".join(sorted(s.capitalize() for s in found))
            return (
                f"the word {word.group()!r} mixes {scripts} letters ({_char_label(text[index])} at position"
                f" {index + 1}), the mark of a look-alike name; type each word in one alphabet"
            )
    return None


def _describe(err: ErrorDetails) -> str:
    field = str(err["loc"][0]) if err["loc"] else "brief"
    kind = err["type"]
    if field == "facts":
        # Facts nest (facts.testimonials.0.consent): the whole path says which one to fix.
        field = ".".join(str(part) for part in err["loc"])
        if kind == "extra_forbidden":
            allowed = {"testimonials": "quote, author, consent", "offers": "name, price, description"}
            fields = allowed.get(str(err["loc"][1]), "") if len(err["loc"]) > 3 else ""
            fields = fields or "founded, sourcing, awards, statements, offers, testimonials"
            return f"{field}: is not a field here; use {fields}"
        if kind == "too_long":
            return f"{field}: has too many entries; the limit is {err.get('ctx', {}).get('max_length')}"
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
    return bool(SLUG_RE.fullmatch(slug)) and len(slug) <= SLUG_MAX


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

"""The forms of a generated site: their fields and the rules a visitor's submission must meet."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from email_validator import EmailNotValidError, validate_email

from ..brief import hidden_character
from ..site.i18n import ui_strings
from ..site.render import GOAL_SECTIONS

# The hidden field a person never sees nor fills; a bot filling every input fills it too.
HONEYPOT = "website"
# Fields a form carries for the site API itself, never stored.
CONTROL_FIELDS = frozenset({HONEYPOT})
PHONE_RE = re.compile(r"^[0-9+()\-. /]{5,40}$")
TIME_RE = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
# How far ahead a reservation may be asked for, and how far behind "today" a visitor's own
# calendar may be (time zones west of UTC are still on yesterday).
DATE_AHEAD = timedelta(days=365)
DATE_BEHIND = timedelta(days=1)


@dataclass(frozen=True)
class FormField:
    """One input of a form: its name, label (a UI string key), kind and limits."""

    name: str
    label: str
    kind: str = "text"  # text, email, phone, number, date, time, multiline, choice
    required: bool = True
    max_length: int = 200
    minimum: int | None = None
    maximum: int | None = None
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class FormSpec:
    """A form of the generated sites: the fields the site API keeps from a submission."""

    name: str
    fields: tuple[FormField, ...]

    def field_names(self) -> list[str]:
        """The names of the fields a submission may carry (besides the honeypot)."""
        return [f.name for f in self.fields]


NAME = FormField("name", "name", max_length=100)
EMAIL = FormField("email", "email", kind="email", max_length=254)
FORMS: dict[str, FormSpec] = {
    "reservation": FormSpec(
        "reservation",
        (
            NAME,
            EMAIL,
            FormField("phone", "phone", kind="phone", max_length=40),
            FormField("party_size", "party_size", kind="number", minimum=1, maximum=40, max_length=3),
            FormField("date", "date", kind="date", max_length=10),
            FormField("time", "time", kind="time", max_length=5),
            FormField("notes", "notes", kind="multiline", required=False, max_length=2000),
        ),
    ),
    "contact": FormSpec(
        "contact",
        (
            NAME,
            EMAIL,
            FormField("company", "company", required=False, max_length=150),
            FormField("message", "message", kind="multiline", max_length=5000),
        ),
    ),
    # The cart takes two intents: "add" (a product's button) shows the checkout form with the
    # product chosen; "checkout" is the order, the lead.
    "cart": FormSpec(
        "cart",
        (
            FormField("intent", "checkout", kind="choice", choices=("checkout", "add"), max_length=10),
            FormField("product", "product", required=False, max_length=200),
            NAME,
            EMAIL,
            FormField("address", "address", kind="multiline", max_length=1000),
        ),
    ),
    "newsletter": FormSpec("newsletter", (EMAIL,)),
}
# The URL the site's stylesheet loads when a visitor starts filling a form (see app.py).
FILL_MARK = "started"


@dataclass
class Submission:
    """A submission checked against its form: the fields kept, what was dropped, each field's error."""

    form: FormSpec
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    dropped: list[str] = field(default_factory=list)
    honeypot: bool = False

    @property
    def ok(self) -> bool:
        """No field has an error."""
        return not self.errors


def _clean(value: str, multiline: bool) -> tuple[str, bool]:
    """The value trimmed, line endings made \\n; False when it holds a refused character."""
    text = value.replace("\r\n", "\n").replace("\r", "\n").strip()
    lines = text.split("\n") if multiline else [text]
    return text, all(hidden_character(line) is None for line in lines)


def _check(spec: FormField, value: str, language: str, today: date) -> str | None:
    """The error of one non-empty value, in the site's language, or None."""
    t = ui_strings(language)
    if len(value) > spec.max_length:
        return t["err_too_long"].format(max=spec.max_length)
    if spec.kind == "email":
        try:
            validate_email(value, check_deliverability=False)
        except EmailNotValidError:
            return t["err_email"]
    elif spec.kind == "phone":
        if not PHONE_RE.match(value) or sum(ch.isdigit() for ch in value) < 5:
            return t["err_phone"]
    elif spec.kind == "number":
        low, high = spec.minimum or 0, spec.maximum or 0
        if not value.isascii() or not value.isdigit() or not low <= int(value) <= high:
            return t["err_number"].format(min=low, max=high)
    elif spec.kind == "date":
        latest = today + DATE_AHEAD
        try:
            day = date.fromisoformat(value) if len(value) == 10 else None
        except ValueError:
            day = None
        if day is None or not today - DATE_BEHIND <= day <= latest:
            return t["err_date"].format(max=latest.isoformat())
    elif spec.kind == "time":
        if not TIME_RE.match(value):
            return t["err_time"]
    elif spec.kind == "choice" and value not in spec.choices:
        return t["err_choice"]
    return None


def check_submission(form: FormSpec, raw: dict[str, str], *, language: str, today: date) -> Submission:
    """Check a submission's fields against its form: keep the known ones, drop the rest, say what is wrong."""
    sub = Submission(form=form)
    sub.honeypot = bool(raw.get(HONEYPOT, "").strip())
    known = {f.name: f for f in form.fields}
    sub.dropped = sorted(name for name in raw if name not in known and name not in CONTROL_FIELDS)
    t = ui_strings(language)
    intent = raw.get("intent", "").strip()
    for spec in form.fields:
        value, clean = _clean(raw.get(spec.name, ""), spec.kind == "multiline")
        if not clean:
            sub.errors[spec.name] = t["err_characters"]
            continue
        # An "add" of the cart needs only the product; the rest is asked on the checkout form.
        required = spec.required and not (form.name == "cart" and intent == "add" and spec.name != "intent")
        if form.name == "cart" and intent == "add" and spec.name == "product":
            required = True
        if not value:
            if required:
                sub.errors[spec.name] = t["err_required"]
            continue
        if error := _check(spec, value, language, today):
            sub.errors[spec.name] = error
            continue
        sub.values[spec.name] = value
    return sub


# The form whose lead is an A/B experiment's conversion, by the section kind GOAL_SECTIONS gives a goal.
FORM_OF_KIND = {"reservation_form": "reservation", "product_grid": "cart", "cart": "cart", "contact_form": "contact"}
INDUSTRY_FORMS = (
    (("restaurant", "cafe", "café", "bar", "bistro", "taqueria", "pizzeria", "hotel"), "reservation"),
    (("ecommerce", "e-commerce", "shop", "store", "retail", "tienda"), "cart"),
)


def goal_form(goal: str, industry: str = "") -> str:
    """The form whose lead counts as a conversion: from the goal as the site's buttons read it, else the industry."""
    text = goal.lower()
    for keywords, kinds in GOAL_SECTIONS:
        if any(k in text for k in keywords):
            for kind in kinds:
                if kind in FORM_OF_KIND:
                    return FORM_OF_KIND[kind]
    sector = industry.lower()
    for words, form in INDUSTRY_FORMS:
        if any(w in sector for w in words):
            return form
    return "contact"


__all__ = ["FILL_MARK", "FORMS", "HONEYPOT", "FormField", "FormSpec", "Submission", "check_submission", "goal_form"]

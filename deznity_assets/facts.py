"""What only the client knows: testimonials, offers and prices, and facts about the business.

A site states no fact, quote, rating, price or figure that is not here (the `no_invented_claims`
QA check holds every page to it). Without them the copy is written so that it claims nothing,
and `facts_to_get` lists what to ask the client for.
"""

from __future__ import annotations

import json
import re
from datetime import date
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

if TYPE_CHECKING:
    from .brief import ClientBrief

FACT_TEXT_MAX = 300
# Page names whose content is a list of what the business sells, and the section kind each gets.
CATALOGUE_PAGES = {
    "menu": "menu",
    "products": "product_grid",
    "shop": "product_grid",
    "store": "product_grid",
    "services": "services",
    "pricing": "plans",
    "plans": "plans",
    "cart": "cart",
}
NUMBER = re.compile(r"\d+(?:[.,\s]\d{3})*(?:[.,]\d+)?")


class _FactModel(BaseModel):
    """Strict about keys (a typo would silently drop a fact) and strips surrounding whitespace."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Testimonial(_FactModel):
    """A customer's words: published only with the customer's consent."""

    quote: str = Field(min_length=1, max_length=FACT_TEXT_MAX)
    author: str = Field(min_length=1, max_length=80, description="as it may be shown, e.g. 'Ana R.'")
    consent: bool = Field(default=False, description="the customer agreed to have the quote published")


class Offer(_FactModel):
    """Something the business sells: a dish, a product, a service or a plan, with its price if any."""

    name: str = Field(min_length=1, max_length=80)
    price: str = Field(default="", max_length=40, description="as the client writes it, e.g. 'MX$45' or '$12/mo'")
    description: str = Field(default="", max_length=FACT_TEXT_MAX)


class ClientFacts(_FactModel):
    """The facts a site may state about the business; each is optional."""

    founded: int | None = Field(default=None, description="the year the business started")
    sourcing: str = Field(default="", max_length=FACT_TEXT_MAX, description="where what it sells comes from")
    awards: list[str] = Field(default_factory=list, max_length=10)
    statements: list[str] = Field(
        default_factory=list, max_length=10, description="other facts the client states, published as written"
    )
    offers: list[Offer] = Field(default_factory=list, max_length=30)
    testimonials: list[Testimonial] = Field(default_factory=list, max_length=12)

    @field_validator("founded")
    @classmethod
    def _year(cls, value: int | None) -> int | None:
        if value is not None and not 1800 <= value <= date.today().year:
            raise ValueError(f"{value} is not a founding year; give the year the business started, e.g. 2019")
        return value

    @field_validator("awards", "statements")
    @classmethod
    def _short_entries(cls, value: list[str]) -> list[str]:
        cleaned = [v.strip() for v in value if v.strip()]
        for entry in cleaned:
            if len(entry) > FACT_TEXT_MAX:
                raise ValueError(f"an entry is {len(entry)} characters; the limit is {FACT_TEXT_MAX}")
        return cleaned

    @property
    def published_testimonials(self) -> list[Testimonial]:
        """The testimonials a site may show: those with the customer's consent."""
        return [t for t in self.testimonials if t.consent]

    @property
    def priced_offers(self) -> list[Offer]:
        """Offers that carry a price."""
        return [o for o in self.offers if o.price]

    @property
    def story(self) -> bool:
        """True when the client told us anything about the business itself."""
        return bool(self.founded or self.sourcing or self.awards or self.statements)

    @property
    def empty(self) -> bool:
        """True when the client gave no fact at all."""
        return not (self.story or self.offers or self.testimonials)

    def texts(self) -> list[str]:
        """Every string of the facts, the founding year included."""
        out = [str(self.founded)] if self.founded else []
        out += [self.sourcing, *self.awards, *self.statements]
        out += [s for o in self.offers for s in (o.name, o.price, o.description)]
        out += [s for t in self.published_testimonials for s in (t.quote, t.author)]
        return [s for s in out if s]


def parse_facts(value: Any) -> Any:
    """The facts as given: a dict, or JSON text (how the clients table stores them); blank means none."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return {}
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError as exc:
            raise ValueError(f"is not valid JSON ({exc.msg} at position {exc.pos}); give an object") from exc
    return value


def facts_column(facts: ClientFacts) -> str | None:
    """The facts as stored in the clients table: compact JSON of what was given, NULL when nothing was."""
    if facts.empty:
        return None
    return json.dumps(facts.model_dump(exclude_defaults=True), ensure_ascii=False, separators=(",", ":"))


def numbers_in(text: str) -> set[str]:
    """The numbers of a text, as digit strings ('1,500' and '1.500' -> '1500'; '35.00' -> '35')."""
    out = set()
    for match in NUMBER.finditer(text):
        raw = match.group()
        raw = re.sub(r"[.,]0+$", "", raw)  # 35.00 is 35
        out.add(re.sub(r"\D", "", raw))
    return out


def facts_to_get(brief: ClientBrief) -> list[str]:
    """What to ask the client for so the site can say more than it does: one line per missing fact."""
    facts = brief.facts
    pages = set(brief.pages)
    lines: list[str] = []
    unconsented = [t.author for t in facts.testimonials if not t.consent]
    if not facts.published_testimonials:
        lines.append(
            "Testimonials: customers' own words, each with their name as it may be shown and their consent to "
            "publish it (the site shows no testimonial until then)"
        )
    if unconsented:
        lines.append("Consent to publish the testimonial of " + ", ".join(unconsented) + " (not shown until then)")
    catalogue = sorted(p for p in pages if p in CATALOGUE_PAGES)
    if not facts.offers and catalogue:
        lines.append(
            "What the business sells, with prices: names, a short description and the price of each item for the "
            + ", ".join(catalogue)
            + " page(s) (they say the list is on its way until then)"
        )
    elif facts.offers and not facts.priced_offers:
        lines.append("Prices of the offers (the site shows none until then)")
    if not facts.story:
        lines.append(
            "Facts about the business: founding year, where its products come from, awards, anything it can "
            "prove (the site states none until then)"
        )
    if pages & {"gallery", "portfolio", "products", "shop", "store"}:
        lines.append("Photos of the business and its work (the site shows illustrations in the brand colours)")
    if not brief.logo_url:
        lines.append("The logo (the site shows the business name as a text wordmark)")
    for finding in brief.review_findings:
        line = (
            f"Registration or licence details that {finding.sector} rules require the site to show, and "
            "the regulator's name"
        )
        if line not in lines:
            lines.append(line)
    return lines

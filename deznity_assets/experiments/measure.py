"""Measuring an experiment without personal data at rest: the visitor cookie, the exposure token, the goal's form.

- The edge's cookie `dz_ab` holds the variant and a random visitor id (`b.<22 base64url characters>`),
  made by the edge, linked to nothing else. The site API stores only a keyed hash of it
  (`visitor_hash`, per client), never the id, so the stored events cannot be joined with the cookie
  without the key, nor one client's visitors with another's.
- The edge tells the site API of an exposure by a server-side request, authenticated by a per-site
  token (`exposure_token`: an HMAC of the slug under DEZNITY_EXPERIMENTS_KEY) baked into the
  middleware at bundle time; the browser never sees it, so a visitor cannot forge exposures.
- A conversion is a lead of the goal's form (site_api.forms.goal_form) from a visitor with an exposure.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass

COOKIE = "dz_ab"
VARIANTS = ("a", "b")
# The visitor id: 16 random bytes, base64url without padding (22 characters).
VISITOR_ID_LENGTH = 22
COOKIE_VALUE_RE = re.compile(rf"^([ab])(?:\.([A-Za-z0-9_-]{{{VISITOR_ID_LENGTH}}}))?$")
EXPOSURE_PATH = "experiments/exposure"  # under /sites/<slug>/api/
KINDS = ("exposure", "conversion")


@dataclass(frozen=True)
class VisitorCookie:
    """What a `dz_ab` cookie says: the variant, and the visitor id (None in a cookie set before ids)."""

    variant: str
    visitor_id: str | None


def read_cookie(value: str | None) -> VisitorCookie | None:
    """The variant and visitor id of a `dz_ab` value; None for a value the edge never sets."""
    found = COOKIE_VALUE_RE.match(value or "")
    if found is None:
        return None
    return VisitorCookie(found.group(1), found.group(2))


def from_cookie_header(header: str) -> VisitorCookie | None:
    """The `dz_ab` cookie of a Cookie header, read as `read_cookie` reads it."""
    for part in header.split(";"):
        name, _, value = part.strip().partition("=")
        if name == COOKIE:
            return read_cookie(value.strip())
    return None


def exposure_token(key: str, slug: str) -> str:
    """The token a site's edge sends with its exposures: HMAC-SHA256 of the slug under the experiments key."""
    if not key:
        raise ValueError("no experiments key; set DEZNITY_EXPERIMENTS_KEY to a long random secret")
    return hmac.new(key.encode(), f"exposure|{slug}".encode(), hashlib.sha256).hexdigest()


def token_valid(key: str, slug: str, token: str) -> bool:
    """True when `token` is the site's exposure token (compared in constant time)."""
    return bool(key) and hmac.compare_digest(token.encode(), exposure_token(key, slug).encode())


def visitor_hash(key: str, slug: str, visitor_id: str) -> str:
    """What is stored for a visitor: a keyed hash of their id, per client (never the id itself)."""
    return hmac.new(key.encode(), f"visitor|{slug}|{visitor_id}".encode(), hashlib.sha256).hexdigest()[:32]


def page_of(target: str) -> str:
    """The experiment's page from the edge's B target ('/index-b' -> 'index', '/menu-b' -> 'menu')."""
    return target.lstrip("/").removesuffix("-b") or "index"


__all__ = [
    "COOKIE",
    "EXPOSURE_PATH",
    "KINDS",
    "VisitorCookie",
    "exposure_token",
    "from_cookie_header",
    "page_of",
    "read_cookie",
    "token_valid",
    "visitor_hash",
]

"""How a site's host routes its own `/api/` to the site API: the rules every deploy bundle carries."""

from __future__ import annotations

from urllib.parse import urlsplit

# What the host proxies: every form of a site posts under it (DEZNITY_FORM_ACTION's default).
API_PREFIX = "/api/"


def check_public_url(url: str) -> str:
    """DEZNITY_API_PUBLIC_URL without its trailing slash; ValueError naming the fix when unusable."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ValueError(
            f"DEZNITY_API_PUBLIC_URL={url!r} is not an http(s) URL without query; set it to where the site API is "
            "reached, e.g. https://api.example.com"
        )
    return url.strip().rstrip("/")


def api_destination(public_url: str, slug: str) -> str:
    """The site API's address of one site's /api/ (the client's identity is in the path)."""
    return f"{check_public_url(public_url)}/sites/{slug}/api/"


def vercel_rewrites(public_url: str, slug: str) -> list[dict[str, str]]:
    """vercel.json `rewrites`: /api/* proxied to the site API (an external rewrite keeps the site's origin)."""
    return [{"source": API_PREFIX + ":path*", "destination": api_destination(public_url, slug) + ":path*"}]


def netlify_redirects(public_url: str, slug: str) -> list[dict[str, str | int | bool]]:
    """netlify.toml `[[redirects]]`: /api/* proxied (status 200) to the site API, before any other rule."""
    return [
        {"from": API_PREFIX + "*", "to": api_destination(public_url, slug) + ":splat", "status": 200, "force": True}
    ]


def routed(action: str) -> bool:
    """A form action the host configuration sends to the site API: a path of the site under /api/."""
    parts = urlsplit(action.strip())
    return not parts.scheme and not parts.netloc and parts.path.startswith(API_PREFIX)


__all__ = ["API_PREFIX", "api_destination", "check_public_url", "netlify_redirects", "routed", "vercel_rewrites"]

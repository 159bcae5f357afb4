"""The deployment bundle: Vercel and Netlify configuration with security headers, and a file manifest."""

from __future__ import annotations

import hashlib
import json
from html.parser import HTMLParser
from urllib.parse import urlparse

from .deliverables import DeployConfig, RenderedSite
from .experiments.edge import NETLIFY_FILE, VERCEL_FILE, Exposure, edge_files
from .experiments.measure import EXPOSURE_PATH, exposure_token
from .site_api.routing import api_destination, netlify_redirects, vercel_rewrites

ASSET_CACHE = "public, max-age=31536000, immutable"  # assets/ URLs carry a content hash (?v=)
HTML_CACHE = "public, max-age=0, must-revalidate"
HSTS = "max-age=63072000; includeSubDomains; preload"
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"
REFERRER_POLICY = "strict-origin-when-cross-origin"


class _FormActions(HTMLParser):
    """The action attributes of a page's form elements, as the standard library's HTML tokenizer reads them."""

    def __init__(self) -> None:
        super().__init__()
        self.actions: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "form":
            # Every action attribute, a repeated one too: allowing one more origin is harmless.
            self.actions += [value or "" for name, value in attrs if name == "action"]


def form_origins(site: RenderedSite) -> list[str]:
    """Origins of absolute form actions in the site (they must be allowed by form-action)."""
    origins: set[str] = set()
    for path, text in site.files.items():
        if not path.endswith(".html"):
            continue
        # Tokens only, no tree: a deployment reads every page twice (vercel.json, _headers), and a
        # BeautifulSoup per page was 4 % of a client's run under cProfile.
        reader = _FormActions()
        reader.feed(text)
        reader.close()
        for action in reader.actions:
            parsed = urlparse(action)
            if parsed.scheme in ("http", "https") and parsed.netloc:
                origins.add(f"{parsed.scheme}://{parsed.netloc}")
    return sorted(origins)


def content_security_policy(site: RenderedSite) -> str:
    """A strict CSP for a static site: only its own files, data: images, no scripts or frames."""
    form_action = " ".join(["'self'", *form_origins(site)])
    return "; ".join(
        [
            "default-src 'self'",
            "img-src 'self' data:",
            "style-src 'self'",
            "script-src 'self'",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            f"form-action {form_action}",
            "frame-ancestors 'none'",
            "upgrade-insecure-requests",
        ]
    )


def security_headers(site: RenderedSite) -> dict[str, str]:
    """Response headers every page of the site is served with."""
    return {
        "Content-Security-Policy": content_security_policy(site),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": REFERRER_POLICY,
        "Permissions-Policy": PERMISSIONS_POLICY,
        "Strict-Transport-Security": HSTS,
        "X-Frame-Options": "DENY",
    }


FORMS_NOT_CONNECTED = (
    "Forms are not connected: no DEZNITY_API_PUBLIC_URL was set, so the host has no route for /api/ and "
    "what visitors send is lost. Set it to where `deznity api` is reached and process the client again."
)


def vercel_json(site: RenderedSite, *, slug: str = "", api_public_url: str = "") -> str:
    """vercel.json: clean URLs, cache and security headers, /api/ proxied to the site API (404.html on misses)."""

    def headers(values: dict[str, str]) -> list[dict[str, str]]:
        return [{"key": k, "value": v} for k, v in values.items()]

    config = {
        "$schema": "https://openapi.vercel.sh/vercel.json",
        "cleanUrls": True,
        "trailingSlash": False,
        "headers": [
            {"source": "/(.*)", "headers": headers({**security_headers(site), "Cache-Control": HTML_CACHE})},
            {"source": "/assets/(.*)", "headers": headers({"Cache-Control": ASSET_CACHE})},
            {"source": "/favicon.svg", "headers": headers({"Cache-Control": "public, max-age=86400"})},
        ],
    }
    if api_public_url:
        config["rewrites"] = vercel_rewrites(api_public_url, slug)
    return json.dumps(config, indent=2) + "\n"


def _toml_str(value: str) -> str:
    # A JSON string of ASCII text is a valid TOML basic string.
    return json.dumps(value, ensure_ascii=True)


def netlify_toml(site: RenderedSite, *, slug: str = "", api_public_url: str = "") -> str:
    """netlify.toml: publish the bundle root, pretty URLs, headers, /api/ proxied to the site API, the 404 page."""
    lines = [
        "[build]",
        'publish = "."',
        "",
        "[build.processing.html]",
        "pretty_urls = true",
        "",
        "[[headers]]",
        'for = "/*"',
        "  [headers.values]",
    ]
    for key, value in {**security_headers(site), "Cache-Control": HTML_CACHE}.items():
        lines.append(f"    {_toml_str(key)} = {_toml_str(value)}")
    lines += [
        "",
        "[[headers]]",
        'for = "/assets/*"',
        "  [headers.values]",
        f'    "Cache-Control" = {_toml_str(ASSET_CACHE)}',
        "",
    ]
    # Rules apply in order: the proxy to the site API before the catch-all 404.
    for rule in netlify_redirects(api_public_url, slug) if api_public_url else []:
        lines += [
            "[[redirects]]",
            f"from = {_toml_str(str(rule['from']))}",
            f"to = {_toml_str(str(rule['to']))}",
            f"status = {rule['status']}",
            f"force = {str(rule['force']).lower()}",
            "",
        ]
    lines += [
        "[[redirects]]",
        'from = "/*"',
        'to = "/404.html"',
        "status = 404",
        "",
    ]
    return "\n".join(lines)


def manifest_json(files: dict[str, bytes]) -> str:
    """A manifest of a deploy bundle: every file with its size and sha256, sorted by path."""
    entries = [
        {"path": path, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        for path, data in sorted(files.items())
    ]
    return (
        json.dumps({"files": entries, "count": len(entries), "total_bytes": sum(e["bytes"] for e in entries)}, indent=2)
        + "\n"
    )


def build_deploy_config(
    *,
    slug: str,
    site: RenderedSite,
    base_url: str,
    hero_variants: list[str],
    api_public_url: str = "",
    experiments: bool = False,
    experiments_key: str = "",
) -> DeployConfig:
    """Vercel and Netlify configuration for a rendered site (its /api/ routed to the site API), and the steps.

    With `experiments` (DEZNITY_EXPERIMENTS, or the client's brief field) and a page with a B variant,
    the bundle also carries the edge split: Vercel's middleware.js and Netlify's edge function
    (docs/EXPERIMENTS.md). With a site API (`api_public_url`) and `experiments_key`
    (DEZNITY_EXPERIMENTS_KEY) the split reports each enrolled view to it, with the site's token.
    """
    parsed = urlparse(base_url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise ValueError(f"base_url {base_url!r} must be an absolute http(s) URL, e.g. https://{slug}.example.com")
    if "404.html" not in site.files:
        raise ValueError("site has no 404.html; render it with render_site() before building the deploy config")
    domain = parsed.hostname
    steps = [
        f"Copy deploy/vercel.json (Vercel) or deploy/netlify.toml (Netlify) of '{slug}' into its site/ folder, "
        "beside index.html: site/ is the project root.",
        "Vercel: `vercel deploy --prod` from site/; Netlify: `netlify deploy --prod --dir .` from site/.",
        f"Point the domain {domain} at the host (CNAME to the provider, or its A record for an apex domain) "
        "and wait for the TLS certificate.",
        "Check the headers: `curl -I https://"
        + domain
        + "/` shows Content-Security-Policy and Strict-Transport-Security.",
        f"Submit {base_url.rstrip('/')}/sitemap.xml in Google Search Console.",
        "Missing pages are answered by 404.html with status 404 (Vercel serves it by default; netlify.toml redirects).",
    ]
    if api_public_url:
        steps.append(
            f"Forms post to the site's own /api/; both files proxy it to the site API at "
            f"{api_destination(api_public_url, slug)} (a rewrite, so the page's CSP stays 'self'). Send a form "
            "once and check the lead arrives: `deznity leads " + slug + "`."
        )
    else:
        steps.append(FORMS_NOT_CONNECTED)
    exposure = (
        Exposure(api_destination(api_public_url, slug) + EXPOSURE_PATH, exposure_token(experiments_key, slug))
        if experiments and api_public_url and experiments_key
        else None
    )
    split = edge_files(site.files, exposure=exposure) if experiments else {}
    if split and exposure is None:
        steps.append(
            "The split measures nothing: views are reported to the site API only with both DEZNITY_API_PUBLIC_URL "
            "and DEZNITY_EXPERIMENTS_KEY set (the same key as the site API's); set them and process the client again."
        )
    if split:
        steps.append(
            f"A/B split at the edge: {VERCEL_FILE} (Vercel Routing Middleware) and {NETLIFY_FILE} (Netlify Edge "
            "Function) send half of the visitors to the B page (a rewrite; the address stays), keep each visitor's "
            "variant in the first-party cookie dz_ab, and never enrol known bots. Copy them beside index.html; "
            "`netlify deploy` bundles the edge function, the live publish through Netlify's API cannot "
            "(docs/DEPLOY_LIVE.md). B pages carry a canonical link to the A page and stay out of the sitemap."
        )
    elif len(hero_variants) > 1:
        files = ", ".join(f"index-{v}.html" for v in hero_variants if v != "a")
        steps.append(
            f"A/B test the hero: index.html is variant a, {files} variant(s) {', '.join(hero_variants[1:])}; "
            "experiments are off (DEZNITY_EXPERIMENTS), so every visitor sees a; set DEZNITY_EXPERIMENTS=1 to "
            "ship the edge split. B pages carry a canonical link to the A page and stay out of the sitemap."
        )
    return DeployConfig(
        domain=domain,
        base_url=base_url.rstrip("/"),
        files={
            "vercel.json": vercel_json(site, slug=slug, api_public_url=api_public_url),
            "netlify.toml": netlify_toml(site, slug=slug, api_public_url=api_public_url),
            **split,
        },
        forms_connected=bool(api_public_url),
        steps=steps,
    )

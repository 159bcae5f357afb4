"""The A/B split at the host's edge: Vercel Routing Middleware and a Netlify Edge Function, generated per site.

Both run one rule (`RULE_JS`, and `choose` below, its Python twin for `deznity preview`):

- only the pages that have a variant (`index.html` with `index-b.html` beside it, and any
  `<page>.html` with a `<page>-b.html`) are split; every other request passes untouched;
- a request from a known bot (or with no User-Agent at all) is never enrolled: it sees A and gets
  no cookie, so search engines, link previews and Lighthouse always see the canonical page;
- nor is a visitor whose browser sends an opt-out signal (`Sec-GPC: 1`, Global Privacy Control, or
  `DNT: 1`): they see A and get no cookie;
- a visitor whose cookie `dz_ab` says `a` or `b` keeps that variant; anyone else is drawn at
  random, B with the share `SHARE_B` (50 %), and gets the cookie (30 days, first-party, HttpOnly);
- the cookie also carries a random visitor id (`b.<22 base64url characters>`), so an exposure and a
  conversion are each counted once per visitor; a cookie of the letter alone (set before ids) keeps
  its variant and gets an id;
- variant B is a rewrite (the URL stays `/`) to `/index-b`, which both hosts serve from `index-b.html`;
  the page itself carries no script;
- with an exposure address (the site API's, DEZNITY_API_PUBLIC_URL, and the site's token), an
  enrolled visitor's view is reported to the site API by a server-side request, after the answer
  (`waitUntil`) where the host offers it, else awaited for at most a second and a half; a failing
  API never fails the page.

The visitor id is random and linked to nothing; the site API stores only a keyed hash of it
(`measure.visitor_hash`); docs/EXPERIMENTS.md says what the cookie means under EU consent rules.
"""

from __future__ import annotations

import json
import random as _random
import re
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from .measure import COOKIE, VISITOR_ID_LENGTH, read_cookie

SHARE_B = 0.5
COOKIE_MAX_AGE = 30 * 24 * 3600  # seconds; an experiment runs about this long
VERCEL_FILE = "middleware.js"
NETLIFY_FILE = "netlify/edge-functions/ab-split.js"

# How long the edge waits for the site API's answer to an exposure when it cannot answer first.
EXPOSURE_TIMEOUT_MS = 1500

# Known bots: the generic terms of the `isbot` project's list (github.com/omrilotan/isbot, MIT:
# "bot", "crawl", "spider" and friends catch most crawlers by how they name themselves), plus the
# named agents those terms miss: link previews, monitors, headless browsers and Lighthouse.
BOT_PATTERN = (
    r"bot|crawl|spider|slurp|scrap|fetch|archiv|index|preview|monitor|check|scan|validator|http[_-]?client|"
    r"curl|wget|python|java/|go-http|okhttp|axios|node-fetch|undici|libwww|perl|ruby|php|"
    r"headless|phantom|puppeteer|playwright|selenium|lighthouse|pagespeed|chrome-lighthouse|gtmetrix|"
    r"facebookexternalhit|facebookcatalog|whatsapp|telegram|skype|discord|slack|embedly|quora link|"
    r"pinterest|vkshare|w3c_|feed|rss|mediapartners|adsbot|apis-google|google-inspectiontool|"
    r"bingpreview|yahoo|baidu|yandex|sogou|exabot|ia_archiver|semrush|ahrefs|mj12|dotbot|petalbot"
)
BOT_RE = re.compile(BOT_PATTERN, re.IGNORECASE)


def variant_pages(files: Iterable[str]) -> dict[str, str]:
    """URL path of each page that has a B variant -> the clean path of its B file ('/' -> '/index-b').

    The target has no `.html`: with vercel.json's cleanUrls, Vercel answers a `.html` path with a 308
    redirect to the clean one, which would show the visitor /index-b; the clean path is served from
    the file in place on both hosts (and by `deznity preview`).
    """
    names = set(files)
    out: dict[str, str] = {}
    for name in sorted(names):
        if not name.endswith("-b.html"):
            continue
        page = name.removesuffix("-b.html") + ".html"
        if page not in names:
            continue
        target = "/" + name.removesuffix(".html")
        stem = page.removesuffix(".html")
        if stem == "index":
            paths = ["/", "/index", "/index.html"]
        elif stem.endswith("/index"):
            folder = "/" + stem.removesuffix("index")
            paths = [folder, folder.rstrip("/"), "/" + stem, "/" + page]
        else:
            paths = ["/" + stem, "/" + page]
        for path in paths:
            out[path] = target
    return out


@dataclass(frozen=True)
class Choice:
    """What the rule decided for one request: the variant, the file to rewrite to (B only), the cookie to set."""

    variant: str
    target: str | None
    set_cookie: str | None
    visitor: str | None = None  # the enrolled visitor's id; None for a bot or an opted-out visitor


def new_visitor_id() -> str:
    """A random visitor id: 16 bytes, base64url without padding (22 characters)."""
    return secrets.token_urlsafe(16)


def cookie_header(variant: str, visitor: str) -> str:
    """The Set-Cookie value that keeps a visitor's variant and id."""
    return f"{COOKIE}={variant}.{visitor}; Path=/; Max-Age={COOKIE_MAX_AGE}; SameSite=Lax; Secure; HttpOnly"


def kept_variant(cookie: str) -> tuple[str, str | None] | None:
    """The variant and id a Cookie header keeps, None when it keeps none (or a value the rule never sets)."""
    for part in cookie.split(";"):
        name, _, value = part.strip().partition("=")
        if name == COOKIE:
            read = read_cookie(value.strip())
            if read is not None:
                return read.variant, read.visitor_id
    return None


def opted_out(headers: Mapping[str, str]) -> bool:
    """True when a request's headers (lower-case names) carry Global Privacy Control or Do Not Track."""
    return headers.get("sec-gpc", "").strip() == "1" or headers.get("dnt", "").strip() == "1"


def choose(
    pages: Mapping[str, str],
    path: str,
    user_agent: str,
    cookie: str,
    random: Callable[[], float] = _random.random,
    share_b: float = SHARE_B,
    *,
    opt_out: bool = False,
    new_id: Callable[[], str] = new_visitor_id,
) -> Choice | None:
    """The edge's rule in Python (for `deznity preview`): None when `path` has no variant; see the module text."""
    target = pages.get(path)
    if target is None:
        return None
    if opt_out or not user_agent or BOT_RE.search(user_agent):
        return Choice("a", None, None)
    kept = kept_variant(cookie)
    variant = kept[0] if kept else ("b" if random() < share_b else "a")
    visitor = kept[1] if kept and kept[1] else new_id()
    fresh = not (kept and kept[1])
    return Choice(
        variant,
        target if variant == "b" else None,
        cookie_header(variant, visitor) if fresh else None,
        visitor,
    )


# The rule in JavaScript: the same steps as `choose`, for Node 20, Vercel's Edge runtime and Deno.
RULE_JS = """\
const COOKIE = %(cookie)s;
const SHARE_B = %(share_b)s;
const MAX_AGE = %(max_age)d;
const PAGES = %(pages)s;
const BOTS = new RegExp(%(bots)s, "i");
const VALUE = /^([ab])(?:\\.([A-Za-z0-9_-]{%(id_length)d}))?$/;
// Where enrolled views are reported (the site API, with this site's token), or null: none are.
const EXPOSURE = %(exposure)s;

function kept(header) {
  for (const part of header.split(";")) {
    const at = part.indexOf("=");
    const name = (at < 0 ? part : part.slice(0, at)).trim();
    const value = at < 0 ? "" : part.slice(at + 1).trim();
    if (name !== COOKIE) continue;
    const found = VALUE.exec(value);
    return found ? { variant: found[1], visitor: found[2] || null } : null;
  }
  return null;
}

// A random visitor id: 16 bytes of the Web Crypto API, base64url without padding (22 characters).
export function newVisitorId() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes)).replace(/\\+/g, "-").replace(/\\//g, "_").replace(/=+$/, "");
}

// The variant of a request: null when its page has no variant; bots and opted-out visitors see A, not enrolled.
export function choose(request, random = Math.random, newId = newVisitorId) {
  const target = PAGES[new URL(request.url).pathname];
  if (target === undefined) return null;
  const agent = request.headers.get("user-agent") || "";
  const signal = (name) => (request.headers.get(name) || "").trim() === "1";
  const optOut = signal("sec-gpc") || signal("dnt");
  if (optOut || !agent || BOTS.test(agent)) return { variant: "a", target: null, setCookie: null, visitor: null };
  const had = kept(request.headers.get("cookie") || "");
  const variant = had ? had.variant : random() < SHARE_B ? "b" : "a";
  const visitor = had && had.visitor ? had.visitor : newId();
  const setCookie = had && had.visitor
    ? null
    : `${COOKIE}=${variant}.${visitor}; Path=/; Max-Age=${MAX_AGE}; SameSite=Lax; Secure; HttpOnly`;
  const page = target.slice(1).replace(/-b$/, "");
  return { variant, target: variant === "b" ? target : null, setCookie, visitor, page };
}

// Tell the site API of an enrolled visitor's view; a failing API never fails the page.
export async function reportExposure(choice) {
  if (!EXPOSURE || !choice || !choice.visitor) return;
  try {
    await fetch(EXPOSURE.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${EXPOSURE.token}` },
      body: JSON.stringify({ variant: choice.variant, visitor: choice.visitor, page: choice.page }),
      signal: AbortSignal.timeout(%(timeout)d),
    });
  } catch (error) {
    // The API is down or slow: the view goes uncounted, the visitor still gets the page.
  }
}

// After the answer where the host offers it (waitUntil), else awaited (bounded by the timeout above).
async function report(choice, context) {
  const sending = reportExposure(choice);
  if (context && typeof context.waitUntil === "function") context.waitUntil(sending);
  else await sending;
}
"""

VERCEL_JS = """\
// Vercel Routing Middleware (generated by Deznity; docs/EXPERIMENTS.md): the A/B split of this site,
// decided at the edge before the cache. Variant B is a rewrite: the address stays the same, and the
// page carries no script.
%(rule)s
export const config = { matcher: %(matcher)s };

export default async function middleware(request, context) {
  const choice = choose(request);
  const headers = new Headers();
  if (choice && choice.setCookie) headers.append("set-cookie", choice.setCookie);
  if (choice && choice.target) {
    headers.set("x-middleware-rewrite", new URL(choice.target, request.url).toString());
  } else {
    headers.set("x-middleware-next", "1");
  }
  await report(choice, context);
  return new Response(null, { headers });
}
"""

NETLIFY_JS = """\
// Netlify Edge Function (generated by Deznity; docs/EXPERIMENTS.md): the A/B split of this site.
// Returning a URL rewrites to it; returning nothing lets the request through.
%(rule)s
export const config = { path: %(matcher)s };

export default async (request, context) => {
  const choice = choose(request);
  if (!choice) return;
  if (choice.setCookie) {
    context.cookies.set({
      name: COOKIE,
      value: `${choice.variant}.${choice.visitor}`,
      path: "/",
      maxAge: MAX_AGE,
      sameSite: "Lax",
      secure: true,
      httpOnly: true,
    });
  }
  await report(choice, context);
  if (choice.target) return new URL(choice.target, request.url);
  return;
};
"""


@dataclass(frozen=True)
class Exposure:
    """Where an edge reports enrolled views: the site API's exposure address and the site's token."""

    url: str
    token: str


def _rule(pages: Mapping[str, str], share_b: float, exposure: Exposure | None) -> str:
    return RULE_JS % {
        "cookie": json.dumps(COOKIE),
        "share_b": repr(float(share_b)),
        "max_age": COOKIE_MAX_AGE,
        "pages": json.dumps(dict(sorted(pages.items())), indent=2),
        "bots": json.dumps(BOT_PATTERN),
        "id_length": VISITOR_ID_LENGTH,
        # One line: `deznity preview` reads it back from the bundle (read_exposure).
        "exposure": json.dumps({"url": exposure.url, "token": exposure.token}) if exposure else "null",
        "timeout": EXPOSURE_TIMEOUT_MS,
    }


EXPOSURE_LINE = re.compile(r"^const EXPOSURE = (.*);$", re.MULTILINE)


def read_exposure(middleware_js: str) -> Exposure | None:
    """The exposure address and token a generated middleware carries; None when it reports none."""
    found = EXPOSURE_LINE.search(middleware_js)
    if found is None:
        return None
    try:
        data = json.loads(found.group(1))
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    return Exposure(url=str(data.get("url", "")), token=str(data.get("token", "")))


def edge_files(
    site_files: Iterable[str], share_b: float = SHARE_B, *, exposure: Exposure | None = None
) -> dict[str, str]:
    """The split's files for a deploy bundle (Vercel's middleware.js, Netlify's edge function); {} without a variant.

    With `exposure`, each enrolled visitor's view is reported to the site API (see the module text).
    """
    if not 0 < share_b < 1:
        raise ValueError(f"share_b must lie strictly between 0 and 1, got {share_b!r}")
    pages = variant_pages(site_files)
    if not pages:
        return {}
    rule = _rule(pages, share_b, exposure)
    matcher = json.dumps(sorted(pages))
    return {
        VERCEL_FILE: VERCEL_JS % {"rule": rule, "matcher": matcher},
        NETLIFY_FILE: NETLIFY_JS % {"rule": rule, "matcher": matcher},
    }

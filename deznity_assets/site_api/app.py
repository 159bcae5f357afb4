"""The site API: an ASGI app taking what visitors send to any client's published site, kept as leads.

Every site posts to its own `/api/forms/<form>`; the host configuration of its deploy bundle routes
that to `<DEZNITY_API_PUBLIC_URL>/sites/<slug>/api/forms/<form>` (Vercel rewrites, Netlify proxy
redirects), so the page never sends a request to another origin. Everything a visitor sends is
hostile until checked: the size before the body is read, the rate per address and per site, the
Origin, the form's fields and their characters. A `303` (or a JSON `201`) is answered only once the
lead is committed; e-mails and webhooks go out afterwards, from the outbox.
"""

from __future__ import annotations

import bisect
import hashlib
import hmac
import ipaddress
import json
import logging
import math
import re
import secrets
import threading
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import anyio
from jinja2 import PackageLoader, StrictUndefined
from limits import RateLimitItem, parse_many, storage, strategies
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from ..brief import BriefError
from ..experiments.measure import EXPOSURE_PATH, from_cookie_header, token_valid, visitor_hash
from ..site.i18n import ui_strings
from ..store.base import ClientStore
from ..store.events import lead_event
from ..templating import environment
from .forms import FILL_MARK, FORMS, HONEYPOT, FormSpec, Submission, check_submission, goal_form
from .settings import SiteApiSettings

log = logging.getLogger(__name__)

FILL_COOKIE = "dz_fill"
FILL_COOKIE_MAX_AGE = 86400
# Answer of the fill mark: a 1x1 transparent GIF (the site's stylesheet loads it as a background).
PIXEL = bytes.fromhex("47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b")
# How long a published site's facts (client id, language, origins) are reused before the store is
# asked again: a replica sees a newly published or removed site within this many seconds.
SITE_TTL = 30.0
SITE_CACHE_SIZE = 10_000
FORM_TYPES = ("application/x-www-form-urlencoded", "application/json")
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
# Addresses remembered as over their limit (address_retry_after); past it the memory starts over.
REFUSED_CACHE_SIZE = 100_000
# How uvicorn serves the app: no access log (it would write every visitor's address in clear), and
# no proxy-header rewriting of the peer, since the app reads X-Forwarded-For itself, by its hops.
SERVER_OPTIONS: dict[str, Any] = {"log_level": "warning", "access_log": False, "proxy_headers": False}
FORM_PATH = re.compile(r"/sites/[^/]+/api/forms/[^/]+/?")
THANKS = "../../thanks"  # relative to /api/forms/<form>: the site's own thank-you page
# Submissions handled at once (each blocks a thread on the store): no more than the SQL store's pool
# keeps open, or every submission past it would open and close a database connection of its own.
STORE_THREADS = 10
EXPOSURE_MAX_BYTES = 1024  # {"variant": "b", "visitor": "<22 characters>", "page": "index"} and room to spare
PAGE_RE = re.compile(r"^[a-z0-9][a-z0-9/_-]{0,199}$")
VISITOR_ID_RE = re.compile(r"^[A-Za-z0-9_-]{22}$")

_env = environment(
    "site_api",
    loader=PackageLoader("deznity_assets.site_api", "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True)
class Site:
    """A published site as the API needs it: whose it is, its language and the origins it is served from."""

    client_id: str
    slug: str
    business_name: str
    language: str
    origins: frozenset[str]
    # The form whose lead is an experiment's conversion, and the client's switch (None: the bundle decided).
    goal_form: str = "contact"
    experiments: bool | None = None


def origin_of(url: str | None) -> str | None:
    """scheme://host[:port] of a URL, lower-cased; None when it has none."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return f"{parts.scheme}://{host}" + (f":{port}" if port else "")


def _is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host in LOOPBACK_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class SiteDirectory:
    """Published sites by slug, read from the store and kept for SITE_TTL seconds (misses too)."""

    def __init__(self, store: ClientStore, site_base_url: str):
        self.store = store
        self.site_base_url = site_base_url
        self._cache: OrderedDict[str, tuple[float, Site | None]] = OrderedDict()

    def get(self, slug: str) -> Site | None:
        """The published site of `slug`, or None (unknown, unpublished or unusable client)."""
        now = time.monotonic()
        hit = self._cache.get(slug)
        if hit and now - hit[0] < SITE_TTL:
            return hit[1]
        site = self._load(slug)
        self._cache[slug] = (now, site)
        self._cache.move_to_end(slug)
        while len(self._cache) > SITE_CACHE_SIZE:
            self._cache.popitem(last=False)
        return site

    def _load(self, slug: str) -> Site | None:
        row = self.store.published_site(slug)
        if row is None or row.slug != slug:
            return None
        try:
            brief = row.brief()
        except BriefError:
            return None
        origins = {origin_of(self.site_base_url.format(slug=slug))}
        live = self.store.latest_live_project(row.id) or {}
        origins |= {origin_of(live.get("live_url")), origin_of(live.get("preview_url"))}
        return Site(
            client_id=row.id,
            slug=slug,
            business_name=brief.business_name,
            language=brief.language or "en",
            origins=frozenset(o for o in origins if o),
            goal_form=goal_form(brief.goal, brief.industry),
            experiments=brief.experiments,
        )


class SweptMemoryStorage(storage.MemoryStorage):
    """`limits`' in-process storage, its expired entries swept a slice of keys at a time.

    The base class's timer walks every key 100 times a second, and keeps a key (an empty list) for
    every address it ever saw. Each visitor address is a key, so at a few hundred submissions a second
    the walk took a third of the process's samples, and one walk of every key once a second instead
    stalled the event loop for 50 to 70 ms at 10,000 keys. Here each tick (every SWEEP_SECONDS) sweeps
    at most SWEEP_KEYS keys, resuming where the last stopped, and drops the keys left empty. Sweeping
    is only garbage collection: the moving window reads entries by their time, so an entry a sweep has
    not yet removed never counts.
    """

    STORAGE_SCHEME = ["deznity-memory"]  # noqa: RUF012 (the base class declares it as an instance variable)
    SWEEP_SECONDS = 0.1
    SWEEP_KEYS = 1000

    def __init__(self, uri: str | None = None, **options: Any):
        self._to_sweep: list[str] = []
        self._sweeper: threading.Thread | None = None
        self._sweeper_lock = threading.Lock()
        super().__init__(uri, **options)

    def _MemoryStorage__schedule_expiry(self) -> None:  # the base class's private hook, by its mangled name
        # One sweeping thread while there are keys (the base class starts a timer thread per sweep).
        if self._sweeper is None:
            with self._sweeper_lock:
                if self._sweeper is None:
                    self._sweeper = threading.Thread(target=self._sweep, name="rate-limit-sweeper", daemon=True)
                    self._sweeper.start()

    def _sweep(self) -> None:
        while True:
            time.sleep(self.SWEEP_SECONDS)
            self._MemoryStorage__expire_events()
            with self._sweeper_lock:
                if not self.events and not self.expirations and not self._to_sweep:
                    self._sweeper = None  # nothing left: the next hit starts another
                    return

    def _MemoryStorage__expire_events(self) -> None:  # the base class's sweep, by its mangled name
        if not self._to_sweep:
            self._to_sweep = list(self.events)
        batch = self._to_sweep[-self.SWEEP_KEYS :]
        del self._to_sweep[-self.SWEEP_KEYS :]
        now = time.time()
        for key in batch:
            with self.locks[key]:
                events = self.events.get(key)
                if events:
                    # Newest first: everything from the first expired entry on has expired.
                    alive = bisect.bisect_left(events, -now, key=lambda entry: -entry.expiry)
                    if alive < len(events):
                        self.events[key] = events[:alive]
                if not self.events.get(key):
                    self.events.pop(key, None)
                    self.locks.pop(key, None)
        # Counters of the fixed and sliding windows (the moving window keeps none), as the base class does.
        for key in [k for k, at in self.expirations.items() if at <= now]:
            self.storage.pop(key, None)
            self.expirations.pop(key, None)
            self.locks.pop(key, None)


class RateLimits:
    """Submissions per visitor address and per site, counted by `limits` (Redis when set: shared by replicas)."""

    def __init__(self, settings: SiteApiSettings):
        self.storage: storage.Storage
        if settings.redis_url:
            shared = storage.storage_from_string(settings.redis_url)
            assert isinstance(shared, storage.Storage)  # a redis:// URL names a synchronous storage
            self.storage = shared
        else:
            self.storage = SweptMemoryStorage()
        self.limiter = strategies.MovingWindowRateLimiter(self.storage)
        self.per_ip: list[RateLimitItem] = parse_many(settings.rate_limit_ip)
        self.per_site: list[RateLimitItem] = parse_many(settings.rate_limit_site)
        # Addresses over their limit and until when (monotonic): see address_retry_after.
        self.refused_until: dict[str, float] = {}

    def retry_after(self, items: list[RateLimitItem], *keys: str) -> int | None:
        """Count one hit against every limit; the whole seconds to wait when one is exceeded, else None."""
        wait = self.wait(items, *keys)
        return None if wait is None else max(1, math.ceil(wait))

    def wait(self, items: list[RateLimitItem], *keys: str) -> float | None:
        """Count one hit against every limit; the seconds until the window frees when one is exceeded."""
        for item in items:
            if not self.limiter.hit(item, *keys):
                reset, _remaining = self.limiter.get_window_stats(item, *keys)
                return max(0.0, reset - time.time())
        return None

    async def address_retry_after(self, visitor: str) -> int | None:
        """retry_after for one visitor's address, without blocking the event loop on Redis."""
        now = time.monotonic()
        until = self.refused_until.get(visitor)
        if until is not None:
            if until > now:
                # Refused until the window frees a slot: the moving window records no refused hit,
                # so answering from here is what the limiter would answer, at a fraction of its cost.
                return max(1, math.ceil(until - now))
            del self.refused_until[visitor]
        if isinstance(self.storage, SweptMemoryStorage):
            # Counted in this process's memory: microseconds, cheaper than a thread hop.
            wait = self.wait(self.per_ip, "ip", visitor)
        else:
            wait = await anyio.to_thread.run_sync(self.wait, self.per_ip, "ip", visitor)
        if wait is None:
            return None
        if len(self.refused_until) >= REFUSED_CACHE_SIZE:
            self.refused_until.clear()  # a flood of many addresses: start over rather than grow
        self.refused_until[visitor] = now + wait
        return max(1, math.ceil(wait))


class SiteApi:
    """The request handling of the site API, apart from Starlette's routing (see create_app)."""

    def __init__(self, *, store: ClientStore, settings: SiteApiSettings, site_base_url: str):
        self.store = store
        self.settings = settings
        self.sites = SiteDirectory(store, site_base_url)
        self.limits = RateLimits(settings)
        self.forwarded_hops = settings.forwarded_hops
        # Without a configured key each process makes its own: visitors hash differently per replica.
        self.key = (settings.visitor_key or secrets.token_hex(32)).encode()
        self.loopback_origins = _is_loopback(settings.host)

    # ----- who is asking --------------------------------------------------------------

    def client_address(self, request: Request) -> str:
        """The visitor's address: X-Forwarded-For as many hops from the right as proxies are trusted."""
        return self.address_of(request.client.host if request.client else "", request.headers.get("x-forwarded-for"))

    def address_of(self, peer: str, forwarded_for: str | None) -> str:
        """The visitor's address from the connection's peer and the X-Forwarded-For header."""
        if self.forwarded_hops <= 0:
            return peer
        chain = [p.strip() for p in (forwarded_for or "").split(",") if p.strip()]
        if len(chain) >= self.forwarded_hops:
            return chain[-self.forwarded_hops]
        return chain[0] if chain else peer

    def visitor(self, address: str) -> str:
        """A keyed hash of the address that changes every UTC day: never the address itself."""
        day = datetime.now(timezone.utc).strftime("%Y-%m-%d")
        return hmac.new(self.key, f"{day}|{address}".encode(), hashlib.sha256).hexdigest()[:32]

    def origin_allowed(self, request: Request, site: Site) -> bool:
        """The Origin (or, without one, the Referer) is one the site is served from."""
        origin = request.headers.get("origin")
        if origin is None or origin == "null":
            origin = origin_of(request.headers.get("referer")) if origin is None else None
        else:
            origin = origin_of(origin)
        if origin is None:
            return False
        if origin in site.origins:
            return True
        # `deznity preview` serves sites on 127.0.0.1: allowed only by an API that listens there itself.
        return self.loopback_origins and _is_loopback(urlsplit(origin).hostname)

    # ----- the fill mark: when a visitor started filling a form -----------------------

    def _sign(self, slug: str, started: int) -> str:
        return hmac.new(self.key, f"fill|{slug}|{started}".encode(), hashlib.sha256).hexdigest()[:32]

    def fill_started(self, request: Request, slug: str) -> int | None:
        """When the visitor first focused a form of this site (from the signed cookie), or None."""
        parts = request.cookies.get(FILL_COOKIE, "").split(".")
        if len(parts) != 3 or parts[0] != slug or not parts[1].isdigit():
            return None
        started = int(parts[1])
        if not hmac.compare_digest(parts[2], self._sign(slug, started)):
            return None
        return started if 0 <= time.time() - started <= FILL_COOKIE_MAX_AGE else None

    def fill_mark(self, request: Request, slug: str) -> Response:
        """The pixel a form's :focus-within style loads; it sets the fill cookie unless one is running."""
        response = Response(PIXEL, media_type="image/gif", headers={"Cache-Control": "no-store"})
        if self.fill_started(request, slug) is None:
            now = int(time.time())
            response.set_cookie(
                FILL_COOKIE,
                f"{slug}.{now}.{self._sign(slug, now)}",
                max_age=FILL_COOKIE_MAX_AGE,
                # No Path: the browser scopes it to the folder of the URL it asked, /api/forms/ behind
                # the host's proxy (the API itself sees /sites/<slug>/api/forms/), where the forms post.
                path=None,
                httponly=True,
                samesite="strict",
                secure=request.headers.get("x-forwarded-proto", request.url.scheme) == "https",
            )
        return response

    def spam_reason(self, request: Request, site: Site, sub: Submission) -> str | None:
        """Why a valid submission is spam (the honeypot, sent too fast), or None for a person's."""
        if sub.honeypot:
            return "honeypot"
        if self.settings.min_fill_seconds > 0:
            started = self.fill_started(request, site.slug)
            if started is None:
                return "no_fill_mark"
            if time.time() - started < self.settings.min_fill_seconds:
                return "too_fast"
        return None

    # ----- a submission ---------------------------------------------------------------

    def submit(
        self, request: Request, slug: str, form: FormSpec, raw: dict[str, str], wants_json: bool, visitor: str
    ) -> Response:
        """Check the site's limit and origin, validate and store one submission (in a worker thread: it blocks)."""
        site = self.sites.get(slug)
        if site is None:
            return _error(404, "no published site has this address", wants_json)
        wait = self.limits.retry_after(self.limits.per_site, "site", slug)
        if wait is not None:
            return _too_many(wait, wants_json)
        if not self.origin_allowed(request, site):
            return _error(403, "the Origin or Referer must be the site's own", wants_json)
        sub = check_submission(form, raw, language=site.language, today=datetime.now(timezone.utc).date())
        if not sub.ok:
            if wants_json:
                return JSONResponse({"ok": False, "errors": sub.errors, "dropped": sub.dropped}, status_code=422)
            return form_page(site, sub, status_code=422)
        if form.name == "cart" and sub.values.get("intent") == "add":
            # Not a lead yet: the checkout form, with the product chosen, asks for the rest.
            return form_page(site, Submission(form=form, values={"product": sub.values["product"]}), status_code=200)
        spam = self.spam_reason(request, site, sub)
        # The variant the visitor was shown, from the edge's cookie (the host proxies /api/ same-origin).
        shown = from_cookie_header(request.headers.get("cookie", "")) if site.experiments is not False else None
        lead = {
            "id": str(uuid.uuid4()),
            "client_id": site.client_id,
            "slug": site.slug,
            "form": form.name,
            "fields": json.dumps(sub.values, ensure_ascii=False, sort_keys=True),
            "variant": shown.variant if shown else None,
            "spam": spam is not None,
            "spam_reason": spam,
            "visitor": visitor,
            "created_at": datetime.now(timezone.utc),
        }
        # Spam is kept apart and never announced; a bot is answered as a person is.
        event = None if spam else lead_event(lead, business_name=site.business_name)
        try:
            self.store.add_lead(lead, event)
        except Exception:
            log.exception("could not store a lead of %s", site.slug)
            return _error(503, "the lead could not be stored; send the form again", wants_json, retry_after=5)
        if shown and shown.visitor_id and not spam and form.name == site.goal_form:
            self.count_conversion(site, shown.visitor_id)
        if wants_json:
            return JSONResponse({"ok": True, "id": lead["id"], "dropped": sub.dropped}, status_code=201)
        return RedirectResponse(THANKS, status_code=303)

    # ----- experiments: exposures from the edge, conversions from leads --------------------

    def count_conversion(self, site: Site, visitor_id: str) -> None:
        """Count a goal lead as its visitor's conversion in the running experiment (once; never fails the lead)."""
        key = self.settings.experiments_key
        if not key:
            return
        try:
            self.store.record_experiment_event(
                client_id=site.client_id,
                slug=site.slug,
                page="index",
                variant="a",  # the store takes the variant the visitor's exposure recorded
                kind="conversion",
                visitor=visitor_hash(key, site.slug, visitor_id),
            )
        except Exception:
            log.exception("could not count a conversion of %s", site.slug)

    def exposure(self, request: Request, slug: str, body: bytes) -> Response:
        """An enrolled view reported by a site's edge: checked against the site's token, counted once per visitor."""
        key = self.settings.experiments_key
        if not key:
            return _error(503, "experiments are not configured here: set DEZNITY_EXPERIMENTS_KEY", True)
        auth = request.headers.get("authorization", "")
        token = auth[len("Bearer ") :].strip() if auth.startswith("Bearer ") else ""
        if not token_valid(key, slug, token):
            return _error(401, "the exposure token is not this site's (Authorization: Bearer <token>)", True)
        site = self.sites.get(slug)
        if site is None:
            return _error(404, "no published site has this address", True)
        if site.experiments is False:
            return JSONResponse({"ok": True, "counted": False, "reason": "experiments are off for this client"})
        try:
            data = json.loads(body.decode("utf-8"))
        except ValueError:
            data = None
        if not isinstance(data, dict):
            return _error(400, "send a JSON object with variant, visitor and page", True)
        variant, visitor, page = data.get("variant"), data.get("visitor"), data.get("page", "index")
        if variant not in ("a", "b"):
            return _error(422, "variant must be a or b", True)
        if not isinstance(visitor, str) or not VISITOR_ID_RE.match(visitor):
            return _error(422, "visitor must be the cookie's id: 22 base64url characters", True)
        if not isinstance(page, str) or not PAGE_RE.match(page):
            return _error(422, "page must be a page name such as index", True)
        try:
            counted = self.store.record_experiment_event(
                client_id=site.client_id,
                slug=slug,
                page=page,
                variant=variant,
                kind="exposure",
                visitor=visitor_hash(key, slug, visitor),
            )
        except Exception:
            log.exception("could not count an exposure of %s", slug)
            return _error(503, "the exposure could not be stored", True, retry_after=5)
        return JSONResponse({"ok": True, "counted": bool(counted and counted["counted"])}, status_code=202)


TOO_MANY = "too many submissions; wait before sending again"
TOO_MANY_JSON = json.dumps({"ok": False, "error": TOO_MANY}).encode()
TOO_MANY_TEXT = (TOO_MANY + "\n").encode()


def _too_many(wait: int, wants_json: bool) -> Response:
    return _error(429, TOO_MANY, wants_json, retry_after=wait)


def _error(status: int, message: str, wants_json: bool, *, retry_after: int | None = None) -> Response:
    headers = {"Retry-After": str(retry_after)} if retry_after else None
    if wants_json:
        return JSONResponse({"ok": False, "error": message}, status_code=status, headers=headers)
    return PlainTextResponse(message + "\n", status_code=status, headers=headers)


def form_page(site: Site, sub: Submission, *, status_code: int) -> HTMLResponse:
    """The form again in the site's language and style: the errors listed, the values kept."""
    t = ui_strings(site.language)
    html = _env.get_template("form_page.html.j2").render(
        t=t, site=site, form=sub.form, values=sub.values, errors=sub.errors, honeypot=HONEYPOT
    )
    return HTMLResponse(html, status_code=status_code, headers={"Cache-Control": "no-store"})


async def read_body(request: Request, limit: int) -> bytes | None:
    """The request body, or None once it passes `limit` bytes (read no further)."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def parse_fields(body: bytes, content_type: str) -> dict[str, str] | None:
    """The submitted fields as text (the last value of a repeated name); None when the body cannot be read."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if content_type == "application/json":
        try:
            data = json.loads(text) if text else {}
        except ValueError:
            return None
        if not isinstance(data, dict):
            return None
        out: dict[str, str] = {}
        for key, value in data.items():
            if isinstance(value, bool) or not isinstance(value, (str, int, float)):
                return None
            out[str(key)] = str(value)
        return out
    try:
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=False, max_num_fields=64)
    except ValueError:
        return None
    return dict(pairs)


def create_app(*, store: ClientStore, settings: SiteApiSettings, site_base_url: str) -> AddressGuard:
    """The site API as an ASGI app over one store (any number of them may serve the same store)."""
    api = SiteApi(store=store, settings=settings, site_base_url=site_base_url)
    store_threads = anyio.CapacityLimiter(STORE_THREADS)

    async def submit(request: Request) -> Response:
        wants_json = "application/json" in request.headers.get("accept", "")
        declared = request.headers.get("content-length")
        limit = settings.max_body_bytes
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            # Answered before a byte of the body is read.
            return _error(413, f"a submission may have at most {limit} bytes", wants_json)
        form = FORMS.get(request.path_params["form"])
        if form is None:
            return _error(404, "no such form", wants_json)
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type not in FORM_TYPES:
            return _error(415, f"send the form as {' or '.join(FORM_TYPES)}", wants_json)
        # The address's limit was counted by AddressGuard, before this request reached the router.
        visitor = request.scope.get("deznity.visitor") or api.visitor(api.client_address(request))
        body = await read_body(request, limit)
        if body is None:
            return _error(413, f"a submission may have at most {limit} bytes", wants_json)
        raw = parse_fields(body, content_type)
        if raw is None:
            return _error(400, "the body is not a readable form", wants_json)
        slug = request.path_params["slug"]
        return await anyio.to_thread.run_sync(
            api.submit, request, slug, form, raw, wants_json, visitor, limiter=store_threads
        )

    async def fill_mark(request: Request) -> Response:
        return api.fill_mark(request, request.path_params["slug"])

    async def exposure(request: Request) -> Response:
        body = await read_body(request, EXPOSURE_MAX_BYTES)
        if body is None:
            return _error(413, f"an exposure may have at most {EXPOSURE_MAX_BYTES} bytes", True)
        return await anyio.to_thread.run_sync(
            api.exposure, request, request.path_params["slug"], body, limiter=store_threads
        )

    async def health(request: Request) -> Response:
        return JSONResponse({"ok": True, "store": store.backend})

    routes = [
        Route("/healthz", health, methods=["GET"]),
        Route(f"/sites/{{slug}}/api/forms/{FILL_MARK}", fill_mark, methods=["GET"]),
        Route("/sites/{slug}/api/forms/{form}", submit, methods=["POST"]),
        Route(f"/sites/{{slug}}/api/{EXPOSURE_PATH}", exposure, methods=["POST"]),
    ]
    app = Starlette(routes=routes)
    app.state.api = api
    return AddressGuard(app, api)


class AddressGuard:
    """ASGI middleware: a submission from an address over its limit is answered 429 before anything else.

    A flood from one address must cost the process as little as possible, or it slows every other
    site's visitors: the check runs on the raw ASGI scope, before Starlette builds a request, routes
    it, reads a byte of the body or takes a store thread.
    """

    def __init__(self, app: Starlette, api: SiteApi):
        self.app = app
        self.api = api
        self.state = app.state
        self.routes = app.routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST" and FORM_PATH.fullmatch(scope["path"]):
            # Repeated headers join as one list, as Starlette's Headers would read them.
            hops = [value.decode("latin-1") for name, value in scope["headers"] if name == b"x-forwarded-for"]
            forwarded = ",".join(hops) if hops else None
            client = scope.get("client")
            visitor = self.api.visitor(self.api.address_of(client[0] if client else "", forwarded))
            wait = await self.api.limits.address_retry_after(visitor)
            if wait is not None:
                # Written as raw ASGI messages: a Response object per refused request cost a flood more.
                wants_json = any(n == b"accept" and b"application/json" in v for n, v in scope["headers"])
                body = TOO_MANY_JSON if wants_json else TOO_MANY_TEXT
                content_type = b"application/json" if wants_json else b"text/plain; charset=utf-8"
                headers = [
                    (b"content-type", content_type),
                    (b"content-length", str(len(body)).encode()),
                    (b"retry-after", str(wait).encode()),
                ]
                await send({"type": "http.response.start", "status": 429, "headers": headers})
                await send({"type": "http.response.body", "body": body})
                return
            scope["deznity.visitor"] = visitor
        await self.app(scope, receive, send)


__all__ = ["FILL_COOKIE", "Site", "SiteApi", "create_app", "form_page", "origin_of", "parse_fields"]

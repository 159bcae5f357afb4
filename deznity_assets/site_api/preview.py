"""A client's site served as its host serves it: clean URLs, the bundle's headers, and /api/ routed to the site API.

`deznity preview` runs this on 127.0.0.1, so an operator (or a browser test) can submit a form of the
site and see the lead arrive. It reads the deploy bundle's vercel.json: its headers, and its rewrite
of /api/ to the site API. A bundle made without DEZNITY_API_PUBLIC_URL has no such rewrite (on a real
host its forms go nowhere); the preview then routes /api/ to the local site API and says so.

When the bundle carries the edge split (deploy/middleware.js, shipped with DEZNITY_EXPERIMENTS), the
preview splits the pages that have a variant by the same rule (`experiments.edge.choose`, tested to
decide as the middleware does under Node), so a browser or a traffic simulator sees A and B as
visitors of the live site do; and when the middleware reports views (it carries the site's exposure
token), the preview reports each enrolled view to the site API it routes /api/ to, as the edge does,
before answering (the edge answers first where the host lets it).
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from ..experiments.edge import EXPOSURE_TIMEOUT_MS, VERCEL_FILE, choose, opted_out, read_exposure, variant_pages
from ..experiments.measure import EXPOSURE_PATH, page_of
from .routing import API_PREFIX

# Headers a proxy must not pass on (RFC 9110 §7.6.1), and those it sets itself.
HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding"}
    | {"upgrade", "host", "content-length"}
)
# Served over plain http on 127.0.0.1: directives that only make sense on the host's https would
# upgrade the page's own requests to an https the preview does not speak.
HTTPS_ONLY = ("upgrade-insecure-requests",)


@dataclass
class HostConfig:
    """What the preview takes from a deploy bundle's vercel.json: header rules and the /api/ destination."""

    headers: list[tuple[re.Pattern[str], dict[str, str]]] = field(default_factory=list)
    api_destination: str | None = None  # e.g. https://api.example.com/sites/<slug>/api/ (without :path*)
    # The edge split: URL path of each page with a variant -> its B file; empty when no middleware is shipped.
    split: dict[str, str] = field(default_factory=dict)
    # The site's exposure token the middleware carries; None: the split reports no views.
    exposure_token: str | None = None

    @classmethod
    def read(cls, vercel_json: Path, site: Path | None = None) -> HostConfig:
        """The bundle's rules (and its split, when middleware.js sits beside it); an absent file gives none."""
        split: dict[str, str] = {}
        token = None
        middleware = vercel_json.parent / VERCEL_FILE
        if site is not None and middleware.is_file():
            split = variant_pages(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
            exposure = read_exposure(middleware.read_text("utf-8"))
            token = exposure.token if exposure else None
        try:
            config = json.loads(vercel_json.read_text("utf-8"))
        except (OSError, ValueError):
            return cls(split=split, exposure_token=token)
        rules = []
        for rule in config.get("headers", []):
            pattern = re.compile(_source_regex(str(rule.get("source", ""))))
            rules.append((pattern, {h["key"]: h["value"] for h in rule.get("headers", [])}))
        destination = None
        for rewrite in config.get("rewrites", []):
            if rewrite.get("source") == API_PREFIX + ":path*":
                destination = str(rewrite["destination"]).removesuffix(":path*")
        return cls(headers=rules, api_destination=destination, split=split, exposure_token=token)

    def headers_for(self, path: str) -> dict[str, str]:
        """Every header rule matching `path`, later rules overriding earlier ones, as the host applies them."""
        out: dict[str, str] = {}
        for pattern, values in self.headers:
            if pattern.fullmatch(path):
                out.update(values)
        if "Content-Security-Policy" in out:
            kept = [d for d in out["Content-Security-Policy"].split("; ") if d.strip() not in HTTPS_ONLY]
            out["Content-Security-Policy"] = "; ".join(kept)
        out.pop("Strict-Transport-Security", None)
        return out


def _source_regex(source: str) -> str:
    """A vercel.json `source` as a regex: its own (…) groups kept, `:name*` as any rest of the path."""
    return re.sub(r":\w+\*", ".*", source)


def site_file(site: Path, path: str) -> Path | None:
    """The file a clean URL names (/, /menu, /blog/post, /assets/site.css), never outside `site`."""
    rel = path.lstrip("/")
    candidates = [rel + "index.html"] if rel == "" or rel.endswith("/") else [rel, rel + ".html", rel + "/index.html"]
    root = site.resolve()
    for candidate in candidates:
        target = (root / candidate).resolve()
        if target.is_relative_to(root) and target.is_file():
            return target
    return None


def preview_app(site: Path, host: HostConfig, *, api_destination: str) -> Starlette:
    """The host of one site: its files with the bundle's headers, and /api/ proxied to `api_destination`."""
    client = httpx.AsyncClient(timeout=httpx.Timeout(30.0), follow_redirects=False)

    async def proxy(request: Request) -> Response:
        rest = request.url.path[len(API_PREFIX) :]
        url = api_destination + rest + (f"?{request.url.query}" if request.url.query else "")
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP}
        peer = request.client.host if request.client else ""
        forwarded = request.headers.get("x-forwarded-for")
        headers["x-forwarded-for"] = f"{forwarded}, {peer}" if forwarded else peer
        headers["x-forwarded-proto"] = request.url.scheme
        headers["x-forwarded-host"] = request.headers.get("host", "")

        async def body() -> AsyncIterator[bytes]:
            async for chunk in request.stream():
                yield chunk

        upstream = client.build_request(request.method, url, headers=headers, content=body())
        try:
            answer = await client.send(upstream, stream=True)
        except httpx.HTTPError as exc:
            return PlainTextResponse(f"the site API at {api_destination} did not answer ({exc})\n", status_code=502)
        passed = [(k, v) for k, v in answer.headers.multi_items() if k.lower() not in HOP_BY_HOP]
        return StreamingResponse(
            answer.aiter_raw(),
            status_code=answer.status_code,
            headers=_header_dict(passed),
            background=BackgroundTask(answer.aclose),
        )

    async def report_exposure(variant: str, visitor: str, page: str) -> None:
        # As the edge: the site API told of an enrolled view; a failing API never fails the page.
        try:
            await client.post(
                api_destination + EXPOSURE_PATH,
                json={"variant": variant, "visitor": visitor, "page": page},
                headers={"authorization": f"Bearer {host.exposure_token}"},
                timeout=EXPOSURE_TIMEOUT_MS / 1000,
            )
        except httpx.HTTPError:
            pass

    async def static(request: Request) -> Response:
        path = request.url.path
        choice = (
            choose(
                host.split,
                path,
                request.headers.get("user-agent", ""),
                request.headers.get("cookie", ""),
                opt_out=opted_out(request.headers),
            )
            if host.split
            else None
        )
        if choice and choice.visitor and host.exposure_token:
            await report_exposure(choice.variant, choice.visitor, page_of(host.split[path]))
        target = site_file(site, choice.target if choice and choice.target else path)
        if target is None:
            missing = site / "404.html"
            response: Response = (
                FileResponse(missing, status_code=404) if missing.is_file() else PlainTextResponse("", status_code=404)
            )
        else:
            response = FileResponse(target)
        response.headers.update(host.headers_for(path))
        if choice and choice.set_cookie:
            # Served over plain http: a Secure cookie would never be sent back by a client's jar here.
            response.headers.append("set-cookie", choice.set_cookie.replace("; Secure", ""))
        return response

    methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
    routes = [
        Route(API_PREFIX + "{rest:path}", proxy, methods=methods),
        Route("/{path:path}", static, methods=["GET", "HEAD"]),
    ]

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        await client.aclose()

    return Starlette(routes=routes, lifespan=lifespan)


def _header_dict(items: list[tuple[str, str]]) -> MutableHeaders:
    # Set-Cookie may repeat: a plain dict would keep only the last one.
    headers = MutableHeaders()
    for key, value in items:
        headers.append(key, value)
    return headers


__all__ = ["HostConfig", "preview_app", "site_file"]

"""Netlify's deploy API (file digests): the deploy lists every file's SHA-1, Netlify answers which it needs.

POST /api/v1/sites/{site_id}/deploys with {"files": {"/path": sha1}} answers the deploy and its
`required` digests; only those are sent (PUT /api/v1/deploys/{id}/files/{path}), then the deploy
is polled until `ready` or `error`. A draft deploy gets its own URL and leaves production alone.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from .api import DeployError, ProviderApi
from .vercel import Deployed, https_url, sha1

# When NETLIFY_SITE_ID is unset, each client's site is this one, found by name or created.
SITE_NAME = "deznity-{slug}"
DONE_STATES = ("ready",)
FAILED_STATES = ("error",)


@dataclass(frozen=True)
class Site:
    """The Netlify site a client's deploys go to."""

    id: str
    name: str


def site_for(api: ProviderApi, *, site_setting: str | None, slug: str) -> Site:
    """NETLIFY_SITE_ID (with {slug} filled in) when set, else the site deznity-<slug>, created when missing."""
    if site_setting:
        ref = site_setting.format(slug=slug) if "{slug}" in site_setting else site_setting
        response = api.request("GET", f"/api/v1/sites/{quote(ref, safe='')}", what=f"find site {ref}")
        if response.status_code == 404:
            raise DeployError(f"Netlify has no site {ref!r} for this token; fix NETLIFY_SITE_ID or unset it")
        found = api.ok(response, f"find site {ref}")
        return Site(id=str(found["id"]), name=str(found.get("name") or ref))
    name = SITE_NAME.format(slug=slug)
    response = api.request("GET", "/api/v1/sites", what="list sites", params={"name": name, "filter": "all"})
    for site in api.ok(response, "list sites") or []:
        if isinstance(site, dict) and site.get("name") == name:
            return Site(id=str(site["id"]), name=name)
    response = api.request("POST", "/api/v1/sites", what=f"create site {name}", json={"name": name})
    if response.status_code == 422:
        raise DeployError(
            f"Netlify: could not create site {name}: {api.message(response)}; the name may belong to another "
            "account: create a site and set NETLIFY_SITE_ID (e.g. {slug}-agency.netlify.app)"
        )
    created = api.ok(response, f"create site {name}")
    return Site(id=str(created["id"]), name=str(created.get("name") or name))


def deploy(
    api: ProviderApi,
    *,
    site: Site,
    files: dict[str, bytes],
    draft: bool,
    poll_seconds: float,
    timeout_seconds: float,
) -> Deployed:
    """Deploy `files` (path -> bytes) to `site`, sending only the digests Netlify requires; wait until ready."""
    digests = {"/" + path.lstrip("/"): sha1(data) for path, data in sorted(files.items())}
    response = api.request(
        "POST",
        f"/api/v1/sites/{quote(site.id, safe='')}/deploys",
        what="create the deploy",
        json={"files": digests, "draft": draft},
    )
    created = api.ok(response, "create the deploy")
    deploy_id = str(created.get("id") or "")
    if not deploy_id:
        raise DeployError("Netlify: the new deploy has no id")
    required = {str(d) for d in created.get("required") or []}
    sent: set[str] = set()
    for path, digest in digests.items():
        if digest not in required or digest in sent:
            continue  # Netlify has these bytes already (this site's earlier deploys, or another path)
        data = files[path.lstrip("/")]
        response = api.request(
            "PUT",
            f"/api/v1/deploys/{quote(deploy_id, safe='')}/files/{quote(path.lstrip('/'), safe='/')}",
            what=f"upload {path}",
            content=data,
            headers={"Content-Type": "application/octet-stream", "Content-Length": str(len(data))},
        )
        api.ok(response, f"upload {path}")
        sent.add(digest)
    if required - sent:
        raise DeployError(f"Netlify: the deploy requires {len(required - sent)} files that are not in the site")
    ready = _wait(api, created, deploy_id, poll_seconds, timeout_seconds)
    # A draft is reached only at its own address; a production deploy is the site's URL.
    host = (ready.get("deploy_ssl_url") or ready.get("deploy_url")) if draft else None
    host = host or ready.get("ssl_url") or ready.get("url") or ""
    return Deployed(id=deploy_id, url=https_url(str(host), "Netlify"), uploaded=len(sent))


def _wait(
    api: ProviderApi, deploy: dict[str, Any], deploy_id: str, poll_seconds: float, timeout_seconds: float
) -> dict[str, Any]:
    """Poll GET /api/v1/deploys/{id} until its state is ready (returned) or error (DeployError)."""
    deadline = time.monotonic() + timeout_seconds
    while True:
        state = str(deploy.get("state") or "new")
        if state in DONE_STATES:
            return deploy
        if state in FAILED_STATES:
            why = deploy.get("error_message") or "no reason given"
            raise DeployError(f"Netlify deploy {deploy_id} ended in error: {api.redact(str(why))}")
        if time.monotonic() > deadline:
            raise DeployError(
                f"Netlify deploy {deploy_id} is still {state} after {timeout_seconds:g} s "
                "(DEZNITY_DEPLOY_TIMEOUT_SECONDS); `deznity retry` deploys again"
            )
        api.sleep(poll_seconds)
        response = api.request("GET", f"/api/v1/deploys/{quote(deploy_id, safe='')}", what="read the deploy's state")
        deploy = api.ok(response, "read the deploy's state")

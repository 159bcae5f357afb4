"""Vercel's REST API: files by SHA-1 digest (POST /v2/files), the deployment (POST /v13/deployments), its state.

The deployment is created first, as Vercel's own client does: Vercel answers 400 `missing_files`
with the digests it does not have, only those are uploaded, and the deployment is created again.
Content Vercel already holds (an unchanged re-deploy, hero B's page in the preview) is never sent.
"""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass
from typing import Any

from .api import DeployError, ProviderApi

# Vercel's rule for project names: lower case letters, digits, '.', '_' and '-', at most 100, no '---'.
PROJECT_NAME = re.compile(r"^[a-z0-9._-]{1,100}$")
# A READY production deployment may get its aliases (<project>.vercel.app) a moment later.
ALIAS_POLLS = 5


@dataclass(frozen=True)
class Deployed:
    """A deployment that is live: its id, URL, and how many files had to be sent for it."""

    id: str
    url: str
    uploaded: int


def project_name(template: str, slug: str) -> str:
    """The Vercel project of a client: VERCEL_PROJECT with {slug} filled in, or VERCEL_PROJECT-<slug>."""
    name = template.format(slug=slug) if "{slug}" in template else f"{template.strip('-')}-{slug}"
    if not PROJECT_NAME.match(name) or "---" in name:
        raise DeployError(
            f"VERCEL_PROJECT gives the project name {name[:110]!r}, which Vercel refuses: use lower-case letters, "
            "digits, '.', '_' and '-' (at most 100, no '---'), e.g. {slug} or agency-{slug}"
        )
    return name


def sha1(data: bytes) -> str:
    """The SHA-1 digest Vercel and Netlify identify file contents by."""
    # The providers' content address, not a security use.
    return hashlib.sha1(data).hexdigest()


def deploy(
    api: ProviderApi,
    *,
    name: str,
    files: dict[str, bytes],
    production: bool,
    team_id: str | None,
    poll_seconds: float,
    timeout_seconds: float,
) -> Deployed:
    """Create a deployment of `files` (path -> bytes) in project `name` and wait until it is READY."""
    params = {"teamId": team_id} if team_id else None
    by_digest = {sha1(data): data for data in files.values()}
    body: dict[str, Any] = {
        "name": name,
        "files": [{"file": path, "sha": sha1(data), "size": len(data)} for path, data in sorted(files.items())],
        # A static site: no framework detection, no build step.
        "projectSettings": {"framework": None},
    }
    if production:
        body["target"] = "production"  # omitted, the deployment is a preview
    uploaded = 0
    for _ in range(2):
        response = api.request("POST", "/v13/deployments", what="create the deployment", params=params, json=body)
        missing = _missing_files(response)
        if missing is None:
            break
        unknown = [digest for digest in missing if digest not in by_digest]
        if unknown or uploaded:
            raise DeployError(f"Vercel: could not create the deployment: it still misses {len(missing)} files")
        for digest in missing:
            upload(api, digest, by_digest[digest], params)
        uploaded = len(missing)
    deployment = api.ok(response, "create the deployment")
    return Deployed(**_wait(api, deployment, params, production, poll_seconds, timeout_seconds), uploaded=uploaded)


def upload(api: ProviderApi, digest: str, data: bytes, params: dict[str, str] | None) -> None:
    """POST /v2/files: one file's bytes under its SHA-1 digest (Vercel checks the digest)."""
    response = api.request(
        "POST",
        "/v2/files",
        what=f"upload file {digest[:10]}",
        params=params,
        content=data,
        headers={
            "Content-Type": "application/octet-stream",
            "Content-Length": str(len(data)),
            "x-vercel-digest": digest,
        },
    )
    api.ok(response, f"upload file {digest[:10]}")


def _missing_files(response: Any) -> list[str] | None:
    """The digests a 400 missing_files answer lists, or None for any other answer."""
    if response.status_code != 400:
        return None
    try:
        error = response.json().get("error") or {}
    except (ValueError, AttributeError):
        return None
    if not isinstance(error, dict) or error.get("code") != "missing_files":
        return None
    return [str(d) for d in error.get("missing") or []]


def _wait(
    api: ProviderApi,
    deployment: dict[str, Any],
    params: dict[str, str] | None,
    production: bool,
    poll_seconds: float,
    timeout_seconds: float,
) -> dict[str, str]:
    """Poll GET /v13/deployments/{id} until READY (then its URL) or ERROR / CANCELED (DeployError)."""
    deployment_id = str(deployment.get("id") or "")
    if not deployment_id:
        raise DeployError("Vercel: the new deployment has no id")
    deadline = time.monotonic() + timeout_seconds
    alias_polls = 0
    while True:
        state = str(deployment.get("readyState") or deployment.get("status") or "QUEUED")
        if state in ("ERROR", "CANCELED"):
            why = deployment.get("errorMessage") or deployment.get("errorCode") or "no reason given"
            raise DeployError(f"Vercel deployment {deployment_id} ended {state}: {api.redact(str(why))}")
        if state == "READY":
            aliases = [str(a) for a in deployment.get("alias") or []]
            if aliases or not production or deployment.get("aliasAssigned") or alias_polls >= ALIAS_POLLS:
                host = aliases[0] if production and aliases else str(deployment.get("url") or "")
                return {"id": deployment_id, "url": https_url(host, "Vercel")}
            alias_polls += 1
        if time.monotonic() > deadline:
            raise DeployError(
                f"Vercel deployment {deployment_id} is still {state} after {timeout_seconds:g} s "
                "(DEZNITY_DEPLOY_TIMEOUT_SECONDS); `deznity retry` deploys again"
            )
        api.sleep(poll_seconds)
        response = api.request(
            "GET", f"/v13/deployments/{deployment_id}", what="read the deployment's state", params=params
        )
        deployment = api.ok(response, "read the deployment's state")


def https_url(host_or_url: str, provider: str) -> str:
    """An https URL from the host name (or URL) a provider answered; DeployError when it is neither."""
    text = host_or_url.strip()
    url = (text if text.startswith(("https://", "http://")) else f"https://{text}").rstrip("/")
    # Host, port and a plain path only: the URL goes into links, Markdown tables and webhooks.
    if not re.fullmatch(r"https?://[A-Za-z0-9.-]+(:\d+)?(/[A-Za-z0-9._~/-]*)?", url):
        raise DeployError(f"{provider} answered no usable URL for the deployment ({text[:80]!r})")
    return url

"""Webhook endpoints: parsed from the settings, named without the secrets their URLs may carry."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from urllib.parse import urlsplit

SLACK_PREFIX = "slack+"


@dataclass(frozen=True)
class Endpoint:
    """One configured receiver: its URL (a secret, never shown) and the name it is shown and recorded by."""

    url: str = field(repr=False)
    label: str
    slack: bool = False


def endpoint_label(url: str, *, slack: bool = False) -> str:
    """`url` without userinfo or query; a Slack URL without its token path; a fingerprint where parts were cut."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    fingerprint = hashlib.sha256(url.encode("utf-8")).hexdigest()[:8]
    if slack:
        # A Slack incoming-webhook URL's path is its token.
        return f"{SLACK_PREFIX}{parts.scheme}://{host}/…#{fingerprint}"
    label = f"{parts.scheme}://{host}{parts.path}"
    return f"{label}#{fingerprint}" if parts.username or parts.password or parts.query else label


def parse_endpoints(urls: list[str]) -> tuple[list[Endpoint], list[str]]:
    """The usable endpoints among `urls`, and a problem (setting and fix, no secret) for each unusable one."""
    endpoints, problems = [], []
    for index, raw in enumerate(urls, start=1):
        slack = raw.startswith(SLACK_PREFIX)
        url = raw.removeprefix(SLACK_PREFIX)
        try:
            parts = urlsplit(url)
            ok = parts.scheme in {"http", "https"} and bool(parts.hostname)
        except ValueError:
            ok = False
        if not ok:
            problems.append(
                f"webhook endpoint {index} is not an http(s) URL; fix DEZNITY_WEBHOOK_URLS or "
                "DEZNITY_SLACK_WEBHOOK_URL (e.g. https://crm.example.com/hooks/deznity)"
            )
            continue
        endpoints.append(Endpoint(url=url, label=endpoint_label(url, slack=slack), slack=slack))
    return endpoints, problems

"""`deznity doctor`'s look at live deployment: which provider, and whether it accepts the token."""

from __future__ import annotations

from urllib.parse import urlsplit

from .api import DeployError, ProviderApi
from .settings import HostingSettings

# A cheap authenticated read per provider: the token's own user.
WHO_AM_I = {"vercel": "/v2/user", "netlify": "/api/v1/user"}


def check_hosting(settings: HostingSettings | None) -> list[tuple[bool, str, str]]:
    """(ok, what, detail) for the live deployment settings; asks the provider whether the token works."""
    if settings is None:
        return [(True, "live deploy", "off: the deploy bundle only (set VERCEL_TOKEN or NETLIFY_AUTH_TOKEN)")]
    label = settings.provider.capitalize()
    parts = urlsplit(settings.api_url)
    where = f"{parts.scheme}://{parts.hostname}{f':{parts.port}' if parts.port else ''}"  # never userinfo
    token_variable = "VERCEL_TOKEN" if settings.provider == "vercel" else "NETLIFY_AUTH_TOKEN"
    try:
        with ProviderApi(label, token_variable, settings.api_url, settings.token, max_retries=0) as api:
            api.ok(api.request("GET", WHO_AM_I[settings.provider], what="check the token"), "check the token")
    except DeployError as exc:
        return [(False, "live deploy", str(exc))]
    return [(True, "live deploy", f"{label} ({where}) accepts {token_variable}")]

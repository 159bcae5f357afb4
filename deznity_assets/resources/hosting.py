"""The hosting resource: where approved sites are published live (Vercel or Netlify), and how patiently."""

from __future__ import annotations

import dagster as dg

from ..config import secret_value, setting
from ..hosting import HostingSettings


class HostingResource(dg.ConfigurableResource):
    """Live deployment through Vercel's or Netlify's REST API; without a token, the deploy bundle only."""

    vercel_token: str | None = setting(
        "VERCEL_TOKEN",
        None,
        "Vercel access token: the deployment step publishes each approved site through Vercel's REST API "
        "(used when both this and NETLIFY_AUTH_TOKEN are set)",
        secret="always",
    )
    vercel_team_id: str | None = setting(
        "VERCEL_TEAM_ID", None, "the Vercel team to deploy into (teamId); unset: the token's own account"
    )
    vercel_project: str = setting(
        "VERCEL_PROJECT",
        "{slug}",
        "the Vercel project of each client's site: a name with {slug} in it, or a prefix (agency: agency-{slug})",
    )
    vercel_api_url: str = setting(
        "DEZNITY_VERCEL_API_URL",
        "https://api.vercel.com",
        "Vercel's API (tests point it at a local server)",
        secret="credentials",
    )
    netlify_token: str | None = setting(
        "NETLIFY_AUTH_TOKEN",
        None,
        "Netlify personal access token: the deployment step publishes each approved site through Netlify's deploy API",
        secret="always",
    )
    netlify_site_id: str | None = setting(
        "NETLIFY_SITE_ID",
        None,
        "the Netlify site to deploy to: its id or its netlify.app domain, {slug} replaced by the client's slug; "
        "unset: the site deznity-{slug}, created when missing",
    )
    netlify_api_url: str = setting(
        "DEZNITY_NETLIFY_API_URL",
        "https://api.netlify.com",
        "Netlify's API (tests point it at a local server)",
        secret="credentials",
    )
    max_retries: int = setting(
        "DEZNITY_DEPLOY_MAX_RETRIES",
        4,
        "retries per hosting API request of 429 (after its Retry-After), 5xx, timeouts and dropped connections",
        minimum=0,
    )
    timeout_seconds: float = setting(
        "DEZNITY_DEPLOY_TIMEOUT_SECONDS",
        600.0,
        "how long a deployment may take to become ready before the deployment step fails",
        minimum=1,
    )
    poll_seconds: float = setting(
        "DEZNITY_DEPLOY_POLL_SECONDS", 2.0, "how often a deployment's state is asked while it builds", minimum=0.01
    )

    def provider_name(self) -> str | None:
        """vercel or netlify, whichever has a token (Vercel first), or None: the bundle only."""
        if (secret_value(self.vercel_token) or "").strip():
            return "vercel"
        if (secret_value(self.netlify_token) or "").strip():
            return "netlify"
        return None

    def settings(self) -> HostingSettings | None:
        """The settings of a live deployment, token read (never logged); None when no token is set."""
        provider = self.provider_name()
        if provider is None:
            return None
        vercel = provider == "vercel"
        token = secret_value(self.vercel_token if vercel else self.netlify_token) or ""
        return HostingSettings(
            provider=provider,
            token=token.strip(),
            api_url=secret_value(self.vercel_api_url if vercel else self.netlify_api_url) or "",
            vercel_team_id=(self.vercel_team_id or "").strip() or None,
            vercel_project=self.vercel_project.strip() or "{slug}",
            netlify_site=(self.netlify_site_id or "").strip() or None,
            max_retries=self.max_retries,
            timeout_seconds=self.timeout_seconds,
            poll_seconds=self.poll_seconds,
        )

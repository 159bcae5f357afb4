"""The settings of a live deployment, as the hosting resource hands them over (secrets read)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class HostingSettings:
    """What a live deployment needs, secrets read (never logged): the provider and its settings."""

    provider: str  # "vercel" or "netlify"
    token: str = field(repr=False)  # never shown, should the settings be printed
    api_url: str
    vercel_team_id: str | None = None
    vercel_project: str = "{slug}"
    netlify_site: str | None = None
    max_retries: int = 4
    timeout_seconds: float = 600.0
    poll_seconds: float = 2.0

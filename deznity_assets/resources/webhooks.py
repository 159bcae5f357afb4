"""The webhooks resource: where client status changes are posted, the signing secret, retries and timeouts."""

from __future__ import annotations

import dagster as dg

from ..config import secret_value, setting


class WebhookResource(dg.ConfigurableResource):
    """Endpoints that receive a signed JSON event on every client status change (docs/WEBHOOKS.md)."""

    # Both URL settings are secrets: a Slack incoming-webhook URL is itself the credential, and
    # other endpoints often carry a token in the path or query.
    urls: str | None = setting(
        "DEZNITY_WEBHOOK_URLS",
        None,
        "comma-separated endpoints that receive each client status change as signed JSON; "
        "prefix one with slack+ (slack+https://hooks.slack.com/...) for a Slack message",
        secret="always",
    )
    slack_url: str | None = setting(
        "DEZNITY_SLACK_WEBHOOK_URL",
        None,
        "a Slack incoming-webhook URL: a one-line message per change",
        secret="always",
    )
    secret: str | None = setting(
        "DEZNITY_WEBHOOK_SECRET",
        None,
        "signs each event (Deznity-Signature: HMAC-SHA256); needed for every endpoint but Slack",
        secret="always",
    )
    max_attempts: int = setting(
        "DEZNITY_WEBHOOK_MAX_ATTEMPTS",
        8,
        "attempts per event and endpoint (timeouts, connection errors, 408, 429, 5xx) before it is given up",
        minimum=1,
    )
    timeout_seconds: float = setting(
        "DEZNITY_WEBHOOK_TIMEOUT_SECONDS", 5.0, "how long one delivery waits for the endpoint's answer", minimum=0.1
    )
    backoff_seconds: float = setting(
        "DEZNITY_WEBHOOK_BACKOFF_SECONDS",
        30.0,
        "wait before the first retry; each later retry waits twice as long (at most an hour)",
        minimum=0,
    )

    def endpoint_urls(self) -> list[str]:
        """Every configured endpoint URL (Slack ones prefixed slack+); never logged."""
        urls = [u.strip() for u in (secret_value(self.urls) or "").split(",") if u.strip()]
        slack = (secret_value(self.slack_url) or "").strip()
        if slack:
            urls.append(slack if slack.startswith("slack+") else f"slack+{slack}")
        return urls

    def signing_secret(self) -> str:
        """DEZNITY_WEBHOOK_SECRET's value ('' when unset); never logged."""
        return (secret_value(self.secret) or "").strip()

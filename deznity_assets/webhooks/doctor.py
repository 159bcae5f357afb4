"""`deznity doctor`'s webhook checks: each endpoint answers a signed `webhook.ping` (a Slack hook: an empty message)."""

from __future__ import annotations

import uuid
from typing import Any

from ..store.rows import utcnow
from .delivery import post, request_for
from .endpoints import parse_endpoints


def check_webhooks(webhooks: Any) -> list[tuple[bool, str, str]]:
    """(ok, what, detail) per configured endpoint, named without secrets; nothing when none is configured."""
    endpoints, problems = parse_endpoints(webhooks.endpoint_urls())
    checks: list[tuple[bool, str, str]] = [(False, "webhook", problem) for problem in problems]
    secret = webhooks.signing_secret()
    for endpoint in endpoints:
        if not endpoint.slack and not secret:
            checks.append(
                (
                    False,
                    "webhook",
                    f"{endpoint.label}: DEZNITY_WEBHOOK_SECRET is not set; set it to a long random "
                    "string and give the receiver the same value",
                )
            )
            continue
        if endpoint.slack:
            # An empty message: Slack answers 400 `no_text` to a hook that exists and 403/404 to one
            # that does not, and nobody's channel gets a test message each time doctor runs.
            answer = post(endpoint, b"{}", {}, timeout=webhooks.timeout_seconds)
            if answer.status_code == 400 and "no_text" in answer.body:
                answer.status_code, answer.error = 200, None
        else:
            # A ping is an event like any other (signed, with an id) that changes nothing: it proves
            # the receiver is up and accepts the signature.
            event = {"id": str(uuid.uuid4()), "type": "webhook.ping", "created_at": utcnow(), "payload": "{}"}
            body, headers = request_for(endpoint, event, {"message": "`deznity doctor` checks this endpoint"}, secret)
            answer = post(endpoint, body, headers, timeout=webhooks.timeout_seconds, secrets=(secret,))
        if answer.ok:
            checks.append((True, "webhook", f"{endpoint.label}: HTTP {answer.status_code} in {answer.duration_ms} ms"))
        else:
            hint = (
                "the receiver refused the signature: give it the same DEZNITY_WEBHOOK_SECRET"
                if answer.status_code in {400, 401, 403}
                else "check the URL in DEZNITY_WEBHOOK_URLS and that the receiver is up"
            )
            checks.append((False, "webhook", f"{endpoint.label}: {answer.error}; {hint}"))
    return checks

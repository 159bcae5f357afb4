"""`deznity doctor`'s webhook checks: each endpoint answers a signed `webhook.ping` (a Slack hook: an empty message),
and none is failing with events waiting ("failing since …, N waiting")."""

from __future__ import annotations

import uuid
from typing import Any

from ..store.rows import utcnow
from .backlog import endpoint_states
from .delivery import post, request_for
from .endpoints import parse_endpoints


def check_webhooks(webhooks: Any, store: Any = None) -> list[tuple[bool, str, str]]:
    """(ok, what, detail) per configured endpoint, named without secrets; nothing when none is configured.

    With the clients `store`, each endpoint's delivery state too: failing since when, how many events wait.
    """
    checks, answering = _ping_endpoints(webhooks)
    if store is not None:
        try:
            states = endpoint_states(store, webhooks, count=True)
        except Exception as exc:  # noqa: BLE001 - report, do not crash the doctor
            states = []
            checks.append(
                (
                    False,
                    "webhook backlog",
                    f"cannot read the endpoints' delivery state ({type(exc).__name__}); on Supabase apply "
                    "supabase/migrations/20250601000800_webhook_endpoints.sql",
                )
            )
        for state in states:
            # Failing at the last pass but answering the ping now: the next pass sends what waits.
            ok = state["ok"] or state["endpoint"] in answering
            checks.append((ok, "webhook backlog", state["text"]))
    return checks


def _ping_endpoints(webhooks: Any) -> tuple[list[tuple[bool, str, str]], set[str]]:
    # The checks, and the labels of the endpoints that answered.
    endpoints, problems = parse_endpoints(webhooks.endpoint_urls())
    checks: list[tuple[bool, str, str]] = [(False, "webhook", problem) for problem in problems]
    answering: set[str] = set()
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
            answering.add(endpoint.label)
            checks.append((True, "webhook", f"{endpoint.label}: HTTP {answer.status_code} in {answer.duration_ms} ms"))
        else:
            hint = (
                "the receiver refused the signature: give it the same DEZNITY_WEBHOOK_SECRET"
                if answer.status_code in {400, 401, 403}
                else "check the URL in DEZNITY_WEBHOOK_URLS and that the receiver is up"
            )
            checks.append((False, "webhook", f"{endpoint.label}: {answer.error}; {hint}"))
    return checks, answering

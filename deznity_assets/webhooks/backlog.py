"""Each endpoint's delivery state in words: "failing since …, N waiting", for the CLI, doctor and the dashboard."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from ..store.base import ClientStore
from .endpoints import Endpoint, parse_endpoints


def _when(value: Any) -> datetime | None:
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if isinstance(value, datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value


def endpoint_states(store: ClientStore, webhooks: Any, *, count: bool = False) -> list[dict[str, Any]]:
    """One entry per configured endpoint: label, failing_since, last_error, waiting, given_up, ok, text.

    The counts are those of the last delivery pass; with `count` they are counted again now.
    """
    endpoints, _ = parse_endpoints(webhooks.endpoint_urls())
    known = {row["endpoint"]: row for row in store.webhook_endpoints()}
    states = []
    for endpoint in endpoints:
        row = known.get(endpoint.label, {})
        waiting, given_up = int(row.get("waiting") or 0), int(row.get("given_up") or 0)
        if count and row:
            waiting, given_up = store.webhook_backlog(endpoint.label)
        state = {
            "endpoint": endpoint.label,
            "failing_since": _when(row.get("failing_since")),
            "last_error": row.get("last_error"),
            "waiting": waiting,
            "given_up": given_up,
        }
        states.append({**state, "ok": state["failing_since"] is None, "text": describe(state)})
    return states


def describe(state: dict[str, Any]) -> str:
    """`<endpoint>: failing since <time> UTC, N waiting, M given up (<error>)`, or how a healthy one stands."""
    since, waiting, given_up = state["failing_since"], state["waiting"], state["given_up"]
    if since is not None:
        text = f"{state['endpoint']}: failing since {since:%Y-%m-%d %H:%M} UTC, {waiting} waiting"
    else:
        text = f"{state['endpoint']}: {'up to date' if not waiting else f'delivering, {waiting} waiting'}"
    if given_up:
        text += f", {given_up} given up (send them again: deznity webhooks redeliver --endpoint '{state['endpoint']}')"
    if since is not None and state.get("last_error"):
        text += f"; last error: {str(state['last_error'])[:200]}"
    return text


def find_endpoint(webhooks: Any, name: str) -> Endpoint:
    """The configured endpoint called `name` (its label, or its URL); ValueError naming the choices, never `name`."""
    endpoints, _ = parse_endpoints(webhooks.endpoint_urls())
    for endpoint in endpoints:
        # A URL given instead of the label is matched through its label: neither is echoed back.
        if name in {endpoint.label, endpoint.url, f"slack+{endpoint.url}"}:
            return endpoint
    if not endpoints:
        raise ValueError("no webhook endpoint is configured; set DEZNITY_WEBHOOK_URLS or DEZNITY_SLACK_WEBHOOK_URL")
    labels = ", ".join(repr(e.label) for e in endpoints)
    raise ValueError(
        f"--endpoint names no configured endpoint; use one of {labels} (as `deznity webhooks deliveries` shows them)"
    )

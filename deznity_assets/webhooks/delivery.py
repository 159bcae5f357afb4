"""Delivering the webhook outbox: due events to each endpoint, in order per client, with bounded retries."""

from __future__ import annotations

import contextvars
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from ..store.base import ClientStore
from ..store.rows import utcnow
from .endpoints import Endpoint, parse_endpoints
from .formats import event_data, json_body, slack_body
from .signing import EVENT_ID_HEADER, EVENT_TYPE_HEADER, SIGNATURE_HEADER, sign

if TYPE_CHECKING:
    from ..resources import ClientStoreResource, OutputResource, WebhookResource

# One pass is one sensor tick: bounded in events read, requests made and time spent, so a slow
# or dead endpoint delays the next pass, never the other sensors.
EVENTS_PER_PASS = 100  # their ids go into one request's URL over Supabase REST
REQUESTS_PER_PASS = 50
PASS_SECONDS = 20.0
MAX_BACKOFF = timedelta(hours=1)
FINAL = frozenset({"delivered", "gave_up"})
USER_AGENT = "Deznity-Webhooks/1"

# httpx logs every request's full URL at INFO; a webhook URL may be a credential (Slack's is).
_quiet = contextvars.ContextVar("deznity_webhook_request", default=False)


class _HideWebhookRequests(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not _quiet.get()


# A logger's filter sees only records logged on that very logger, so each of httpcore's is named.
for _name in ("httpx", "httpcore.connection", "httpcore.http11", "httpcore.http2", "httpcore.proxy"):
    logging.getLogger(_name).addFilter(_HideWebhookRequests())


@dataclass
class Answer:
    """How one request went: the status code (None when no answer came), an error, the time, the body's start."""

    status_code: int | None
    error: str | None
    duration_ms: int
    body: str = ""

    @property
    def ok(self) -> bool:
        """A 2xx answer."""
        return self.status_code is not None and 200 <= self.status_code < 300

    @property
    def retryable(self) -> bool:
        """Worth another attempt: no answer (timeout, connection), 408, 429 or 5xx."""
        return self.status_code is None or self.status_code in {408, 429} or self.status_code >= 500


@dataclass
class DeliveryReport:
    """What one delivery pass did."""

    delivered: int = 0
    retrying: int = 0
    gave_up: int = 0
    finished_events: int = 0
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One line for a sensor tick or the CLI."""
        return (
            f"webhooks: {self.delivered} delivered, {self.retrying} to retry, {self.gave_up} given up, "
            f"{self.finished_events} events done"
        )


def post(
    endpoint: Endpoint, body: bytes, headers: dict[str, str], *, timeout: float, secrets: tuple[str, ...] = ()
) -> Answer:
    """POST `body` to the endpoint once; never raises, and no secret (URL, signing key) is in the answer."""
    started = time.perf_counter()
    token = _quiet.set(True)
    try:
        with httpx.Client(timeout=timeout, follow_redirects=False, headers={"User-Agent": USER_AGENT}) as client:
            response = client.post(endpoint.url, content=body, headers={"Content-Type": "application/json", **headers})
        status, error, text = response.status_code, None, response.text[:200]
        if not 200 <= status < 300:
            error = f"HTTP {status}"
    except httpx.TimeoutException:
        status, error, text = None, f"no answer within {timeout:g} s (timeout)", ""
    except httpx.HTTPError as exc:
        status, error, text = None, f"{type(exc).__name__}: {exc}", ""
    finally:
        _quiet.reset(token)
    duration_ms = int((time.perf_counter() - started) * 1000)
    return Answer(status, _scrub(error, endpoint, secrets), duration_ms, _scrub(text, endpoint, secrets) or "")


def _scrub(text: str | None, endpoint: Endpoint, secrets: tuple[str, ...]) -> str | None:
    # An error or an answer may quote the URL (and so its token) or, from a careless receiver, a secret.
    if not text:
        return text
    for secret in (endpoint.url, *secrets):
        if secret:
            text = text.replace(secret, endpoint.label if secret == endpoint.url else "***")
    return text


def request_for(
    endpoint: Endpoint, event: dict[str, Any], data: dict[str, Any], secret: str
) -> tuple[bytes, dict[str, str]]:
    """The body and headers one endpoint receives for an event: signed JSON, or a Slack message."""
    event_id = str(event["id"])
    if endpoint.slack:
        # Slack verifies nothing and shows only `text`; the event id still travels for logs.
        return slack_body(event["type"], data), {EVENT_ID_HEADER: event_id}
    body = json_body(event, data)
    return body, {EVENT_ID_HEADER: event_id, EVENT_TYPE_HEADER: event["type"], SIGNATURE_HEADER: sign(secret, body)}


def _aware(value: Any) -> datetime | None:
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if isinstance(value, datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value


def backoff(base_seconds: float, attempt: int) -> timedelta:
    """The wait after failed attempt `attempt`: base, then twice as long each time, at most an hour."""
    return min(timedelta(seconds=base_seconds * 2 ** (attempt - 1)), MAX_BACKOFF)


def deliver_due(
    store: ClientStore,
    webhooks: WebhookResource,
    output_dir: Path,
    *,
    site_url: Callable[[str], str] | None = None,
    now: datetime | None = None,
    log: logging.Logger | Any | None = None,
) -> DeliveryReport:
    """Send every due event to every endpoint (a client's events in order); never raises for an endpoint.

    `site_url(slug)` gives a completed client's public URL; `now` stands in for the clock (tests).
    """
    report = DeliveryReport()
    endpoints, problems = parse_endpoints(webhooks.endpoint_urls())
    report.warnings += problems
    secret = webhooks.signing_secret()
    events = store.pending_events(EVENTS_PER_PASS)
    if not endpoints:
        # Nobody to tell: events recorded before any endpoint is configured are not kept for later.
        store.finish_events([str(e["id"]) for e in events])
        report.finished_events = len(events)
        return report
    usable = [e for e in endpoints if e.slack or secret]
    if len(usable) < len(endpoints):
        report.warnings.append(
            "DEZNITY_WEBHOOK_SECRET is not set: events wait for the signed endpoints "
            f"({', '.join(e.label for e in endpoints if e not in usable)}); set it to a long random string"
        )
    if not events:
        return report
    attempts: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in store.deliveries([str(e["id"]) for e in events]):
        attempts.setdefault((str(row["event_id"]), row["endpoint"]), []).append(row)
    for tried in attempts.values():
        tried.sort(key=lambda r: r["attempt"])
    started, requests = time.monotonic(), 0
    secrets = (secret,) if secret else ()
    for endpoint in usable:
        waiting: set[str] = set()  # clients whose earlier event this endpoint has not had yet
        for event in events:
            event_id, client = str(event["id"]), str(event.get("client_id") or event.get("slug"))
            tried = attempts.setdefault((event_id, endpoint.label), [])
            if tried and tried[-1]["outcome"] in FINAL:
                continue
            if client in waiting:
                continue
            when = now or utcnow()
            due = _aware(tried[-1]["next_attempt_at"]) if tried else None
            if due is not None and due > when:
                waiting.add(client)
                continue
            if requests >= REQUESTS_PER_PASS or time.monotonic() - started > PASS_SECONDS:
                break
            requests += 1
            data = event_data(event, output_dir, site_url(event["slug"]) if site_url and event.get("slug") else None)
            body, headers = request_for(endpoint, event, data, secret)
            answer = post(endpoint, body, headers, timeout=webhooks.timeout_seconds, secrets=secrets)
            number = len(tried) + 1
            if answer.ok:
                outcome, next_at = "delivered", None
                report.delivered += 1
            elif answer.retryable and number < webhooks.max_attempts:
                outcome, next_at = "retry", when + backoff(webhooks.backoff_seconds, number)
                report.retrying += 1
            else:
                outcome, next_at = "gave_up", None
                report.gave_up += 1
            error = answer.error if answer.ok or not answer.body else f"{answer.error}: {answer.body}"
            row = {
                "event_id": event_id,
                "endpoint": endpoint.label,
                "attempt": number,
                "outcome": outcome,
                "status_code": answer.status_code,
                "error": error,
                "duration_ms": answer.duration_ms,
                "attempted_at": when,
                "next_attempt_at": next_at,
            }
            store.record_delivery(row)
            tried.append(row)
            if outcome == "retry":
                waiting.add(client)  # its later events wait for this one
            if log is not None and outcome != "delivered":
                log.warning(f"webhook {event['type']} {event_id} to {endpoint.label}: {error} ({outcome})")
    done = [
        str(e["id"])
        for e in events
        if all(
            (attempts.get((str(e["id"]), ep.label)) or [{"outcome": None}])[-1]["outcome"] in FINAL for ep in endpoints
        )
    ]
    store.finish_events(done)
    report.finished_events = len(done)
    return report


def send_test(url: str, secret: str, *, timeout: float, event_type: str = "webhook.test") -> tuple[Endpoint, Answer]:
    """Send one signed `event_type` event (not stored) to `url` (slack+ for the Slack format) and return the answer."""
    endpoints, problems = parse_endpoints([url])
    if problems:
        raise ValueError(problems[0].replace("endpoint 1", "URL"))
    endpoint = endpoints[0]
    if not endpoint.slack and not secret:
        raise ValueError("DEZNITY_WEBHOOK_SECRET is not set; set it to the secret the receiver verifies with")
    event = {"id": str(uuid.uuid4()), "type": event_type, "created_at": utcnow(), "payload": "{}"}
    data = {"message": "a test event from `deznity`", "slug": "webhook-test", "business_name": "Deznity"}
    body, headers = request_for(endpoint, event, data, secret)
    return endpoint, post(endpoint, body, headers, timeout=timeout, secrets=(secret,) if secret else ())


def delivery_pass(store: ClientStoreResource, output: OutputResource, webhooks: WebhookResource, log: Any) -> str:
    """One delivery pass over the outbox (a sensor tick, the end of a CLI pass); logs problems, never raises."""
    try:
        report = deliver_due(store.get_store(), webhooks, output.path, site_url=output.site_url, log=log)
    except Exception as exc:  # noqa: BLE001 - a webhook problem must never break a tick or a CLI pass
        from ..store.doctor import redact

        # A driver's words may quote a URL: every setting that could hold a secret is blanked out.
        connection = store.connection()
        secrets = (
            connection["service_role_key"],
            connection["anon_key"],
            webhooks.signing_secret(),
            *webhooks.endpoint_urls(),
        )
        text = redact(str(exc), connection["database_url"], connection["supabase_url"], secrets=secrets)
        message = f"webhook delivery failed: {type(exc).__name__}: {text[:300]}"
        log.warning(message)
        return message
    for warning in report.warnings:
        log.warning(warning)
    return report.summary()

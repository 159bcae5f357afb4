"""Delivering the webhook outbox: due events to each endpoint, in order per client, with bounded retries."""

from __future__ import annotations

import contextlib
import contextvars
import functools
import logging
import ssl
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
# or dead endpoint delays the next pass, never the other sensors. Each endpoint has its own queue:
# at most WINDOW of its events are open (owed) at once, and the endpoints take turns at the requests.
WINDOW = 100  # an endpoint's open events a pass reads (their ids go into one request's URL over Supabase REST)
EVENTS_PER_PASS = WINDOW  # with no endpoint configured: events closed per pass
REQUESTS_PER_PASS = 50
PASS_SECONDS = 20.0
# An endpoint that fails this many requests in a row (or gives no answer at all) sits out the rest of
# the pass: it is likely down, and its timeouts must not eat the time the other endpoints need.
FAILURES_TO_REST = 2
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
    failing: list[str] = field(default_factory=list)  # per failing endpoint: since when, how many wait

    def summary(self) -> str:
        """One line for a sensor tick or the CLI."""
        line = (
            f"webhooks: {self.delivered} delivered, {self.retrying} to retry, {self.gave_up} given up, "
            f"{self.finished_events} events done"
        )
        return f"{line}; {'; '.join(self.failing)}" if self.failing else line


@functools.cache
def _tls() -> ssl.SSLContext:
    # Loading the CA bundle takes about 0.2 s: once per process, not once per request.
    return httpx.create_ssl_context()


def http_client(timeout: float) -> httpx.Client:
    """The HTTP client webhook requests go through: no redirects followed, the CA bundle loaded once."""
    return httpx.Client(timeout=timeout, follow_redirects=False, headers={"User-Agent": USER_AGENT}, verify=_tls())


def post(
    endpoint: Endpoint,
    body: bytes,
    headers: dict[str, str],
    *,
    timeout: float,
    secrets: tuple[str, ...] = (),
    client: httpx.Client | None = None,
) -> Answer:
    """POST `body` to the endpoint once (through a pass's `client`); never raises; no secret is in the answer."""
    started = time.perf_counter()
    token = _quiet.set(True)
    try:
        with contextlib.nullcontext(client) if client is not None else http_client(timeout) as sender:
            response = sender.post(
                endpoint.url, content=body, headers={"Content-Type": "application/json", **headers}, timeout=timeout
            )
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


def _client_of(event: dict[str, Any]) -> str:
    return str(event.get("client_id") or event.get("slug"))


@dataclass
class _Turns:
    """One endpoint's share of a pass: its open events in order, and the clients whose later events must wait."""

    endpoint: Endpoint
    owed: list[dict[str, Any]]
    failing_since: datetime | None
    last_error: str | None
    position: int = 0
    waiting: set[str] = field(default_factory=set)
    failures_in_a_row: int = 0
    resting: bool = False
    changed: bool = False  # an attempt was made: its state and backlog are written after the pass
    finished: set[str] = field(default_factory=set)  # events delivered or given up in this pass

    def next_due(self, now: datetime) -> dict[str, Any] | None:
        """The next event to send (in order per client), or None when nothing more is due in this pass."""
        while self.position < len(self.owed):
            event = self.owed[self.position]
            self.position += 1
            client = _client_of(event)
            if client in self.waiting:
                continue
            due = _aware(event.get("next_attempt_at"))
            if due is not None and due > now:
                self.waiting.add(client)  # its later events wait for this one
                continue
            return event
        return None

    def done_through(self, queued_through: int) -> int:
        """The seq up to which this endpoint owes nothing any more (every event delivered or given up)."""
        still_open = [int(e["seq"]) for e in self.owed if str(e["id"]) not in self.finished]
        if still_open:
            return min(still_open) - 1
        if len(self.owed) >= WINDOW:
            return max(int(e["seq"]) for e in self.owed)  # more may be open beyond the window
        return queued_through


def deliver_due(
    store: ClientStore,
    webhooks: WebhookResource,
    output_dir: Path,
    *,
    site_url: Callable[[str], str] | None = None,
    now: datetime | None = None,
    log: logging.Logger | Any | None = None,
) -> DeliveryReport:
    """Send each endpoint the events it is owed (a client's events in order); never raises for an endpoint.

    Every endpoint has its own queue and its own pace: one that fails or is down delays only itself.
    `site_url(slug)` gives a completed client's public URL; `now` stands in for the clock (tests).
    """
    report = DeliveryReport()
    endpoints, problems = parse_endpoints(webhooks.endpoint_urls())
    # The same URL given twice is one endpoint: one queue, each event sent to it once.
    endpoints = list({e.label: e for e in endpoints}.values())
    report.warnings += problems
    secret = webhooks.signing_secret()
    if not endpoints:
        # Nobody to tell: events recorded before any endpoint is configured are not kept for later.
        events = store.pending_events(EVENTS_PER_PASS)
        store.finish_events([str(e["id"]) for e in events])
        report.finished_events = len(events)
        return report
    usable = [e for e in endpoints if e.slack or secret]
    if len(usable) < len(endpoints):
        report.warnings.append(
            "DEZNITY_WEBHOOK_SECRET is not set: events wait for the signed endpoints "
            f"({', '.join(e.label for e in endpoints if e not in usable)}); set it to a long random string"
        )
    known = {row["endpoint"]: row for row in store.webhook_endpoints()}
    turns = []
    for endpoint in endpoints:
        if endpoint.label not in known:
            store.start_webhook_endpoint(endpoint.label)
        owed = store.owed_webhook_events(endpoint.label, WINDOW)
        if endpoint in usable and len(owed) < WINDOW and store.queue_webhook_events(endpoint.label, WINDOW - len(owed)):
            owed = store.owed_webhook_events(endpoint.label, WINDOW)
        state = known.get(endpoint.label, {})
        turns.append(_Turns(endpoint, owed, _aware(state.get("failing_since")), state.get("last_error")))
    started, requests = time.monotonic(), 0
    secrets = (secret,) if secret else ()
    # The endpoints take turns, one request each, so none waits for another's backlog or timeouts.
    active = [t for t in turns if t.endpoint in usable and t.owed]
    # One client for the pass: an endpoint's requests reuse its connection (and its TLS session).
    with http_client(webhooks.timeout_seconds) as client:
        while active:
            for turn in list(active):
                if requests >= REQUESTS_PER_PASS or time.monotonic() - started > PASS_SECONDS:
                    active = []
                    break
                when = now or utcnow()
                event = turn.next_due(when)
                if event is None:
                    active.remove(turn)
                    continue
                requests += 1
                sent = (client, output_dir, site_url, secret, secrets)
                _attempt(store, webhooks, turn, event, when, sent, report, log)
                if turn.resting:
                    active.remove(turn)
    _record_endpoint_states(store, turns, usable, known, now or utcnow(), report)
    return report


def _attempt(
    store: ClientStore,
    webhooks: WebhookResource,
    turn: _Turns,
    event: dict[str, Any],
    when: datetime,
    sent: tuple[httpx.Client, Path, Callable[[str], str] | None, str, tuple[str, ...]],
    report: DeliveryReport,
    log: logging.Logger | Any | None,
) -> None:
    """Send one event to one endpoint and record the attempt (with the event's state in the endpoint's queue)."""
    client, output_dir, site_url, secret, secrets = sent
    endpoint, event_id = turn.endpoint, str(event["id"])
    data = event_data(event, output_dir, site_url(event["slug"]) if site_url and event.get("slug") else None)
    body, headers = request_for(endpoint, event, data, secret)
    answer = post(endpoint, body, headers, timeout=webhooks.timeout_seconds, secrets=secrets, client=client)
    number = int(event.get("attempts") or 0) + 1
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
    store.record_delivery(
        {
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
    )
    turn.changed = True
    if outcome == "retry":
        turn.waiting.add(_client_of(event))  # its later events wait for this one
    else:
        turn.finished.add(event_id)
    if answer.ok:
        turn.failing_since, turn.last_error, turn.failures_in_a_row = None, None, 0
        return
    turn.failing_since = turn.failing_since or when
    turn.last_error = error
    turn.failures_in_a_row += 1
    if answer.status_code is None or turn.failures_in_a_row >= FAILURES_TO_REST:
        turn.resting = True
    if log is not None:
        log.warning(f"webhook {event['type']} {event_id} to {endpoint.label}: {error} ({outcome})")


def _record_endpoint_states(
    store: ClientStore,
    turns: list[_Turns],
    usable: list[Endpoint],
    known: dict[str, dict[str, Any]],
    now: datetime,
    report: DeliveryReport,
) -> None:
    """Write each endpoint's state (failing since, backlog) and close the events no endpoint owes any more."""
    queued = {row["endpoint"]: int(row["queued_through"]) for row in store.webhook_endpoints()}
    for turn in turns:
        label = turn.endpoint.label
        before = known.get(label, {})
        if turn.endpoint not in usable:
            # It cannot be sent anything: it is failing until DEZNITY_WEBHOOK_SECRET is set.
            turn.failing_since = _aware(before.get("failing_since")) or now
            turn.last_error = "DEZNITY_WEBHOOK_SECRET is not set"
        idle = not turn.owed and not before.get("waiting") and before.get("failing_since") is None
        if idle and not turn.changed and turn.endpoint in usable:
            continue  # nothing owed, nothing new: the state written last time still holds
        waiting, given_up = store.webhook_backlog(label)
        store.update_webhook_endpoint(
            label,
            {
                "failing_since": turn.failing_since,
                "last_error": turn.last_error,
                "waiting": waiting,
                "given_up": given_up,
                "checked_at": now,
            },
        )
        if turn.failing_since is not None:
            report.failing.append(f"{label} failing since {turn.failing_since:%Y-%m-%d %H:%M} UTC, {waiting} waiting")
    configured = {t.endpoint.label for t in turns}
    for label, before in known.items():
        if label not in configured and before.get("failing_since") is not None:
            # No longer configured: it is sent nothing, so it is no longer shown as failing.
            store.update_webhook_endpoint(label, {"failing_since": None, "waiting": 0, "checked_at": now})
    through = min(t.done_through(queued.get(t.endpoint.label, 0)) for t in turns)
    if through > 0:
        report.finished_events = store.finish_events_through(through)


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

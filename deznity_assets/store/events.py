"""Webhook events: the outbox row a client's status change writes, and what the delivery pass reads back."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from .rows import ClientRow, utcnow

# What each status change is called on the wire.
EVENT_FOR_STATUS = {
    "in_progress": "client.claimed",
    "completed": "client.completed",
    "failed": "client.failed",
    "pending": "client.retried",
    "needs_review": "client.needs_review",
}
# Not a change of status: a run published the client's site live (its package follows).
DEPLOYED = "client.deployed"


def event_row(client_id: Any, slug: Any, event_type: str, payload: dict[str, Any], at: datetime) -> dict[str, Any]:
    """One webhook_events row: a fresh event id, the payload as JSON text, not yet delivered."""
    return {
        "id": str(uuid.uuid4()),
        "client_id": client_id,
        "slug": slug,
        "type": event_type,
        "payload": json.dumps(payload, ensure_ascii=False, default=str),
        "done": False,
        "created_at": at,
    }


def client_event(
    row: ClientRow,
    *,
    status: str,
    attempt: int | None = None,
    reason: str | None = None,
    run_id: str | None = None,
    qa_score: float | None = None,
    event_type: str | None = None,
    extra: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> dict[str, Any]:
    """The webhook_events row for `row` moving to `status` (payload as JSON text, a fresh event id)."""
    at = at or utcnow()
    payload: dict[str, Any] = {
        "client_id": row.id,
        "slug": row.slug,
        "business_name": row.business_name,
        "status": status,
        "attempt": row.attempt if attempt is None else attempt,
        "reason": reason,
        "run_id": run_id,
        "qa_score": qa_score,
        **(extra or {}),
    }
    return event_row(row.id, row.slug, event_type or EVENT_FOR_STATUS[status], payload, at)


LEAD_RECEIVED = "lead.received"


def lead_event(lead: dict[str, Any], *, business_name: str | None) -> dict[str, Any]:
    """The webhook_events row announcing a lead: who, which form, the fields as the visitor sent them."""
    payload = {
        "client_id": lead["client_id"],
        "slug": lead["slug"],
        "business_name": business_name,
        "lead_id": lead["id"],
        "form": lead["form"],
        "fields": json.loads(lead["fields"]),
        "variant": lead.get("variant"),
        "created_at": lead["created_at"],
    }
    return event_row(lead["client_id"], lead["slug"], LEAD_RECEIVED, payload, lead["created_at"])


EXPERIMENT_DECIDED = "experiment.decided"


def experiment_event(
    experiment: dict[str, Any], *, decision: str, winner: str, figures: dict[str, Any], at: datetime
) -> dict[str, Any]:
    """The webhook_events row announcing an experiment's decision: which, what won, the figures it rests on."""
    payload = {
        "client_id": experiment["client_id"],
        "slug": experiment["slug"],
        "experiment_id": experiment["id"],
        "page": experiment.get("page"),
        "started_at": experiment.get("started_at"),
        "decided_at": at,
        "decision": decision,
        "winner": winner,
        "figures": figures,
    }
    return event_row(experiment["client_id"], experiment["slug"], EXPERIMENT_DECIDED, payload, at)


def qa_score_of(project: dict[str, Any] | None) -> float | None:
    """The QA score of a projects row, when its QA step has run."""
    score = (project or {}).get("qa_score")
    return float(score) if score is not None else None


def queue_rows(
    endpoint: str, events: list[tuple[int, str]], attempts: list[dict[str, Any]], at: datetime
) -> list[dict[str, Any]]:
    """webhook_endpoint_events rows for `events` (seq, id) taken into an endpoint's queue.

    `attempts` are the endpoint's webhook_deliveries rows of these events, in the order made: an event
    tried before (a database from before per-endpoint state, a pass that stopped half-way) keeps what
    its last attempt says, so it is neither sent again once delivered nor given more attempts.
    """
    last: dict[str, dict[str, Any]] = {}
    for attempt in attempts:
        last[str(attempt["event_id"])] = attempt
    rows = []
    for seq, event_id in events:
        tried = last.get(str(event_id))
        outcome = tried["outcome"] if tried else None
        rows.append(
            {
                "endpoint": endpoint,
                "event_id": str(event_id),
                "seq": int(seq),
                "state": outcome if outcome in {"delivered", "gave_up"} else "open",
                "attempts": int(tried["attempt"]) if tried else 0,
                "next_attempt_at": tried["next_attempt_at"] if tried and outcome == "retry" else None,
                "updated_at": at,
            }
        )
    return rows


def queue_state(delivery: dict[str, Any]) -> dict[str, Any]:
    """What one attempt (a webhook_deliveries row) makes of its event in the endpoint's queue."""
    outcome = delivery["outcome"]
    return {
        "state": "open" if outcome == "retry" else outcome,
        "attempts": delivery["attempt"],
        "next_attempt_at": delivery.get("next_attempt_at"),
        "updated_at": delivery["attempted_at"],
    }

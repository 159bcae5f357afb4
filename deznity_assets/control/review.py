"""Human review of regulated sectors (health, legal, finance): tickets, decisions, and what follows."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Literal

from ..package import client_dir, write_file_atomic
from ..store import ClientRow, utcnow
from ..store.events import client_event
from .plane import ControlPlane

REVIEW_WINDOW = timedelta(hours=24)


@dataclass
class ReviewTicket:
    """A package waiting for a person's decision."""

    slug: str
    business_name: str
    raised_at: datetime
    decision: dict | None

    @property
    def overdue(self) -> bool:
        """Undecided for longer than the 24-hour review window."""
        return self.decision is None and utcnow() - self.raised_at > REVIEW_WINDOW


class ReviewError(ValueError):
    """A review decision that cannot be recorded."""


def _ticket(output_dir: Path, row: ClientRow) -> ReviewTicket | None:
    if not row.slug or row.status != "completed":
        return None
    folder = client_dir(output_dir, row.slug) / "review"
    if not (folder / "REVIEW_TICKET.md").exists():
        return None
    decision_file = folder / "DECISION.json"
    decision = json.loads(decision_file.read_text("utf-8")) if decision_file.exists() else None
    return ReviewTicket(
        slug=row.slug, business_name=row.business_name, raised_at=row.updated_at or utcnow(), decision=decision
    )


def open_tickets(plane: ControlPlane) -> list[ReviewTicket]:
    """Completed packages of regulated clients that no reviewer has decided on yet."""
    tickets = [_ticket(plane.output_dir, row) for row in plane.store.list_clients(status="completed")]
    return [t for t in tickets if t is not None and t.decision is None]


def decide(
    plane: ControlPlane, slug: str, *, decision: Literal["approved", "rejected"], reviewer: str, reason: str = ""
) -> dict:
    """Record a reviewer's decision: approval clears publication, rejection sends the client back for rework."""
    store, output_dir = plane.store, plane.output_dir
    row = store.get(slug)
    if row is None:
        raise ReviewError(f"no client with slug {slug!r}; `deznity review` lists open tickets")
    ticket = _ticket(output_dir, row)
    if ticket is None:
        raise ReviewError(
            f"client {slug} has no open review ticket (only completed health, legal and finance packages are reviewed)"
        )
    if ticket.decision is not None:
        raise ReviewError(f"client {slug} was already {ticket.decision['decision']} by {ticket.decision['reviewer']}")
    if decision == "rejected" and not reason.strip():
        raise ReviewError("a rejection needs --reason: say what the SEO agent must change")
    record = {
        "decision": decision,
        "reviewer": reviewer,
        "reason": reason.strip(),
        "decided_at": utcnow().isoformat(),
        "within_24h": not ticket.overdue,
        "attempt": row.attempt,
    }
    folder = client_dir(output_dir, slug) / "review"
    write_file_atomic(folder / "DECISION.json", json.dumps(record, indent=2, ensure_ascii=False) + "\n")
    store.log_activity(
        client_id=row.id, agent="review", action=f"human review {decision}", phase="deployment", details=record
    )
    # Told to the agency's endpoints before the rejection's retry, so they arrive in that order.
    store.record_event(
        client_event(
            row,
            status=row.status,
            event_type="review.decided",
            reason=reason.strip() or None,
            extra={"decision": decision, "reviewer": reviewer},
        )
    )
    if decision == "rejected":
        # Back to the agents: pending with attempt + 1, the reviewer's reason kept on the row.
        plane.requeue(row.id, reason=f"review rejected by {reviewer}: {reason.strip()}")
    return record

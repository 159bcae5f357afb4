"""Human review of regulated sectors (health, legal, finance): tickets, decisions as rows, and what each one runs.

A regulated client's run stops at the review gate (the `review_approval` asset) and the client
waits in `needs_review`. A decision is a `reviews` row, written by `deznity review`, the Dagster
UI's review job or by hand in the table editor. `apply_decisions` acts on each new row once:
an approval runs the gate and every step after it; a rejection re-runs the step it names
(content creation by default) up to the gate, with the reviewer's reason given to the agents.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from ..flow import DEFAULT_REWORK, REVIEW_STEP, REVIEW_WINDOW, REWORK_STEPS, decision_assets
from ..package import client_dir, write_file_atomic
from ..store import ClientRow, utcnow
from ..store.events import client_event
from .plane import ControlPlane
from .resume import REVIEW_TAG, RunPlan

DECISIONS = ("approved", "rejected")
# Written beside the ticket once the overdue notification went out, so it goes out once.
OVERDUE_MARK = "review/OVERDUE_NOTIFIED"


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass
class ReviewTicket:
    """A regulated client whose content waits for a person's decision."""

    slug: str
    business_name: str
    attempt: int
    raised_at: datetime
    reasons: list[str] = field(default_factory=list)

    @property
    def overdue(self) -> bool:
        """Undecided for longer than the 24-hour review window."""
        return utcnow() - _aware(self.raised_at) > REVIEW_WINDOW


@dataclass
class ReviewAction:
    """What one applied decision runs: the client (claimed for it), the decision, the assets to materialize."""

    row: ClientRow
    review: dict[str, Any]
    assets: list[str]

    @property
    def tags(self) -> dict[str, str]:
        """The run's tag naming the decision it carries out."""
        return {REVIEW_TAG: str(self.review["id"])}

    @property
    def plan(self) -> RunPlan:
        """The run this decision makes: for that client only, the assets it concerns."""
        return RunPlan(self.row, assets=self.assets, tags=self.tags, key=f"review-{self.review['id']}")


class ReviewError(ValueError):
    """A review decision that cannot be recorded; the message names the field and the fix."""


def ticket_for(row: ClientRow) -> ReviewTicket | None:
    """The open ticket of a client waiting for review, or None."""
    if row.status != "needs_review" or not row.slug:
        return None
    reasons: list[str] = []
    try:
        reasons = row.brief().review_reasons
    except ValueError:
        pass
    return ReviewTicket(
        slug=row.slug,
        business_name=row.business_name,
        attempt=row.attempt,
        raised_at=row.updated_at or utcnow(),
        reasons=reasons,
    )


def open_tickets(plane: ControlPlane) -> list[ReviewTicket]:
    """Every client waiting for a reviewer, oldest first."""
    tickets = [ticket_for(row) for row in plane.store.list_clients(status="needs_review")]
    return sorted((t for t in tickets if t is not None), key=lambda t: _aware(t.raised_at))


def check_decision(decision: str, reason: str, rework: str | None) -> str | None:
    """Why a decision cannot be acted on (field and fix), or None when it can."""
    if decision not in DECISIONS:
        return f"decision: {decision!r} is not a decision; use approved or rejected"
    if decision == "rejected" and not (reason or "").strip():
        return "reason: a rejection needs a reason saying what the agents must change (--reason on the command line)"
    if rework and rework not in REWORK_STEPS:
        return f"rework: {rework!r} is not a step to rework; use one of {', '.join(REWORK_STEPS)}"
    if rework and decision == "approved":
        return "rework: only a rejection sends a step back to work"
    return None


def decide(
    plane: ControlPlane,
    slug: str,
    *,
    decision: str,
    reviewer: str,
    reason: str = "",
    rework: str | None = None,
) -> dict[str, Any]:
    """Record a reviewer's decision as a reviews row; the review sensor (or the next CLI pass) acts on it."""
    row = plane.store.get(slug)
    if row is None:
        raise ReviewError(f"no client with slug {slug!r}; `deznity review` lists open tickets")
    if row.status != "needs_review":
        raise ReviewError(f"client {slug} is {row.status}, not waiting for review; `deznity review` lists open tickets")
    if not reviewer.strip():
        raise ReviewError("reviewer: say who decides (--reviewer NAME)")
    if problem := check_decision(decision, reason, rework):
        raise ReviewError(problem)
    pending = [r for r in plane.store.reviews_for(row.id) if r.get("applied_at") is None]
    if pending:
        raise ReviewError(
            f"client {slug} already has a decision waiting to be applied ({pending[0]['decision']} by "
            f"{pending[0]['reviewer']}); it runs within a minute"
        )
    return plane.store.add_review(
        row.id,
        attempt=row.attempt,
        decision=decision,
        reviewer=reviewer.strip(),
        reason=reason.strip(),
        rework=rework or None,
    )


def apply_decisions(plane: ControlPlane, *, limit: int = 100) -> tuple[list[ReviewAction], list[str]]:
    """Act once on each new reviews row: claim its client and say what to run. Returns actions and notes."""
    store = plane.store
    actions: list[ReviewAction] = []
    notes: list[str] = []
    for review in store.unapplied_reviews(limit):
        row = store.get(str(review["client_id"]))
        who = f"review {review['id']} ({review['decision']} by {review['reviewer']})"
        if row is None:
            store.apply_review(str(review["id"]), outcome="ignored: the client no longer exists")
            continue
        if row.status in ("in_progress", "pending") and int(review["attempt"]) == row.attempt:
            # A decision typed while this version is still being made: it waits for the ticket.
            continue
        ignored = _stale(review, row)
        if ignored is None and (
            problem := check_decision(review["decision"], review.get("reason") or "", review.get("rework"))
        ):
            ignored = f"refused: {problem}"
        if ignored is not None:
            if store.apply_review(str(review["id"]), outcome=ignored):
                notes.append(f"{row.slug}: {who} {ignored}")
            continue
        claimed = store.claim_reviewed(row.id)
        if claimed is None:
            continue  # another sensor tick or CLI pass acted on it first
        if review["decision"] == "approved":
            assets, outcome = decision_assets(REVIEW_STEP), "approved: publishing"
        else:
            step = review.get("rework") or DEFAULT_REWORK
            assets, outcome = decision_assets(step), f"rejected: re-running {step} and what follows, up to the review"
        store.apply_review(str(review["id"]), outcome=outcome)
        # Told to the agency's endpoints when it takes effect, whichever way it was recorded.
        store.record_event(
            client_event(
                claimed,
                status="in_progress",
                event_type="review.decided",
                reason=(review.get("reason") or "").strip() or None,
                extra={"decision": review["decision"], "reviewer": review["reviewer"], "rework": review.get("rework")},
            )
        )
        store.log_activity(
            client_id=row.id,
            agent="review",
            action=f"human review {review['decision']}",
            phase="review",
            details={k: str(v) for k, v in review.items() if k in ("id", "reviewer", "reason", "rework", "attempt")},
        )
        actions.append(ReviewAction(row=claimed, review=review, assets=assets))
        notes.append(f"{row.slug}: {who} {outcome}")
    if actions or notes:
        plane.refresh_portfolio([a.row.slug for a in actions])
    return actions, notes


def _stale(review: dict[str, Any], row: ClientRow) -> str | None:
    """Why a decision no longer concerns the client's content under review, or None when it does."""
    if row.status != "needs_review":
        return f"ignored: the client is {row.status}, not waiting for review"
    if int(review["attempt"]) != row.attempt:
        return f"ignored: it was for attempt {review['attempt']}; the client is on attempt {row.attempt}"
    decided, raised = review.get("decided_at"), row.updated_at
    if isinstance(decided, datetime) and raised is not None and _aware(decided) < _aware(raised) - timedelta(seconds=5):
        return "ignored: decided before the version under review was ready; decide again on this one"
    return None


def approval_for_run(plane: ControlPlane, slug: str, tags: Mapping[str, str]) -> dict[str, Any] | None:
    """The approval a run carries out (named by its review tag), or None: then the gate holds."""
    review_id = tags.get(REVIEW_TAG)
    if not review_id:
        return None
    for review in plane.store.reviews_for(slug):
        if str(review["id"]) == review_id and review["decision"] == "approved":
            return review
    return None


def review_feedback(plane: ControlPlane, slug: str) -> list[str]:
    """The reasons of the client's rejections since its last approval, oldest first: what a rework must answer."""
    reasons: list[str] = []
    for review in plane.store.reviews_for(slug):
        if review.get("applied_at") is None:
            continue
        if review["decision"] == "approved":
            reasons = []
        elif (reason := (review.get("reason") or "").strip()) and reason not in reasons:
            reasons.append(reason)
    return reasons


def notify_overdue(plane: ControlPlane) -> list[str]:
    """Send one `review.overdue` event per ticket past the 24-hour window; returns the slugs notified."""
    notified = []
    for ticket in open_tickets(plane):
        if not ticket.overdue:
            continue
        mark = client_dir(plane.output_dir, ticket.slug) / OVERDUE_MARK
        raised = _aware(ticket.raised_at).isoformat()
        if mark.exists() and mark.read_text("utf-8").strip() == raised:
            continue
        row = plane.store.get(ticket.slug)
        if row is None:
            continue
        hours = int((utcnow() - _aware(ticket.raised_at)).total_seconds() // 3600)
        plane.store.record_event(
            client_event(
                row,
                status=row.status,
                event_type="review.overdue",
                reason=f"waiting for review for {hours} h (window: 24 h): " + "; ".join(ticket.reasons),
                extra={"raised_at": raised},
            )
        )
        write_file_atomic(mark, raised + "\n")
        notified.append(ticket.slug)
    return notified

"""Lifecycle transitions every clients store shares; backends supply reads and single-row writes."""

from __future__ import annotations

import json
import uuid
from abc import ABC, abstractmethod
from typing import Any

from ..brief import SLUG_MAX, is_safe_slug
from .events import client_event, qa_score_of
from .rows import ClientRow, short_error, utcnow
from .schema import DECISIONS

SLUG_FIX = f"use a-z, 0-9 and '-' (at most {SLUG_MAX}), e.g. taco-loco"


def slug_problem(slug: object) -> str | None:
    """Why `slug` cannot be a client's partition key and folder name (field and fix), or None when it can."""
    # A slug becomes a Dagster partition key and the paths built from it (output/<slug>,
    # storage/<asset>/<slug>.json): only the shape the platform itself makes is let through.
    if slug is None or (isinstance(slug, str) and not slug.strip()):
        return f"slug: is empty; {SLUG_FIX}, or leave it NULL to have one made from business_name"
    if not isinstance(slug, str) or not is_safe_slug(slug):
        return f"slug: {str(slug)[:40]!r} is not a valid slug; {SLUG_FIX}"
    return None


def new_review(
    client: ClientRow, *, attempt: int, decision: str, reviewer: str, reason: str, rework: str | None
) -> dict[str, Any]:
    """The reviews row for a decision on `client` (a fresh id, decided now); ValueError for an unknown decision."""
    if decision not in DECISIONS:
        raise ValueError(f"decision: {decision!r} is not a decision; use one of {', '.join(DECISIONS)}")
    return {
        "id": str(uuid.uuid4()),
        "client_id": client.id,
        "attempt": int(attempt),
        "decision": decision,
        "reviewer": reviewer,
        "reason": reason or "",
        "rework": rework or None,
        "decided_at": utcnow(),
    }


def _plan_cleared(row: ClientRow) -> dict[str, Any]:
    """The values that clear a retry's plan (resume_from, resume_review) from `row`: only the columns set."""
    # Only a column with something in it is written, so a Supabase project without a later
    # migration keeps working until a retry uses that column.
    return {column: None for column in ("resume_from", "resume_review") if getattr(row, column)}


class StoreTransitions(ABC):
    """The rules of pending → in_progress → completed | failed | needs_review and of a run's projects row."""

    @abstractmethod
    def get(self, key: str) -> ClientRow | None:
        """The client with this slug or id, or None."""

    @abstractmethod
    def _update_client(
        self, client_id: str, values: dict[str, Any], what: str, event: dict[str, Any] | None = None
    ) -> None:
        """Write `values` to one clients row (`what` names the action in errors), and `event` to the outbox."""

    @abstractmethod
    def latest_project(self, client_id: str) -> dict[str, Any] | None:
        """The most recent projects row of a client."""

    @abstractmethod
    def project_for_run(self, run_id: str) -> dict[str, Any] | None:
        """The projects row of a run, if any."""

    @abstractmethod
    def _update_project(self, run_id: str, values: dict[str, Any]) -> None:
        """Write `values` to the projects row of a run."""

    def _require(self, key: str) -> ClientRow:
        row = self.get(key)
        if row is None:
            raise KeyError(f"no client with slug or id {key!r}")
        return row

    def mark_in_progress(self, key: str, *, run_id: str) -> ClientRow:
        """Record that `run_id` is processing the client (claiming it if it was not already)."""
        now = utcnow()
        row = self._require(key)
        values: dict[str, Any] = {"status": "in_progress", "run_id": run_id, "updated_at": now}
        values.update(_plan_cleared(row))  # the run that takes the client has consumed its retry's plan
        event = None
        if row.status != "in_progress":
            # A run launched by hand (UI, backfill) on a client no sensor claimed: a claim too.
            values.update(claimed_at=now, last_error=None)
            event = client_event(row, status="in_progress", run_id=run_id, at=now)
        self._update_client(row.id, values, "mark a client in progress", event)
        return self._require(key)

    def mark_completed(self, key: str, *, run_id: str | None) -> None:
        """The client's package is finished."""
        self._set_final(key, "completed", None, run_id)

    def mark_failed(self, key: str, error: str, *, run_id: str | None = None) -> None:
        """Processing failed with `error` (kept short)."""
        self._set_final(key, "failed", short_error(error), run_id)

    def mark_needs_review(self, key: str, *, run_id: str, reason: str) -> None:
        """The client's package waits for a reviewer's decision (`reason`: why, told in the event)."""
        row = self._require(key)
        now = utcnow()
        values: dict[str, Any] = {"status": "needs_review", "run_id": run_id, "last_error": None, "updated_at": now}
        values.update(_plan_cleared(row))
        event = None
        if row.status != "needs_review":
            # Only a change is an event: a second run stopping at the same gate is not news.
            event = client_event(
                row,
                status="needs_review",
                reason=reason,
                run_id=run_id,
                qa_score=qa_score_of(self.project_for_run(run_id)),
                at=now,
            )
        self._update_client(row.id, values, "mark a client needs_review", event)

    def _refuse(self, row: ClientRow, problems: list[str]) -> ClientRow:
        # A just-claimed row that cannot become a partition fails at once, by its id (its slug
        # may be the very problem), and goes back to the caller as failed, with the reason.
        reason = "; ".join(problems)
        self.mark_failed(row.id, reason)
        row.status, row.last_error = "failed", short_error(reason)
        return row

    def _set_final(self, key: str, status: str, error: str | None, run_id: str | None) -> None:
        row = self._require(key)
        now = utcnow()
        values: dict[str, Any] = {"status": status, "last_error": error, "updated_at": now}
        values.update(_plan_cleared(row))  # a finished client resumes nothing until a retry says so
        if run_id:
            values["run_id"] = run_id
        event = None
        if row.status != status:
            # Only a change is an event: a reason added to an already failed row is not news.
            project = self.project_for_run(run_id) if run_id else self.latest_project(row.id)
            event = client_event(
                row, status=status, reason=error, run_id=run_id or row.run_id, qa_score=qa_score_of(project), at=now
            )
        self._update_client(row.id, values, f"mark a client {status}", event)

    def update_project(self, run_id: str, **values: Any) -> None:
        """Update the projects row of a run (phase, status, qa_score, blockers, ...)."""
        for key in ("blockers", "next_actions"):
            if isinstance(values.get(key), (list, dict)):
                values[key] = json.dumps(values[key], ensure_ascii=False)
        self._update_project(run_id, values)

    def finish_project(self, run_id: str, *, status: str, blockers: list[str] | None = None) -> None:
        """Close the projects row of a run (idempotent)."""
        project = self.project_for_run(run_id)
        if project is None or (project["status"] == status and project["finished_at"] is not None):
            return
        next_actions = (
            ["hand the package to the client"] if status == "completed" else ["review last_error, then `deznity retry`"]
        )
        self.update_project(
            run_id, status=status, finished_at=utcnow(), blockers=blockers or [], next_actions=next_actions
        )

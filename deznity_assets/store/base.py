"""The clients store interface every backend (SQLAlchemy, Supabase REST) provides."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from .rows import ClientRow


@runtime_checkable
class ClientStore(Protocol):
    """Clients, projects, tasks and agent activity: the public methods of SqlClientStore."""

    @property
    def backend(self) -> str:
        """Which backend serves the store: sqlite, postgresql or supabase."""
        ...

    def create_tables(self) -> None:
        """Create missing tables (idempotent), or check they exist where that is not allowed."""
        ...

    def dispose(self) -> None:
        """Release connections."""
        ...

    def add_client(self, data: dict[str, Any], *, status: str = "pending") -> ClientRow:
        """Validate a brief and insert it as a new client; raises BriefError when invalid."""
        ...

    def insert_raw(self, data: dict[str, Any], *, status: str = "pending") -> ClientRow:
        """Insert a row without validation, as if typed straight into the table."""
        ...

    def get(self, key: str) -> ClientRow | None:
        """The client with this slug or id, or None."""
        ...

    def list_clients(self, *, status: str | None = None) -> list[ClientRow]:
        """Every client, oldest first, optionally only those with `status`."""
        ...

    def delete_client(self, key: str) -> bool:
        """Remove a client, its project history and its reviews; True when a row was removed."""
        ...

    def claim_pending(self, limit: int) -> list[ClientRow]:
        """Atomically move up to `limit` pending clients to in_progress and return them.

        A row that cannot become a partition (its slug, its id, its status) comes back already
        failed, the field and the fix in last_error; it is never left in_progress.
        """
        ...

    def claim_client(self, key: str) -> ClientRow | None:
        """Atomically claim one named client that is not in progress; None if another caller has it.

        Refused as claim_pending refuses: back already failed, with the reason in last_error.
        """
        ...

    def mark_in_progress(self, key: str, *, run_id: str) -> ClientRow:
        """Record that `run_id` is processing the client."""
        ...

    def mark_completed(self, key: str, *, run_id: str | None) -> None:
        """The client's package is finished."""
        ...

    def mark_failed(self, key: str, error: str, *, run_id: str | None = None) -> None:
        """Processing failed with `error` (kept short)."""
        ...

    def mark_needs_review(self, key: str, *, run_id: str, reason: str) -> None:
        """The client's package waits for a reviewer's decision; `reason` goes in the client.needs_review event."""
        ...

    def claim_reviewed(self, key: str) -> ClientRow | None:
        """Atomically move a client from needs_review to in_progress; None if it was not in needs_review."""
        ...

    def requeue(
        self, key: str, *, reason: str | None = None, resume_from: str | None = None, resume_review: str | None = None
    ) -> ClientRow:
        """Back to pending with attempt + 1; `resume_from` names the step the next run starts at (None: all),
        `resume_review` the review decision that run carries out (a crashed approval or rework run's)."""
        ...

    def start_project(self, key: str, *, run_id: str, attempt: int) -> str:
        """The projects row for this run (created once per run); returns its id."""
        ...

    def project_for_run(self, run_id: str) -> dict[str, Any] | None:
        """The projects row of a run, if any."""
        ...

    def update_project(self, run_id: str, **values: Any) -> None:
        """Update the projects row of a run."""
        ...

    def finish_project(self, run_id: str, *, status: str, blockers: list[str] | None = None) -> None:
        """Close the projects row of a run (idempotent)."""
        ...

    def latest_project(self, client_id: str) -> dict[str, Any] | None:
        """The most recent projects row of a client."""
        ...

    def latest_live_project(self, client_id: str) -> dict[str, Any] | None:
        """The most recent projects row of a client that recorded a live URL (its site as now published)."""
        ...

    def log_task(
        self,
        *,
        project_id: str,
        phase: str,
        agent: str,
        task: str,
        status: str,
        started_at: datetime,
        output_path: str | None = None,
    ) -> None:
        """One project_tasks row for an agent task."""
        ...

    def log_activity(
        self,
        *,
        client_id: str,
        agent: str,
        action: str,
        project_id: str | None = None,
        phase: str | None = None,
        duration_ms: int | None = None,
        provider: str | None = None,
        model: str | None = None,
        tokens_in: int | None = None,
        tokens_out: int | None = None,
        cost_usd: float | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        """One agent_activities row: what an agent did, when and at what cost."""
        ...

    def activities(self, key: str) -> list[dict[str, Any]]:
        """Every agent activity of a client, oldest first."""
        ...

    def tasks_for_run(self, run_id: str) -> list[dict[str, Any]]:
        """The project_tasks rows of a run."""
        ...

    def usage_totals(self, client_id: str) -> tuple[int, float]:
        """Tokens and cost of a client's latest project."""
        ...

    def client_figures(self, client_ids: list[str] | None = None) -> dict[str, dict[str, Any]]:
        """Per client slug: latest and live project; tokens, cost, seconds per phase of its latest attempt.

        A few reads for every client (None), or for the clients `client_ids` (a page of the dashboard).
        """
        ...

    def status_counts(self) -> dict[str, int]:
        """How many clients have each status, counted by the database."""
        ...

    def recent_clients(self, limit: int) -> list[ClientRow]:
        """The `limit` clients changed last, latest first."""
        ...

    def review_queue(self, limit: int, *, overdue_before: datetime) -> tuple[list[ClientRow], int]:
        """The `limit` clients waiting for review longest, and how many wait since before `overdue_before`."""
        ...

    def clients_between(self, first: str, before: str | None = None, *, limit: int | None = None) -> list[ClientRow]:
        """Clients whose slug is at least `first` and below `before` (None: no end), by slug; at most `limit`."""
        ...

    def stale_claims(self, older_than: timedelta) -> list[ClientRow]:
        """in_progress rows claimed more than `older_than` ago."""
        ...

    def add_review(
        self, key: str, *, attempt: int, decision: str, reviewer: str, reason: str = "", rework: str | None = None
    ) -> dict[str, Any]:
        """Record a reviewer's decision (approved or rejected) on a client; KeyError if there is no such client."""
        ...

    def unapplied_reviews(self, limit: int = 100) -> list[dict[str, Any]]:
        """Up to `limit` reviews not yet acted on, oldest decision first, each with its client's slug."""
        ...

    def apply_review(self, review_id: str, *, outcome: str, run_id: str | None = None) -> bool:
        """Mark a review acted on (once): True only for the call that did it."""
        ...

    def reviews_for(self, key: str) -> list[dict[str, Any]]:
        """A client's reviews, oldest first; KeyError if there is no such client."""
        ...

    def record_event(self, event: dict[str, Any]) -> None:
        """Add one webhook_events row (an event that is not a clients status change, e.g. review.decided)."""
        ...

    def pending_events(self, limit: int) -> list[dict[str, Any]]:
        """Up to `limit` webhook events not yet done, oldest first."""
        ...

    def deliveries(self, event_ids: list[str] | None = None, *, latest: int | None = None) -> list[dict[str, Any]]:
        """Delivery attempts of these events (default: all), in the order they were made; only the `latest` last."""
        ...

    def record_delivery(self, delivery: dict[str, Any]) -> None:
        """Add one webhook_deliveries row (one attempt to one endpoint) and set the event's state in its queue."""
        ...

    def finish_events(self, event_ids: list[str]) -> None:
        """Mark events done: every endpoint delivered them or gave them up."""
        ...

    def finish_events_through(self, seq: int) -> int:
        """Mark every event up to `seq` done (no configured endpoint owes it); how many were not done yet."""
        ...

    def webhook_endpoints(self) -> list[dict[str, Any]]:
        """Every endpoint's delivery state (webhook_endpoints rows), by name."""
        ...

    def start_webhook_endpoint(self, endpoint: str) -> None:
        """Give a new endpoint its state (idempotent): it is owed the events not done yet, and every later one.

        Events every endpoint has done with are history, not sent to an endpoint configured later.
        """
        ...

    def queue_webhook_events(self, endpoint: str, limit: int) -> int:
        """Take up to `limit` events after the endpoint's queued_through into its queue; how many.

        An event the attempt log already has for this endpoint keeps what it says (attempts, outcome).
        """
        ...

    def owed_webhook_events(self, endpoint: str, limit: int) -> list[dict[str, Any]]:
        """Up to `limit` open events of an endpoint's queue, oldest first, with their attempts and next_attempt_at."""
        ...

    def update_webhook_endpoint(self, endpoint: str, values: dict[str, Any]) -> None:
        """Set columns of one endpoint's state (failing_since, last_error, waiting, given_up, checked_at)."""
        ...

    def webhook_backlog(self, endpoint: str) -> tuple[int, int]:
        """(waiting, given up) events of an endpoint: open in its queue or not queued yet, and given up."""
        ...

    def redeliver_webhook_events(self, endpoint: str, *, since: datetime | None = None) -> int:
        """Open again the events the endpoint gave up (at or after `since`), for a new round of attempts; how many."""
        ...

    def events(self) -> list[dict[str, Any]]:
        """Every webhook event, oldest first (for tests and inspection)."""
        ...

    def published_site(self, key: str) -> ClientRow | None:
        """The client whose site is published (a completed run), by id or slug; None otherwise."""
        ...

    def add_lead(self, lead: dict[str, Any], event: dict[str, Any] | None) -> None:
        """Store one leads row and, in the same transaction where the backend has one, its webhook event."""
        ...

    def leads(
        self, *, slug: str | None = None, since: datetime | None = None, spam: bool = False, limit: int | None = None
    ) -> list[dict[str, Any]]:
        """Leads (spam=True: the spam kept apart), newest first, of one client or all, since a time."""
        ...

    def lead_counts(self, *, since: datetime) -> list[dict[str, Any]]:
        """Leads (not spam) per client and UTC day since a time: rows of slug, day (YYYY-MM-DD), leads."""
        ...

    def leads_to_mail(self, limit: int) -> list[dict[str, Any]]:
        """Up to `limit` leads (not spam) the e-mail pass has not finished with, oldest first."""
        ...

    def mark_lead_mail(self, lead_id: str, *, state: str | None, error: str | None = None) -> None:
        """Record one e-mail attempt of a lead: its state (sent, none, failed; None to try again) and error."""
        ...

    def lead_totals(self, slugs: list[str] | None, *, since: datetime) -> dict[str, dict[str, int]]:
        """Per client (of `slugs`, or every one with a lead): leads_total, leads_recent (since `since`), spam_total."""
        ...

    def record_experiment_event(
        self,
        *,
        client_id: str,
        slug: str,
        page: str,
        variant: str,
        kind: str,
        visitor: str,
        at: datetime | None = None,
    ) -> dict[str, Any] | None:
        """Count one exposure or conversion of a client's running experiment, once per visitor and kind.

        The first exposure of a client without a running experiment starts one. A conversion counts only
        for a visitor with an exposure, in the variant they were shown. `visitor` is a keyed hash, never
        the cookie's id. Returns experiment_id, variant and counted (False: already counted, or a
        conversion without an exposure); None when no experiment runs (a conversion).
        """
        ...

    def start_experiment(self, key: str, *, page: str = "index") -> dict[str, Any] | None:
        """Start a client's next experiment (a new id); None while one is running. KeyError: no such client."""
        ...

    def experiments_of(
        self, slug: str | None = None, *, statuses: tuple[str, ...] | None = None, limit: int | None = None
    ) -> list[dict[str, Any]]:
        """Experiments (of one client or all, with one of `statuses`), newest first."""
        ...

    def experiment_counts(self, experiment_ids: list[str]) -> dict[str, dict[str, dict[str, int]]]:
        """Per experiment and variant: visitors (exposures) and conversions, counted by the database."""
        ...

    def record_experiment_decision(
        self,
        experiment_id: str,
        *,
        decision: str,
        winner: str,
        figures: dict[str, Any],
        event: dict[str, Any] | None,
        at: datetime | None = None,
    ) -> bool:
        """Record a running experiment's decision and its webhook event in one transaction; True only once."""
        ...

    def end_experiment(self, experiment_id: str) -> bool:
        """Switch a running experiment off (its client's switch was turned off); True when it was running."""
        ...

    def pending_experiment_decisions(self, limit: int = 100) -> list[dict[str, Any]]:
        """Decided experiments not yet acted upon, oldest decision first."""
        ...

    def mark_experiment_acted(self, experiment_id: str, *, outcome: str) -> bool:
        """Mark a decided experiment acted upon (once), with what was done; True only for the call that did it."""
        ...

    def experiment_activity(self, after_seq: int, limit: int = 10_000) -> tuple[list[str], int]:
        """Slugs whose experiments counted events after `after_seq`, and the last seq seen (the sensor's cursor)."""
        ...


__all__ = ["ClientStore"]

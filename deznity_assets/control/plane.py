"""The control plane: the only writer of client and project rows, and of the dashboard's pages after each change."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import dagster as dg

from ..brief import BriefError
from ..package import recover_package
from ..portfolio import rebuild_portfolio
from ..store import ClientRow, utcnow
from ..store.base import ClientStore
from ..store.transitions import slug_problem
from .projectlog import ProjectLog
from .resume import crash_plan, resume_step
from .runs import (
    FINISHED,
    PARTITION_TAG,
    classify_crash,
    crash_streak,
    crashed,
    find_run,
    held_for_review,
    overdue,
    owns,
    published_package,
    report_crash,
    run_failure_reason,
)
from .workers import orphan_reason


@dataclass
class ClaimResult:
    """Clients claimed in one pass: those ready to run and those failed for a bad brief."""

    ready: list[ClientRow]
    rejected: list[ClientRow]


class ClaimError(RuntimeError):
    """A client that cannot be claimed now; the message says why."""


class RetryError(ValueError):
    """A client that cannot be retried now."""


@dataclass
class ControlPlane:
    """Claim, write back, reconcile, retry and log clients in `store`; keep `output_dir`/index.html true."""

    store: ClientStore
    output_dir: Path

    # ----- intake -----------------------------------------------------------------

    def add_client(self, brief: dict[str, Any]) -> ClientRow:
        """Validate a brief and add it as a pending client; BriefError names each bad field."""
        row = self.store.add_client(brief)
        self.refresh_portfolio([row.slug])
        return row

    def delete_client(self, slug: str) -> bool:
        """Remove a client and its project history."""
        removed = self.store.delete_client(slug)
        self.refresh_portfolio([slug])
        return removed

    # ----- claims -----------------------------------------------------------------

    def claim_pending(self, limit: int, *, refresh: bool = True) -> ClaimResult:
        """Claim up to `limit` pending clients; a bad brief fails at once with the field named.

        `refresh=False` leaves the dashboard to each client's next change of status: a tick claims
        up to hundreds of clients, each on its own page of the dashboard.
        """
        ready, rejected = [], []
        for row in self.store.claim_pending(limit):
            if self._reject_invalid(row):
                rejected.append(row)
            else:
                ready.append(row)
        if refresh and (ready or rejected):
            self.refresh_portfolio([r.slug for r in ready + rejected])
        return ClaimResult(ready, rejected)

    def claim_client(self, slug: str) -> ClientRow:
        """Claim one named client now; ClaimError when another run has it or its brief is invalid."""
        row = self.store.claim_client(slug)
        if row is None:
            raise ClaimError(f"client {slug} is already being processed; see `deznity status`")
        invalid = self._reject_invalid(row)
        self.refresh_portfolio([row.slug])
        if invalid:
            raise ClaimError(f"{slug}: {self.store.get(row.id).last_error}")  # type: ignore[union-attr]
        return row

    def claim_for_run(self, slug: str, *, run_id: str, instance: dg.DagsterInstance) -> ClientRow:
        """Tie the client to `run_id` (a run from the sensor, the UI or a backfill) and open its project row."""
        if problem := slug_problem(slug):
            # A partition added by hand (UI, API) never becomes a path or a query before this.
            raise ClaimError(f"partition {slug[:40]!r}: {problem}")
        row = self.store.get(slug)
        if row is None:
            raise ClaimError(f"no client with slug {slug!r} in the clients table; add it with `deznity add-client`")
        # A run launched by hand (UI, backfill) on a client another run is processing would
        # process it twice: refuse instead.
        if row.status == "in_progress" and row.run_id and row.run_id != run_id:
            other = instance.get_run_by_id(row.run_id)
            if other is not None and other.status not in FINISHED:
                raise ClaimError(f"client {slug} is already being processed by run {row.run_id}")
        changed = row.status != "in_progress"
        row = self.store.mark_in_progress(slug, run_id=run_id)
        self.store.start_project(slug, run_id=run_id, attempt=row.attempt)
        if changed:
            self.refresh_portfolio([slug])
        return row

    def join_run(self, slug: str, *, run_id: str, instance: dg.DagsterInstance) -> ClientRow | None:
        """Tie a run that began after the brief (a review's rework or publication) to its client and project."""
        row = self.store.get(slug)
        if row is None or row.status != "in_progress" or row.run_id == run_id:
            return row
        if row.run_id is None:
            return self.claim_for_run(slug, run_id=run_id, instance=instance)
        return row

    def _reject_invalid(self, row: ClientRow) -> bool:
        # The store hands back failed a row it refused at claim (a slug or id that cannot be a
        # partition, an odd status); the brief is checked as well, so one reason names every field.
        refused = row.status == "failed"
        problems: list[str] = []
        try:
            row.brief()
        except BriefError as exc:
            problems.append(f"invalid brief: {exc}")
        if problems:
            self.store.mark_failed(row.id, "; ".join([row.last_error or "", *problems] if refused else problems))
        return refused or bool(problems)

    def project_log(self, *, run_id: str, slug: str) -> ProjectLog:
        """The project log a run's steps write to."""
        return ProjectLog(self.store, run_id=run_id, slug=slug)

    # ----- outcomes ---------------------------------------------------------------

    def write_back(self, instance: dg.DagsterInstance, run: dg.DagsterRun) -> str | None:
        """Record a finished run's outcome on its client; idempotent. Returns the new status, if changed.

        A crashed run is left to `reconcile`, which retries its client at once.
        """
        run = classify_crash(instance, run)
        if crashed(run):
            return None
        status = self._write_back(instance, run)
        if status:
            self.refresh_portfolio([run.tags.get(PARTITION_TAG)])
        return status

    def _write_back(self, instance: dg.DagsterInstance, run: dg.DagsterRun, *, crash_retries: int = 0) -> str | None:
        slug = run.tags.get(PARTITION_TAG)
        if not slug or run.status not in FINISHED:
            return None
        row = self.store.get(slug)
        if row is None:
            return None
        success = run.status == dg.DagsterRunStatus.SUCCESS
        if row.status != "in_progress" or not owns(row, run):
            # Someone else's attempt, or already written back: only close this run's project.
            self.store.finish_project(run.run_id, status="completed" if success else "failed")
            return None
        if crashed(run):
            return self._after_crash(instance, run, row, crash_retries)
        if success and published_package(instance, run):
            self.store.mark_completed(slug, run_id=run.run_id)
            self.store.finish_project(run.run_id, status="completed")
            return "completed"
        held = held_for_review(instance, run)
        if success and held is not None:
            self.store.mark_needs_review(slug, run_id=run.run_id, reason=held)
            self.store.finish_project(run.run_id, status="needs_review", blockers=[f"waiting for review: {held}"])
            return "needs_review"
        if success:
            reason = (
                f"run {run.run_id} materialized only part of the graph; "
                "materialize all assets of the partition (or `deznity retry`) to finish the package"
            )
        else:
            reason = run_failure_reason(instance, run)
        self.store.mark_failed(slug, reason, run_id=run.run_id)
        self.store.finish_project(run.run_id, status="failed", blockers=[reason])
        return "failed"

    def _after_crash(self, instance: dg.DagsterInstance, run: dg.DagsterRun, row: ClientRow, limit: int) -> str:
        """A crash is not the client's failure: retry it as a new attempt, up to `limit` crashes in a row."""
        slug = str(row.slug)
        streak = crash_streak(instance, slug, limit)
        why = run_failure_reason(instance, run)
        if streak > limit:
            reason = f"the run crashed {streak} times in a row (last: {why}); see run {run.run_id}"
            self.store.mark_failed(slug, reason, run_id=run.run_id)
            self.store.finish_project(run.run_id, status="failed", blockers=[reason])
            return "failed"
        # Leftovers of a publish the crash interrupted are put right before the retry publishes.
        recover_package(self.output_dir, slug)
        # A resumed run that crashed resumes again: what it started from is still stored. An
        # approval or rework run runs its own steps again with its decision: the client does not
        # go back to a reviewer for work already decided on.
        step, review = crash_plan(run)
        self.store.requeue(
            slug,
            reason=f"retrying after a crash ({streak} of at most {limit}): {why}",
            resume_from=step,
            resume_review=review,
        )
        self.store.finish_project(run.run_id, status="failed", blockers=[f"crashed: {why}"])
        return "retried"

    def reconcile(
        self,
        instance: dg.DagsterInstance,
        *,
        claim_timeout_seconds: int,
        max_run_seconds: int = 3600,
        crash_retries: int = 3,
    ) -> dict[str, str]:
        """Repair in_progress clients whose run finished, crashed, vanished, never started or never ended.

        Returns slug -> action; "retried" clients are back to pending, to be claimed again at once.
        """
        actions: dict[str, str] = {}
        cutoff = utcnow() - timedelta(seconds=claim_timeout_seconds)
        for row in self.store.list_clients(status="in_progress"):
            run = find_run(instance, row)
            if run is not None and run.status == dg.DagsterRunStatus.QUEUED:
                # Waiting in Dagster's queue (up to DEZNITY_MAX_RUNS_PER_TICK of them): no worker to check yet.
                continue
            if run is not None and run.status not in FINISHED:
                orphaned = orphan_reason(instance, run)
                if orphaned:
                    # The worker process was killed (kill -9, a lost machine): the run stays
                    # STARTED forever and holds its slots unless someone says it ended.
                    report_crash(instance, run, f"run {run.run_id}: {orphaned}")
                    run = instance.get_run_by_id(run.run_id)
                elif overdue(instance, run, max_run_seconds):
                    # A worker we cannot see (another host) that never reports back.
                    instance.report_run_failed(
                        run,
                        message=f"run {run.run_id} ran longer than {max_run_seconds} s "
                        "without finishing; its process is presumed gone",
                    )
                    run = instance.get_run_by_id(run.run_id)
            if run is not None and run.status in FINISHED:
                run = classify_crash(instance, run)
                status = self._write_back(instance, run, crash_retries=crash_retries)
                if status:
                    actions[str(row.slug)] = status
            elif run is None and (row.claimed_at is None or row.claimed_at < cutoff):
                # Claimed, but no run ever appeared (tick lost, daemon restarted, run deleted).
                self.store.requeue(
                    row.id,
                    reason=f"claimed at {row.claimed_at} but no run started; returned to pending",
                    resume_from=row.resume_from,  # the plan was never carried out: it still stands
                    resume_review=row.resume_review,
                )
                actions[str(row.slug)] = "requeued"
        if actions:
            self.refresh_portfolio(list(actions))
        return actions

    def retry(
        self, *, slugs: list[str] | None = None, failed: bool = False, instance: dg.DagsterInstance | None = None
    ) -> list[ClientRow]:
        """Send clients back to pending with attempt + 1: the named ones, or every failed one.

        With `instance`, a client whose last run failed after its brief resumes from the failed step:
        the step is recorded on the row, and the claim runs it and every later step only.
        """
        if failed:
            rows = self.store.list_clients(status="failed")
        else:
            rows = []
            for slug in slugs or []:
                row = self.store.get(slug)
                if row is None:
                    raise RetryError(f"no client with slug {slug!r}; `deznity status` lists them")
                if row.status == "in_progress":
                    raise RetryError(f"client {slug} is in progress (run {row.run_id}); wait for it to finish")
                rows.append(row)
        requeued = [
            self.store.requeue(
                row.id, reason=None, resume_from=resume_step(instance, row) if instance is not None else None
            )
            for row in rows
            if row.status != "pending"
        ]
        if requeued:
            self.refresh_portfolio([r.slug for r in requeued])
        return requeued

    def requeue(self, slug: str, *, reason: str) -> ClientRow:
        """Back to pending with attempt + 1, keeping `reason` on the row."""
        row = self.store.requeue(slug, reason=reason)
        self.refresh_portfolio([row.slug])
        return row

    def refresh_portfolio(self, slugs: Iterable[str | None] = (), *, everything: bool = False) -> Path:
        """Redraw the dashboard after a change of the clients `slugs` (their pages and output/index.html).

        The one place it is written. `everything` draws every client's page again (reads every client).
        """
        return rebuild_portfolio(self.output_dir, self.store, slugs, everything=everything)

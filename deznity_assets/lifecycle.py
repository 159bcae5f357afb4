"""The client lifecycle: claim, write back, reconcile and retry; shared by the sensors and the CLI."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import dagster as dg
from dagster._core.events import DagsterEventType

from .brief import BriefError
from .store import ClientRow, utcnow
from .store.base import ClientStore

PARTITION_TAG = "dagster/partition"
CLIENT_TAG = "deznity/client"
ATTEMPT_TAG = "deznity/attempt"
FINISHED = {dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED}


@dataclass
class ClaimResult:
    """Clients claimed in one pass: those ready to run and those failed for a bad brief."""

    ready: list[ClientRow]
    rejected: list[ClientRow]


def claim_clients(store: ClientStore, limit: int) -> ClaimResult:
    """Claim up to `limit` pending clients; a bad brief fails at once with the field named."""
    ready, rejected = [], []
    for row in store.claim_pending(limit):
        try:
            row.brief()
        except BriefError as exc:
            store.mark_failed(row.id, f"invalid brief: {exc}")
            rejected.append(row)
        else:
            ready.append(row)
    return ClaimResult(ready, rejected)


def run_key(row: ClientRow) -> str:
    """The sensor's run key: one run per client attempt (a retry gets a new key)."""
    return f"{row.slug}:attempt-{row.attempt}"


def run_tags(row: ClientRow) -> dict[str, str]:
    """Tags that tie a run to the client attempt it processes."""
    return {CLIENT_TAG: str(row.slug), ATTEMPT_TAG: str(row.attempt)}


def run_failure_reason(instance: dg.DagsterInstance, run: dg.DagsterRun) -> str:
    """A short, human reason why a run did not finish its client."""
    if run.status == dg.DagsterRunStatus.CANCELED:
        return f"run {run.run_id} was canceled"
    records = instance.all_logs(run.run_id, of_type={DagsterEventType.STEP_FAILURE, DagsterEventType.RUN_FAILURE})
    for record in records:
        event = record.dagster_event
        if event is None or event.event_type != DagsterEventType.STEP_FAILURE:
            continue
        data = event.step_failure_data
        if data.user_failure_data is not None and data.user_failure_data.description:
            return f"{event.step_key}: {data.user_failure_data.description}"
        if data.error is not None:
            cause = data.error.cause or data.error
            return f"{event.step_key}: {cause.message.strip()}"
    for record in records:
        if record.dagster_event is not None and record.dagster_event.message:
            return record.dagster_event.message
    return f"run {run.run_id} failed"


def _produced_package(instance: dg.DagsterInstance, run: dg.DagsterRun) -> bool:
    for record in instance.all_logs(run.run_id, of_type=DagsterEventType.ASSET_MATERIALIZATION):
        event = record.dagster_event
        if event is not None and event.asset_key == dg.AssetKey("bootstrap_summary"):
            return True
    return False


def _owns(row: ClientRow, run: dg.DagsterRun) -> bool:
    if row.run_id:
        return row.run_id == run.run_id
    return run.tags.get(ATTEMPT_TAG) == str(row.attempt)


def write_back(store: ClientStore, instance: dg.DagsterInstance, run: dg.DagsterRun) -> str | None:
    """Record a finished run's outcome on its client; idempotent. Returns the new status, if changed."""
    slug = run.tags.get(PARTITION_TAG)
    if not slug or run.status not in FINISHED:
        return None
    row = store.get(slug)
    if row is None:
        return None
    success = run.status == dg.DagsterRunStatus.SUCCESS
    if row.status != "in_progress" or not _owns(row, run):
        # Someone else's attempt, or already written back: only close this run's project.
        store.finish_project(run.run_id, status="completed" if success else "failed")
        return None
    if success and _produced_package(instance, run):
        store.mark_completed(slug, run_id=run.run_id)
        store.finish_project(run.run_id, status="completed")
        return "completed"
    if success:
        reason = (f"run {run.run_id} materialized only part of the graph; "
                  "materialize all assets of the partition (or `deznity retry`) to finish the package")
    else:
        reason = run_failure_reason(instance, run)
    store.mark_failed(slug, reason, run_id=run.run_id)
    store.finish_project(run.run_id, status="failed", blockers=[reason])
    return "failed"


def find_run(instance: dg.DagsterInstance, row: ClientRow) -> dg.DagsterRun | None:
    """The run processing a client's current attempt, if one exists."""
    if row.run_id:
        run = instance.get_run_by_id(row.run_id)
        if run is not None:
            return run
    runs = instance.get_runs(
        dg.RunsFilter(tags={PARTITION_TAG: str(row.slug), ATTEMPT_TAG: str(row.attempt)}), limit=1,
    )
    return runs[0] if runs else None


def reconcile(store: ClientStore, instance: dg.DagsterInstance, *, claim_timeout_seconds: int,
              max_run_seconds: int = 3600) -> dict[str, str]:
    """Repair in_progress clients whose run finished, vanished, never started or never ended. Returns slug -> action."""
    actions: dict[str, str] = {}
    cutoff = utcnow() - timedelta(seconds=claim_timeout_seconds)
    for row in store.list_clients(status="in_progress"):
        run = find_run(instance, row)
        if run is not None and run.status not in FINISHED and _overdue(instance, run, max_run_seconds):
            # A run whose process died without a word (a killed CLI, a lost worker) stays
            # STARTED forever; the daemon's run monitoring only covers runs it launched.
            instance.report_run_failed(run, message=f"run {run.run_id} ran longer than {max_run_seconds} s "
                                                    "without finishing; its process is presumed gone")
            run = instance.get_run_by_id(run.run_id)
        if run is not None and run.status in FINISHED:
            status = write_back(store, instance, run)
            if status:
                actions[str(row.slug)] = status
        elif run is None and (row.claimed_at is None or row.claimed_at < cutoff):
            # Claimed, but no run ever appeared (tick lost, daemon restarted, run deleted).
            store.requeue(row.id, reason=f"claimed at {row.claimed_at} but no run started; returned to pending")
            actions[str(row.slug)] = "requeued"
    return actions


def _overdue(instance: dg.DagsterInstance, run: dg.DagsterRun, max_run_seconds: int) -> bool:
    record = instance.get_run_record_by_id(run.run_id)
    started = (record.start_time or record.create_timestamp.timestamp()) if record else None
    return started is not None and utcnow().timestamp() - started > max_run_seconds


class RetryError(ValueError):
    """A client that cannot be retried now."""


def retry(store: ClientStore, *, slugs: list[str] | None = None, failed: bool = False) -> list[ClientRow]:
    """Send clients back to pending with attempt + 1: the named ones, or every failed one."""
    if failed:
        rows = store.list_clients(status="failed")
    else:
        rows = []
        for slug in slugs or []:
            row = store.get(slug)
            if row is None:
                raise RetryError(f"no client with slug {slug!r}; `deznity status` lists them")
            if row.status == "in_progress":
                raise RetryError(f"client {slug} is in progress (run {row.run_id}); wait for it to finish")
            rows.append(row)
    return [store.requeue(row.id) for row in rows if row.status != "pending"]

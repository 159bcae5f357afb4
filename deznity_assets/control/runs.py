"""What the control plane reads from Dagster: which client and attempt a run processes, and how it ended."""

from __future__ import annotations

from datetime import UTC

import dagster as dg
from dagster._core.events import JobFailureData, RunFailureReason
from dagster._core.storage.tags import RUN_FAILURE_REASON_TAG

from ..flow import PUBLISHED_ASSET
from ..store import ClientRow, utcnow

PARTITION_TAG = "dagster/partition"
CLIENT_TAG = "deznity/client"
ATTEMPT_TAG = "deznity/attempt"
CLAIM_TAG = "deznity/claim"
# Set by the review gate on a run it stopped; the value is why the client needs review.
HELD_TAG = "deznity/held-for-review"
FINISHED = {dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED}
# Run failures that say nothing about the client: the process running it died or never started.
CRASHES = {
    RunFailureReason.START_TIMEOUT.value,
    RunFailureReason.RUN_WORKER_RESTART.value,
    RunFailureReason.UNEXPECTED_TERMINATION.value,
}


def claim_token(row: ClientRow) -> str:
    """Identifies one claim of a client: a row set back to pending by hand, same attempt, is a new claim."""
    claimed = row.claimed_at
    if claimed is None:
        return "unclaimed"
    aware = claimed if claimed.tzinfo else claimed.replace(tzinfo=UTC)
    return str(round(aware.timestamp() * 1_000_000))


def run_key(row: ClientRow) -> str:
    """The sensor's run key: one run per claim of a client attempt (a retry or a re-claim gets a new key)."""
    return f"{row.slug}:attempt-{row.attempt}:claim-{claim_token(row)}"


def run_tags(row: ClientRow) -> dict[str, str]:
    """Tags that tie a run to the client attempt and claim it processes."""
    return {CLIENT_TAG: str(row.slug), ATTEMPT_TAG: str(row.attempt), CLAIM_TAG: claim_token(row)}


def classify_crash(instance: dg.DagsterInstance, run: dg.DagsterRun) -> dg.DagsterRun:
    """`run`, its failure tagged as a crash when the code server failed it because its process died."""
    if run.status != dg.DagsterRunStatus.FAILURE or run.tags.get(RUN_FAILURE_REASON_TAG):
        return run
    # A code server whose run process dies (kill -9, out of memory) writes why ("[DagsterApiServer]
    # Run execution process for <id> was terminated by signal 9"), then fails the run with no
    # reason (dagster/_grpc/server.py, _check_for_orphaned_runs): left so, the client's
    # write-back would take a dead process for the client's failure.
    died = f"Run execution process for {run.run_id} "
    for record in instance.all_logs(run.run_id, of_type=dg.DagsterEventType.ENGINE_EVENT):
        if record.dagster_event is not None and died in (record.dagster_event.message or ""):
            instance.add_run_tags(run.run_id, {RUN_FAILURE_REASON_TAG: RunFailureReason.UNEXPECTED_TERMINATION.value})
            return instance.get_run_by_id(run.run_id) or run
    return run


def crashed(run: dg.DagsterRun) -> bool:
    """True when the run failed because its process died or never started, not because of its client."""
    return run.status == dg.DagsterRunStatus.FAILURE and run.tags.get(RUN_FAILURE_REASON_TAG) in CRASHES


def report_crash(instance: dg.DagsterInstance, run: dg.DagsterRun, message: str) -> None:
    """Fail a run whose worker is gone, as a crash, and free the pool slots its steps held."""
    instance.report_run_failed(
        run,
        message=message,
        job_failure_data=JobFailureData(error=None, failure_reason=RunFailureReason.UNEXPECTED_TERMINATION),
    )
    storage = instance.event_log_storage
    if storage.supports_global_concurrency_limits:
        # A killed step never gives its `llm` pool slot back; left alone, dead runs starve live ones.
        storage.free_concurrency_slots_for_run(run.run_id)


def crash_streak(instance: dg.DagsterInstance, slug: str, limit: int) -> int:
    """How many of the client's latest runs (at most `limit` + 1 looked at) crashed in a row."""
    runs = instance.get_runs(dg.RunsFilter(tags={PARTITION_TAG: slug}), limit=limit + 1)
    streak = 0
    for run in runs:
        if not crashed(run):
            break
        streak += 1
    return streak


def run_failure_reason(instance: dg.DagsterInstance, run: dg.DagsterRun) -> str:
    """A short, human reason why a run did not finish its client."""
    if run.status == dg.DagsterRunStatus.CANCELED:
        return f"run {run.run_id} was canceled"
    records = instance.all_logs(run.run_id, of_type={dg.DagsterEventType.STEP_FAILURE, dg.DagsterEventType.RUN_FAILURE})
    for record in records:
        event = record.dagster_event
        if event is None or event.event_type != dg.DagsterEventType.STEP_FAILURE:
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


def published_package(instance: dg.DagsterInstance, run: dg.DagsterRun) -> bool:
    """True when the run materialized the published package (its last step)."""
    for record in instance.all_logs(run.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION):
        event = record.dagster_event
        if event is not None and event.asset_key == dg.AssetKey(PUBLISHED_ASSET):
            return True
    return False


def held_for_review(instance: dg.DagsterInstance, run: dg.DagsterRun) -> str | None:
    """Why the review gate stopped the run (the client waits for a reviewer), or None when it did not."""
    # The gate tags the run while it runs: read the tags as stored now, not as the caller got them.
    current = instance.get_run_by_id(run.run_id) or run
    return current.tags.get(HELD_TAG)


def owns(row: ClientRow, run: dg.DagsterRun) -> bool:
    """True when `run` processes the client's current claim."""
    if row.run_id:
        return row.run_id == run.run_id
    return run.tags.get(ATTEMPT_TAG) == str(row.attempt) and run.tags.get(CLAIM_TAG) == claim_token(row)


def find_run(instance: dg.DagsterInstance, row: ClientRow) -> dg.DagsterRun | None:
    """The run processing a client's current claim, if one exists."""
    if row.run_id:
        run = instance.get_run_by_id(row.run_id)
        if run is not None:
            return run
    runs = instance.get_runs(
        dg.RunsFilter(tags={PARTITION_TAG: str(row.slug), ATTEMPT_TAG: str(row.attempt), CLAIM_TAG: claim_token(row)}),
        limit=1,
    )
    return runs[0] if runs else None


def overdue(instance: dg.DagsterInstance, run: dg.DagsterRun, max_run_seconds: int) -> bool:
    """True when the run started (or, never started and not queued, was created) more than `max_run_seconds` ago."""
    if run.status == dg.DagsterRunStatus.QUEUED:
        return False  # waiting its turn in Dagster's queue (max_concurrent_runs), not running
    record = instance.get_run_record_by_id(run.run_id)
    started = (record.start_time or record.create_timestamp.timestamp()) if record else None
    return started is not None and utcnow().timestamp() - started > max_run_seconds

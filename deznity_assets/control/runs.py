"""What the control plane reads from Dagster: which client and attempt a run processes, and how it ended."""

from __future__ import annotations

import dagster as dg

from ..flow import PUBLISHED_ASSET
from ..store import ClientRow, utcnow

PARTITION_TAG = "dagster/partition"
CLIENT_TAG = "deznity/client"
ATTEMPT_TAG = "deznity/attempt"
FINISHED = {dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED}


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


def owns(row: ClientRow, run: dg.DagsterRun) -> bool:
    """True when `run` processes the client's current attempt."""
    if row.run_id:
        return row.run_id == run.run_id
    return run.tags.get(ATTEMPT_TAG) == str(row.attempt)


def find_run(instance: dg.DagsterInstance, row: ClientRow) -> dg.DagsterRun | None:
    """The run processing a client's current attempt, if one exists."""
    if row.run_id:
        run = instance.get_run_by_id(row.run_id)
        if run is not None:
            return run
    runs = instance.get_runs(
        dg.RunsFilter(tags={PARTITION_TAG: str(row.slug), ATTEMPT_TAG: str(row.attempt)}),
        limit=1,
    )
    return runs[0] if runs else None


def overdue(instance: dg.DagsterInstance, run: dg.DagsterRun, max_run_seconds: int) -> bool:
    """True when the run started (or was created) more than `max_run_seconds` ago."""
    record = instance.get_run_record_by_id(run.run_id)
    started = (record.start_time or record.create_timestamp.timestamp()) if record else None
    return started is not None and utcnow().timestamp() - started > max_run_seconds

"""Sensors: claim pending clients, write back finished runs, reconcile what was missed, act on review decisions,
deliver webhooks, e-mail leads."""

from __future__ import annotations

import dagster as dg

from ..control import ClaimError, claim_plan
from ..control.review import apply_decisions, notify_overdue
from ..resources import (
    ClientStoreResource,
    LifecycleResource,
    MemoryResource,
    OutputResource,
    WebhookResource,
    control_plane,
)
from ..resources.lifecycle import configured_poll_seconds
from ..webhooks import delivery_pass
from .jobs import client_package_job, run_request
from .partitions import clients_partitions

# Crashed runs and lost claims are found within this; each pass reads only the in_progress rows.
RECONCILE_SECONDS = 30
# A reviewer's decision starts its run within this.
REVIEW_SECONDS = 30
# Status changes reach the agency's CRM and Slack within this (plus any retry's backoff).
WEBHOOK_SECONDS = 15
# Runs created but not yet started: what DEZNITY_MAX_RUNS_PER_TICK bounds.
WAITING = [dg.DagsterRunStatus.QUEUED, dg.DagsterRunStatus.NOT_STARTED]


@dg.sensor(
    name="pending_clients_sensor",
    job=client_package_job,
    minimum_interval_seconds=configured_poll_seconds(),
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Claims pending clients, adds their partitions and requests one run per client.",
)
def pending_clients_sensor(
    context: dg.SensorEvaluationContext,
    store: ClientStoreResource,
    output: OutputResource,
    lifecycle: LifecycleResource,
    memory: MemoryResource,
) -> dg.SensorResult:
    """Top Dagster's run queue up to DEZNITY_MAX_RUNS_PER_TICK runs with pending clients, one run each."""
    # The queue and max_concurrent_runs throttle the runs; a tick only keeps the queue filled, so a
    # burst of sign-ups waits as pending rows (visible, cancellable) rather than as queued runs.
    queued = context.instance.get_runs_count(dg.RunsFilter(statuses=WAITING))
    room = lifecycle.max_runs_per_tick - queued
    if room <= 0:
        return dg.SensorResult(skip_reason=f"the run queue is full ({queued} runs waiting)")
    plane = control_plane(store, output)
    # The dashboard's first page (counts) and the pages of rejected rows are redrawn here; the pages of
    # the claimed clients by their runs' write-backs: a tick claims hundreds, each on its own page.
    claimed = plane.claim_pending(room, refresh=False)
    if claimed.ready or claimed.rejected:
        plane.refresh_portfolio([row.slug for row in claimed.rejected])
    for row in claimed.rejected:
        context.log.warning(f"client {row.slug} failed validation: {plane.store.get(row.id).last_error}")  # type: ignore[union-attr]
    if not claimed.ready:
        return dg.SensorResult(skip_reason=f"no pending clients ({len(claimed.rejected)} rejected)")
    # Seed the house knowledge here, once, rather than racing to seed it from several
    # run processes at the same time (a no-op when it is already there).
    memory.get_memory()
    slugs = [str(row.slug) for row in claimed.ready]
    context.log.info(f"claimed {len(slugs)} clients ({queued} runs were waiting)")
    return dg.SensorResult(
        run_requests=[run_request(claim_plan(context.instance, row)) for row in claimed.ready],
        # The daemon adds only the partitions that do not exist yet (one look-up per key, before
        # the runs): asking here as well would double those queries inside the 60 s limit.
        dynamic_partitions_requests=[clients_partitions.build_add_request(slugs)],
    )


@dg.run_status_sensor(
    run_status=dg.DagsterRunStatus.SUCCESS,
    name="client_completed_sensor",
    default_status=dg.DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=10,
    description="Marks a client completed when its run succeeds.",
)
def client_completed_sensor(
    context: dg.RunStatusSensorContext, store: ClientStoreResource, output: OutputResource
) -> None:
    """Write a succeeded run back to its client."""
    control_plane(store, output).write_back(context.instance, context.dagster_run)


@dg.run_failure_sensor(
    name="client_failed_sensor",
    default_status=dg.DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=10,
    description="Marks a client failed, with the reason, when its run fails.",
)
def client_failed_sensor(
    context: dg.RunFailureSensorContext, store: ClientStoreResource, output: OutputResource
) -> None:
    """Write a failed run back to its client, with the reason."""
    control_plane(store, output).write_back(context.instance, context.dagster_run)


@dg.sensor(
    name="client_reconciliation_sensor",
    job=client_package_job,
    minimum_interval_seconds=RECONCILE_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Repairs clients left in_progress: crashed, canceled or dead runs, lost write-backs, claims with no "
    "run; retries crashed clients at once.",
)
def client_reconciliation_sensor(
    context: dg.SensorEvaluationContext,
    store: ClientStoreResource,
    output: OutputResource,
    lifecycle: LifecycleResource,
) -> dg.SensorResult:
    """Repair clients whose run finished unseen, crashed, died, or never started; relaunch the crashed ones."""
    plane = control_plane(store, output)
    actions = plane.reconcile(
        context.instance,
        claim_timeout_seconds=lifecycle.claim_timeout_seconds,
        max_run_seconds=lifecycle.max_run_seconds,
        crash_retries=lifecycle.crash_retries,
    )
    if actions:
        context.log.info(f"reconciled: {actions}")
    requests = []
    for slug, action in actions.items():
        if action != "retried":
            continue
        # Claimed here rather than left for the pending sensor's next poll (up to 5 minutes):
        # a crash should cost the client its lost work, not a wait.
        try:
            row = plane.claim_client(slug)
        except ClaimError as exc:
            context.log.warning(f"could not retry {slug} at once: {exc}")
            continue
        requests.append(run_request(claim_plan(context.instance, row)))
    summary = f"reconciled {len(actions)} clients: {actions}" if actions else "nothing to reconcile"
    return dg.SensorResult(run_requests=requests, skip_reason=None if requests else summary)


@dg.sensor(
    name="review_decisions_sensor",
    job=client_package_job,
    minimum_interval_seconds=REVIEW_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Acts on each new reviews row once: an approval publishes the client (the review gate and what "
    "follows); a rejection re-runs the step it names up to the gate, with the reason given to the agents. "
    "Notifies tickets past the 24-hour window.",
)
def review_decisions_sensor(
    context: dg.SensorEvaluationContext, store: ClientStoreResource, output: OutputResource
) -> dg.SensorResult:
    """Turn reviewers' decisions into runs of the assets they concern; flag overdue tickets."""
    plane = control_plane(store, output)
    actions, notes = apply_decisions(plane)
    for note in notes:
        context.log.info(note)
    overdue = notify_overdue(plane)
    if overdue:
        context.log.warning(f"review overdue (over 24 h): {', '.join(overdue)}")
    requests = [run_request(action.plan) for action in actions]
    return dg.SensorResult(run_requests=requests, skip_reason=None if requests else "no new review decisions")


@dg.sensor(
    name="webhook_delivery_sensor",
    minimum_interval_seconds=WEBHOOK_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Posts each client status change, signed, to the configured webhook endpoints (outside the runs), "
    "in order per client, retrying timeouts, connection errors, 408, 429 and 5xx with backoff.",
)
def webhook_delivery_sensor(
    context: dg.SensorEvaluationContext,
    store: ClientStoreResource,
    output: OutputResource,
    webhooks: WebhookResource,
) -> dg.SkipReason:
    """Deliver due webhook events; a failing endpoint or store is logged, never raised."""
    return dg.SkipReason(delivery_pass(store, output, webhooks, context.log))


@dg.sensor(
    name="lead_mail_sensor",
    minimum_interval_seconds=WEBHOOK_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="E-mails each new lead of a published site to its client's contact_email over SMTP "
    "(DEZNITY_SMTP_URL), after the lead is stored; retries a server down or a 4xx answer with backoff.",
)
def lead_mail_sensor(
    context: dg.SensorEvaluationContext, store: ClientStoreResource, output: OutputResource
) -> dg.SkipReason:
    """Send the lead e-mails that are due; a failing server or store is logged, never raised."""
    from ..site_api.mail import lead_mail_pass

    connection = store.connection()
    return dg.SkipReason(
        lead_mail_pass(
            store.get_store,
            site_url=output.site_url,
            log=context.log,
            urls=(connection["database_url"], connection["supabase_url"]),
            secrets=(connection["service_role_key"], connection["anon_key"]),
        )
    )

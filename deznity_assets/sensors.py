"""Sensors: claim pending clients, write back finished runs, reconcile what was missed."""

from __future__ import annotations

import dagster as dg

from .assets.partitions import clients_partitions
from .lifecycle import claim_clients, reconcile, run_key, run_tags, write_back
from .portfolio import rebuild_portfolio
from .resources import ClientStoreResource, MemoryResource
from .settings import Settings

RECONCILE_SECONDS = 60


def build_sensors(settings: Settings, job: dg.UnresolvedAssetJobDefinition) -> list[dg.SensorDefinition]:
    """The four sensors of the code location, all running by default."""
    # Sensors share the code location's settings; the store is built from them, not
    # passed as a resource, so a tick evaluated anywhere talks to the same table.
    store = ClientStoreResource(database_url=settings.database_url)

    @dg.sensor(
        name="pending_clients_sensor", job=job, minimum_interval_seconds=settings.poll_seconds,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Claims pending clients, adds their partitions and requests one run per client.",
    )
    def pending_clients_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult:
        claimed = claim_clients(store.get_store(), settings.max_runs_per_tick)
        for row in claimed.rejected:
            context.log.warning(f"client {row.slug} failed validation: {store.get_store().get(row.id).last_error}")
        if not claimed.ready:
            return dg.SensorResult(skip_reason=f"no pending clients ({len(claimed.rejected)} rejected)")
        # Seed the house knowledge here, once, rather than racing to seed it from several
        # run processes at the same time (a no-op when it is already there).
        MemoryResource().get_memory()
        known = set(context.instance.get_dynamic_partitions(clients_partitions.name))
        new = [row.slug for row in claimed.ready if row.slug not in known]
        context.log.info(f"claimed {len(claimed.ready)} clients: {', '.join(r.slug for r in claimed.ready)}")
        return dg.SensorResult(
            run_requests=[
                dg.RunRequest(partition_key=row.slug, run_key=run_key(row), tags=run_tags(row))
                for row in claimed.ready
            ],
            dynamic_partitions_requests=[clients_partitions.build_add_request(new)] if new else [],
        )

    @dg.run_status_sensor(
        run_status=dg.DagsterRunStatus.SUCCESS, name="client_completed_sensor",
        default_status=dg.DefaultSensorStatus.RUNNING, minimum_interval_seconds=10,
        description="Marks a client completed when its run succeeds.",
    )
    def client_completed_sensor(context: dg.RunStatusSensorContext) -> None:
        write_back(store.get_store(), context.instance, context.dagster_run)

    @dg.run_failure_sensor(
        name="client_failed_sensor", default_status=dg.DefaultSensorStatus.RUNNING, minimum_interval_seconds=10,
        description="Marks a client failed, with the reason, when its run fails.",
    )
    def client_failed_sensor(context: dg.RunFailureSensorContext) -> None:
        if write_back(store.get_store(), context.instance, context.dagster_run) == "failed":
            rebuild_portfolio(settings.output_dir, store.get_store())

    @dg.sensor(
        name="client_reconciliation_sensor", minimum_interval_seconds=RECONCILE_SECONDS,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Repairs clients left in_progress: canceled or dead runs, lost write-backs, claims with no run.",
    )
    def client_reconciliation_sensor(context: dg.SensorEvaluationContext) -> dg.SkipReason:
        actions = reconcile(store.get_store(), context.instance, claim_timeout_seconds=settings.claim_timeout_seconds,
                            max_run_seconds=settings.max_run_seconds)
        if actions:
            rebuild_portfolio(settings.output_dir, store.get_store())
            context.log.info(f"reconciled: {actions}")
        return dg.SkipReason(f"reconciled {len(actions)} clients: {actions}" if actions else "nothing to reconcile")

    return [pending_clients_sensor, client_completed_sensor, client_failed_sensor, client_reconciliation_sensor]

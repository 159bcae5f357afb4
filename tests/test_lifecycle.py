"""Write-back by the status sensors, and the reconciliation sweep that closes their gaps."""

from __future__ import annotations

import time

import dagster as dg

from deznity_assets.brief import REFERENCE_CLIENTS
from deznity_assets.control import run_tags
from deznity_assets.definitions import JOB_NAME
from deznity_assets.store.schema import clients


def _claimed(store, instance, brief=REFERENCE_CLIENTS[0]):
    row = store.add_client(brief)
    instance.add_dynamic_partitions("clients", [row.slug])
    return store.claim_pending(1)[0]


def _run(platform, instance, row, *, raise_on_error=True):
    job = platform.definitions.resolve_job_def(JOB_NAME)
    result = job.execute_in_process(
        partition_key=row.slug, instance=instance, tags=run_tags(row), raise_on_error=raise_on_error
    )
    return instance.get_run_by_id(result.run_id)


def _created_run(platform, instance, row):
    """A run of the client's attempt as the daemon would create it, not started."""
    job = platform.definitions.resolve_job_def(JOB_NAME)
    return instance.create_run_for_job(job_def=job, tags={**run_tags(row), "dagster/partition": row.slug})


def _started_run(platform, instance, row):
    """A run of the client's attempt that started and never reported an end (its process is gone)."""
    run = _created_run(platform, instance, row)
    instance.handle_run_event(
        run.run_id, dg.DagsterEvent(event_type_value=dg.DagsterEventType.RUN_START.value, job_name=run.job_name)
    )
    return run


def _sensor_resources(platform):
    """What the write-back sensors receive: the store and the output folder."""
    return {key: platform.resources[key] for key in ("store", "output")}


def _event(instance, run, event_type):
    return instance.all_logs(run.run_id, of_type=event_type)[0].dagster_event


def test_success_sensor_completes_the_client(platform, store, instance):
    row = _claimed(store, instance)
    run = _run(platform, instance, row)
    sensor = platform.definitions.resolve_sensor_def("client_completed_sensor")
    context = dg.build_run_status_sensor_context(
        sensor_name=sensor.name,
        dagster_instance=instance,
        dagster_run=run,
        dagster_event=_event(instance, run, dg.DagsterEventType.RUN_SUCCESS),
        resources=_sensor_resources(platform),
    )
    sensor(context)
    assert store.get(row.slug).status == "completed"


def test_failure_sensor_fails_the_client_with_the_reason(platform, store, instance):
    row = _claimed(store, instance)
    with store.engine.begin() as conn:  # the brief went bad after the claim
        conn.execute(clients.update().where(clients.c.id == row.id).values(budget="platinum"))
    run = _run(platform, instance, row, raise_on_error=False)
    sensor = platform.definitions.resolve_sensor_def("client_failed_sensor")
    context = dg.build_run_status_sensor_context(
        sensor_name=sensor.name,
        dagster_instance=instance,
        dagster_run=run,
        dagster_event=_event(instance, run, dg.DagsterEventType.RUN_FAILURE),
        resources=_sensor_resources(platform),
    ).for_run_failure()
    sensor(context)
    failed = store.get(row.slug)
    assert failed.status == "failed"
    assert "budget:" in failed.last_error and "starter" in failed.last_error


def test_reconcile_repairs_a_lost_write_back(platform, store, instance):
    row = _claimed(store, instance)
    _run(platform, instance, row)  # no sensor ran: the row stays in_progress
    assert store.get(row.slug).status == "in_progress"
    assert platform.control.reconcile(instance, claim_timeout_seconds=600) == {row.slug: "completed"}
    assert platform.control.reconcile(instance, claim_timeout_seconds=600) == {}


def test_reconcile_fails_a_canceled_run(platform, store, instance):
    row = _claimed(store, instance)
    run = _created_run(platform, instance, row)
    instance.report_run_canceled(run)
    assert platform.control.reconcile(instance, claim_timeout_seconds=600) == {row.slug: "failed"}
    assert store.get(row.slug).last_error == f"run {run.run_id} was canceled"


def test_reconcile_requeues_a_claim_whose_run_never_came(platform, store, instance):
    row = _claimed(store, instance)
    assert platform.control.reconcile(instance, claim_timeout_seconds=600) == {}  # still within the grace period
    time.sleep(1.1)
    assert platform.control.reconcile(instance, claim_timeout_seconds=1) == {row.slug: "requeued"}
    again = store.get(row.slug)
    assert (again.status, again.attempt) == ("pending", 2)
    assert "no run started" in again.last_error


def test_reconcile_leaves_running_clients_alone(platform, store, instance):
    row = _claimed(store, instance)
    _started_run(platform, instance, row)
    assert platform.control.reconcile(instance, claim_timeout_seconds=0) == {}
    assert store.get(row.slug).status == "in_progress"


def test_retry_failed_and_named(platform, store):
    for brief in REFERENCE_CLIENTS[:3]:
        store.add_client(brief)
    for row in store.claim_pending(3):
        store.mark_failed(row.id, "boom")
    store.mark_completed("techstart", run_id=None)
    rows = platform.control.retry(failed=True)
    assert sorted(r.slug for r in rows) == ["fittrack", "greenglow"]
    assert all(r.status == "pending" and r.attempt == 2 for r in rows)
    assert [r.slug for r in platform.control.retry(slugs=["techstart"])] == ["techstart"]


def test_reconcile_fails_a_run_whose_process_died(platform, store, instance):
    row = _claimed(store, instance)
    _started_run(platform, instance, row)
    time.sleep(1.1)
    assert platform.control.reconcile(instance, claim_timeout_seconds=600, max_run_seconds=3600) == {}
    assert platform.control.reconcile(instance, claim_timeout_seconds=600, max_run_seconds=1) == {row.slug: "failed"}
    failed = store.get(row.slug)
    assert "ran longer than 1 s" in failed.last_error

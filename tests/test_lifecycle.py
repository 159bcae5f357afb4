"""Write-back by the status sensors, and the reconciliation sweep that closes their gaps."""

from __future__ import annotations

import time

import dagster as dg
from dagster._core.events import DagsterEventType

from deznity_assets.brief import REFERENCE_CLIENTS
from deznity_assets.definitions import JOB_NAME, build_definitions
from deznity_assets.lifecycle import reconcile, retry, run_tags
from deznity_assets.store.schema import clients


def _claimed(store, instance, brief=REFERENCE_CLIENTS[0]):
    row = store.add_client(brief)
    instance.add_dynamic_partitions("clients", [row.slug])
    return store.claim_pending(1)[0]


def _run(settings, instance, row, *, raise_on_error=True):
    job = build_definitions(settings).resolve_job_def(JOB_NAME)
    result = job.execute_in_process(partition_key=row.slug, instance=instance, tags=run_tags(row),
                                    raise_on_error=raise_on_error)
    return instance.get_run_by_id(result.run_id)


def _created_run(settings, instance, row):
    """A run of the client's attempt as the daemon would create it, not started."""
    job = build_definitions(settings).resolve_job_def(JOB_NAME)
    return instance.create_run_for_job(job_def=job, tags={**run_tags(row), "dagster/partition": row.slug})


def _started_run(settings, instance, row):
    """A run of the client's attempt that started and never reported an end (its process is gone)."""
    run = _created_run(settings, instance, row)
    instance.handle_run_event(run.run_id, dg.DagsterEvent(
        event_type_value=DagsterEventType.RUN_START.value, job_name=run.job_name))
    return run


def _event(instance, run, event_type):
    return instance.all_logs(run.run_id, of_type=event_type)[0].dagster_event


def test_success_sensor_completes_the_client(settings, store, instance):
    row = _claimed(store, instance)
    run = _run(settings, instance, row)
    sensor = build_definitions(settings).get_sensor_def("client_completed_sensor")
    context = dg.build_run_status_sensor_context(
        sensor_name=sensor.name, dagster_instance=instance, dagster_run=run,
        dagster_event=_event(instance, run, DagsterEventType.RUN_SUCCESS),
    )
    sensor(context)
    assert store.get(row.slug).status == "completed"


def test_failure_sensor_fails_the_client_with_the_reason(settings, store, instance):
    row = _claimed(store, instance)
    with store.engine.begin() as conn:  # the brief went bad after the claim
        conn.execute(clients.update().where(clients.c.id == row.id).values(budget="platinum"))
    run = _run(settings, instance, row, raise_on_error=False)
    sensor = build_definitions(settings).get_sensor_def("client_failed_sensor")
    context = dg.build_run_status_sensor_context(
        sensor_name=sensor.name, dagster_instance=instance, dagster_run=run,
        dagster_event=_event(instance, run, DagsterEventType.RUN_FAILURE),
    ).for_run_failure()
    sensor(context)
    failed = store.get(row.slug)
    assert failed.status == "failed"
    assert "budget:" in failed.last_error and "starter" in failed.last_error


def test_reconcile_repairs_a_lost_write_back(settings, store, instance):
    row = _claimed(store, instance)
    _run(settings, instance, row)  # no sensor ran: the row stays in_progress
    assert store.get(row.slug).status == "in_progress"
    assert reconcile(store, instance, claim_timeout_seconds=600) == {row.slug: "completed"}
    assert reconcile(store, instance, claim_timeout_seconds=600) == {}


def test_reconcile_fails_a_canceled_run(settings, store, instance):
    row = _claimed(store, instance)
    run = _created_run(settings, instance, row)
    instance.report_run_canceled(run)
    assert reconcile(store, instance, claim_timeout_seconds=600) == {row.slug: "failed"}
    assert store.get(row.slug).last_error == f"run {run.run_id} was canceled"


def test_reconcile_requeues_a_claim_whose_run_never_came(store, instance):
    row = _claimed(store, instance)
    assert reconcile(store, instance, claim_timeout_seconds=600) == {}  # still within the grace period
    time.sleep(1.1)
    assert reconcile(store, instance, claim_timeout_seconds=1) == {row.slug: "requeued"}
    again = store.get(row.slug)
    assert (again.status, again.attempt) == ("pending", 2)
    assert "no run started" in again.last_error


def test_reconcile_leaves_running_clients_alone(settings, store, instance):
    row = _claimed(store, instance)
    _started_run(settings, instance, row)
    assert reconcile(store, instance, claim_timeout_seconds=0) == {}
    assert store.get(row.slug).status == "in_progress"


def test_retry_failed_and_named(store):
    for brief in REFERENCE_CLIENTS[:3]:
        store.add_client(brief)
    for row in store.claim_pending(3):
        store.mark_failed(row.id, "boom")
    store.mark_completed("techstart", run_id=None)
    rows = retry(store, failed=True)
    assert sorted(r.slug for r in rows) == ["fittrack", "greenglow"]
    assert all(r.status == "pending" and r.attempt == 2 for r in rows)
    assert [r.slug for r in retry(store, slugs=["techstart"])] == ["techstart"]


def test_reconcile_fails_a_run_whose_process_died(settings, store, instance):
    row = _claimed(store, instance)
    _started_run(settings, instance, row)
    time.sleep(1.1)
    assert reconcile(store, instance, claim_timeout_seconds=600, max_run_seconds=3600) == {}
    assert reconcile(store, instance, claim_timeout_seconds=600, max_run_seconds=1) == {row.slug: "failed"}
    failed = store.get(row.slug)
    assert "ran longer than 1 s" in failed.last_error

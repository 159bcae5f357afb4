"""The pending-clients sensor through a real tick: partitions added, run requests, cap, run keys."""

from __future__ import annotations

import dagster as dg

from deznity_assets.brief import REFERENCE_CLIENTS
from deznity_assets.platform import Platform
from deznity_assets.resources import LifecycleResource


def _tick(platform: Platform, instance: dg.DagsterInstance):
    # A whole tick, partition validation included, with the resources the sensor receives.
    sensor = platform.definitions.resolve_sensor_def("pending_clients_sensor")
    with dg.build_sensor_context(
        instance_ref=instance.get_ref(), definitions=platform.definitions, resources=platform.resources
    ) as context:
        return sensor.evaluate_tick(context)


def test_tick_claims_adds_partitions_and_caps(platform, store, instance):
    platform = platform.with_resources(lifecycle=LifecycleResource(max_runs_per_tick=3))
    for brief in REFERENCE_CLIENTS:
        store.add_client(brief)
    first = _tick(platform, instance)
    assert [r.partition_key for r in first.run_requests] == ["fittrack", "greenglow", "techstart"]
    assert [r.run_key.split(":claim-")[0] for r in first.run_requests] == [
        "fittrack:attempt-1",
        "greenglow:attempt-1",
        "techstart:attempt-1",
    ]
    assert len({r.run_key for r in first.run_requests}) == 3
    assert first.run_requests[0].tags["deznity/attempt"] == "1"
    assert first.dynamic_partitions_requests[0].partition_keys == ["fittrack", "greenglow", "techstart"]
    assert {r.slug for r in store.list_clients(status="in_progress")} == {"fittrack", "greenglow", "techstart"}

    second = _tick(platform, instance)  # the rest wait for the next tick
    assert [r.partition_key for r in second.run_requests] == ["beautylux", "tacoloco"]
    third = _tick(platform, instance)
    assert third.run_requests == []
    assert "no pending clients" in third.skip_message


def test_bad_rows_fail_with_reason_and_never_block_good_ones(platform, store, instance):
    store.insert_raw(
        {
            "business_name": "No Colour",
            "industry": "saas",
            "goal": "g",
            "copy_tone": "fun",
            "target_geo": "Global",
            "pages": "home",
            "budget": "starter",
        }
    )
    store.insert_raw(
        {
            "business_name": "Huge",
            "industry": "saas",
            "goal": "x" * 1_048_576,
            "color": "#123456",
            "copy_tone": "fun",
            "target_geo": "Global",
            "pages": "home",
            "budget": "starter",
        }
    )
    store.insert_raw(
        {
            "business_name": "<img src=x onerror=alert(1)>",
            "industry": "saas",
            "goal": "g",
            "color": "#123456",
            "copy_tone": "fun",
            "target_geo": "Global",
            "pages": "home",
            "budget": "gold",
        }
    )
    store.add_client(REFERENCE_CLIENTS[4])
    result = _tick(platform, instance)
    assert [r.partition_key for r in result.run_requests] == ["tacoloco"]
    failed = {r.business_name[:10]: r.last_error for r in store.list_clients(status="failed")}
    assert "color: is required" in failed["No Colour"]
    assert "goal: is 1048576 characters; the limit is 200" in failed["Huge"]
    bad = failed["<img src=x"]
    assert "business_name: contains markup" in bad and "budget:" in bad


def test_retried_client_gets_a_new_run_key(platform, store, instance):
    store.add_client(REFERENCE_CLIENTS[0])
    first = _tick(platform, instance)
    # The daemon applies the partition requests of a tick; evaluate_tick only returns them.
    instance.add_dynamic_partitions("clients", first.dynamic_partitions_requests[0].partition_keys)
    store.mark_failed("fittrack", "boom")
    platform.control.retry(slugs=["fittrack"])
    second = _tick(platform, instance)
    keys = [r.run_key.split(":claim-")[0] for r in first.run_requests + second.run_requests]
    assert keys == ["fittrack:attempt-1", "fittrack:attempt-2"]
    # The partition exists already: the daemon skips it (it looks each key up before adding).
    assert second.dynamic_partitions_requests[0].partition_keys == ["fittrack"]


def test_client_set_back_to_pending_by_hand_is_processed_again(platform, store, instance):
    """Same attempt number, new claim: a new run key, and the old run's outcome is not written back."""
    store.add_client(REFERENCE_CLIENTS[0])
    first = _tick(platform, instance)
    instance.add_dynamic_partitions("clients", first.dynamic_partitions_requests[0].partition_keys)
    old = platform.definitions.resolve_job_def("client_package_job").execute_in_process(
        partition_key="fittrack", instance=instance, tags=first.run_requests[0].tags
    )
    assert old.success
    platform.control.write_back(instance, instance.get_run_by_id(old.run_id))
    assert store.get("fittrack").status == "completed"

    # A person sets the row back to pending in the table editor, attempt unchanged.
    store._update_client(store.get("fittrack").id, {"status": "pending"}, "set back to pending")
    second = _tick(platform, instance)
    assert [r.partition_key for r in second.run_requests] == ["fittrack"]
    assert second.run_requests[0].run_key != first.run_requests[0].run_key
    assert second.run_requests[0].tags["deznity/attempt"] == "1"
    # Until the new run exists, reconciliation must not hand the client the old run's result.
    assert platform.control.reconcile(instance, claim_timeout_seconds=600) == {}
    assert store.get("fittrack").status == "in_progress"


def _queued_run(instance: dg.DagsterInstance, tags: dict[str, str] | None = None) -> dg.DagsterRun:
    """A run waiting in the queue, as the daemon leaves it until max_concurrent_runs lets it start."""
    from dagster._core.remote_origin import GrpcServerCodeLocationOrigin, RemoteJobOrigin, RemoteRepositoryOrigin

    location = GrpcServerCodeLocationOrigin(host="127.0.0.1", port=4000, location_name="deznity")
    origin = RemoteJobOrigin(RemoteRepositoryOrigin(location, "__repository__"), "client_package_job")
    run = dg.DagsterRun(
        job_name="client_package_job", status=dg.DagsterRunStatus.QUEUED, tags=tags or {}, remote_job_origin=origin
    )
    return instance.add_run(run)


def test_a_tick_tops_the_run_queue_up_to_the_limit(platform, store, instance):
    platform = platform.with_resources(lifecycle=LifecycleResource(max_runs_per_tick=4))
    for brief in REFERENCE_CLIENTS:
        store.add_client(brief)
    # Three runs already wait in Dagster's queue: one more fits.
    for _ in range(3):
        _queued_run(instance)
    first = _tick(platform, instance)
    assert [r.partition_key for r in first.run_requests] == ["fittrack"]
    _queued_run(instance)
    full = _tick(platform, instance)
    assert full.run_requests == [] and "the run queue is full (4 runs waiting)" in full.skip_message
    assert len(store.list_clients(status="pending")) == 4  # nothing claimed while the queue is full


def test_a_queued_run_is_never_failed_as_overdue(platform, store, instance):
    store.add_client(REFERENCE_CLIENTS[0])
    first = _tick(platform, instance)
    request = first.run_requests[0]
    run = _queued_run(instance, {**request.tags, "dagster/partition": "fittrack"})
    # An hour-long wait in the queue is no dead run: reconciliation leaves it alone.
    assert platform.control.reconcile(instance, claim_timeout_seconds=0, max_run_seconds=0) == {}
    assert instance.get_run_by_id(run.run_id).status == dg.DagsterRunStatus.QUEUED
    assert store.get("fittrack").status == "in_progress"

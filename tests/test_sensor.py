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
    assert not second.dynamic_partitions_requests  # the partition exists already


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

"""The project's instance class: Dagster's, remembering for a few seconds which partitions exist."""

from __future__ import annotations

import pytest

from deznity_assets import instance as instance_module
from deznity_assets.defs.partitions import CLIENTS
from deznity_assets.instance import PARTITION_MEMORY_SECONDS, DeznityInstance
from deznity_assets.platform import Platform


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    now = [1000.0]
    monkeypatch.setattr(instance_module.time, "monotonic", lambda: now[0])
    return now


def test_the_project_instance_is_deznity_instance(platform: Platform) -> None:
    with platform.instance() as instance:
        assert isinstance(instance, DeznityInstance)
        assert instance.get_ref().custom_instance_class_data.class_name == "DeznityInstance"


def test_a_partition_seen_is_remembered_for_a_few_seconds_then_asked_again(
    platform: Platform, clock: list[float]
) -> None:
    with platform.instance() as instance:
        storage = instance.event_log_storage
        asked: list[str] = []
        original = storage.has_dynamic_partition

        def counting(name: str, key: str) -> bool:
            asked.append(key)
            return original(name, key)

        storage.has_dynamic_partition = counting  # type: ignore[method-assign]
        instance.add_dynamic_partitions(CLIENTS, ["acme"])
        assert all(instance.has_dynamic_partition(CLIENTS, "acme") for _ in range(50))
        assert asked == ["acme"]

        # Deleted by another process (straight in the storage): still remembered, then asked again.
        storage.delete_dynamic_partition(CLIENTS, "acme")
        clock[0] += PARTITION_MEMORY_SECONDS - 1
        assert instance.has_dynamic_partition(CLIENTS, "acme")
        clock[0] += 2
        assert not instance.has_dynamic_partition(CLIENTS, "acme")
        assert asked == ["acme", "acme"]


def test_a_missing_partition_is_never_remembered(platform: Platform, clock: list[float]) -> None:
    with platform.instance() as instance:
        assert not instance.has_dynamic_partition(CLIENTS, "new-client")
        instance.event_log_storage.add_dynamic_partitions(CLIENTS, ["new-client"])
        assert instance.has_dynamic_partition(CLIENTS, "new-client")


def test_deleting_through_the_instance_forgets_at_once(platform: Platform, clock: list[float]) -> None:
    with platform.instance() as instance:
        instance.add_dynamic_partitions(CLIENTS, ["acme", "other"])
        assert instance.has_dynamic_partition(CLIENTS, "acme")
        instance.delete_dynamic_partition(CLIENTS, "acme")
        assert not instance.has_dynamic_partition(CLIENTS, "acme")
        assert instance.has_dynamic_partition(CLIENTS, "other")

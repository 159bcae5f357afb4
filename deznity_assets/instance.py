"""The project's Dagster instance class (dagster.yaml `instance_class`): Dagster's, with a short memory of partitions.

A client's run asks the instance whether its own partition exists about 240 times: twice for
every input a step loads, once for every output and asset check, each time a query. That was a
sixth of a run's CPU while each query opened a new SQLite connection; with the pooled storage
(instance_storage.py, this class's default) it is about 0.24 s of a 4.9 s run under cProfile, and
a network round trip each on PostgreSQL. A partition seen to exist is taken to still exist for
`PARTITION_MEMORY_SECONDS`; deleting one through the instance forgets it at once, and a partition
not (yet) found is asked about again every time.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import dagster as dg

# Short enough that a long-lived process (the daemon, the webserver) sees a partition deleted by
# another process within a poll, long enough to cover a run.
PARTITION_MEMORY_SECONDS = 30.0
# Past this many remembered partitions, the expired ones are dropped (a daemon sees every client).
_PRUNE_ABOVE = 10_000


class DeznityInstance(dg.DagsterInstance):
    """Dagster's instance, remembering for a few seconds which dynamic partitions exist."""

    @classmethod
    def config_schema(cls) -> Mapping[str, Any]:
        """No settings of its own beyond the instance's (Dagster asks a custom instance class)."""
        return {}

    @staticmethod
    def config_defaults(base_dir: str) -> Mapping[str, Any]:
        """A plain instance's defaults, its SQLite storage keeping connections open (Dagster asks a custom class)."""
        import json

        from dagster._core.instance.ref import InstanceRef
        from dagster._serdes import ConfigurableClassData

        # Only the default (JSON is YAML): a dagster.yaml naming its storage (Postgres in deploy/) gets that storage.
        return {
            **InstanceRef.config_defaults(base_dir),
            "storage": ConfigurableClassData(
                "deznity_assets.instance_storage", "DeznitySqliteStorage", json.dumps({"base_dir": base_dir})
            ),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._partitions_seen: dict[tuple[str, str], float] = {}

    def has_dynamic_partition(self, partitions_def_name: str, partition_key: str) -> bool:
        """Whether the partition exists: remembered for a few seconds once it did."""
        key = (partitions_def_name, partition_key)
        now = time.monotonic()
        if self._partitions_seen.get(key, 0.0) > now:
            return True
        exists = super().has_dynamic_partition(partitions_def_name, partition_key)
        if exists:
            if len(self._partitions_seen) >= _PRUNE_ABOVE:
                self._partitions_seen = {k: until for k, until in self._partitions_seen.items() if until > now}
            self._partitions_seen[key] = now + PARTITION_MEMORY_SECONDS
        else:
            self._partitions_seen.pop(key, None)
        return exists

    def delete_dynamic_partition(self, partitions_def_name: str, partition_key: str) -> None:
        """Delete the partition and forget that it existed."""
        self._partitions_seen.pop((partitions_def_name, partition_key), None)
        super().delete_dynamic_partition(partitions_def_name, partition_key)

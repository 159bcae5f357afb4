"""The Dagster code location: assets, job, sensors, resources and executor in one place."""

from __future__ import annotations

from functools import lru_cache

import dagster as dg

from .assets import ALL_ASSETS
from .assets.partitions import clients_partitions
from .resources import resources_from_settings
from .sensors import build_sensors
from .settings import Settings

JOB_NAME = "client_package_job"


@lru_cache(maxsize=8)
def build_definitions(settings: Settings) -> dg.Definitions:
    """Definitions wired to `settings` (the code location uses the environment's)."""
    job = dg.define_asset_job(
        JOB_NAME,
        selection=dg.AssetSelection.assets(*ALL_ASSETS),
        partitions_def=clients_partitions,
        description="Every deliverable of one client, from brief to bootstrap summary.",
    )
    return dg.Definitions(
        assets=ALL_ASSETS,
        jobs=[job],
        sensors=build_sensors(settings, job),
        resources=resources_from_settings(settings),
        # In-process: a client's steps are small and sequential, and a subprocess per step
        # costs seconds each on 2 cores (design.md); concurrency comes from runs, not steps.
        executor=dg.in_process_executor,
    )


defs = build_definitions(Settings.from_env())

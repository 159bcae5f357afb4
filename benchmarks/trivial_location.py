"""The yardstick of benchmarks/daemon_throughput.py: a trivial 7-asset partitioned job fed by a sensor.

Shaped like Deznity's client graph (dynamic partitions, a chain of 7 assets, the in-process
executor, a sensor that adds partitions and requests one run each, at most 10 per tick), with no
work in the assets, so the daemon, the run launcher and Dagster's own bookkeeping are all it costs.
"""

from __future__ import annotations

import os

import dagster as dg

ITEMS = dg.DynamicPartitionsDefinition(name="items")
RUNS = int(os.environ.get("TRIVIAL_RUNS", "30"))
PER_TICK = 10


def _chain() -> list[dg.AssetsDefinition]:
    assets = []
    previous: dg.AssetsDefinition | None = None
    for i in range(7):
        deps = [previous] if previous is not None else []

        @dg.asset(name=f"step_{i}", partitions_def=ITEMS, deps=deps)
        def _step() -> int:
            return 1

        assets.append(_step)
        previous = _step
    return assets


ASSETS = _chain()
JOB = dg.define_asset_job("trivial_job", selection=dg.AssetSelection.assets(*ASSETS), partitions_def=ITEMS)


@dg.sensor(job=JOB, minimum_interval_seconds=5, default_status=dg.DefaultSensorStatus.RUNNING)
def trivial_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult:
    """Request the next runs (at most 10 a tick, as Deznity's intake), adding their partitions."""
    done = int(context.cursor or 0)
    keys = [f"item-{i}" for i in range(done, min(RUNS, done + PER_TICK))]
    context.update_cursor(str(done + len(keys)))
    return dg.SensorResult(
        run_requests=[dg.RunRequest(run_key=key, partition_key=key) for key in keys],
        dynamic_partitions_requests=[ITEMS.build_add_request(keys)] if keys else [],
    )


defs = dg.Definitions(assets=ASSETS, jobs=[JOB], sensors=[trivial_sensor], executor=dg.in_process_executor)

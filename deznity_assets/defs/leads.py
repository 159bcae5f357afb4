"""Leads in Dagster: an external asset per client partition, materialized by a sensor when new leads arrive.

No run computes leads: the site API writes them to the store. `leads_sensor` reports a materialization of
the `leads` asset for each client partition that received leads, with its figures as metadata
(leads_7d, leads_total, spam_total), so the asset's page plots each client's leads over time.
"""

from __future__ import annotations

from collections.abc import Mapping

import dagster as dg

from ..resources import ClientStoreResource, OutputResource, control_plane
from ..site_api.activity import lead_activity
from .partitions import CLIENTS, clients_partitions

LEADS_ASSET = dg.AssetKey("leads")
LEADS_SECONDS = 30
# Where `deznity autonomous --once` keeps its own cursor (Dagster's key-value storage of the instance).
CLI_CURSOR_KEY = "deznity/leads_cursor"

leads_asset = dg.AssetSpec(
    LEADS_ASSET,
    partitions_def=clients_partitions,
    group_name="site_api",
    description="What visitors send through the forms of each client's published site (the leads table, written "
    "by the site API). Materialized by leads_sensor when new leads arrive, without a run: leads_7d, leads_total "
    "and spam_total in each materialization's metadata plot a client's leads over time. `deznity leads` lists them.",
    metadata={"dagster/table_name": "leads"},
)


def lead_materializations(
    instance: dg.DagsterInstance, figures: Mapping[str, Mapping[str, int]]
) -> list[dg.AssetMaterialization]:
    """One materialization of `leads` per client partition with new leads; slugs with no partition are skipped."""
    return [
        dg.AssetMaterialization(
            asset_key=LEADS_ASSET,
            partition=slug,
            metadata={name: dg.MetadataValue.int(int(value)) for name, value in figure.items()},
        )
        for slug, figure in sorted(figures.items())
        if instance.has_dynamic_partition(CLIENTS, slug)
    ]


@dg.sensor(
    name="leads_sensor",
    minimum_interval_seconds=LEADS_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Reports a materialization of the leads asset for each client whose site received leads (leads_7d, "
    "leads_total, spam_total), without launching a run, and rebuilds the dashboard.",
)
def leads_sensor(
    context: dg.SensorEvaluationContext, store: ClientStoreResource, output: OutputResource
) -> dg.SensorResult:
    """Materialize `leads` for the client partitions with leads newer than the cursor."""
    activity = lead_activity(store.get_store(), context.cursor)
    if not activity.figures:
        return dg.SensorResult(skip_reason="no new leads", cursor=activity.cursor)
    events = lead_materializations(context.instance, activity.figures)
    # The dashboard's leads section is drawn from the store: redrawn when leads arrive, not only on status changes.
    control_plane(store, output).refresh_portfolio()
    context.log.info(f"{activity.new_leads} new leads for {len(activity.figures)} clients")
    return dg.SensorResult(asset_events=list(events), cursor=activity.cursor)


def report_leads(instance: dg.DagsterInstance, store: ClientStoreResource) -> int:
    """What leads_sensor does, for a CLI pass: report the clients with new leads; returns how many were reported."""
    cursor = instance.run_storage.get_cursor_values({CLI_CURSOR_KEY}).get(CLI_CURSOR_KEY)
    activity = lead_activity(store.get_store(), cursor)
    events = lead_materializations(instance, activity.figures)
    for event in events:
        instance.report_runless_asset_event(event)
    if activity.cursor and activity.cursor != cursor:
        instance.run_storage.set_cursor_values({CLI_CURSOR_KEY: activity.cursor})
    return len(events)

"""Leads in Dagster: the external `leads` asset per client partition, materialized by leads_sensor and CLI passes."""

from __future__ import annotations

import json
from datetime import timedelta

import dagster as dg

from deznity_assets.brief import REFERENCE_CLIENTS
from deznity_assets.defs.leads import LEADS_ASSET
from deznity_assets.defs.partitions import CLIENTS
from deznity_assets.runner import report_new_leads
from deznity_assets.site_api.activity import TIE_SECONDS, lead_activity
from deznity_assets.store.rows import utcnow
from tests.plugins.lead_rows import add_lead, published_client


def test_activity_reports_each_client_with_new_leads_once(client_store):
    assert lead_activity(client_store, None).figures == {}
    taco = published_client(client_store)
    tech = published_client(client_store, REFERENCE_CLIENTS[2])
    now = utcnow()
    add_lead(client_store, taco, created_at=now - timedelta(days=9))
    add_lead(client_store, taco, created_at=now - timedelta(minutes=5))
    add_lead(client_store, taco, "contact", created_at=now - timedelta(minutes=4), spam=True)
    add_lead(client_store, tech, "contact", created_at=now - timedelta(minutes=3))
    first = lead_activity(client_store, None, now=now)
    assert first.figures == {
        "tacoloco": {"leads_7d": 1, "leads_total": 2, "spam_total": 1},
        "techstart": {"leads_7d": 1, "leads_total": 1, "spam_total": 0},
    }
    assert first.new_leads == 4
    # Nothing new: nothing reported, the cursor kept.
    quiet = lead_activity(client_store, first.cursor, now=now)
    assert quiet.figures == {} and quiet.cursor == first.cursor
    # A new lead reports its client only, with the figures recounted.
    add_lead(client_store, tech, "newsletter", created_at=now - timedelta(minutes=1))
    second = lead_activity(client_store, first.cursor, now=now)
    assert second.figures == {"techstart": {"leads_7d": 2, "leads_total": 2, "spam_total": 0}}
    assert second.new_leads == 1
    # A lead stamped a moment before the newest but committed after it (two requests in flight) is seen once.
    late = add_lead(client_store, taco, created_at=second.newest - timedelta(seconds=TIE_SECONDS / 2))
    third = lead_activity(client_store, second.cursor, now=now)
    assert third.figures == {"tacoloco": {"leads_7d": 2, "leads_total": 3, "spam_total": 1}}
    assert late["id"] in json.loads(third.cursor)["ids"]
    assert lead_activity(client_store, third.cursor, now=now).figures == {}


def _tick(platform, instance, cursor=None):
    sensor = platform.definitions.resolve_sensor_def("leads_sensor")
    with dg.build_sensor_context(
        instance_ref=instance.get_ref(), definitions=platform.definitions, resources=platform.resources, cursor=cursor
    ) as context:
        return sensor.evaluate_tick(context)


def test_the_sensor_materializes_each_client_partition_without_a_run(platform, store, instance):
    graph = platform.definitions.resolve_asset_graph()
    node = graph.get(LEADS_ASSET)
    assert node.partitions_def.name == CLIENTS and not node.is_executable  # external: no run computes it
    assert node.description and node.group_name == "site_api"

    quiet = _tick(platform, instance)
    assert quiet.skip_message == "no new leads" and not quiet.asset_events

    taco = published_client(store)
    tech = published_client(store, REFERENCE_CLIENTS[2])
    instance.add_dynamic_partitions(CLIENTS, ["tacoloco", "techstart"])
    add_lead(store, taco)
    add_lead(store, taco, "contact", spam=True)
    add_lead(store, tech, "contact")
    result = _tick(platform, instance)
    events = {e.partition: e for e in result.asset_events}
    assert set(events) == {"tacoloco", "techstart"}
    assert all(e.asset_key == LEADS_ASSET for e in events.values())
    assert {k: v.value for k, v in events["tacoloco"].metadata.items()} == {
        "leads_7d": 1,
        "leads_total": 1,
        "spam_total": 1,
    }
    assert instance.get_runs_count() == 0  # reported, not run
    # The dashboard is redrawn with the leads.
    page = (platform.output_dir / "index.html").read_text("utf-8")
    assert "2 leads from the sites' forms" in page

    assert _tick(platform, instance, result.cursor).asset_events in ([], None)
    add_lead(store, taco)
    again = _tick(platform, instance, result.cursor)
    assert [(e.partition, e.metadata["leads_total"].value) for e in again.asset_events] == [("tacoloco", 2)]

    # A client without a partition (its row typed in, never claimed) is left out rather than failing the tick.
    other = published_client(store, REFERENCE_CLIENTS[0])
    add_lead(store, other)
    assert [e.partition for e in _tick(platform, instance, again.cursor).asset_events] == []


def test_a_cli_pass_reports_the_leads_to_the_instance(platform, store, instance):
    taco = published_client(store)
    instance.add_dynamic_partitions(CLIENTS, ["tacoloco"])
    add_lead(store, taco)
    add_lead(store, taco)
    assert report_new_leads(platform, instance) == 1
    records = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=LEADS_ASSET, asset_partitions=["tacoloco"]), limit=10
    ).records
    assert len(records) == 1
    materialization = records[0].asset_materialization
    assert materialization.metadata["leads_total"].value == 2 and materialization.metadata["leads_7d"].value == 2
    assert "2 leads from the sites' forms" in (platform.output_dir / "index.html").read_text("utf-8")
    assert report_new_leads(platform, instance) == 0  # the cursor kept in the instance: nothing new
    add_lead(store, taco)
    assert report_new_leads(platform, instance) == 1
    latest = instance.fetch_materializations(dg.AssetRecordsFilter(asset_key=LEADS_ASSET), limit=1).records[0]
    assert latest.asset_materialization.metadata["leads_total"].value == 3

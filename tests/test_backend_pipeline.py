"""The whole pipeline on the production backends: migrated PostgreSQL, Supabase REST and Pinecone."""

from __future__ import annotations

import dataclasses

import dagster as dg

from deznity_assets.brief import REFERENCE_CLIENTS
from deznity_assets.definitions import JOB_NAME, build_definitions
from deznity_assets.lifecycle import write_back
from deznity_assets.memory import memory_from_env
from deznity_assets.runner import run_client
from deznity_assets.store.select import store_from_settings


def test_sensor_and_pipeline_on_migrated_postgres(migrated_postgres_url, settings, instance, monkeypatch):
    monkeypatch.setenv("DEZNITY_DATABASE_URL", migrated_postgres_url)
    pg_settings = dataclasses.replace(settings, database_url=migrated_postgres_url)
    store = store_from_settings(pg_settings)
    assert store.backend == "postgresql"
    for brief in REFERENCE_CLIENTS[:2]:
        store.add_client(brief)
    store.insert_raw({"business_name": "Broken", "slug": "broken", "color": "#xyz"})
    defs = build_definitions(pg_settings)
    tick = defs.get_sensor_def("pending_clients_sensor").evaluate_tick(
        dg.build_sensor_context(instance_ref=instance.get_ref(), definitions=defs))
    assert sorted(r.partition_key for r in tick.run_requests) == ["fittrack", "greenglow"]
    assert store.get("broken").status == "failed" and "color:" in store.get("broken").last_error
    instance.add_dynamic_partitions("clients", tick.dynamic_partitions_requests[0].partition_keys)
    job = defs.resolve_job_def(JOB_NAME)
    for request in tick.run_requests:  # what the daemon does with the tick's requests
        result = job.execute_in_process(partition_key=request.partition_key, tags=request.tags, instance=instance)
        assert write_back(store, instance, instance.get_run_by_id(result.run_id)) == "completed"
    for slug in ("fittrack", "greenglow"):
        row = store.get(slug)
        assert row.status == "completed" and (pg_settings.output_dir / slug / "BOOTSTRAP_SUMMARY.md").exists()
        assert len(store.activities(slug)) >= 10


def test_pipeline_on_supabase_rest_and_pinecone(postgrest_server, pinecone_plane, settings, instance, monkeypatch):
    for key, value in {"SUPABASE_URL": postgrest_server.url, "SUPABASE_SERVICE_ROLE_KEY": postgrest_server.service_role_key,
                       "PINECONE_API_KEY": pinecone_plane.api_key, "PINECONE_HOST": pinecone_plane.host}.items():
        monkeypatch.setenv(key, value)
    store = store_from_settings(settings)
    assert store.backend == "supabase"
    row = store.add_client(REFERENCE_CLIENTS[4])
    outcome = run_client(store.claim_client(row.slug), settings, instance)
    assert outcome.status == "completed", outcome.error
    assert store.get("tacoloco").status == "completed"
    assert store.project_for_run(outcome.run_id)["status"] == "completed"
    memory = memory_from_env()
    assert memory.describe()["backend"] == "pinecone"
    assert memory.stats("client-tacoloco").count >= 7  # every agent's decision
    assert memory.stats("deznity-core").count > 0  # the house knowledge, seeded on first use
    summary = (settings.output_dir / "tacoloco" / "BOOTSTRAP_SUMMARY.md").read_text()
    assert "- `project_plan`: SOP" in summary

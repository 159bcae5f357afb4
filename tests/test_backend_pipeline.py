"""The whole pipeline on the production backends: migrated PostgreSQL, Supabase REST and Pinecone."""

from __future__ import annotations

import dagster as dg

from deznity_assets.brief import REFERENCE_CLIENTS
from deznity_assets.definitions import JOB_NAME
from deznity_assets.resources import ClientStoreResource, MemoryResource, OpenAIResource
from deznity_assets.runner import run_client


def test_sensor_and_pipeline_on_migrated_postgres(migrated_postgres_url, platform, instance):
    pg = platform.with_resources(store=ClientStoreResource(database_url=migrated_postgres_url))
    store = pg.store
    assert store.backend == "postgresql"
    for brief in REFERENCE_CLIENTS[:2]:
        store.add_client(brief)
    store.insert_raw({"business_name": "Broken", "slug": "broken", "color": "#xyz"})
    defs = pg.definitions
    with dg.build_sensor_context(instance_ref=instance.get_ref(), definitions=defs, resources=pg.resources) as context:
        tick = defs.resolve_sensor_def("pending_clients_sensor").evaluate_tick(context)
    assert sorted(r.partition_key for r in tick.run_requests) == ["fittrack", "greenglow"]
    assert store.get("broken").status == "failed" and "color:" in store.get("broken").last_error
    instance.add_dynamic_partitions("clients", tick.dynamic_partitions_requests[0].partition_keys)
    job = defs.resolve_job_def(JOB_NAME)
    for request in tick.run_requests:  # what the daemon does with the tick's requests
        result = job.execute_in_process(partition_key=request.partition_key, tags=request.tags, instance=instance)
        assert pg.control.write_back(instance, instance.get_run_by_id(result.run_id)) == "completed"
    for slug in ("fittrack", "greenglow"):
        row = store.get(slug)
        assert row.status == "completed" and (pg.output_dir / slug / "BOOTSTRAP_SUMMARY.md").exists()
        assert len(store.activities(slug)) >= 10


def test_pipeline_on_supabase_rest_and_pinecone(postgrest_server, pinecone_plane, platform, instance, tmp_path):
    remote = platform.with_resources(
        store=ClientStoreResource(
            supabase_url=postgrest_server.url, supabase_service_role_key=postgrest_server.service_role_key
        ),
        memory=MemoryResource(
            pinecone_api_key=pinecone_plane.api_key,
            pinecone_host=pinecone_plane.host,
            openai=OpenAIResource(),
            memory_dir=str(tmp_path / "unused"),
        ),
    )
    store = remote.store
    assert store.backend == "supabase"
    row = remote.control.add_client(REFERENCE_CLIENTS[4])
    outcome = run_client(remote.control.claim_client(row.slug), remote, instance)
    assert outcome.status == "completed", outcome.error
    assert store.get("tacoloco").status == "completed"
    assert store.project_for_run(outcome.run_id)["status"] == "completed"
    memory = remote.resources["memory"].get_memory()
    assert memory.describe()["backend"] == "pinecone"
    assert memory.stats("client-tacoloco").count >= 7  # every agent's decision
    assert memory.stats("deznity-core").count > 0  # the house knowledge, seeded on first use
    summary = (remote.output_dir / "tacoloco" / "BOOTSTRAP_SUMMARY.md").read_text()
    assert "- `project_plan`: SOP" in summary
    assert not (tmp_path / "unused").exists()  # the embedded memory was never opened

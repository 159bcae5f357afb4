"""SupabaseClientStore through the real `supabase` SDK: keys, RLS, the claim RPC, selection, live project."""

from __future__ import annotations

import logging
import multiprocessing
import os
import time
import uuid

import httpx
import pytest

from deznity_assets.brief import REFERENCE_CLIENTS
from deznity_assets.resources import ClientStoreResource
from deznity_assets.store.supabase_rest import SupabaseClientStore, SupabaseStoreError, key_role
from tests.servers.postgrest import make_key

TACO = REFERENCE_CLIENTS[4]


def test_requests_go_through_postgrest_with_service_role(postgrest_server):
    store = SupabaseClientStore(postgrest_server.url, postgrest_server.service_role_key)
    row = store.add_client(TACO)
    assert store.claim_pending(5)[0].id == row.id
    methods = {(m, p.split("?")[0]) for m, p in postgrest_server.requests}
    assert ("POST", "/rest/v1/clients") in methods
    assert ("POST", "/rest/v1/rpc/claim_pending_clients") in methods
    assert postgrest_server.service_role_key not in repr(store)


def test_anon_key_is_refused_with_a_fix(postgrest_server, caplog):
    admin = SupabaseClientStore(postgrest_server.url, postgrest_server.service_role_key)
    admin.add_client(TACO)
    with caplog.at_level(logging.WARNING):
        anon = SupabaseClientStore.connect(postgrest_server.url, anon_key=postgrest_server.anon_key)
    assert "SUPABASE_SERVICE_ROLE_KEY" in caplog.text
    assert postgrest_server.anon_key not in caplog.text
    with pytest.raises(SupabaseStoreError, match="SUPABASE_SERVICE_ROLE_KEY"):
        anon.list_clients()
    with pytest.raises(SupabaseStoreError, match="service_role"):
        anon.claim_pending(1)
    assert [r.status for r in admin.list_clients()] == ["pending"]  # anon claimed nothing


def test_gateway_rejects_missing_or_forged_keys(postgrest_server):
    url = f"{postgrest_server.url}/rest/v1/clients?select=*"
    assert httpx.get(url).status_code == 401
    forged = make_key("some-other-secret-that-is-long-enough!!", "service_role")
    response = httpx.get(url, headers={"apikey": forged, "Authorization": f"Bearer {forged}"})
    assert response.status_code == 401 and response.json()["code"] == "PGRST301"
    anon = postgrest_server.anon_key
    response = httpx.get(url, headers={"apikey": anon, "Authorization": f"Bearer {anon}"})
    assert response.status_code == 401 and response.json()["code"] == "42501"


def test_missing_tables_are_explained(postgrest_server, postgres_url):
    from tests.plugins.postgres import libpq_url
    from tests.servers.postgrest import PostgrestServer

    with PostgrestServer(libpq_url(postgres_url)) as empty:
        store = SupabaseClientStore(empty.url, empty.service_role_key)
        with pytest.raises(SupabaseStoreError, match="supabase/migrations"):
            store.create_tables()
    SupabaseClientStore(postgrest_server.url, postgrest_server.service_role_key).create_tables()


def test_key_roles_and_env_errors():
    assert key_role(make_key("s" * 40, "service_role")) == "service_role"
    assert key_role(make_key("s" * 40, "anon")) == "anon"
    assert key_role("sb_secret_abc") == "service_role" and key_role("sb_publishable_abc") == "anon"
    assert key_role("not a jwt") is None
    with pytest.raises(ValueError, match="SUPABASE_SERVICE_ROLE_KEY"):
        SupabaseClientStore.connect("http://127.0.0.1:9")


def test_store_resource_prefers_supabase(postgrest_server, platform):
    store = ClientStoreResource(
        database_url="sqlite:///unused.db",
        supabase_url=postgrest_server.url,
        supabase_service_role_key=postgrest_server.service_role_key,
    ).open_store()
    assert isinstance(store, SupabaseClientStore) and store.backend == "supabase"
    assert store.add_client(TACO).slug == "tacoloco"


def test_list_clients_pages_past_the_row_limit(postgrest_server, monkeypatch):
    import deznity_assets.store.supabase_rest as module

    monkeypatch.setattr(module, "PAGE_SIZE", 4)
    store = SupabaseClientStore(postgrest_server.url, postgrest_server.service_role_key)
    ids = [store.insert_raw({"business_name": f"Row {i}"}).id for i in range(10)]
    assert [r.id for r in store.list_clients()] == ids


def _claim_over_rest(url: str, key: str, batch: int, start, out) -> None:
    store = SupabaseClientStore(url, key)
    start.wait()
    ids: list[str] = []
    while rows := store.claim_pending(batch):
        ids.extend(r.id for r in rows)
        time.sleep(0.002)
    out.put(ids)


def test_processes_claiming_over_rest_get_each_client_once(postgrest_server):
    import psycopg

    with psycopg.connect(postgrest_server.dsn, autocommit=True) as conn:
        expected = {
            str(r[0])
            for r in conn.execute(
                "INSERT INTO clients (business_name, slug) SELECT 'Client ' || g, 'client-' || g "
                "FROM generate_series(1, 200) g RETURNING id"
            )
        }
    ctx = multiprocessing.get_context("spawn")
    start, out = ctx.Event(), ctx.Queue()
    procs = [
        ctx.Process(
            target=_claim_over_rest, args=(postgrest_server.url, postgrest_server.service_role_key, 5, start, out)
        )
        for _ in range(4)
    ]
    for p in procs:
        p.start()
    time.sleep(1.0)
    start.set()
    results = [out.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=30)
        assert p.exitcode == 0
    claimed = [i for ids in results for i in ids]
    assert len(claimed) == len(set(claimed)) == 200 and set(claimed) == expected
    assert sum(1 for ids in results if ids) >= 2


@pytest.mark.skipif(
    not os.environ.get("SUPABASE_URL"),
    reason="live Supabase test: set SUPABASE_URL and "
    "SUPABASE_SERVICE_ROLE_KEY of a project with supabase/migrations applied",
)
def test_live_supabase_project_round_trip():
    store = SupabaseClientStore.connect(
        os.environ["SUPABASE_URL"], service_role_key=os.environ.get("SUPABASE_SERVICE_ROLE_KEY", "")
    )
    store.create_tables()
    name = f"Deznity Live Check {uuid.uuid4().hex[:6]}"
    row = store.add_client({**TACO, "business_name": name}, status="failed")
    try:
        assert store.get(row.slug).id == row.id
        project_id = store.start_project(row.slug, run_id=f"live-{row.id}", attempt=1)
        store.log_activity(
            client_id=row.id, project_id=project_id, agent="pm", action="live check", tokens_in=1, tokens_out=1
        )
        assert store.usage_totals(row.id)[0] == 2
    finally:
        assert store.delete_client(row.id)


def test_check_backends_on_supabase(postgrest_server, postgres_url, platform):
    from deznity_assets.store.doctor import check_store
    from tests.plugins.postgres import libpq_url
    from tests.servers.postgrest import PostgrestServer

    results = check_store(
        database_url="",
        supabase_url=postgrest_server.url,
        service_role_key=postgrest_server.service_role_key,
        anon_key=postgrest_server.anon_key,
    )
    assert [n for n, ok, _ in results if not ok] == []
    assert all(postgrest_server.service_role_key not in m for _, _, m in results)
    with PostgrestServer(libpq_url(postgres_url)) as empty:
        bad = {
            n: (ok, m)
            for n, ok, m in check_store(
                database_url="", supabase_url=empty.url, service_role_key=empty.service_role_key
            )
        }
    assert not bad["supabase clients table"][0] and "supabase/migrations" in bad["supabase clients table"][1]
    assert not bad["supabase claim function"][0]


def test_claims_over_rest_refuse_slugs_that_cannot_be_partitions(postgrest_server, tmp_path):
    import psycopg

    from deznity_assets.control.plane import ClaimError, ControlPlane

    store = SupabaseClientStore(postgrest_server.url, postgrest_server.service_role_key)
    with pytest.raises(SupabaseStoreError, match="clients_slug_check.*slug: use a-z, 0-9 and '-'"):
        store.insert_raw({**TACO, "slug": "../../x"})
    # A project that has not applied 20250601000300_clients_slug_check.sql yet.
    with psycopg.connect(postgrest_server.dsn, autocommit=True) as conn:
        conn.execute("ALTER TABLE clients DROP CONSTRAINT clients_slug_check")
    bad = store.insert_raw({**TACO, "slug": "../../x"})
    good = store.add_client(REFERENCE_CLIENTS[0])
    plane = ControlPlane(store, tmp_path / "output")
    result = plane.claim_pending(5)
    assert [r.id for r in result.ready] == [good.id] and [r.id for r in result.rejected] == [bad.id]
    assert store.get(bad.id).last_error == (
        "slug: '../../x' is not a valid slug; use a-z, 0-9 and '-' (at most 20), e.g. taco-loco"
    )
    spaced = store.insert_raw({**TACO, "slug": "Taco Loco"})
    with pytest.raises(ClaimError, match="slug: 'Taco Loco' is not a valid slug"):
        plane.claim_client(spaced.id)
    assert store.get(spaced.id).status == "failed"

"""The clients store on every backend (SQLite, PostgreSQL, Supabase REST), migrations, and concurrent claims."""

from __future__ import annotations

import multiprocessing
import time
from datetime import timedelta

import psycopg
import pytest
import sqlalchemy as sa

from deznity_assets.brief import REFERENCE_CLIENTS, BriefError
from deznity_assets.resources import ClientStoreResource
from deznity_assets.store import SqlClientStore, utcnow
from deznity_assets.store.base import ClientStore
from deznity_assets.store.schema import metadata
from deznity_assets.store.urls import normalize_database_url
from tests.plugins.postgres import libpq_url

TACO = REFERENCE_CLIENTS[4]


# ----- the behaviour suite, once per backend ---------------------------------------------------


def test_store_satisfies_the_protocol(client_store):
    assert isinstance(client_store, ClientStore)
    assert client_store.backend in {"sqlite", "postgresql", "supabase"}


def test_add_client_validates_and_gives_unique_slugs(client_store):
    first = client_store.add_client(TACO)
    second = client_store.add_client(TACO)
    assert (first.slug, second.slug) == ("tacoloco", "tacoloco-2")
    assert first.status == "pending" and first.attempt == 1
    assert first.fields["pages"] == "home, menu, book, blog"
    assert first.brief().business_name == "TacoLoco"
    with pytest.raises(BriefError, match="color"):
        client_store.add_client({**TACO, "color": "orange"})
    assert len(client_store.list_clients()) == 2


def test_insert_raw_get_and_list(client_store):
    raw = client_store.insert_raw({"business_name": "Raw Row", "color": "not-a-colour", "bogus": 1})
    assert raw.slug is None and raw.fields["color"] == "not-a-colour"
    assert client_store.get(raw.id).id == raw.id
    assert client_store.get("no-such-client") is None
    added = client_store.add_client(REFERENCE_CLIENTS[0])
    assert client_store.get(added.slug).id == added.id
    assert [r.id for r in client_store.list_clients()] == [raw.id, added.id]
    assert [r.id for r in client_store.list_clients(status="pending")] == [raw.id, added.id]
    assert client_store.list_clients(status="completed") == []
    assert raw.created_at.tzinfo is not None


def test_claim_pending_respects_limit_order_and_names_slugless_rows(client_store):
    for brief in REFERENCE_CLIENTS[:3]:
        client_store.add_client(brief)
        time.sleep(0.002)
    raw = client_store.insert_raw({"business_name": "Typed In Café"})
    claimed = client_store.claim_pending(2)
    assert [r.slug for r in claimed] == ["fittrack", "greenglow"]
    assert all(r.status == "in_progress" and r.claimed_at is not None for r in claimed)
    rest = client_store.claim_pending(10)
    assert [r.slug for r in rest] == ["techstart", "typed-in-cafe"]
    assert client_store.get(raw.id).slug == "typed-in-cafe"
    assert client_store.claim_pending(10) == []


def test_claim_client_starts_a_new_attempt_after_a_finished_one(client_store):
    row = client_store.add_client(TACO)
    claimed = client_store.claim_client(row.slug)
    assert claimed.status == "in_progress" and claimed.attempt == 1
    assert client_store.claim_client(row.slug) is None
    client_store.mark_failed(row.slug, "boom")
    again = client_store.claim_client(row.slug)
    assert again.attempt == 2 and again.last_error is None


def test_lifecycle_transitions(client_store):
    row = client_store.add_client(TACO)
    running = client_store.mark_in_progress(row.slug, run_id="run-1")
    assert (running.status, running.run_id) == ("in_progress", "run-1")
    assert running.claimed_at is not None
    client_store.mark_completed(row.slug, run_id="run-1")
    assert client_store.get(row.slug).status == "completed"
    client_store.mark_failed(row.slug, "line one\n  line two " + "x" * 5000, run_id="run-2")
    failed = client_store.get(row.slug)
    assert failed.status == "failed" and failed.run_id == "run-2"
    assert failed.last_error.startswith("line one line two") and len(failed.last_error) <= 2000
    requeued = client_store.requeue(row.slug, reason="retry asked")
    assert (requeued.status, requeued.attempt, requeued.run_id, requeued.claimed_at) == ("pending", 2, None, None)
    assert requeued.last_error == "retry asked"
    assert requeued.updated_at >= row.updated_at
    with pytest.raises(KeyError, match="nobody"):
        client_store.mark_completed("nobody", run_id=None)


def test_projects_tasks_activities_and_usage(client_store):
    row = client_store.add_client(TACO)
    project_id = client_store.start_project(row.slug, run_id="run-1", attempt=1)
    assert client_store.start_project(row.slug, run_id="run-1", attempt=1) == project_id
    client_store.log_task(
        project_id=project_id,
        phase="client_analysis",
        agent="pm",
        task="plan",
        status="completed",
        started_at=utcnow(),
        output_path="out/plan.json",
    )
    client_store.log_activity(
        client_id=row.id,
        project_id=project_id,
        agent="pm",
        action="plan",
        tokens_in=100,
        tokens_out=50,
        cost_usd=0.25,
        details={"note": "ok"},
    )
    client_store.log_activity(
        client_id=row.id, project_id=project_id, agent="seo", action="copy", tokens_in=10, tokens_out=5, cost_usd=0.05
    )
    client_store.log_activity(client_id=row.id, project_id=project_id, agent="qa", action="no tokens")
    tokens, cost = client_store.usage_totals(row.id)
    assert tokens == 165 and cost == pytest.approx(0.30)
    tasks = client_store.tasks_for_run("run-1")
    assert [(t["agent"], t["output_path"]) for t in tasks] == [("pm", "out/plan.json")]
    acts = client_store.activities(row.slug)
    assert [a["agent"] for a in acts] == ["pm", "seo", "qa"]
    client_store.update_project("run-1", phase="deployment", qa_score=93.5)
    client_store.finish_project("run-1", status="completed", blockers=["none"])
    project = client_store.project_for_run("run-1")
    assert project["status"] == "completed" and project["finished_at"] is not None
    assert project["phase"] == "deployment" and project["qa_score"] == 93.5
    assert project["blockers"] == '["none"]'
    assert client_store.latest_project(row.id)["id"] == project_id
    assert client_store.usage_totals("00000000-0000-0000-0000-000000000000") == (0, 0.0)


def test_stale_claims_and_delete(client_store):
    row = client_store.add_client(TACO)
    other = client_store.add_client(REFERENCE_CLIENTS[0])
    client_store.claim_pending(1)
    time.sleep(0.05)
    assert [r.id for r in client_store.stale_claims(timedelta(milliseconds=10))] == [row.id]
    assert client_store.stale_claims(timedelta(hours=1)) == []
    project_id = client_store.start_project(row.slug, run_id="run-9", attempt=1)
    client_store.log_activity(client_id=row.id, project_id=project_id, agent="pm", action="plan")
    assert client_store.delete_client(row.slug) is True
    assert client_store.delete_client(row.slug) is False
    assert client_store.get(row.id) is None and client_store.project_for_run("run-9") is None
    assert [r.id for r in client_store.list_clients()] == [other.id]


def _without_slug_check(client_store, request, tmp_path):
    """The backend's store over a clients table without clients_slug_check, as before that migration."""
    if client_store.backend == "postgresql":
        with client_store.engine.begin() as conn:
            conn.execute(sa.text("ALTER TABLE clients DROP CONSTRAINT clients_slug_check"))
        return client_store
    if client_store.backend == "supabase":
        with psycopg.connect(request.getfixturevalue("postgrest_server").dsn, autocommit=True) as conn:
            conn.execute("ALTER TABLE clients DROP CONSTRAINT clients_slug_check")
        return client_store
    # SQLite cannot drop a constraint: a database file whose tables were made without it.
    legacy = sa.MetaData()
    for table in metadata.sorted_tables:
        table.to_metadata(legacy)
    legacy.tables["clients"].constraints = {
        c for c in legacy.tables["clients"].constraints if getattr(c, "name", None) != "clients_slug_check"
    }
    url = f"sqlite:///{tmp_path / 'before-the-check.db'}"
    legacy.create_all(sa.create_engine(url))
    return SqlClientStore(url)


def test_claims_refuse_slugs_that_cannot_be_partitions(client_store, request, tmp_path):
    with pytest.raises(Exception, match="clients_slug_check"):
        client_store.insert_raw({**TACO, "slug": "../../x"})
    store = _without_slug_check(client_store, request, tmp_path)
    bad = store.insert_raw({**TACO, "slug": "../../x"})
    empty = store.insert_raw({**TACO, "slug": ""})
    good = store.add_client(REFERENCE_CLIENTS[0])
    claimed = {r.id: r for r in store.claim_pending(10)}
    assert claimed[good.id].status == "in_progress" and claimed[good.id].slug == "fittrack"
    fix = "use a-z, 0-9 and '-' (at most 20), e.g. taco-loco"
    assert (claimed[bad.id].status, claimed[bad.id].last_error) == (
        "failed",
        f"slug: '../../x' is not a valid slug; {fix}",
    )
    assert store.get(bad.id).status == "failed" and store.get(bad.id).last_error.startswith("slug: '../../x'")
    assert store.get(empty.id).status == "failed" and store.get(empty.id).last_error.startswith("slug: is empty")
    spaced = store.insert_raw({**TACO, "slug": "Taco Loco"})
    refused = store.claim_client(spaced.id)
    assert refused.status == "failed" and refused.last_error == f"slug: 'Taco Loco' is not a valid slug; {fix}"
    assert store.get(spaced.id).status == "failed"
    assert store.claim_pending(10) == []


# ----- migrations and the SQLAlchemy store -----------------------------------------------------


def test_slug_migration_fails_the_rows_it_cannot_keep_then_checks_slugs(postgres_server, postgres_url):
    from tests.plugins.postgres import SUPABASE_BOOTSTRAP_SQL, migration_files

    dbname = sa.engine.make_url(postgres_url).database
    files = migration_files()
    slug_check = next(p for p in files if p.name == "20250601000300_clients_slug_check.sql")
    before = files[: files.index(slug_check)]
    postgres_server.execute(SUPABASE_BOOTSTRAP_SQL, dbname)
    for path in before:
        postgres_server.execute(path.read_text(encoding="utf-8"), dbname)
    with psycopg.connect(libpq_url(postgres_url), autocommit=True) as conn:
        conn.execute(
            "INSERT INTO clients (business_name, slug, status) VALUES ('Traversal', '../../x', 'pending'), "
            "('Shouty', 'TacoLoco', 'completed'), ('Fine', 'fine-one', 'pending'), ('Nameless', NULL, 'pending')"
        )
    for _ in range(2):  # applying it again changes nothing
        postgres_server.execute(slug_check.read_text(encoding="utf-8"), dbname)
    with psycopg.connect(libpq_url(postgres_url), autocommit=True) as conn:
        rows = {r[0]: r[1:] for r in conn.execute("SELECT business_name, slug, status, last_error FROM clients")}
        assert rows["Fine"] == ("fine-one", "pending", None) and rows["Nameless"] == (None, "pending", None)
        assert rows["Traversal"][:2] == rows["Shouty"][:2] == (None, "failed")
        assert rows["Traversal"][2].startswith(
            "slug: '../../x' is not a valid slug; use a-z, 0-9 and '-' (at most 20), e.g. taco-loco"
        )
        assert rows["Shouty"][2].startswith("slug: 'TacoLoco' is not a valid slug")
        with pytest.raises(psycopg.errors.CheckViolation):
            conn.execute("INSERT INTO clients (business_name, slug) VALUES ('Again', '../y')")
        with pytest.raises(psycopg.errors.CheckViolation):
            conn.execute("UPDATE clients SET slug = 'Fine One' WHERE slug = 'fine-one'")


def test_sqlalchemy_store_on_the_migrated_database(migrated_postgres_url):
    store = SqlClientStore(migrated_postgres_url, create=False)
    try:
        row = store.add_client(TACO)
        assert [r.slug for r in store.claim_pending(5)] == [row.slug]
        store.mark_completed(row.slug, run_id="r1")
        assert store.get(row.slug).status == "completed"
    finally:
        store.dispose()


def test_migrations_match_the_sqlalchemy_schema(migrated_postgres_url, postgres_url):
    created = SqlClientStore(postgres_url)  # create_all on an empty database
    created.dispose()

    def shape(url: str) -> dict:
        inspector = sa.inspect(sa.create_engine(url))
        return {
            table: {
                "columns": {c["name"]: (str(c["type"]), c["nullable"]) for c in inspector.get_columns(table)},
                "pk": inspector.get_pk_constraint(table)["constrained_columns"],
                "fks": sorted(
                    (f["constrained_columns"][0], f["referred_table"], f["options"].get("ondelete"))
                    for f in inspector.get_foreign_keys(table)
                ),
                "indexes": sorted((i["name"], tuple(i["column_names"])) for i in inspector.get_indexes(table)),
                "unique": sorted(tuple(u["column_names"]) for u in inspector.get_unique_constraints(table)),
                "checks": sorted((c["name"], c["sqltext"]) for c in inspector.get_check_constraints(table)),
            }
            for table in metadata.tables
        }

    assert shape(migrated_postgres_url) == shape(postgres_url)


def test_migrated_database_enforces_status_defaults_trigger_and_rls(migrated_postgres_url):
    with psycopg.connect(libpq_url(migrated_postgres_url), autocommit=True) as conn:
        row = conn.execute(
            "INSERT INTO clients (business_name) VALUES ('Typed') RETURNING id, status, attempt, created_at, updated_at"
        ).fetchone()
        assert row[1:3] == ("pending", 1) and row[0] is not None
        with pytest.raises(psycopg.errors.CheckViolation):
            conn.execute("UPDATE clients SET status = 'done' WHERE id = %s", (row[0],))
        time.sleep(0.01)
        updated = conn.execute("UPDATE clients SET goal = 'x' WHERE id = %s RETURNING updated_at", (row[0],)).fetchone()
        assert updated[0] > row[4]
        rls = dict(
            conn.execute(
                "SELECT relname, relrowsecurity FROM pg_class WHERE relname IN "
                "('clients','projects','project_tasks','agent_activities')"
            ).fetchall()
        )
        assert rls == dict.fromkeys(["clients", "projects", "project_tasks", "agent_activities"], True)
        with conn.transaction():
            conn.execute("SET LOCAL ROLE anon")
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute("SELECT count(*) FROM clients")
        with conn.transaction():
            conn.execute("SET LOCAL ROLE authenticated")
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute("SELECT * FROM claim_pending_clients(1)")
        with conn.transaction():
            conn.execute("SET LOCAL ROLE service_role")
            claimed = conn.execute("SELECT id, status FROM claim_pending_clients(5)").fetchall()
        assert claimed == [(row[0], "in_progress")]


def test_store_resource_normalises_postgres_urls(migrated_postgres_url, platform):
    plain = migrated_postgres_url.replace("postgresql+psycopg://", "postgres://")
    assert normalize_database_url(plain) == migrated_postgres_url
    assert normalize_database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalize_database_url("sqlite:///x.db") == "sqlite:///x.db"
    store = ClientStoreResource(database_url=plain).open_store()
    try:
        assert store.backend == "postgresql" and store.list_clients() == []
    finally:
        store.dispose()
    sqlite_store = platform.resources["store"].open_store()
    assert sqlite_store.backend == "sqlite"
    sqlite_store.dispose()


# ----- several OS processes claiming from one table -------------------------------------------


def _claim_with_sqlalchemy(url: str, batch: int, ready, start, out) -> None:
    store = SqlClientStore(url, create=False)
    store.list_clients(status="in_progress")  # connect before the race starts
    ready.put(True)
    start.wait()
    ids: list[str] = []
    while rows := store.claim_pending(batch):
        ids.extend(r.id for r in rows)
        time.sleep(0.002)  # a worker does something between claims; lets the others interleave
    store.dispose()
    out.put(ids)


def _claim_with_rpc(dsn: str, batch: int, ready, start, out) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("SET ROLE service_role")
        ready.put(True)
        start.wait()
        ids: list[str] = []
        while rows := conn.execute("SELECT id FROM claim_pending_clients(%s)", (batch,)).fetchall():
            ids.extend(str(r[0]) for r in rows)
            time.sleep(0.002)
    out.put(ids)


def _seed_pending(url: str, count: int) -> set[str]:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        ids = (
            conn.execute(
                sa.text(
                    "INSERT INTO clients (id, business_name, status) "
                    "SELECT gen_random_uuid(), 'Client ' || g, 'pending' FROM generate_series(1, :n) g RETURNING id"
                ),
                {"n": count},
            )
            .scalars()
            .all()
        )
    engine.dispose()
    return {str(i) for i in ids}


@pytest.mark.parametrize("via", ["sqlalchemy", "rpc"])
def test_concurrent_processes_claim_each_client_exactly_once(migrated_postgres_url, via):
    expected = _seed_pending(migrated_postgres_url, 200)
    ctx = multiprocessing.get_context("spawn")
    ready, start, out = ctx.Queue(), ctx.Event(), ctx.Queue()
    target, arg = (
        (_claim_with_sqlalchemy, migrated_postgres_url)
        if via == "sqlalchemy"
        else (_claim_with_rpc, libpq_url(migrated_postgres_url))
    )
    procs = [ctx.Process(target=target, args=(arg, 3, ready, start, out)) for _ in range(4)]
    for p in procs:
        p.start()
    for _ in procs:  # every process connected and waiting: on a loaded machine spawning takes seconds
        ready.get(timeout=120)
    start.set()
    results = [out.get(timeout=60) for _ in procs]
    for p in procs:
        p.join(timeout=30)
        assert p.exitcode == 0
    claimed = [i for ids in results for i in ids]
    assert len(claimed) == len(set(claimed)) == 200
    assert set(claimed) == expected
    assert sum(1 for ids in results if ids) >= 2, "the claims were not actually concurrent"


def test_claim_function_never_claims_more_than_max_count(migrated_postgres_url):
    _seed_pending(migrated_postgres_url, 6)
    with psycopg.connect(libpq_url(migrated_postgres_url), autocommit=True) as conn:
        conn.execute("ANALYZE clients")
        conn.execute("SET ROLE service_role")
        sizes = [len(conn.execute("SELECT id FROM claim_pending_clients(%s)", (n,)).fetchall()) for n in (2, 0, 3, 5)]
    assert sizes == [2, 0, 3, 1]


def test_check_backends_on_sql_databases(migrated_postgres_url, postgres_url, platform):
    from deznity_assets.store.doctor import check_store

    migrated = {n: (ok, m) for n, ok, m in check_store(database_url=migrated_postgres_url)}
    assert all(ok for ok, _ in migrated.values()) and "present" in migrated["database claim function"][1]
    assert migrated["database slug check"][1].startswith("clients_slug_check refuses")
    empty = {n: (ok, m) for n, ok, m in check_store(database_url=postgres_url)}
    assert empty["database"][0] and not empty["database schema"][0]
    assert "supabase/migrations" in empty["database schema"][1]
    down = check_store(database_url="postgresql://u:secret@127.0.0.1:1/x")
    assert down[0][:2] == ("database", False) and "secret" not in down[0][2] and "DEZNITY_DATABASE_URL" in down[0][2]

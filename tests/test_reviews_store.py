"""The store side of the human review gate on every backend: needs_review, claim_reviewed, the reviews table."""

from __future__ import annotations

import json
import threading
import uuid
from datetime import datetime
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import sqlite
from sqlalchemy.schema import CreateIndex, CreateTable

from deznity_assets.brief import REFERENCE_CLIENTS
from deznity_assets.store import SqlClientStore
from deznity_assets.store.schema import clients, metadata
from tests.plugins.postgres import SUPABASE_BOOTSTRAP_SQL, libpq_url, migration_files

TACO = REFERENCE_CLIENTS[4]
OLD_STATUS_CHECK = "status IN ('pending', 'in_progress', 'completed', 'failed')"


def _waiting(store, brief=TACO, *, run_id: str = "run-1"):
    """A client whose run stopped at the review gate."""
    row = store.add_client(brief)
    store.claim_client(row.slug)
    store.mark_needs_review(row.slug, run_id=run_id, reason="regulated sector: health")
    return store.get(row.slug)


def _typed_review(store, request, client_id: str, decision: str = "approved") -> None:
    """Insert a reviews row as a person would in a table editor: only the five columns they fill in."""
    values = {"attempt": 1, "decision": decision, "reviewer": "Dr. Ruiz", "reason": "typed by hand"}
    columns = "INSERT INTO reviews (client_id, attempt, decision, reviewer, reason) "
    if store.backend == "supabase":
        # The Supabase table editor acts as the dashboard role, not through the REST API.
        with psycopg.connect(request.getfixturevalue("postgrest_server").dsn, autocommit=True) as conn:
            conn.execute(
                columns + "VALUES (%(client_id)s, %(attempt)s, %(decision)s, %(reviewer)s, %(reason)s)",
                {**values, "client_id": client_id},
            )
        return
    # On SQLite an id is stored as 32 hex digits (sa.Uuid's form), on PostgreSQL as a uuid.
    stored = uuid.UUID(client_id).hex if store.backend == "sqlite" else client_id
    with store.engine.begin() as conn:
        conn.execute(
            sa.text(columns + "VALUES (:client_id, :attempt, :decision, :reviewer, :reason)"),
            {**values, "client_id": stored},
        )


def _review_count(store, request) -> int:
    if store.backend == "supabase":
        with psycopg.connect(request.getfixturevalue("postgrest_server").dsn) as conn:
            return conn.execute("SELECT count(*) FROM reviews").fetchone()[0]
    with store.engine.connect() as conn:
        return conn.execute(sa.text("SELECT count(*) FROM reviews")).scalar_one()


# ----- needs_review and claim_reviewed ----------------------------------------------------------


def test_mark_needs_review_records_the_change_once(client_store):
    row = client_store.add_client(TACO)
    client_store.claim_client(row.slug)
    client_store.start_project(row.slug, run_id="run-1", attempt=1)
    client_store.update_project("run-1", qa_score=91.5)
    client_store.mark_failed(row.slug, "an earlier problem")
    client_store.mark_needs_review(row.slug, run_id="run-1", reason="regulated sector: health")
    waiting = client_store.get(row.slug)
    assert (waiting.status, waiting.run_id, waiting.last_error) == ("needs_review", "run-1", None)
    assert waiting.updated_at >= row.updated_at
    [event] = [e for e in client_store.events() if e["type"] == "client.needs_review"]
    payload = json.loads(event["payload"])
    assert event["slug"] == row.slug and event["client_id"] == row.id
    assert payload["status"] == "needs_review" and payload["reason"] == "regulated sector: health"
    assert (payload["run_id"], payload["qa_score"], payload["attempt"]) == ("run-1", 91.5, 1)
    # Only a change is an event: the same gate reached again says nothing new.
    client_store.mark_needs_review(row.slug, run_id="run-2", reason="again")
    assert [e["type"] for e in client_store.events()].count("client.needs_review") == 1
    assert client_store.get(row.slug).run_id == "run-2"
    with pytest.raises(KeyError, match="nobody"):
        client_store.mark_needs_review("nobody", run_id="run-3", reason="x")


def test_claim_reviewed_takes_only_a_client_waiting_for_review(client_store):
    waiting = _waiting(client_store)
    pending = client_store.add_client(REFERENCE_CLIENTS[0])
    done = client_store.add_client(REFERENCE_CLIENTS[1])
    client_store.mark_completed(done.slug, run_id="run-9")
    before = len(client_store.events())
    assert client_store.claim_reviewed(pending.slug) is None
    assert client_store.claim_reviewed(done.id) is None
    assert client_store.claim_reviewed("no-such-client") is None
    assert client_store.get(pending.slug).status == "pending" and client_store.get(done.slug).status == "completed"
    assert len(client_store.events()) == before  # a refused claim is no event
    claimed = client_store.claim_reviewed(waiting.slug)
    assert claimed is not None and claimed.id == waiting.id
    assert (claimed.status, claimed.run_id, claimed.last_error, claimed.attempt) == ("in_progress", None, None, 1)
    assert claimed.claimed_at is not None and claimed.claimed_at >= waiting.updated_at
    assert client_store.get(waiting.id).status == "in_progress"
    assert client_store.claim_reviewed(waiting.slug) is None  # the second caller gets nothing
    events = client_store.events()[before:]
    assert [e["type"] for e in events] == ["client.claimed"]
    assert json.loads(events[0]["payload"])["status"] == "in_progress"


def test_claim_reviewed_hands_a_client_to_one_of_many_callers(client_store):
    rows = [_waiting(client_store, brief, run_id=f"run-{i}") for i, brief in enumerate(REFERENCE_CLIENTS[:3])]
    for row in rows:
        start, won = threading.Barrier(4), []

        def claim(key: str = row.id, start: threading.Barrier = start, won: list = won) -> None:
            start.wait()
            if client_store.claim_reviewed(key) is not None:
                won.append(key)

        threads = [threading.Thread(target=claim) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert won == [row.id]
    assert [e["type"] for e in client_store.events()].count("client.claimed") == 2 * len(rows)


def test_claim_pending_leaves_clients_waiting_for_review_alone(client_store):
    waiting = _waiting(client_store)
    fresh = client_store.add_client(REFERENCE_CLIENTS[0])
    assert [r.id for r in client_store.claim_pending(10)] == [fresh.id]
    assert client_store.claim_pending(10) == []
    row = client_store.get(waiting.id)
    assert (row.status, row.last_error) == ("needs_review", None)
    assert [r.id for r in client_store.list_clients(status="needs_review")] == [waiting.id]


# ----- the reviews table --------------------------------------------------------------------------


def test_add_unapplied_apply_and_reviews_for(client_store):
    first = _waiting(client_store)
    second = _waiting(client_store, REFERENCE_CLIENTS[0], run_id="run-2")
    assert client_store.reviews_for(first.slug) == [] and client_store.unapplied_reviews() == []
    approved = client_store.add_review(first.slug, attempt=1, decision="approved", reviewer="Dr. Ruiz")
    rejected = client_store.add_review(
        second.id,
        attempt=1,
        decision="rejected",
        reviewer="Counsel",
        reason="claims need a source",
        rework="content_creation",
    )
    assert uuid.UUID(approved["id"]) and approved["client_id"] == first.id and approved["slug"] == first.slug
    assert (approved["attempt"], approved["decision"], approved["reviewer"]) == (1, "approved", "Dr. Ruiz")
    assert (approved["reason"], approved["rework"]) == ("", None)
    assert approved["applied_at"] is None and approved["outcome"] is None
    assert isinstance(approved["decided_at"], datetime) and approved["decided_at"].tzinfo is not None
    assert (rejected["reason"], rejected["rework"]) == ("claims need a source", "content_creation")

    unapplied = client_store.unapplied_reviews()
    assert [(r["id"], r["slug"]) for r in unapplied] == [(approved["id"], first.slug), (rejected["id"], second.slug)]
    assert [r["id"] for r in client_store.unapplied_reviews(limit=1)] == [approved["id"]]

    assert client_store.apply_review(approved["id"], outcome="approved: publishing", run_id="run-7") is True
    assert client_store.apply_review(approved["id"], outcome="a second tick") is False  # acted on once
    assert client_store.apply_review(str(uuid.uuid4()), outcome="no such review") is False
    assert client_store.apply_review("not-a-uuid", outcome="no such review") is False
    assert [r["id"] for r in client_store.unapplied_reviews()] == [rejected["id"]]

    [applied] = client_store.reviews_for(first.id)
    assert (applied["outcome"], applied["applied_run"]) == ("approved: publishing", "run-7")
    assert applied["applied_at"].tzinfo is not None and applied["applied_at"] >= applied["decided_at"]
    later = client_store.add_review(first.slug, attempt=2, decision="rejected", reviewer="Dr. Ruiz", reason="no")
    assert [r["id"] for r in client_store.reviews_for(first.slug)] == [approved["id"], later["id"]]

    with pytest.raises(KeyError, match="nobody"):
        client_store.add_review("nobody", attempt=1, decision="approved", reviewer="x")
    with pytest.raises(KeyError, match="nobody"):
        client_store.reviews_for("nobody")
    with pytest.raises(ValueError, match="decision: 'maybe'"):
        client_store.add_review(first.slug, attempt=1, decision="maybe", reviewer="x")


def test_a_row_typed_by_hand_gets_an_id_and_a_decision_time(client_store, request):
    waiting = _waiting(client_store)
    _typed_review(client_store, request, waiting.id)
    [typed] = client_store.unapplied_reviews()
    assert uuid.UUID(typed["id"]) and typed["client_id"] == waiting.id and typed["slug"] == waiting.slug
    assert (typed["attempt"], typed["decision"], typed["reviewer"], typed["reason"]) == (
        1,
        "approved",
        "Dr. Ruiz",
        "typed by hand",
    )
    assert typed["rework"] is None and typed["applied_at"] is None
    assert isinstance(typed["decided_at"], datetime) and typed["decided_at"].tzinfo is not None
    assert client_store.apply_review(typed["id"], outcome="approved: publishing") is True
    assert client_store.unapplied_reviews() == []


def test_a_decision_other_than_approved_or_rejected_is_refused_by_the_table(client_store, request):
    waiting = _waiting(client_store)
    with pytest.raises((sa.exc.IntegrityError, psycopg.errors.CheckViolation), match="reviews_decision_check|CHECK"):
        _typed_review(client_store, request, waiting.id, decision="maybe")
    assert client_store.reviews_for(waiting.id) == []


def test_deleting_a_client_removes_its_reviews(client_store, request):
    gone = _waiting(client_store)
    kept = _waiting(client_store, REFERENCE_CLIENTS[0], run_id="run-2")
    client_store.add_review(gone.slug, attempt=1, decision="approved", reviewer="a")
    _typed_review(client_store, request, gone.id, decision="rejected")
    other = client_store.add_review(kept.slug, attempt=1, decision="approved", reviewer="b")
    assert _review_count(client_store, request) == 3
    assert client_store.delete_client(gone.slug) is True
    assert _review_count(client_store, request) == 1
    assert [r["id"] for r in client_store.unapplied_reviews()] == [other["id"]]


# ----- databases made by older versions ---------------------------------------------------------


def _old_sqlite_database(path: Path) -> str:
    """A SQLite file as an older version made it: clients_status_check without needs_review, no reviews table."""
    url = f"sqlite:///{path}"
    engine = sa.create_engine(url)
    ddl = str(CreateTable(clients).compile(dialect=sqlite.dialect()))
    assert "'failed', 'needs_review'" in ddl
    with engine.begin() as conn:
        conn.exec_driver_sql(ddl.replace(", 'needs_review'", ""))
        for index in clients.indexes:
            conn.execute(CreateIndex(index))
    metadata.create_all(engine, tables=[t for t in metadata.sorted_tables if t.name not in ("clients", "reviews")])
    engine.dispose()
    return url


def _with_history(store: SqlClientStore):
    """A client with a project, a task and an activity: what a rebuild of clients must not lose."""
    row = store.add_client(TACO)
    store.claim_client(row.slug)
    project_id = store.start_project(row.slug, run_id="run-1", attempt=1)
    store.log_activity(client_id=row.id, project_id=project_id, agent="pm", action="plan", tokens_in=3, tokens_out=4)
    return row


def test_an_old_sqlite_database_accepts_needs_review_after_create_tables(tmp_path):
    from deznity_assets.store.doctor import check_store

    url = _old_sqlite_database(tmp_path / "old.db")
    old = SqlClientStore(url, create=False)
    row = _with_history(old)
    with pytest.raises(sa.exc.IntegrityError, match="CHECK"):
        old.mark_needs_review(row.slug, run_id="run-1", reason="regulated")
    old.dispose()
    before = {n: (ok, m) for n, ok, m in check_store(database_url=url)}
    assert not before["database status check"][0] and "needs_review" in before["database status check"][1]
    assert not before["database schema"][0] and "reviews" in before["database schema"][1]

    store = SqlClientStore(url)  # create_tables: the reviews table, and the check widened
    try:
        store.mark_needs_review(row.slug, run_id="run-1", reason="regulated")
        assert store.get(row.slug).status == "needs_review"
        # The rebuild kept every row and everything that refers to them.
        assert store.usage_totals(row.id) == (7, 0.0) and store.project_for_run("run-1") is not None
        assert [r.slug for r in store.list_clients()] == [row.slug]
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            indexes = {i["name"] for i in sa.inspect(conn).get_indexes("clients")}
            checks = {c["name"] for c in sa.inspect(conn).get_check_constraints("clients")}
        assert "clients_status_created_idx" in indexes
        assert checks == {"clients_status_check", "clients_slug_check"}
        with pytest.raises(sa.exc.IntegrityError, match="CHECK"):
            store.insert_raw({**TACO, "slug": "../x"})  # the slug check came through too
        with pytest.raises(sa.exc.IntegrityError, match="CHECK"):
            store.insert_raw({**TACO, "slug": "odd"}, status="done")
        store.add_review(row.slug, attempt=1, decision="approved", reviewer="Dr. Ruiz")
        assert store.claim_reviewed(row.slug).status == "in_progress"
    finally:
        store.dispose()
    SqlClientStore(url).dispose()  # a second start changes nothing
    after = {n: (ok, m) for n, ok, m in check_store(database_url=url)}
    assert all(ok for ok, _ in after.values()), after


def test_an_old_postgres_database_accepts_needs_review_after_create_tables(postgres_url):
    from deznity_assets.store.doctor import check_store

    store = SqlClientStore(postgres_url)
    row = _with_history(store)
    with store.engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE reviews"))
        conn.execute(sa.text("ALTER TABLE clients DROP CONSTRAINT clients_status_check"))
        conn.execute(sa.text(f"ALTER TABLE clients ADD CONSTRAINT clients_status_check CHECK ({OLD_STATUS_CHECK})"))
    with pytest.raises(sa.exc.IntegrityError, match="clients_status_check"):
        store.mark_needs_review(row.slug, run_id="run-1", reason="regulated")
    store.dispose()
    assert not {n: ok for n, ok, _ in check_store(database_url=postgres_url)}["database status check"]

    upgraded = SqlClientStore(postgres_url)
    try:
        upgraded.mark_needs_review(row.slug, run_id="run-1", reason="regulated")
        assert upgraded.get(row.slug).status == "needs_review"
        assert upgraded.usage_totals(row.id) == (7, 0.0)
        with pytest.raises(sa.exc.IntegrityError, match="clients_status_check"):
            upgraded.insert_raw({**TACO, "slug": "odd"}, status="done")
        upgraded.add_review(row.slug, attempt=1, decision="approved", reviewer="Dr. Ruiz")
        assert [r["slug"] for r in upgraded.unapplied_reviews()] == [row.slug]
    finally:
        upgraded.dispose()
    assert all(ok for _, ok, _ in check_store(database_url=postgres_url))


def test_reviews_migration_upgrades_a_supabase_project(postgres_server, postgres_url):
    dbname = sa.engine.make_url(postgres_url).database
    files = migration_files()
    reviews_migration = next(p for p in files if p.name == "20250601000500_reviews.sql")
    postgres_server.execute(SUPABASE_BOOTSTRAP_SQL, dbname)
    for path in files[: files.index(reviews_migration)]:
        postgres_server.execute(path.read_text(encoding="utf-8"), dbname)
    with psycopg.connect(libpq_url(postgres_url), autocommit=True) as conn:
        client_id = conn.execute(
            "INSERT INTO clients (business_name, slug, status) VALUES ('Clinic', 'clinic', 'in_progress') RETURNING id"
        ).fetchone()[0]
        with pytest.raises(psycopg.errors.CheckViolation):
            conn.execute("UPDATE clients SET status = 'needs_review' WHERE id = %s", (client_id,))
    for _ in range(2):  # applying it again changes nothing
        postgres_server.execute(reviews_migration.read_text(encoding="utf-8"), dbname)
    with psycopg.connect(libpq_url(postgres_url), autocommit=True) as conn:
        conn.execute("UPDATE clients SET status = 'needs_review' WHERE id = %s", (client_id,))
        with pytest.raises(psycopg.errors.CheckViolation):
            conn.execute("UPDATE clients SET status = 'done' WHERE id = %s", (client_id,))
        # A reviewer in the table editor (the dashboard's role) fills in five columns.
        review_id, decided_at, reason = conn.execute(
            "INSERT INTO reviews (client_id, attempt, decision, reviewer) VALUES (%s, 1, 'approved', 'Dr. Ruiz') "
            "RETURNING id, decided_at, reason",
            (client_id,),
        ).fetchone()
        assert review_id is not None and decided_at is not None and reason == ""
        assert conn.execute("SELECT relrowsecurity FROM pg_class WHERE relname = 'reviews'").fetchone() == (True,)
        for role in ("anon", "authenticated"):
            with conn.transaction():
                conn.execute(f"SET LOCAL ROLE {role}")
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    conn.execute("SELECT count(*) FROM reviews")
        with conn.transaction():
            conn.execute("SET LOCAL ROLE service_role")
            assert conn.execute("UPDATE reviews SET outcome = 'seen' RETURNING id").fetchall() == [(review_id,)]
            # The claim function still takes only pending rows.
            assert conn.execute("SELECT id FROM claim_pending_clients(5)").fetchall() == []
        conn.execute("DELETE FROM clients WHERE id = %s", (client_id,))
        assert conn.execute("SELECT count(*) FROM reviews").fetchone() == (0,)


def test_doctor_checks_the_reviews_table_over_supabase(postgrest_server, postgres_url):
    from deznity_assets.store.doctor import check_store
    from tests.servers.postgrest import PostgrestServer

    migrated = {
        n: ok
        for n, ok, _ in check_store(
            database_url="", supabase_url=postgrest_server.url, service_role_key=postgrest_server.service_role_key
        )
    }
    assert migrated["supabase reviews table"] is True
    with psycopg.connect(postgrest_server.dsn, autocommit=True) as conn:
        conn.execute("DROP TABLE reviews")
    with PostgrestServer(postgrest_server.dsn) as fresh:  # a fresh schema cache
        results = check_store(database_url="", supabase_url=fresh.url, service_role_key=fresh.service_role_key)
    [(ok, message)] = [(ok, m) for n, ok, m in results if n == "supabase reviews table"]
    assert not ok and "supabase/migrations" in message

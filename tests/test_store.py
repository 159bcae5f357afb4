"""The SQL clients store: claims are atomic across processes, transitions keep the lifecycle."""

from __future__ import annotations

import multiprocessing
from datetime import timedelta

import pytest
import sqlalchemy as sa

from deznity_assets.brief import REFERENCE_CLIENTS, BriefError
from deznity_assets.store import SqlClientStore


def _claimer(url: str, batch: int, start, out) -> None:
    store = SqlClientStore(url, create=False)
    store.list_clients()  # connect before the race starts
    got: list[str] = []
    start.wait()
    while True:
        rows = store.claim_pending(batch)
        if not rows:
            break
        got += [r.id for r in rows]
    out.put(got)


def test_add_client_validates_and_assigns_unique_slugs(store):
    first = store.add_client(REFERENCE_CLIENTS[4])
    second = store.add_client(REFERENCE_CLIENTS[4])
    assert (first.slug, second.slug) == ("tacoloco", "tacoloco-2")
    assert first.status == "pending" and first.attempt == 1
    with pytest.raises(BriefError, match="color"):
        store.add_client({**REFERENCE_CLIENTS[4], "color": "blue"})
    assert len(store.list_clients()) == 2


def test_claim_pending_respects_limit_and_order(store):
    for brief in REFERENCE_CLIENTS:
        store.add_client(brief)
    claimed = store.claim_pending(3)
    assert [r.slug for r in claimed] == ["fittrack", "greenglow", "techstart"]
    assert all(r.status == "in_progress" and r.claimed_at for r in claimed)
    assert [r.slug for r in store.claim_pending(10)] == ["beautylux", "tacoloco"]
    assert store.claim_pending(10) == []


def test_raw_rows_get_a_slug_when_claimed(store):
    store.insert_raw({"business_name": "Raw Row Café"})
    store.insert_raw({"business_name": None})
    slugs = sorted(r.slug for r in store.claim_pending(5))
    assert slugs[1] == "raw-row-cafe"
    assert slugs[0].startswith("client-")


def test_two_processes_never_share_a_client(platform):
    url = platform.store.url
    store = SqlClientStore(url)
    for i in range(240):
        store.insert_raw({"business_name": f"Client {i}", "slug": f"client-{i}"})
    ctx = multiprocessing.get_context("spawn")
    queue, start = ctx.Queue(), ctx.Barrier(3)
    procs = [ctx.Process(target=_claimer, args=(url, 2, start, queue)) for _ in range(3)]
    for p in procs:
        p.start()
    results = [queue.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    claimed = [cid for r in results for cid in r]
    assert len(claimed) == 240
    assert len(set(claimed)) == 240
    # The race really happened: the work was spread over more than one process.
    assert sum(1 for r in results if r) >= 2


def test_claim_client_and_requeue(store):
    row = store.add_client(REFERENCE_CLIENTS[0])
    claimed = store.claim_client(row.slug)
    assert claimed.status == "in_progress" and claimed.attempt == 1
    assert store.claim_client(row.slug) is None  # already in progress
    store.mark_failed(row.slug, "boom " * 1000)
    failed = store.get(row.slug)
    assert failed.status == "failed" and len(failed.last_error) <= 2000
    again = store.claim_client(row.slug)
    assert again.attempt == 2 and again.last_error is None
    store.mark_completed(row.slug, run_id="r1")
    requeued = store.requeue(row.slug)
    assert (requeued.status, requeued.attempt, requeued.run_id) == ("pending", 3, None)


def test_projects_tasks_and_activities(store):
    row = store.add_client(REFERENCE_CLIENTS[0])
    project_id = store.start_project(row.slug, run_id="run-1", attempt=1)
    assert store.start_project(row.slug, run_id="run-1", attempt=1) == project_id  # once per run
    from deznity_assets.store import utcnow

    store.log_task(
        project_id=project_id, phase="client_analysis", agent="pm", task="plan", status="completed", started_at=utcnow()
    )
    store.log_activity(
        client_id=row.id, project_id=project_id, agent="pm", action="plan", tokens_in=10, tokens_out=5, cost_usd=0.25
    )
    store.log_activity(
        client_id=row.id, project_id=project_id, agent="seo", action="copy", tokens_in=1, tokens_out=1, cost_usd=0.5
    )
    assert store.usage_totals(row.id) == (17, 0.75)
    store.finish_project("run-1", status="completed")
    project = store.project_for_run("run-1")
    assert project["status"] == "completed" and project["finished_at"] is not None
    assert len(store.tasks_for_run("run-1")) == 1
    assert store.delete_client(row.slug)
    assert store.get(row.slug) is None


def test_stale_claims(store):
    store.add_client(REFERENCE_CLIENTS[0])
    store.claim_pending(1)
    assert store.stale_claims(timedelta(hours=1)) == []
    assert len(store.stale_claims(timedelta(seconds=-1))) == 1


def test_store_checks_report_instead_of_raising_and_hide_secrets(monkeypatch):
    from deznity_assets.store import doctor

    def broken(url: str):
        raise RuntimeError(f"driver choked on {url}")

    monkeypatch.setattr(doctor, "_check_sql", broken)
    [(name, ok, message)] = doctor.check_store(database_url="postgresql://u:pw-77@h:5432/db")
    assert (name, ok) == ("clients store", False)
    assert "pw-77" not in message and "RuntimeError" in message and "DEZNITY_DATABASE_URL" in message
    monkeypatch.undo()
    [(name, ok, message)] = doctor.check_store(database_url="postgresql://u:pw-77@h:notaport/db")
    assert (name, ok) == ("database", False) and "port 'notaport' is not a number" in message
    assert "pw-77" not in message


def test_a_claim_never_scans_the_table_for_odd_statuses_when_the_check_forbids_them(tmp_path):
    store = SqlClientStore(f"sqlite:///{tmp_path / 'claims.db'}")
    statements: list[str] = []
    sa.event.listen(store.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    store.add_client(REFERENCE_CLIENTS[0])
    for _ in range(3):
        store.claim_pending(5)
    assert statements and not any("NOT IN" in s.upper() for s in statements)
    # Without clients_status_check (a table made by hand) the first claim looks, later ones do not.
    unguarded = SqlClientStore(store.url, create=False)
    unguarded._status_guarded = False
    statements.clear()
    sa.event.listen(unguarded.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    unguarded.claim_pending(5)
    unguarded.claim_pending(5)
    assert sum("NOT IN" in s.upper() for s in statements) == 1
    store.dispose()
    unguarded.dispose()

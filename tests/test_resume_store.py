"""The store's part in live deployment and resumed retries, on every backend: a retry's resume step, the live
URLs on projects rows, and databases made before those columns."""

from __future__ import annotations

import sqlalchemy as sa

from deznity_assets.brief import REFERENCE_CLIENTS
from deznity_assets.store import SqlClientStore
from deznity_assets.store.doctor import check_store

TACO = REFERENCE_CLIENTS[4]


def test_a_retrys_resume_step_lasts_until_a_run_takes_the_client(client_store):
    row = client_store.add_client(TACO)
    [claimed] = client_store.claim_pending(5)
    client_store.mark_in_progress(row.slug, run_id="run-1")
    client_store.mark_failed(row.slug, "deployment: Vercel deployment dpl_1 ended ERROR", run_id="run-1")

    retried = client_store.requeue(row.slug, resume_from="deployment")
    assert (retried.status, retried.attempt, retried.resume_from) == ("pending", 2, "deployment")
    [claimed] = client_store.claim_pending(5)
    assert claimed.resume_from == "deployment"  # the claim hands the plan to whoever builds the run
    assert client_store.mark_in_progress(row.slug, run_id="run-2").resume_from is None  # taken: consumed

    client_store.mark_failed(row.slug, "deployment: again", run_id="run-2")
    client_store.requeue(row.slug, resume_from="deployment")
    assert client_store.claim_client(row.slug).resume_from == "deployment"  # a pending row keeps it
    client_store.mark_failed(row.slug, "deployment: and again", run_id=None)
    assert client_store.get(row.slug).resume_from is None  # a finished client resumes nothing
    client_store.requeue(row.slug, resume_from="deployment")
    client_store.mark_in_progress(row.slug, run_id="run-3")
    client_store.mark_completed(row.slug, run_id="run-3")
    claimed = client_store.claim_client(row.slug)  # a new attempt of a finished client: everything
    assert (claimed.attempt, claimed.resume_from) == (5, None)
    assert client_store.requeue(row.slug).resume_from is None


def test_a_crashed_review_runs_decision_lasts_until_a_run_takes_the_client(client_store):
    row = client_store.add_client(TACO)
    client_store.claim_pending(5)
    client_store.mark_in_progress(row.slug, run_id="run-1")
    decision = "0b7c3f0e-5a41-4c8e-9d1c-2f6a7b8c9d0e"
    retried = client_store.requeue(row.slug, reason="crashed", resume_from="review_approval", resume_review=decision)
    assert (retried.status, retried.resume_from, retried.resume_review) == ("pending", "review_approval", decision)
    [claimed] = client_store.claim_pending(5)
    assert (claimed.resume_from, claimed.resume_review) == ("review_approval", decision)
    taken = client_store.mark_in_progress(row.slug, run_id="run-2")
    assert (taken.resume_from, taken.resume_review) == (None, None)  # consumed with the step

    client_store.requeue(row.slug, resume_from="content_creation", resume_review=decision)
    assert client_store.claim_client(row.slug).resume_review == decision  # a pending row keeps it
    client_store.mark_needs_review(row.slug, run_id="run-3", reason="dental clinic")
    assert client_store.get(row.slug).resume_review is None  # the run that ended took it
    client_store.mark_failed(row.slug, "x")
    client_store.requeue(row.slug, resume_from="review_approval", resume_review=decision)
    client_store.mark_failed(row.slug, "cancelled by hand")
    assert client_store.get(row.slug).resume_review is None  # a finished client carries out no decision
    assert client_store.requeue(row.slug, resume_from="website").resume_review is None  # a plain retry: none


def test_the_live_url_is_the_latest_run_that_deployed(client_store):
    row = client_store.add_client(TACO)
    client_store.claim_client(row.slug)
    assert client_store.latest_live_project(row.id) is None
    client_store.start_project(row.slug, run_id="run-1", attempt=1)
    client_store.update_project("run-1", live_url="https://tacoloco.vercel.app", preview_url="https://p1.vercel.app")
    client_store.start_project(row.slug, run_id="run-2", attempt=2)  # failed before deploying
    live = client_store.latest_live_project(row.id)
    assert (live["run_id"], live["live_url"], live["preview_url"]) == (
        "run-1",
        "https://tacoloco.vercel.app",
        "https://p1.vercel.app",
    )


def test_an_old_sqlite_database_gets_the_new_columns(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    store = SqlClientStore(url)
    row = store.add_client(TACO)
    store.claim_client(row.slug)
    store.start_project(row.slug, run_id="run-1", attempt=1)
    with store.engine.begin() as conn:  # as a version before live deployment made them
        for table, column in (("clients", "resume_from"), ("projects", "live_url"), ("projects", "preview_url")):
            conn.exec_driver_sql(f"ALTER TABLE {table} DROP COLUMN {column}")
    store.dispose()
    assert "clients.resume_from" in {n: m for n, _, m in check_store(database_url=url)}["database schema"]

    upgraded = SqlClientStore(url)
    try:
        upgraded.update_project("run-1", live_url="https://tacoloco.vercel.app")
        assert upgraded.latest_live_project(row.id)["live_url"] == "https://tacoloco.vercel.app"
        upgraded.mark_failed(row.slug, "x")
        assert upgraded.requeue(row.slug, resume_from="deployment").resume_from == "deployment"
        assert upgraded.project_for_run("run-1")["attempt"] == 1  # rows kept
    finally:
        upgraded.dispose()
    SqlClientStore(url).dispose()  # a second start changes nothing
    assert all(ok for _, ok, _ in check_store(database_url=url))


def test_an_old_postgres_database_gets_the_new_columns(postgres_url):
    store = SqlClientStore(postgres_url)
    row = store.add_client(TACO)
    with store.engine.begin() as conn:
        conn.execute(sa.text("ALTER TABLE clients DROP COLUMN resume_from"))
        conn.execute(sa.text("ALTER TABLE projects DROP COLUMN live_url, DROP COLUMN preview_url"))
    store.dispose()
    upgraded = SqlClientStore(postgres_url)
    try:
        upgraded.mark_failed(row.slug, "x")
        assert upgraded.requeue(row.slug, resume_from="website").resume_from == "website"
        upgraded.claim_client(row.slug)
        upgraded.start_project(row.slug, run_id="run-1", attempt=2)
        upgraded.update_project("run-1", live_url="https://x.netlify.app")
        assert upgraded.latest_live_project(row.id)["live_url"] == "https://x.netlify.app"
    finally:
        upgraded.dispose()
    assert all(ok for _, ok, _ in check_store(database_url=postgres_url))

"""The `deznity` command line end to end, in subprocesses on a temporary project folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from deznity_assets.portfolio import DASHBOARD_DIR
from tests.plugins.platform import env_for

DEZNITY = str(Path(sys.executable).parent / "deznity")


@pytest.fixture
def run(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DEZNITY_", "OPENAI", "OPENROUTER", "SUPABASE", "PINECONE", "DAGSTER_HOME"))
    }
    env.update(env_for(tmp_path))

    def _run(*args: str, ok: bool = True, input: str | None = None, extra: dict | None = None):
        proc = subprocess.run(
            [DEZNITY, *args],
            env={**env, **(extra or {})},
            cwd=tmp_path,
            input=input,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if ok:
            assert proc.returncode == 0, f"{args}: {proc.stdout}\n{proc.stderr}"
        return proc

    _run.tmp = tmp_path
    return _run


def test_help_lists_every_command(run):
    out = run("--help").stdout
    for command in (
        "create-test-clients",
        "add-client",
        "simulate-client",
        "autonomous",
        "status",
        "retry",
        "doctor",
        "demo",
        "ui",
        "env",
    ):
        assert command in out
    assert "--workers" in run("autonomous", "--help").stdout


def test_full_lifecycle_through_the_cli(run):
    created = run("create-test-clients").stdout
    assert created.count("created") == 5
    assert run("create-test-clients").stdout.count("exists") == 5

    brief = run.tmp / "brief.json"
    brief.write_text(
        json.dumps(
            {
                "business_name": "Sol y Sombra",
                "industry": "restaurant",
                "goal": "increase reservations",
                "color": "#C0392B",
                "copy_tone": "warm, family",
                "target_geo": "Madrid, Spain",
                "pages": ["home", "menu", "book"],
                "budget": "starter",
            }
        )
    )
    assert run("add-client", "--file", str(brief)).stdout.strip() == "sol-y-sombra"
    brief.write_text(json.dumps({"business_name": "Bad", "color": "blue"}))
    bad = run("add-client", "--file", str(brief), ok=False)
    assert (
        bad.returncode != 0
        and "color:" in bad.stderr
        and "#RRGGBB" in bad.stderr
        and "industry: is required" in bad.stderr
    )
    notjson = run("add-client", "--file", "-", ok=False, input="{nope")
    assert notjson.returncode != 0 and "not valid JSON" in notjson.stderr

    once = run("autonomous", "--once", "--workers", "2")
    assert "completed" in once.stdout
    assert "client_analysis" in once.stderr  # progress per client and phase

    status = json.loads(run("status", "--json").stdout)
    assert {e["slug"] for e in status} == {
        "fittrack",
        "greenglow",
        "techstart",
        "beautylux",
        "tacoloco",
        "sol-y-sombra",
    }
    for entry in status:
        assert {"slug", "status", "error", "qa_score", "output_dir", "tokens", "cost_usd"} <= set(entry)
        assert entry["status"] == "completed", entry
        assert Path(entry["output_dir"], "site", "index.html").exists()
    assert 'lang="es"' in (run.tmp / "output" / "sol-y-sombra" / "site" / "index.html").read_text()

    retried = run("retry", "tacoloco").stdout
    assert "pending  tacoloco (attempt 2, runs every step)" in retried  # it completed: nothing to resume
    assert "no client" in run("retry", "nope", ok=False).stderr
    assert run("retry", ok=False).returncode == 2


def test_simulate_client_creates_reference_and_generic_clients(run):
    out = run("simulate-client", "tacoloco")
    assert "reference brief" in out.stderr and "completed" in out.stdout
    out = run("simulate-client", "bakery-bob")
    assert "generic brief" in out.stderr and "completed" in out.stdout
    status = {e["slug"]: e for e in json.loads(run("status", "--json").stdout)}
    assert status["bakery-bob"]["business_name"] == "Bakery Bob"


def test_autonomous_test_cleans_up_after_itself(run):
    out = run("autonomous", "--test")
    assert "self-test passed" in out.stdout
    assert json.loads(run("status", "--json").stdout) == []
    # No client folder is left; the dashboard's pages (output/_dashboard/) stay, as output/index.html does.
    assert [p.name for p in (run.tmp / "output").iterdir() if p.is_dir()] in ([], [DASHBOARD_DIR])


def test_doctor(run):
    out = run("doctor").stdout
    assert "ok   database" in out and "ok   memory" in out and "ok   agent provider   offline" in out
    bad = run("doctor", ok=False, extra={"DEZNITY_POLL_SECONDS": "soon"})
    assert bad.returncode == 1 and "DEZNITY_POLL_SECONDS" in bad.stdout
    # An unparsable URL is reported with the fix, never with its password, and the other checks still run.
    url = run("doctor", ok=False, extra={"DEZNITY_DATABASE_URL": "postgresql://u:pw-4242@db:notaport/x"})
    assert url.returncode == 1 and "BAD  database" in url.stdout and "postgresql://user:password@" in url.stdout
    assert "ok   memory" in url.stdout and "pw-4242" not in url.stdout + url.stderr


def test_preview_serves_the_site_and_seed_knowledge_is_idempotent(run):
    import urllib.request

    run("simulate-client", "fittrack")
    env = {**os.environ, **env_for(run.tmp)}
    proc = subprocess.Popen([DEZNITY, "preview", "fittrack"], env=env, cwd=run.tmp, stdout=subprocess.PIPE, text=True)
    try:
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(url, timeout=10) as resp:
            assert resp.status == 200 and "FitTrack" in resp.read().decode()
        with urllib.request.urlopen(url + "pricing.html", timeout=10) as resp:
            assert resp.status == 200
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    missing = run("preview", "nobody", ok=False)
    assert missing.returncode == 1 and "no site for nobody" in missing.stderr
    assert "../x" in run("preview", "../x", ok=False).stderr

    first = run("seed-knowledge").stdout
    second = run("seed-knowledge").stdout
    assert "0 upserted" in second and "passages" in first


def test_human_review_of_a_regulated_client(run):
    brief = run.tmp / "clinic.json"
    brief.write_text(
        json.dumps(
            {
                "business_name": "Clinica Sol",
                "industry": "health",
                "goal": "increase bookings",
                "color": "#0E7C86",
                "copy_tone": "caring, professional",
                "target_geo": "Madrid",
                "pages": "home, services, contact",
                "budget": "growth",
            }
        )
    )
    slug = run("add-client", "--file", str(brief)).stdout.strip()
    assert "needs_review" in run("simulate-client", slug).stdout
    folder = run.tmp / "output" / slug
    assert "industry 'health' is health care" in (folder / "review" / "REVIEW_TICKET.md").read_text()
    assert not (folder / "deploy").exists()
    listing = run("review").stdout
    assert slug in listing and "health care" in listing
    assert "--reason" in run("review", slug, "--reject", ok=False).stderr
    assert "--rework" in run("review", slug, "--reject", "--reason", "x", "--rework", "qa", ok=False).stderr
    out = run("review", slug, "--reject", "--reason", "claims need a source", "--reviewer", "dr-ana").stdout
    assert "rejected by dr-ana recorded" in out
    assert "already has a decision waiting" in run("review", slug, "--approve", ok=False).stderr
    # The next pass carries the rejection out: content reworked, back for review.
    run("autonomous", "--once")
    status = {e["slug"]: e for e in json.loads(run("status", "--json").stdout)}[slug]
    assert status["status"] == "needs_review" and status["review"]["overdue"] is False
    seo = json.loads((folder / "results" / "content_creation" / "seo.json").read_text())
    assert seo["reviewer_feedback"] == ["claims need a source"]
    out = run("review", slug, "--approve", "--reviewer", "dr-ana", "--now").stdout
    assert "approved by dr-ana recorded" in out and "now completed" in out
    assert "Approved by dr-ana" in (folder / "BOOTSTRAP_SUMMARY.md").read_text()
    assert (folder / "deploy" / "vercel.json").exists()
    assert "no clients waiting for review" in run("review").stdout
    assert "not waiting for review" in run("review", slug, "--approve", ok=False).stderr


def test_demo_processes_the_reference_clients_and_is_rerunnable(run, chromium_browser):
    first = run("demo", "--workers", "2")
    for slug in ("fittrack", "greenglow", "techstart", "beautylux", "tacoloco"):
        assert f"{slug}" in first.stdout and f"output/{slug}/site/index.html" in first.stdout
    assert first.stdout.count("completed") == 5 and "5 clients processed" in first.stdout
    # Piped, progress is plain lines; the workers' reports reach the parent, one outcome per client.
    assert "\x1b[" not in first.stderr and "client_analysis" in first.stderr
    assert sum(line.split()[2:4] == ["finished", "completed"] for line in first.stderr.splitlines()) == 5
    # The dashboard, as a person sees it, shows what the clients table and the store hold.
    truth = {e["slug"]: e for e in json.loads(run("status", "--json").stdout)}
    page = chromium_browser.new_page()
    try:
        page.goto((run.tmp / "output" / "index.html").as_uri())
        tiles = {
            li.get_attribute("data-status"): int(li.locator(".n").inner_text())
            for li in page.locator(".tiles li").all()
        }
        rows = {}
        for tr in page.locator(".clients tbody tr").all():
            rows[tr.locator("code").inner_text()] = (
                tr.locator(".status").first.inner_text(),
                float(tr.locator(".qa").inner_text()),
                int(tr.locator(".tokens").inner_text().replace(",", "")),
                float(tr.locator(".cost").inner_text().lstrip("$")),
                tr.locator(".bar").get_attribute("aria-label"),
            )
        # The summary link opens the HTML summary, with the QA score the dashboard shows.
        page.locator('.clients tr[data-slug="tacoloco"] a', has_text="Summary").click()
        assert page.url.endswith("/tacoloco/BOOTSTRAP_SUMMARY.html")
        summary_qa = page.locator(".facts .qa").inner_text()
    finally:
        page.close()
    assert tiles == {"pending": 0, "in_progress": 0, "needs_review": 0, "completed": 5, "failed": 0}
    assert {slug: row[:4] for slug, row in rows.items()} == {
        slug: (e["status"].replace("_", " "), e["qa_score"], e["tokens"], round(e["cost_usd"], 4))
        for slug, e in truth.items()
    }
    assert all(row[4].startswith("Seconds per phase: client analysis") for row in rows.values())
    assert summary_qa == f"{truth['tacoloco']['qa_score']} / 100"
    assert (
        f"| QA score | {truth['tacoloco']['qa_score']} / 100 |"
        in (run.tmp / "output" / "tacoloco" / "BOOTSTRAP_SUMMARY.md").read_text()
    )
    status = run("status").stdout
    assert status.splitlines()[0].split() == ["client", "status", "attempt", "qa", "tokens", "cost", "live", "package"]
    again = run("demo")
    assert "0 reference clients created" in again.stderr and again.stdout.count("completed") == 5


def test_doctor_survives_store_urls_that_do_not_parse(run):
    key = "sb_secret_doctor-canary-4242"
    bad = run("doctor", ok=False, extra={"SUPABASE_URL": "not a url", "SUPABASE_SERVICE_ROLE_KEY": key})
    assert bad.returncode == 1 and "Traceback" not in bad.stderr
    assert "BAD  supabase url" in bad.stdout and "https://<ref>.supabase.co" in bad.stdout
    assert "ok   memory" in bad.stdout and "ok   agent provider" in bad.stdout
    assert key not in bad.stdout + bad.stderr
    # An '@' left in the password: SQLAlchemy would take the rest of it for the host name.
    at = run("doctor", ok=False, extra={"DEZNITY_DATABASE_URL": "postgresql://u:se@cret-77@db:5432/x"})
    assert "BAD  database" in at.stdout and "%40" in at.stdout and "ok   memory" in at.stdout
    assert "cret-77" not in at.stdout + at.stderr

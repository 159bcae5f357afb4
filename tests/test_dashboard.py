"""The agency dashboard (output/index.html), the HTML summary, the store's figures behind them, and progress bars."""

from __future__ import annotations

import io
import json
import os
import pty
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup

from deznity_assets import portfolio, progress
from deznity_assets.agents.offline import OfflineGenerator
from deznity_assets.agents.provider import AgentContext
from deznity_assets.agents.roster import TASKS
from deznity_assets.brief import REFERENCE_CLIENTS, slugify, validate_brief
from deznity_assets.cli.common import overview
from deznity_assets.dashboard import dashboard_context, render_page, web_link
from deznity_assets.deploy import build_deploy_config
from deznity_assets.qa.checks import build_qa_report, run_checks
from deznity_assets.store import SqlClientStore, utcnow
from deznity_assets.summary import summary_html, summary_markdown
from tests.plugins.platform import env_for
from tests.plugins.site_fixtures import build_inputs

API_URL = "https://api.example.com"  # forms routed to a site API: forms_connected passes

TACO, FIT = REFERENCE_CLIENTS[4], REFERENCE_CLIENTS[0]
# Markup is refused in a brief, but a row typed straight into the table may hold anything.
HOSTILE = 'AC/DC <b>Tribute</b> & "Grill"'
NAME = 'AC/DC Tribute Bar & "Grill"'
DEZNITY = str(Path(sys.executable).parent / "deznity")


def _task(store, project_id: str, phase: str, seconds_ago: float) -> None:
    # log_task stamps finished_at itself: a task started `seconds_ago` lasts about that long.
    store.log_task(
        project_id=project_id,
        phase=phase,
        agent="pm",
        task=phase,
        status="completed",
        started_at=utcnow() - timedelta(seconds=seconds_ago),
    )


# ----- the store's figures, on every backend -----------------------------------------------------


def test_client_figures_add_up_and_time_the_latest_attempt(client_store):
    row = client_store.add_client(TACO)
    client_store.add_client(FIT)  # never run: no figures
    held = client_store.start_project(row.slug, run_id="run-held", attempt=1)
    _task(client_store, held, "client_analysis", 30)
    _task(client_store, held, "content_creation", 10)
    client_store.log_activity(client_id=row.id, project_id=held, agent="pm", action="plan", tokens_in=900, tokens_out=1)
    time.sleep(0.01)
    # The approval run of the same attempt only does the deployment phase; it is the latest project.
    approval = client_store.start_project(row.slug, run_id="run-approve", attempt=1)
    _task(client_store, approval, "deployment", 5)
    client_store.log_activity(
        client_id=row.id, project_id=approval, agent="support", action="kit", tokens_in=40, tokens_out=2, cost_usd=0.5
    )
    client_store.log_activity(client_id=row.id, project_id=approval, agent="qa", action="no tokens")
    client_store.log_activity(client_id=row.id, project_id=approval, agent="qa", action="half", tokens_in=7)

    figures = client_store.client_figures()
    assert set(figures) == {row.slug}
    taco = figures[row.slug]
    # Every run of the attempt counts (the held run and the approval); usage_totals sees the last one.
    assert (taco["tokens"], taco["cost_usd"]) == (901 + 42, 0.5)
    assert client_store.usage_totals(row.id) == (42, 0.5)
    assert taco["project"]["run_id"] == "run-approve"
    seconds = {phase: p["seconds"] for phase, p in taco["phases"].items()}
    assert set(seconds) == {"client_analysis", "content_creation", "deployment"}
    assert seconds["client_analysis"] == pytest.approx(30, abs=3)
    assert seconds["deployment"] == pytest.approx(5, abs=3)

    time.sleep(0.01)
    retried = client_store.start_project(row.slug, run_id="run-attempt-2", attempt=2)
    _task(client_store, retried, "client_analysis", 2)
    client_store.log_activity(
        client_id=row.id, project_id=retried, agent="pm", action="plan", tokens_in=3, tokens_out=0
    )
    # A new attempt starts anew: the old attempt's phases and tokens are not its own.
    again = client_store.client_figures()[row.slug]
    assert set(again["phases"]) == {"client_analysis"} and (again["tokens"], again["cost_usd"]) == (3, 0.0)


def test_client_figures_count_the_corrections_and_their_cost_on_every_backend(client_store):
    row = client_store.add_client(TACO)
    project = client_store.start_project(row.slug, run_id="run-1", attempt=1)
    log = client_store.log_activity
    log(client_id=row.id, project_id=project, agent="seo", action="seo_copy completed", tokens_in=100, tokens_out=50)
    log(
        client_id=row.id,
        project_id=project,
        agent="seo",
        action="seo_copy corrected (repair)",
        tokens_in=120,
        tokens_out=40,
        cost_usd=0.25,
    )
    log(
        client_id=row.id,
        project_id=project,
        agent="mkt",
        action="marketing_content corrected (QA round 1)",
        tokens_in=300,
        tokens_out=60,
        cost_usd=0.5,
    )
    taco = client_store.client_figures()[row.slug]
    assert (taco["corrections"], taco["correction_tokens"], taco["correction_cost_usd"]) == (2, 520, 0.75)
    assert (taco["tokens"], taco["cost_usd"]) == (670, 0.75)  # corrections count within the totals


# ----- the dashboard in Chromium -----------------------------------------------------------------


def _sample(platform) -> dict[str, str]:
    """A client in each status, one with figures, one overdue for review, one with a hostile error."""
    store, control = platform.store, platform.control
    hostile = store.insert_raw({**TACO, "business_name": HOSTILE, "slug": "acdc"})
    done = control.add_client(FIT)
    failed = control.add_client(REFERENCE_CLIENTS[1])
    review = control.add_client(REFERENCE_CLIENTS[2])
    waiting = control.add_client(REFERENCE_CLIENTS[3])
    for row in (hostile, done, failed, review):
        store.claim_client(row.slug)
    project = store.start_project(done.slug, run_id="run-done", attempt=1)
    _task(store, project, "client_analysis", 3)
    _task(store, project, "testing_validation", 1)
    store.log_activity(
        client_id=done.id,
        project_id=project,
        agent="pm",
        action="plan",
        tokens_in=12000,
        tokens_out=345,
        cost_usd=0.0123,
    )
    store.mark_completed(done.slug, run_id="run-done")
    store.mark_failed(failed.slug, "<script>alert(1)</script> QA blocking checks failed")
    store.mark_needs_review(review.slug, run_id="run-review", reason="health")
    with store.engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE clients SET updated_at = :t WHERE slug = :s"),
            {"t": utcnow() - timedelta(hours=25), "s": review.slug},
        )
    control.refresh_portfolio()
    return {
        "in_progress": str(hostile.slug),
        "completed": str(done.slug),
        "failed": str(failed.slug),
        "needs_review": str(review.slug),
        "pending": str(waiting.slug),
    }


def _read_dashboard(page) -> dict:
    """What a person sees: tiles, and per client row its status, QA, tokens and cost as numbers."""
    tiles = {
        li.get_attribute("data-status"): int(li.locator(".n").inner_text()) for li in page.locator(".tiles li").all()
    }
    rows = {}
    for tr in page.locator(".clients tbody tr").all():
        qa = tr.locator(".qa").inner_text()
        rows[tr.locator("code").inner_text()] = {
            "status": tr.locator(".status").first.inner_text(),
            "qa_score": None if qa == "-" else float(qa),
            "tokens": int(tr.locator(".tokens").inner_text().replace(",", "")),
            "cost_usd": float(tr.locator(".cost").inner_text().lstrip("$")),
        }
    return {"tiles": tiles, "rows": rows}


def test_dashboard_shows_what_the_store_holds_escaped_and_offline(platform, chromium_browser):
    slugs = _sample(platform)
    truth = overview(platform)  # what `deznity status --json` prints
    html = (platform.output_dir / "index.html").read_text("utf-8")
    assert "<script" not in html and "&lt;script&gt;" in html and "AC/DC &lt;b&gt;Tribute&lt;/b&gt;" in html

    requests: list[str] = []
    page = chromium_browser.new_page(viewport={"width": 1280, "height": 900})
    page.on("request", lambda r: requests.append(r.url))
    try:
        page.goto((platform.output_dir / "index.html").as_uri())
        seen = _read_dashboard(page)
        assert page.evaluate("document.scripts.length") == 0
        assert page.locator(".clients .error").inner_text().startswith("<script>alert(1)</script>")
        assert HOSTILE in page.locator(".clients tbody").inner_text()
        queue = page.locator(".queue tbody tr")
        assert queue.count() == 1 and slugs["needs_review"] in queue.inner_text()
        assert "review overdue" in queue.inner_text()
        bar = page.locator(f'.clients tr[data-slug="{slugs["completed"]}"] .bar')
        label = bar.get_attribute("aria-label")
        assert bar.get_attribute("role") == "img" and "client analysis" in label and "testing validation" in label
        page.set_viewport_size({"width": 375, "height": 800})
        # At phone width the table becomes one block per client: nothing scrolls sideways.
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 375
    finally:
        page.close()
    assert requests and all(url.startswith(("file:", "data:")) for url in requests), requests

    assert seen["tiles"] == {status: 1 for status in slugs}
    assert seen["rows"] == {
        e["slug"]: {
            "status": e["status"].replace("_", " "),
            "qa_score": e["qa_score"],
            "tokens": e["tokens"],
            "cost_usd": round(e["cost_usd"], 4),
        }
        for e in truth
    }
    assert seen["rows"][slugs["completed"]]["tokens"] == 12345


def test_only_web_addresses_become_live_links(tmp_path):
    entry = {
        "slug": "acme",
        "business_name": "Acme",
        "status": "completed",
        "error": None,
        "attempt": 1,
        "qa_score": 99.0,
        "output_dir": None,
        "site": "acme/site/index.html",
        "summary": None,
        "review": None,
        "live_url": "https://acme.vercel.app",
        "preview_url": "javascript:alert(1)",
    }
    html = render_page(
        "dashboard.html.j2", **dashboard_context(tmp_path, counts={"completed": 1}, recent=[entry], figures={})
    )
    links = {a.get_text(): a["href"] for a in BeautifulSoup(html, "html.parser").select(".links a")}
    assert links == {"Site": "acme/site/index.html", "Live site": "https://acme.vercel.app"}
    assert web_link("ftp://x") is None and web_link(None) is None


# ----- every client on pages by slug; a write-back reads a page, not every client ---------------


def test_the_dashboard_reads_on_every_backend(client_store):
    """Counts, the clients changed last, the review queue and a range of slugs: each a page or a count."""
    rows = [client_store.add_client({**TACO, "business_name": f"Shop {n}"}) for n in range(5)]
    for row in rows[:4]:
        client_store.claim_client(row.slug)
    client_store.mark_completed(rows[0].slug, run_id=None)
    client_store.mark_failed(rows[1].slug, "QA blocking checks failed")
    time.sleep(0.01)
    client_store.mark_needs_review(rows[2].slug, run_id="r2", reason="health")
    time.sleep(0.01)
    client_store.mark_needs_review(rows[3].slug, run_id="r3", reason="health")
    assert client_store.status_counts() == {"completed": 1, "failed": 1, "needs_review": 2, "pending": 1}
    assert [r.slug for r in client_store.recent_clients(2)] == [rows[3].slug, rows[2].slug]
    queue, overdue = client_store.review_queue(1, overdue_before=utcnow() + timedelta(hours=1))
    assert [r.slug for r in queue] == [rows[2].slug] and overdue == 2  # oldest first; both raised before
    assert client_store.review_queue(5, overdue_before=utcnow() - timedelta(hours=1))[1] == 0
    slugs = sorted(r.slug for r in rows)
    assert [r.slug for r in client_store.clients_between(slugs[1], slugs[3])] == slugs[1:3]
    assert [r.slug for r in client_store.clients_between(slugs[2], None, limit=2)] == slugs[2:4]
    assert [r.slug for r in client_store.clients_between("", None)] == slugs

    project = client_store.start_project(rows[0].slug, run_id="run-live", attempt=1)
    client_store.update_project("run-live", live_url="https://shop-0.vercel.app")
    client_store.log_activity(
        client_id=rows[0].id, project_id=project, agent="pm", action="x", tokens_in=5, tokens_out=2
    )
    other = client_store.start_project(rows[1].slug, run_id="run-other", attempt=1)
    client_store.log_activity(client_id=rows[1].id, project_id=other, agent="pm", action="x", tokens_in=9, tokens_out=9)
    figures = client_store.client_figures([rows[0].id])
    assert set(figures) == {rows[0].slug} and figures[rows[0].slug]["tokens"] == 7
    assert figures[rows[0].slug]["live"]["live_url"] == "https://shop-0.vercel.app"
    assert client_store.client_figures()[rows[1].slug]["tokens"] == 18


def _pages_seen(output_dir: Path) -> dict[str, str]:
    """Every client row on the pages the A-to-Z index links to: slug -> status, as a person reaches them."""
    folder = output_dir / portfolio.DASHBOARD_DIR
    seen: dict[str, str] = {}
    index = BeautifulSoup((folder / "index.html").read_text("utf-8"), "html.parser")
    links = [a["href"] for a in index.select(".pages a")]
    for shelf in index.select(".shelves a"):
        links += [
            a["href"]
            for a in BeautifulSoup((folder / shelf["href"]).read_text("utf-8"), "html.parser").select(".pages a")
        ]
    directory = folder / "index.html"
    for href in links:
        page = BeautifulSoup((directory.parent / href).read_text("utf-8"), "html.parser")
        assert not page.find("script")
        for tr in page.select(".clients tbody tr"):
            assert tr["data-slug"] not in seen, f"{tr['data-slug']} on two pages"
            seen[tr["data-slug"]] = tr.select_one(".status").get_text()
    return seen


@pytest.fixture
def small_pages(monkeypatch):
    """Pages of three clients (split past six) on shelves of two pages, five clients changed last and five reviews."""
    monkeypatch.setattr(portfolio, "PAGE_SIZE", 3)
    monkeypatch.setattr(portfolio, "SHELF", 2)
    monkeypatch.setattr(portfolio, "RECENT", 5)
    monkeypatch.setattr(portfolio, "QUEUE", 5)


def test_pages_by_slug_reach_every_client_after_adds_deletes_and_changes(platform, small_pages, chromium_browser):
    store, control = platform.store, platform.control
    # Names that do not come in slug order: later clients land inside earlier pages and split them.
    names = [
        f"{word} Bakery"
        for word in [
            "Zeta",
            "Alpha",
            "Mango",
            "Delta",
            "Kilo",
            "Bravo",
            "Tango",
            "Echo",
            "Lima",
            "Oscar",
            "Papa",
            "India",
        ]
    ]
    names += [
        f"{word} Cafe"
        for word in ["Zulu", "Hotel", "Golf", "Charlie", "Foxtrot", "Juliet", "Nova", "Quebec", "Romeo", "Sierra"]
    ]
    slugs = [control.add_client({**TACO, "business_name": name}).slug for name in names]
    hostile = store.insert_raw({**TACO, "business_name": HOSTILE, "slug": "acdc"})
    control.refresh_portfolio([hostile.slug])
    for slug in slugs[3:7]:
        control.claim_client(slug)
    store.mark_failed(slugs[3], "<script>alert(1)</script> QA blocking checks failed")
    store.mark_completed(slugs[4], run_id=None)
    control.refresh_portfolio(slugs[3:5])
    for slug in (slugs[0], slugs[9], slugs[15]):
        control.delete_client(slug)

    truth = {r.slug: r.status.replace("_", " ") for r in store.list_clients()}
    assert _pages_seen(platform.output_dir) == truth
    pages = json.loads((platform.output_dir / portfolio.DASHBOARD_DIR / portfolio.PAGES_FILE).read_text())["pages"]
    assert len(pages["first"]) > 3 and all(n <= 6 for n in pages["clients"])  # split as they grew
    shelves = sorted(p.name for p in (platform.output_dir / portfolio.DASHBOARD_DIR).glob("index-*.html"))
    assert len(shelves) == (len(pages["first"]) + 1) // 2  # none left over from before a split
    html = "".join(p.read_text("utf-8") for p in (platform.output_dir / portfolio.DASHBOARD_DIR).glob("*.html"))
    assert "<script" not in html and "&lt;script&gt;" in html and "AC/DC &lt;b&gt;Tribute&lt;/b&gt;" in html
    first = BeautifulSoup((platform.output_dir / "index.html").read_text("utf-8"), "html.parser")
    tiles = {li["data-status"]: int(li.select_one(".n").get_text()) for li in first.select(".tiles li")}
    assert tiles == {"pending": 16, "in_progress": 2, "needs_review": 0, "completed": 1, "failed": 1}
    assert len(first.select(".clients tbody tr")) == 5  # the clients changed last, not all of them

    # Drawn again from scratch, every page and the totals are the same as those kept change by change.
    kept = (platform.output_dir / "index.html").read_text("utf-8").split('<dl class="totals">')[1]
    control.refresh_portfolio(everything=True)
    assert _pages_seen(platform.output_dir) == truth
    assert (platform.output_dir / "index.html").read_text("utf-8").split('<dl class="totals">')[1] == kept

    # A person finds a client from the first page: the A-to-Z index, the range that holds its slug, its row.
    target = slugs[-1]
    page = chromium_browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto((platform.output_dir / "index.html").as_uri())
        page.get_by_role("link", name="All clients, A to Z").click()
        for kind in (".shelves a", ".pages a"):  # the shelf whose range holds the slug, then the page
            for link in page.locator(kind).all():
                low, _, high = link.inner_text().partition(" to ")
                if low <= target <= high:
                    link.click()
                    break
        row = page.locator(f'.clients tr[data-slug="{target}"]')
        assert row.count() == 1 and "pending" in row.inner_text()
        assert page.evaluate("document.scripts.length") == 0
        page.set_viewport_size({"width": 375, "height": 800})
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 375
    finally:
        page.close()


class _CountingStore:
    """The real store, counting every call the dashboard makes and how many rows each answered."""

    def __init__(self, store):
        self.store, self.calls = store, []

    def __getattr__(self, name):
        attr = getattr(self.store, name)
        if not callable(attr):
            return attr

        def call(*args, **kwargs):
            result = attr(*args, **kwargs)
            rows = result[0] if isinstance(result, tuple) else result
            self.calls.append((name, args, kwargs, len(rows) if isinstance(rows, (list, dict)) else 0))
            return result

        return call


def _write_back_reads(tmp_path: Path, clients: int) -> tuple[list, int]:
    """A dashboard of `clients` clients, then one change of status: the store calls and SQL statements of its redraw."""
    store = SqlClientStore(f"sqlite:///{tmp_path / f'{clients}.db'}")
    output = tmp_path / f"output-{clients}"
    statuses = ["pending", "completed", "failed", "needs_review"]
    for n in range(clients):
        store.insert_raw({"business_name": f"Client {n}", "slug": f"client-{n:04d}"}, status=statuses[n % 4])
    portfolio.rebuild_portfolio(output, store)  # no page index yet: every page is drawn
    store.mark_failed("client-0005", "QA blocking checks failed")
    statements = []
    sa.event.listen(store.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    counting = _CountingStore(store)
    portfolio.rebuild_portfolio(output, counting, ["client-0005"])
    assert "failed" in (output / "index.html").read_text("utf-8")
    store.dispose()
    return counting.calls, len(statements)


def test_a_write_back_reads_a_page_of_clients_not_every_client(tmp_path, small_pages):
    small, small_statements = _write_back_reads(tmp_path, 24)
    large, large_statements = _write_back_reads(tmp_path, 240)
    # Ten times the clients: the same calls, the same SQL statements, no more rows.
    assert [c[0] for c in large] == [c[0] for c in small] and large_statements == small_statements
    assert "list_clients" not in {c[0] for c in large}
    assert all(args and args[0] is not None for name, args, _k, _n in large if name == "client_figures")
    rows_read = sum(n for name, _a, _k, n in large if name != "status_counts")
    # The client's page (at most twice the page size), the clients changed last and the review queue.
    assert rows_read <= 2 * portfolio.PAGE_SIZE + portfolio.RECENT + portfolio.QUEUE
    assert dict((name, n) for name, _a, _k, n in large)["status_counts"] == 4


def test_a_write_back_reads_the_page_index_another_process_wrote(tmp_path, small_pages):
    """The page index kept in memory is used only while the file is the one this process wrote."""
    store = SqlClientStore(f"sqlite:///{tmp_path / 'd.db'}")
    output = tmp_path / "output"
    for n in range(12):
        store.insert_raw({"business_name": f"Client {n}", "slug": f"client-{n:04d}"})
    portfolio.rebuild_portfolio(output, store)
    index = output / portfolio.DASHBOARD_DIR / portfolio.PAGES_FILE
    # Another process's write-back: the same index with other totals, written through its own rename.
    other = json.loads(index.read_text("utf-8"))
    other["totals"]["tokens"] = 4_242_424
    portfolio.write_file_atomic(index, json.dumps(other))
    store.mark_failed("client-0005", "QA blocking checks failed")
    portfolio.rebuild_portfolio(output, store, ["client-0005"])
    assert json.loads(index.read_text("utf-8"))["totals"]["tokens"] == 4_242_424
    assert "4,242,424" in (output / "index.html").read_text("utf-8")
    # Its own index from then on: the next write-back keeps the totals the file holds.
    store.mark_completed("client-0006", run_id=None)
    portfolio.rebuild_portfolio(output, store, ["client-0006"])
    assert json.loads(index.read_text("utf-8"))["totals"]["tokens"] == 4_242_424
    store.dispose()


# ----- the HTML summary ---------------------------------------------------------------------------


def test_summary_html_says_what_the_markdown_says_escaped():
    brief = validate_brief({**TACO, "business_name": NAME})
    inputs = build_inputs(brief)
    site = inputs.render()
    results = run_checks(site, inputs.design, escaped_values=[brief.business_name], api_public_url=API_URL)
    reports = [build_qa_report(results, "functional"), build_qa_report(results, "seo_performance")]
    ctx = AgentContext(brief=brief, slug=slugify(brief.business_name))
    for key, task in TASKS.items():
        ctx.upstream[key] = OfflineGenerator().run(task, ctx).output
    values = dict(
        slug=ctx.slug,
        brief=brief,
        run_id="run-1",
        website=site,
        reports=reports,
        qa_score=97.5,
        market=ctx.upstream["market_analysis"],
        seo=ctx.upstream["seo_copy"],
        plan=ctx.upstream["project_plan"],
        deploy_config=build_deploy_config(slug=ctx.slug, site=site, base_url="https://x.example", hero_variants=[]),
        usage={
            "tokens": 4321,
            "cost": 0.0456,
            "calls": 7,
            "cached": 0,
            "retries": 1,
            "providers": set(),
            "knowledge": {},
            "corrections": 3,
            "correction_tokens": 1200,
            "correction_cost": 0.0123,
            "qa_rounds": 1,
            "filled": ["seo_copy: pages[home]"],
        },
        provider="offline",
        phases=[
            {"name": "intake", "agents": "-", "seconds": 0.25},
            {"name": "client_analysis", "agents": "Gantt, Atlas", "seconds": 2.0},
            {"name": "review_approval", "agents": "-", "seconds": None},
        ],
        files=["BOOTSTRAP_SUMMARY.html", "BOOTSTRAP_SUMMARY.md", "site/index.html"],
    )
    markdown, html = summary_markdown(**values), summary_html(**values)
    soup = BeautifulSoup(html, "html.parser")
    assert soup.title.get_text().startswith(NAME) and "Bar &amp; &#34;Grill&#34;" in html and not soup.find("script")
    assert "97.5 / 100" in markdown and soup.select_one(".qa").get_text() == "97.5 / 100"
    assert "4321 / $0.0456" in markdown and soup.select_one(".usage").get_text() == "4321 / $0.0456"
    # What the agents' corrections cost, and which text is the offline copy's, in both.
    assert (
        "| 3 (1) / 1200 / $0.0123 |" in markdown
        and soup.select_one(".corrections").get_text() == "3 (1) / 1200 / $0.0123"
    )
    assert "seo\\_copy: pages\\[home\\]" in markdown and "seo_copy: pages[home]" in soup.select_one(".note").get_text()
    assert [td.get_text() for td in soup.select(".phases .seconds")] == ["0.25", "2.0", "-"]
    assert "| client\\_analysis | Gantt, Atlas | 2.0 |" in markdown and "| review\\_approval | - | - |" in markdown
    # The slowest step fills its bar; a step that did not run has none.
    widths = [s["style"].split(";")[0] for s in soup.select(".phases .bar span")]
    assert widths == ["width:12.5%", "width:100.0%"]
    assert soup.find("a", href="../index.html") is not None


# ----- progress --------------------------------------------------------------------------------


def test_steps_done_follows_the_flow():
    assert progress.STEPS[0] == "intake" and progress.STEPS[-1] == "package"
    assert progress.steps_done("intake", "brief valid (restaurant, 4 pages, es)") == 1
    assert progress.steps_done("client_analysis", "started: Gantt, Atlas") == 1
    assert progress.steps_done("client_analysis", "done") == 2
    assert progress.steps_done("testing_validation", "failed: broken-links") == progress.STEPS.index(
        "testing_validation"
    )
    assert progress.steps_done(progress.FINISHED, "completed in 3.1s") == len(progress.STEPS)
    assert progress.steps_done(progress.FINISHED, "failed in 3.1s") == 0


def test_progress_bars_show_each_client_and_phase():
    from rich.console import Console

    out = io.StringIO()
    bars = progress.ProgressBars(Console(file=out, force_terminal=True, width=140, color_system=None))
    with bars:
        bars("tacoloco", "intake", "brief valid ([bold]restaurant[/bold], 4 pages, es)")
        bars("tacoloco", "content_creation", "started: Quill, Buzz")
        bars("fittrack", "testing_validation", "failed: broken-links")
        bars("tacoloco", "client_analysis", "done")  # late report of an earlier phase: the bar stays
        bars("fittrack", progress.FINISHED, "failed in 2.0s")
        bars("tacoloco", progress.FINISHED, "completed in 3.0s")
    final = out.getvalue().split("\x1b[2K")[-2:]  # the last frame: one line per client
    text = "".join(final)
    assert "tacoloco" in text and "10/10" in text and "completed in 3.0s" in text
    assert "fittrack" in text and f"{progress.STEPS.index('testing_validation')}/10" in text
    assert "[bold]restaurant[/bold]" in out.getvalue()  # client text is not rich markup


def test_cli_draws_live_bars_on_a_terminal(tmp_path):
    services = ("DEZNITY_", "OPENAI", "OPENROUTER", "SUPABASE", "PINECONE", "DAGSTER_HOME")
    env = {k: v for k, v in os.environ.items() if not k.startswith(services)}
    env.update(env_for(tmp_path), TERM="xterm", COLUMNS="150")
    primary, secondary = pty.openpty()
    proc = subprocess.Popen(
        [DEZNITY, "simulate-client", "acme-bakery"], cwd=tmp_path, env=env, stdout=secondary, stderr=secondary
    )
    os.close(secondary)
    chunks = []
    while True:
        try:
            data = os.read(primary, 65536)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    assert proc.wait(timeout=300) == 0
    os.close(primary)
    shown = b"".join(chunks).decode("utf-8", "replace")
    assert "━" in shown and "10/10" in shown and "acme-bakery" in shown and "completed in" in shown
    assert "content_creation" in shown and "completed" in shown.split("client")[-1]  # then the outcome table
    # Piped (tests, CI, logs), the same command prints plain lines: test_cli's demo test reads them.

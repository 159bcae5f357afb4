"""The dashboard: a write-back's dashboard work with many clients, against drawing every client, and its screenshot.

Run: `.venv/bin/python benchmarks/dashboard.py [--clients 100000] [--repeats 20] [--data DIR] [--write] [--screenshot]`.
The dashboard is redrawn on every change of status (control/plane.py refresh_portfolio), so its cost
must not grow with the clients: this fills a fresh SQLite store with `--clients` clients in every
status, each with a project, ten tasks and ten agent activities (what a run records), and a package
on disk for the completed ones; times once what every write-back did before (read every client and
draw them on one page) and drawing every page by slug; then changes the status of `--repeats`
random clients and times `rebuild_portfolio` for each, counting its SQL statements. `--write`
appends the figures to docs/PERFORMANCE.md. `--screenshot` processes the reference clients, a dental clinic (held for
review) and a row with a bad brief (failed) with the `deznity` command, and saves
docs/dashboard.png with Debian's Chromium.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from deznity_assets.dashboard import client_table, render_page  # noqa: E402
from deznity_assets.flow import PHASE_NAMES  # noqa: E402
from deznity_assets.portfolio import client_overview, rebuild_portfolio  # noqa: E402
from deznity_assets.store import SqlClientStore, schema  # noqa: E402

DEZNITY = str(Path(sys.executable).parent / "deznity")
CHROMIUM_FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
DENTAL = {
    "business_name": "Sonrisa Clara",
    "industry": "dental clinic",
    "goal": "more appointments",
    "color": "#0E7490",
    "copy_tone": "warm, trustworthy",
    "target_geo": "Madrid, Spain",
    "pages": ["home", "services", "contact"],
    "budget": "growth",
}


def sample_env(tmp: Path, **extra: str) -> dict[str, str]:
    """The environment of a throwaway Deznity project under `tmp` (offline generator)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DEZNITY_", "OPENAI", "OPENROUTER", "SUPABASE"))}
    env.update(
        DEZNITY_STATE_DIR=f"{tmp}/state",
        DEZNITY_OUTPUT_DIR=f"{tmp}/output",
        DAGSTER_HOME=f"{tmp}/state/dagster_home",
        DEZNITY_LLM_PROVIDER="offline",
        PYTHONPATH=str(ROOT),
        **extra,
    )
    return env


def build_sample(tmp: Path, **extra: str) -> Path:
    """Five reference clients completed, a dental clinic waiting for review, a bad row failed; returns output/."""
    env = sample_env(tmp, **extra)
    subprocess.run([DEZNITY, "demo"], env=env, cwd=tmp, check=True, capture_output=True)
    subprocess.run(
        [DEZNITY, "add-client", "--file", "-"],
        env=env,
        cwd=tmp,
        input=json.dumps(DENTAL),
        text=True,
        check=True,
        capture_output=True,
    )
    # A row typed into the table by hand, with a colour that is no colour: it fails with the fix.
    bad = {**DENTAL, "business_name": "Hand Typed Row", "industry": "bakery", "color": "blue", "pages": "home"}
    code = (
        "import json, sys; from deznity_assets.platform import Platform; "
        "Platform.from_env().store.insert_raw(json.loads(sys.argv[1]))"
    )
    subprocess.run([sys.executable, "-c", code, json.dumps(bad)], env=env, cwd=tmp, check=True)
    # Exits 1 for the failed row, as it should.
    subprocess.run([DEZNITY, "autonomous", "--once"], env=env, cwd=tmp, capture_output=True)
    return tmp / "output"


def screenshot(url: str, target: Path, *, width: int = 1280) -> None:
    """A full-page PNG of `url` in Debian's Chromium."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": width, "height": 800})
        page.goto(url)
        page.screenshot(path=str(target), full_page=True)
        browser.close()


STATUS_MIX = ["completed"] * 6 + ["failed", "needs_review", "in_progress", "pending"]


def fill_store(store: SqlClientStore, output: Path, clients: int, report: str) -> None:
    """`clients` clients in every status, each with what one run records, packages for the finished ones.

    Written in bulk (a few statements per thousand clients), as 100,000 clients one transaction at a
    time would take hours: the rows are those the store's own methods write.
    """
    base = datetime.now(timezone.utc) - timedelta(days=30)
    for lo in range(0, clients, 5000):
        client_rows, project_rows, task_rows, activity_rows = [], [], [], []
        for i in range(lo, min(clients, lo + 5000)):
            slug = f"client-{i:06d}"
            status = STATUS_MIX[i % len(STATUS_MIX)]
            client_id, created = str(uuid.uuid4()), base + timedelta(seconds=20 * i)
            updated = created + timedelta(seconds=(i * 7919) % 86400)  # changes spread over a day, out of order
            client_rows.append(
                {
                    "id": client_id,
                    "slug": slug,
                    "business_name": f"Client {i}",
                    "status": status,
                    "attempt": 1,
                    "last_error": "QA blocking checks failed: broken-links" if status == "failed" else None,
                    "run_id": None if status == "pending" else f"run-{i}",
                    "claimed_at": None if status == "pending" else created,
                    "created_at": created,
                    "updated_at": updated,
                }
            )
            if status == "pending":
                continue
            project_id = str(uuid.uuid4())
            project_rows.append(
                {
                    "id": project_id,
                    "client_id": client_id,
                    "run_id": f"run-{i}",
                    "attempt": 1,
                    "status": status,
                    "phase": "deployment",
                    "started_at": created,
                    "finished_at": None if status == "in_progress" else created + timedelta(seconds=60),
                    "live_url": f"https://{slug}.vercel.app" if status == "completed" else None,
                }
            )
            for n, phase in enumerate(PHASE_NAMES):
                for agent in ("a", "b"):
                    start = created + timedelta(seconds=10 * n)
                    task_rows.append(
                        {
                            "id": str(uuid.uuid4()),
                            "project_id": project_id,
                            "phase": phase,
                            "agent": agent,
                            "task": f"{phase} by {agent}",
                            "status": "completed",
                            "started_at": start,
                            "finished_at": start + timedelta(seconds=8),
                        }
                    )
                    activity_rows.append(
                        {
                            "id": str(uuid.uuid4()),
                            "project_id": project_id,
                            "client_id": client_id,
                            "agent": agent,
                            "action": phase,
                            "phase": phase,
                            "tokens_in": 1200,
                            "tokens_out": 300,
                            "cost_usd": 0.002,
                            "created_at": start,
                        }
                    )
            if status == "completed":
                folder = output / slug
                (folder / "qa").mkdir(parents=True)
                (folder / "qa" / "report.json").write_text(report)
                (folder / "BOOTSTRAP_SUMMARY.md").write_text("# summary\n")
                (folder / "BOOTSTRAP_SUMMARY.html").write_text("<!doctype html><title>summary</title>\n")
        with store.engine.begin() as conn:
            for table, rows in (
                (schema.clients, client_rows),
                (schema.projects, project_rows),
                (schema.project_tasks, task_rows),
                (schema.agent_activities, activity_rows),
            ):
                if rows:
                    conn.execute(table.insert(), rows)


class StatementCounter:
    """Counts the SQL statements an engine runs while `counting` is set."""

    def __init__(self, engine: sa.Engine):
        self.count, self.counting = 0, False
        sa.event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *_args: object) -> None:
        self.count += self.counting


def one_page_of_all(output: Path, store: SqlClientStore) -> str:
    """What every write-back drew before the pages: every client read, then drawn on one page."""
    entries = client_overview(output, store)
    return render_page(
        "dashboard_clients.html.j2",
        **client_table(output, entries, store.client_figures()),
        label="(every client)",
        previous=None,
        next=None,
        generated_at="-",
    )


def time_rebuilds(clients: int, repeats: int, data: Path | None = None) -> dict[str, float]:
    """Before (one page of every client) and after (a write-back's dashboard work) with `clients` clients.

    `data`: a folder to fill once and use again (its deznity.db and output/), instead of a temporary one.
    """
    with tempfile.TemporaryDirectory() as tmp:
        folder = data or Path(tmp)
        filled = (folder / "deznity.db").exists()
        store = SqlClientStore(f"sqlite:///{folder}/deznity.db")
        output = folder / "output"
        output.mkdir(parents=True, exist_ok=True)
        if filled:
            # Filled by an earlier run: its dashboard goes, the clients and packages stay.
            shutil.rmtree(output / "_dashboard", ignore_errors=True)
            (output / "index.html").unlink(missing_ok=True)
            found = sum(store.status_counts().values())
            if found != clients:
                raise SystemExit(f"--data {folder} holds {found} clients, not {clients}: give --clients {found}")
        else:
            # A real QA report's size: every check of both scopes with its message.
            checks = [
                {"id": f"check-{n}", "severity": "error", "passed": True, "message": "ok " * 20} for n in range(16)
            ]
            report = json.dumps({"score": 100.0, "reports": [{"scope": "functional", "checks": checks}]}, indent=2)
            t0 = time.perf_counter()
            fill_store(store, output, clients, report)
            print(f"filled {clients} clients in {time.perf_counter() - t0:.0f} s", flush=True)
        t0, c0 = time.perf_counter(), time.process_time()
        before_html = one_page_of_all(output, store)
        before, before_cpu = time.perf_counter() - t0, time.process_time() - c0
        print(f"before: one page of every client {before:.2f} s, {len(before_html.encode()) / 1024:.0f} kB", flush=True)
        t0 = time.perf_counter()
        rebuild_portfolio(output, store, everything=True)
        every_page = time.perf_counter() - t0
        print(f"every page drawn: {every_page:.1f} s", flush=True)
        counter = StatementCounter(store.engine)
        rng = random.Random(22)
        seconds, cpu, statements = [], [], []
        for n in range(repeats):
            # A write-back: one client's status changes, then the dashboard's work for it.
            slug = f"client-{rng.randrange(clients):06d}"
            if n % 2:
                store.mark_failed(slug, "QA blocking checks failed: broken-links")
            else:
                store.mark_completed(slug, run_id=None)
            counter.count, counter.counting = 0, True
            t0, c0 = time.perf_counter(), time.process_time()
            target = rebuild_portfolio(output, store, [slug])
            seconds.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
            counter.counting = False
            statements.append(counter.count)
        pages = sorted((output / "_dashboard").glob("clients*.html"), key=lambda p: p.stat().st_size)
        figures = {
            "before": before,
            "before_cpu": before_cpu,
            "before_bytes": len(before_html.encode()),
            "every_page": every_page,
            "median": statistics.median(seconds),
            "max": max(seconds),
            # CPU seconds of this process: on a machine shared with other work, wall time includes waiting.
            "cpu_median": statistics.median(cpu),
            "statements": max(statements),
            "bytes": target.stat().st_size,
            "pages": len(pages),
            "largest_page": pages[-1].stat().st_size,
            "directory_bytes": (output / "_dashboard" / "index.html").stat().st_size,
        }
        store.dispose()
    return figures


def main() -> None:
    """Time before and after (optionally append them to docs/PERFORMANCE.md); optionally refresh docs/dashboard.png."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--data", type=Path, help="fill this folder once and use it again (default: a temporary one)")
    parser.add_argument("--write", action="store_true", help="append the figures to docs/PERFORMANCE.md")
    parser.add_argument("--screenshot", action="store_true", help="refresh docs/dashboard.png")
    args = parser.parse_args()
    load = os.getloadavg()[0]  # other work on the machine slows every figure: it is recorded with them
    f = time_rebuilds(args.clients, args.repeats, args.data)
    kb = 1024
    print(
        f"{args.clients} clients: write-back's dashboard work median {f['median'] * 1000:.0f} ms "
        f"(CPU {f['cpu_median'] * 1000:.0f} ms), "
        f"max {f['max'] * 1000:.0f} ms, at most {f['statements']} SQL statements; index.html {f['bytes'] / kb:.0f} kB; "
        f"{f['pages']} pages (largest {f['largest_page'] / kb:.0f} kB); before: {f['before']:.2f} s "
        f"(CPU {f['before_cpu']:.2f} s) and "
        f"{f['before_bytes'] / kb:.0f} kB"
    )
    if args.write:
        lines = [
            "",
            f"## Dashboard: a write-back's work, {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC",
            "",
            "After a change of status the dashboard redraws output/index.html (counts by status from the store, "
            "totals kept per page, the review queue, the clients changed last) and the one page by slug that holds "
            "the client. Before, every change read every client and drew them all on one page; that work is "
            "timed here too, on the same store (one page of every client, as the former index.html). Store: "
            "SQLite; every client but the pending ones has a project with ten tasks and ten agent activities, "
            "completed ones a package on disk.",
            "",
            f"Command: `.venv/bin/python benchmarks/dashboard.py --clients {args.clients} --repeats {args.repeats} "
            + (f"--data {args.data} " if args.data else "")
            + "--write`  ",
            f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"load average {load:.1f} when it started",
            "",
            "| clients | before: one page of every client (CPU) | write-backs | after: median (CPU) | slowest "
            "| SQL statements | index.html | pages by slug (largest) | every page drawn once |",
            "|---|---|---|---|---|---|---|---|---|",
            f"| {args.clients:,} | {f['before']:.1f} s ({f['before_cpu']:.1f} s), {f['before_bytes'] / kb:,.0f} kB "
            f"| {args.repeats} | {f['median'] * 1000:.0f} ms ({f['cpu_median'] * 1000:.0f} ms) "
            f"| {f['max'] * 1000:.0f} ms | {f['statements']} | {f['bytes'] / kb:.0f} kB "
            f"| {f['pages']:,} ({f['largest_page'] / kb:.0f} kB) | {f['every_page']:.1f} s |",
        ]
        with (ROOT / "docs" / "PERFORMANCE.md").open("a") as doc:
            doc.write("\n".join(lines) + "\n")
    if args.screenshot:
        tmp = Path(tempfile.mkdtemp())
        try:
            output = build_sample(tmp)
            screenshot((output / "index.html").as_uri(), ROOT / "docs" / "dashboard.png")
            print("docs/dashboard.png written")
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

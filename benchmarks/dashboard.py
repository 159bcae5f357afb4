"""The dashboard: how long a rebuild of output/index.html takes with many clients, and its screenshot.

Run: `.venv/bin/python benchmarks/dashboard.py [--clients 200] [--write] [--screenshot]`.
The rebuild runs on every change of status (control/plane.py refresh_portfolio), so it must stay
cheap: this fills a fresh SQLite store with `--clients` clients in every status, each with a
project, ten tasks and ten agent activities (what a run records), and a package on disk for the
finished ones, then times `rebuild_portfolio`. `--write` appends the figures to
docs/PERFORMANCE.md. `--screenshot` processes the reference clients, a dental clinic (held for
review) and a row with a bad brief (failed) with the `deznity` command, and saves
docs/dashboard.png with Debian's Chromium.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from deznity_assets.flow import PHASE_NAMES  # noqa: E402
from deznity_assets.portfolio import rebuild_portfolio  # noqa: E402
from deznity_assets.store import SqlClientStore  # noqa: E402

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


def fill_store(store: SqlClientStore, output: Path, clients: int, report: str) -> None:
    """`clients` clients in every status, each with what one run records, packages for the finished ones."""
    statuses = ["completed"] * 6 + ["failed", "needs_review", "in_progress", "pending"]
    for i in range(clients):
        slug = f"client-{i:04d}"
        row = store.insert_raw({"business_name": f"Client {i}", "slug": slug})
        status = statuses[i % len(statuses)]
        if status == "pending":
            continue
        store.claim_client(slug)
        project = store.start_project(slug, run_id=f"run-{i}", attempt=1)
        start = datetime.now(timezone.utc) - timedelta(seconds=60)
        for n, phase in enumerate(PHASE_NAMES):
            for agent in ("a", "b"):
                store.log_task(
                    project_id=project,
                    phase=phase,
                    agent=agent,
                    task=f"{phase} by {agent}",
                    status="completed",
                    started_at=start + timedelta(seconds=10 * n),
                )
                store.log_activity(
                    client_id=row.id,
                    project_id=project,
                    agent=agent,
                    action=phase,
                    phase=phase,
                    tokens_in=1200,
                    tokens_out=300,
                    cost_usd=0.002,
                )
        if status == "completed":
            folder = output / slug
            (folder / "qa").mkdir(parents=True)
            (folder / "qa" / "report.json").write_text(report)
            (folder / "BOOTSTRAP_SUMMARY.md").write_text("# summary\n")
            (folder / "BOOTSTRAP_SUMMARY.html").write_text("<!doctype html><title>summary</title>\n")
            store.mark_completed(slug, run_id=f"run-{i}")
        elif status == "failed":
            store.mark_failed(slug, "QA blocking checks failed: broken-links", run_id=f"run-{i}")
        elif status == "needs_review":
            store.mark_needs_review(slug, run_id=f"run-{i}", reason="health")


def time_rebuilds(clients: int, repeats: int) -> dict[str, float]:
    """Seconds per rebuild_portfolio over `repeats` rebuilds with `clients` clients, and the page's size."""
    with tempfile.TemporaryDirectory() as tmp:
        store = SqlClientStore(f"sqlite:///{tmp}/deznity.db")
        output = Path(tmp) / "output"
        # A real QA report's size: every check of both scopes with its message.
        checks = [{"id": f"check-{n}", "severity": "error", "passed": True, "message": "ok " * 20} for n in range(16)]
        report = json.dumps({"score": 100.0, "reports": [{"scope": "functional", "checks": checks}]}, indent=2)
        fill_store(store, output, clients, report)
        seconds = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            target = rebuild_portfolio(output, store)
            seconds.append(time.perf_counter() - t0)
        size = target.stat().st_size
        store.dispose()
    return {"median": statistics.median(seconds), "max": max(seconds), "bytes": size}


def main() -> None:
    """Time the rebuild (optionally append it to docs/PERFORMANCE.md); optionally refresh docs/dashboard.png."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--write", action="store_true", help="append the figures to docs/PERFORMANCE.md")
    parser.add_argument("--screenshot", action="store_true", help="refresh docs/dashboard.png")
    args = parser.parse_args()
    load = os.getloadavg()[0]  # other work on the machine slows every figure: it is recorded with them
    figures = time_rebuilds(args.clients, args.repeats)
    print(
        f"{args.clients} clients: rebuild median {figures['median'] * 1000:.0f} ms, "
        f"max {figures['max'] * 1000:.0f} ms, index.html {figures['bytes'] / 1024:.0f} kB"
    )
    if args.write:
        lines = [
            "",
            f"## Dashboard rebuild, {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC",
            "",
            "output/index.html is rebuilt after every change of status. Store: SQLite; every client has a "
            "project with ten tasks and ten agent activities, finished ones a package on disk.",
            "",
            f"Command: `.venv/bin/python benchmarks/dashboard.py --clients {args.clients} --write`  ",
            f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"load average {load:.1f} when it started",
            "",
            "| clients | rebuilds | median | slowest | index.html |",
            "|---|---|---|---|---|",
            f"| {args.clients} | {args.repeats} | {figures['median'] * 1000:.0f} ms | {figures['max'] * 1000:.0f} ms "
            f"| {figures['bytes'] / 1024:.0f} kB |",
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

"""Lighthouse on the dashboard and the HTML summaries (and every page of the five reference sites).

Run: `.venv/bin/python benchmarks/lighthouse_dashboard.py [--only sites|dashboard]` with Debian's
chromium and npm's lighthouse (`apt-get install -y chromium && npm i -g lighthouse`). Processes the
reference clients, a dental clinic held for review and a row with a bad brief (benchmarks/dashboard.py)
with their base URL set to a local server, adds the dashboard of 5,000 clients in every status
(output/_large/), serves output/ on 127.0.0.1 and writes
docs/LIGHTHOUSE_DASHBOARD.md (performance, accessibility, best practices, SEO). `--only` measures one part
and keeps the other part's figures from the file as they were.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
from datetime import datetime, timezone
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from deznity_assets.portfolio import PAGE_SIZE  # noqa: E402

PORT = 8800
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def lighthouse(url: str, out: Path) -> dict[str, int]:
    """Scores (0-100) of one page, mobile emulation as Lighthouse defaults to."""
    subprocess.run(
        [
            "lighthouse",
            url,
            "--quiet",
            "--output=json",
            f"--output-path={out}",
            f"--only-categories={','.join(CATEGORIES)}",
            "--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-background-networking "
            "--disable-component-update --disable-sync --no-first-run",
        ],
        env={**os.environ, "CHROME_PATH": "/usr/bin/chromium"},
        check=True,
        capture_output=True,
        timeout=180,
    )
    report = json.loads(out.read_text())
    return {c: round(report["categories"][c]["score"] * 100) for c in CATEGORIES}


LARGE = "_large"  # a folder no client's slug can name
LARGE_CLIENTS = 5000


def build_large(output: Path) -> None:
    """output/_large/: the dashboard of LARGE_CLIENTS clients in every status (benchmarks/dashboard.py's store)."""
    from dashboard import fill_store

    from deznity_assets.portfolio import rebuild_portfolio
    from deznity_assets.store import SqlClientStore

    store = SqlClientStore(f"sqlite:///{output.parent / 'large.db'}")
    try:
        fill_store(store, output / LARGE, LARGE_CLIENTS, json.dumps({"score": 100.0}))
        rebuild_portfolio(output / LARGE, store)
    finally:
        store.dispose()


TITLE = "# Lighthouse scores of the reference sites, the dashboard and the HTML summaries"
DASHBOARD = "## The dashboard and the HTML summaries"


def measure(output: Path, tmp: Path, only: str | None) -> tuple[list, list]:
    """Scores of every site page and of the dashboard and summaries (each list empty when not measured)."""
    server = ThreadingHTTPServer(("127.0.0.1", PORT), functools.partial(_Quiet, directory=str(output)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sites, dashboard = [], []
    try:
        if only in (None, "dashboard"):
            pages = ["index.html", "_dashboard/index.html", "_dashboard/clients.html"]
            # The same pages with LARGE_CLIENTS clients: the first page full (the clients changed last and
            # the review queue), the A-to-Z index of every page, and a page from the middle.
            large = sorted(p.name for p in (output / LARGE / "_dashboard").glob("clients-from-*.html"))
            pages += [
                f"{LARGE}/index.html",
                f"{LARGE}/_dashboard/index.html",
                f"{LARGE}/_dashboard/{large[len(large) // 2]}",
            ]
            pages += sorted(p.relative_to(output).as_posix() for p in output.glob("*/BOOTSTRAP_SUMMARY.html"))
            for rel in pages:
                scores = lighthouse(f"http://127.0.0.1:{PORT}/{rel}", tmp / "lh.json")
                dashboard.append((rel, scores))
                print(rel, scores, flush=True)
        if only in (None, "sites"):
            for site in sorted(output.glob("*/site")):
                slug = site.parent.name
                for page in sorted(site.rglob("*.html")):
                    rel = page.relative_to(site).as_posix()
                    scores = lighthouse(f"http://127.0.0.1:{PORT}/{slug}/site/{rel}", tmp / "lh.json")
                    sites.append((slug, rel, scores))
                    print(slug, rel, scores, flush=True)
    finally:
        server.shutdown()
    return sites, dashboard


def sites_section(rows: list, measured: str) -> list[str]:
    """The reference sites' part of docs/LIGHTHOUSE_DASHBOARD.md (below the title)."""
    # 404.html carries `noindex` on purpose (an error page must not be indexed), which
    # Lighthouse's SEO category counts against it; the other pages are the site.
    pages = [r for r in rows if r[1] != "404.html"]
    worst = {c: min(r[2][c] for r in pages) for c in CATEGORIES}
    lines = [
        measured,
        "Sites rendered by the offline generator (`deznity demo`) and served from 127.0.0.1.",
        "",
        f"Lowest score over the {len(pages)} content pages: "
        + ", ".join(f"{c} {worst[c]}" for c in CATEGORIES)
        + ". Each 404.html scores lower on SEO only because it carries `noindex` on purpose.",
        "",
        "| client | page | performance | accessibility | best practices | SEO |",
        "|---|---|---|---|---|---|",
    ]
    return lines + [f"| {slug} | {rel} | " + " | ".join(str(s[c]) for c in CATEGORIES) + " |" for slug, rel, s in rows]


def dashboard_section(rows: list, measured: str) -> list[str]:
    """The dashboard's and the summaries' part of docs/LIGHTHOUSE_DASHBOARD.md."""
    worst = {c: min(r[1][c] for r in rows) for c in CATEGORIES}
    lines = [
        DASHBOARD,
        "",
        measured,
        "output/index.html, the A-to-Z index and its page after `deznity demo`, a dental clinic held for review and "
        "a hand-typed row with a bad colour (failed), served from 127.0.0.1; the same pages of a dashboard of "
        f"{LARGE_CLIENTS:,} clients in every status ({LARGE}/: a full first page, {LARGE_CLIENTS // PAGE_SIZE:,} pages "
        "by slug, one from the middle); and every client's BOOTSTRAP_SUMMARY.html.",
        "",
        f"Lowest score over the {len(rows)} pages: " + ", ".join(f"{c} {worst[c]}" for c in CATEGORIES) + ".",
        "",
        "| page | performance | accessibility | best practices | SEO |",
        "|---|---|---|---|---|",
    ]
    return lines + [f"| {rel} | " + " | ".join(str(s[c]) for c in CATEGORIES) + " |" for rel, s in rows]


def kept_part(dashboard: bool) -> list[str]:
    """The sites' figures (below the title) or the dashboard's section of the current docs/LIGHTHOUSE_DASHBOARD.md."""
    path = ROOT / "docs" / "LIGHTHOUSE_DASHBOARD.md"
    text = path.read_text() if path.exists() else "\n"
    body = text.split("\n", 1)[1].strip("\n")  # below the title
    sites, _, section = body.partition(DASHBOARD)
    if dashboard:
        return [DASHBOARD, "", *section.strip("\n").splitlines()] if section else []
    return sites.rstrip().splitlines()


def main() -> None:
    """Process, serve, measure, write docs/LIGHTHOUSE_DASHBOARD.md."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from dashboard import build_sample

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", choices=["sites", "dashboard"], help="measure one part, keep the other's figures")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        output = build_sample(Path(tmp), DEZNITY_SITE_BASE_URL=f"http://127.0.0.1:{PORT}/{{slug}}/site")
        if args.only in (None, "dashboard"):
            build_large(output)
        sites, dashboard = measure(output, Path(tmp), args.only)
    version = subprocess.run(["lighthouse", "--version"], capture_output=True, text=True).stdout.strip()
    measured = (
        f"Measured {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC with Lighthouse {version} (mobile emulation, "
        "Debian chromium headless) on "
        f"{platform.machine()}, {os.cpu_count()} cores; command: `.venv/bin/python benchmarks/lighthouse_dashboard.py"
        + (f" --only {args.only}`." if args.only else "`.")
    )
    lines = [TITLE, ""]
    lines += sites_section(sites, measured) if sites else kept_part(dashboard=False)
    lines += [""]
    lines += dashboard_section(dashboard, measured) if dashboard else kept_part(dashboard=True)
    (ROOT / "docs" / "LIGHTHOUSE_DASHBOARD.md").write_text("\n".join(lines).rstrip() + "\n")


if __name__ == "__main__":
    main()

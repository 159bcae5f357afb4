"""Lighthouse on every page of the five reference sites (performance, accessibility, best practices, SEO).

Run: `.venv/bin/python benchmarks/lighthouse_sites.py` with Debian's chromium and npm's lighthouse
(`apt-get install -y chromium && npm i -g lighthouse`). Renders the reference clients with their
base URL set to a local server, serves them on 127.0.0.1 and writes docs/LIGHTHOUSE.md.
"""

from __future__ import annotations

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


def main() -> None:
    """Render, serve, measure, write docs/LIGHTHOUSE.md."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "DEZNITY_STATE_DIR": f"{tmp}/state",
            "DEZNITY_OUTPUT_DIR": f"{tmp}/output",
            "DAGSTER_HOME": f"{tmp}/state/dagster_home",
            "DEZNITY_LLM_PROVIDER": "offline",
            "DEZNITY_SITE_BASE_URL": f"http://127.0.0.1:{PORT}/{{slug}}/site",
        }
        subprocess.run([str(Path(sys.executable).parent / "deznity"), "demo"], env=env, check=True, capture_output=True)
        output = Path(tmp) / "output"
        server = ThreadingHTTPServer(("127.0.0.1", PORT), functools.partial(_Quiet, directory=str(output)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        rows = []
        try:
            for site in sorted(output.glob("*/site")):
                slug = site.parent.name
                for page in sorted(site.rglob("*.html")):
                    rel = page.relative_to(site).as_posix()
                    scores = lighthouse(f"http://127.0.0.1:{PORT}/{slug}/site/{rel}", Path(tmp) / "lh.json")
                    rows.append((slug, rel, scores))
                    print(slug, rel, scores, flush=True)
        finally:
            server.shutdown()
    version = subprocess.run(["lighthouse", "--version"], capture_output=True, text=True).stdout.strip()
    # 404.html carries `noindex` on purpose (an error page must not be indexed), which
    # Lighthouse's SEO category counts against it; the other pages are the site.
    pages = [r for r in rows if r[1] != "404.html"]
    worst = {c: min(r[2][c] for r in pages) for c in CATEGORIES}
    lines = [
        "# Lighthouse scores of the reference sites",
        "",
        f"Measured {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC with Lighthouse {version} (mobile emulation, "
        "Debian chromium headless) on "
        f"{platform.machine()}, {os.cpu_count()} cores; command: `.venv/bin/python benchmarks/lighthouse_sites.py`.",
        "Sites rendered by the offline generator (`deznity demo`) and served from 127.0.0.1.",
        "",
        f"Lowest score over the {len(pages)} content pages: "
        + ", ".join(f"{c} {worst[c]}" for c in CATEGORIES)
        + ". Each 404.html scores lower on SEO only because it carries `noindex` on purpose.",
        "",
        "| client | page | performance | accessibility | best practices | SEO |",
        "|---|---|---|---|---|---|",
    ]
    lines += [f"| {slug} | {rel} | " + " | ".join(str(s[c]) for c in CATEGORIES) + " |" for slug, rel, s in rows]
    (ROOT / "docs" / "LIGHTHOUSE.md").write_text("\n".join(lines) + "\n")
    print("worst:", worst)


if __name__ == "__main__":
    main()

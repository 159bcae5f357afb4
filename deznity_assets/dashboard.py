"""The agency dashboard's pages: what each shows, from the store's rows, counts and figures and the packages on disk.

Drawn on the server as HTML and CSS (no JavaScript, no fonts, no request leaves the page). The first
page output/index.html holds the counts by status, the totals, the review queue and the clients
changed last; output/_dashboard/ holds every client on pages by slug, and their index. Which pages a
change redraws, and the reads behind them, is portfolio.py's: a page of clients, never all of them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from jinja2 import PackageLoader, StrictUndefined

from .assembly import SUMMARY_HTML_FILE
from .flow import PHASES
from .templating import environment

# The order a person reads the pipeline in; a status typed by hand that is none of these is "other".
STATUS_ORDER = ("pending", "in_progress", "needs_review", "completed", "failed")

_env = environment(
    "dashboard",
    loader=PackageLoader("deznity_assets", "templates"),
    # Client text is data: every value is escaped, attributes included (every template is HTML).
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def _label(name: str) -> str:
    return name.replace("_", " ")


_env.filters["label"] = _label


def render_page(template: str, **values: Any) -> str:
    """Render an HTML template from deznity_assets/templates, every value autoescaped."""
    return _env.get_template(template).render(**values)


def add_usage(entries: Sequence[dict[str, Any]], figures: Mapping[str, Mapping[str, Any]]) -> None:
    """Set each entry's tokens and cost_usd from the store's client_figures (what `status` and the dashboard show)."""
    for entry in entries:
        figure = figures.get(entry["slug"]) if entry["slug"] else None
        entry["tokens"] = int(figure["tokens"]) if figure else 0
        entry["cost_usd"] = round(float(figure["cost_usd"]), 6) if figure else 0.0


def phase_bars(phases: Mapping[str, Mapping[str, Any]], scale: float) -> list[dict[str, Any]]:
    """The recorded phases in flow order: name, label, seconds and bar width (percent of `scale` seconds)."""
    bars = []
    for step in PHASES:
        seconds = phases.get(step.name, {}).get("seconds")
        if seconds is None:
            continue
        width = 0.0 if scale <= 0 else min(100.0, 100.0 * float(seconds) / scale)
        bars.append({"phase": step.name, "label": _label(step.name), "seconds": seconds, "width": round(width, 2)})
    return bars


def web_link(url: Any) -> str | None:
    """`url` when it is an http(s) address, else None: only such a value becomes a link."""
    return url if isinstance(url, str) and url.startswith(("https://", "http://")) else None


def client_table(
    output_dir: Path, entries: Sequence[dict[str, Any]], figures: Mapping[str, Mapping[str, Any]]
) -> dict[str, Any]:
    """One table of clients: a row per entry (portfolio.client_entries) with its phase bars, and their scale."""
    add_usage(entries, figures)
    totals = {
        str(e["slug"]): sum(
            p["seconds"] for p in figures.get(e["slug"], {}).get("phases", {}).values() if p.get("seconds") is not None
        )
        for e in entries
        if e["slug"]
    }
    # One scale for every client of the table, so that bars compare across clients as well as across phases.
    scale = max(totals.values(), default=0.0)
    rows = []
    for entry in entries:
        slug = entry["slug"]
        figure = figures.get(slug, {}) if slug else {}
        bars = phase_bars(figure.get("phases", {}), scale)
        has_html = bool(entry["summary"]) and (output_dir / str(slug) / SUMMARY_HTML_FILE).exists()
        rows.append(
            {
                **entry,
                "status_class": entry["status"] if entry["status"] in STATUS_ORDER else "other",
                "summary_link": f"{slug}/{SUMMARY_HTML_FILE}" if has_html else entry["summary"],
                "phases": bars,
                # What a screen reader says for the bar: every phase with its seconds.
                "timeline": ", ".join(f"{b['label']} {b['seconds']} s" for b in bars),
                "seconds": round(totals.get(str(slug), 0.0), 1) if slug else 0.0,
                "live_link": web_link(entry.get("live_url")),
                "preview_link": web_link(entry.get("preview_url")),
            }
        )
    return {"clients": rows, "scale": round(scale, 1), "phases": [step.name for step in PHASES]}


def review_rows(entries: Sequence[dict[str, Any]], now: datetime) -> list[dict[str, Any]]:
    """The review queue's rows, oldest ticket first: when each was raised and how long it has waited."""
    queue = []
    for entry in entries:
        if entry.get("review"):
            raised = datetime.fromisoformat(entry["review"]["raised_at"])
            queue.append({**entry, "raised": raised.strftime("%Y-%m-%d %H:%M UTC"), "waiting": _age(now - raised)})
    queue.sort(key=lambda r: r["review"]["raised_at"])  # oldest ticket first: it has waited longest
    return queue


def status_tiles(counts: Mapping[str, int]) -> list[tuple[str, int]]:
    """(status, count) in the order a person reads the pipeline; every other status folded into "other"."""
    tiles = {status: 0 for status in STATUS_ORDER}
    for status, n in counts.items():
        key = status if status in tiles else "other"
        tiles[key] = tiles.get(key, 0) + int(n)
    return [(status, n) for status, n in tiles.items() if status in STATUS_ORDER or n]


def dashboard_context(
    output_dir: Path,
    *,
    counts: Mapping[str, int],
    recent: Sequence[dict[str, Any]],
    figures: Mapping[str, Mapping[str, Any]],
    queue: Sequence[dict[str, Any]] = (),
    overdue: int = 0,
    totals: Mapping[str, Any] | None = None,
    directory: str = "_dashboard/index.html",
) -> dict[str, Any]:
    """What the first page shows: counts, totals, the review queue and the clients changed last.

    `counts` by status (the store's), `recent` and `queue` entries (portfolio.client_entries),
    `figures` of the recent ones, `overdue` the number of reviews past the window, `totals` the
    tokens, cost and QA scores kept for every client (portfolio's page index), `directory` the
    link to every client.
    """
    now = datetime.now(timezone.utc)
    totals = totals or {}
    qa_count = int(totals.get("qa_count", 0))
    return {
        **client_table(output_dir, recent, figures),
        "counts": status_tiles(counts),
        "total": sum(int(n) for n in counts.values()),
        "queue": review_rows(queue, now),
        "waiting": int(counts.get("needs_review", 0)),
        "overdue": overdue,
        "tokens": int(totals.get("tokens", 0)),
        "cost_usd": float(totals.get("cost_usd", 0.0)),
        "mean_qa": round(float(totals.get("qa_total", 0.0)) / qa_count, 1) if qa_count else None,
        "recent_intro": f"The {len(recent)} clients changed last; every client is on the pages A to Z.",
        "directory": directory,
        "generated_at": now.strftime("%Y-%m-%d %H:%M UTC"),
    }


def _age(delta: timedelta) -> str:
    minutes = max(0, int(delta.total_seconds() // 60))
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h {minutes % 60:02d} min"
    return f"{minutes // (24 * 60)} days"

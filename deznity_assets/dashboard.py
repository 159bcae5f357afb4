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
from .experiments.report import experiment_record
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
        # Of which the agents' corrections of their own work (repairs of answers, QA rounds).
        entry["corrections"] = int(figure.get("corrections", 0)) if figure else 0
        entry["correction_cost_usd"] = round(float(figure.get("correction_cost_usd", 0.0)), 6) if figure else 0.0


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


def failing_webhooks(store: Any) -> list[dict[str, Any]]:
    """The webhook endpoints failing at the last delivery pass: name, since when, how many events wait."""
    failing = []
    for row in store.webhook_endpoints():  # one read of a table with a row per endpoint
        since = row.get("failing_since")
        if since is None:
            continue
        since = since if since.tzinfo else since.replace(tzinfo=timezone.utc)
        failing.append(
            {
                "endpoint": row["endpoint"],
                "since": since.strftime("%Y-%m-%d %H:%M UTC"),
                "waiting": int(row.get("waiting") or 0),
                "given_up": int(row.get("given_up") or 0),
                "error": str(row.get("last_error") or "")[:160],
            }
        )
    return failing


def _age(delta: timedelta) -> str:
    minutes = max(0, int(delta.total_seconds() // 60))
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h {minutes % 60:02d} min"
    return f"{minutes // (24 * 60)} days"


LEAD_DAYS = 7
# The daily chart's drawing box (SVG user units): one column per day.
CHART_W, CHART_H, CHART_TOP, CHART_BOTTOM = 560, 160, 22, 28
SPARK_W, SPARK_H = 84, 24


def lead_series(
    store: Any, entries: Sequence[dict[str, Any]], now: datetime | None = None, *, limit: int | None = None
) -> dict[str, Any]:
    """Leads per client over the last LEAD_DAYS UTC days (today included) and the daily series, drawn as SVG shapes.

    `limit`: only the clients with the most leads (the first page stays the same size at any scale).
    """
    now = now or datetime.now(timezone.utc)
    first = (now.astimezone(timezone.utc) - timedelta(days=LEAD_DAYS - 1)).date()
    days = [first + timedelta(days=n) for n in range(LEAD_DAYS)]
    keys = [d.isoformat() for d in days]
    # One grouped query, whatever the number of leads: rows of slug, day, leads.
    since = datetime(first.year, first.month, first.day, tzinfo=timezone.utc)
    per_client: dict[str, list[int]] = {}
    for row in store.lead_counts(since=since):
        if row["day"] in keys:
            per_client.setdefault(row["slug"], [0] * LEAD_DAYS)[keys.index(row["day"])] += int(row["leads"])
    names = {e["slug"]: e.get("business_name") for e in entries if e.get("slug")}
    daily = [sum(series[i] for series in per_client.values()) for i in range(LEAD_DAYS)]
    top = max(daily, default=0) or 1
    slot = CHART_W / LEAD_DAYS
    plot = CHART_H - CHART_TOP - CHART_BOTTOM
    columns = []
    for i, (day, n) in enumerate(zip(days, daily)):
        height = round(plot * n / top, 1)
        columns.append(
            {
                "day": day.isoformat(),
                "label": day.strftime("%a %d"),
                "leads": n,
                "x": round(i * slot + slot * 0.2, 1),
                "width": round(slot * 0.6, 1),
                "y": round(CHART_TOP + plot - height, 1),
                "height": height,
                "cx": round(i * slot + slot / 2, 1),
            }
        )
    clients = []
    ranked = sorted(per_client.items(), key=lambda item: (-sum(item[1]), item[0]))
    for slug, series in ranked[:limit]:
        peak = max(series) or 1
        bar = SPARK_W / LEAD_DAYS
        clients.append(
            {
                "slug": slug,
                "business_name": names.get(slug) or slug,
                "total": sum(series),
                "series": series,
                # What a screen reader says for the sparkline.
                "described": ", ".join(f"{d.strftime('%a %d')}: {n}" for d, n in zip(days, series)),
                "bars": [
                    {
                        "x": round(i * bar + 1, 1),
                        "width": round(bar - 2, 1),
                        "height": round(max(SPARK_H * n / peak, 1 if n else 0), 1),
                        "y": round(SPARK_H - max(SPARK_H * n / peak, 1 if n else 0), 1),
                    }
                    for i, n in enumerate(series)
                ],
            }
        )
    return {
        "total": sum(daily),
        "more_clients": len(ranked) - len(clients),
        "first_day": days[0].isoformat(),
        "last_day": days[-1].isoformat(),
        "columns": columns,
        "clients": clients,
        "chart": {"width": CHART_W, "height": CHART_H, "baseline": CHART_H - CHART_BOTTOM},
        "spark": {"width": SPARK_W, "height": SPARK_H},
        "described": ", ".join(f"{c['label']}: {c['leads']}" for c in columns),
    }


# The experiments section: each variant's rate as a bar, and the interval of B - A around zero.
EXP_W, EXP_ROW, EXP_LABEL, EXP_TEXT = 520, 22, 28, 200


def _experiment_drawing(record: dict[str, Any]) -> dict[str, Any]:
    """The SVG shapes of one experiment: a bar per variant's rate, the interval of B - A on an axis through 0."""
    variants = record["variants"]
    low, high = record["interval"]
    rates = [variants["a"]["rate"], variants["b"]["rate"]]
    top = max(max(rates), 0.01)
    plot = EXP_W - EXP_LABEL - EXP_TEXT  # room for the label before and the figures after each bar
    bars = [
        {
            "label": name.upper(),
            "y": 4 + i * EXP_ROW,
            "width": round(plot * rate / top, 1),
            "text": f"{rate * 100:.1f}% ({variants[name]['conversions']}/{variants[name]['visitors']})",
        }
        for i, (name, rate) in enumerate(zip(("a", "b"), rates))
    ]
    # The interval axis: symmetric around 0, wide enough for the difference and both ends.
    ends = [abs(record["difference"])] + [abs(v) for v in (low, high) if v is not None]
    span = max(max(ends), 0.005)
    mid = EXP_LABEL + plot / 2

    def at(value: float) -> float:
        return round(mid + (plot / 2) * value / span, 1)

    axis_y = 4 + 2 * EXP_ROW + 8
    interval = None
    said = f"B - A {record['difference'] * 100:+.1f}"
    if low is not None and high is not None:
        interval = {"x1": at(low), "x2": at(high)}
        said += f" [{low * 100:+.1f}, {high * 100:+.1f}]"
    said += " pts"
    return {
        "bars": bars,
        "bar_x": EXP_LABEL,
        "axis": {"y": axis_y, "x1": EXP_LABEL, "x2": EXP_LABEL + plot, "zero": round(mid, 1), "text": said},
        "interval": interval,
        "point": at(record["difference"]),
        "height": axis_y + 16,
        "width": EXP_W,
        "described": (
            f"A {bars[0]['text']}, B {bars[1]['text']}; B minus A "
            + (
                f"between {low * 100:.2f} and {high * 100:.2f} percentage points"
                if low is not None and high is not None
                else "not bounded yet (minimum sample not reached)"
            )
        ),
    }


def experiment_section(store: Any, *, limit: int) -> dict[str, Any]:
    """The running experiments and the latest decisions, drawn as SVG: at most `limit` of each, three reads.

    Bounded whatever the number of clients: the first page stays the same size at any scale.
    """
    running = store.experiments_of(statuses=("running",), limit=limit)
    decided = store.experiments_of(statuses=("decided",), limit=limit)
    counts = store.experiment_counts([e["id"] for e in running + decided])
    shown = []
    for row in running + decided:
        record = experiment_record(row, counts[row["id"]])
        shown.append({"slug": row["slug"], "record": record, "drawing": _experiment_drawing(record)})
    return {
        "running": [e for e in shown if e["record"]["status"] == "running"],
        "decided": [e for e in shown if e["record"]["status"] == "decided"],
    }

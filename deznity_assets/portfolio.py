"""Every client at a glance (for `deznity status` and the dashboard), and the one writer of the dashboard's pages.

The first page, output/index.html, holds the counts by status (the store counts them), the totals,
the review queue and the clients changed last. Every client is also on a page of output/_dashboard/,
by slug: each page holds the clients whose slug falls in its range, and _dashboard/index.html lists
the ranges (a phone book: no script, any static host). _dashboard/pages.json keeps the ranges and
each page's totals, so a change of status redraws the first page and the one page of the client
that changed, reading a page of rows whatever the number of clients.
"""

from __future__ import annotations

import bisect
import fcntl
import itertools
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .brief import is_safe_slug
from .dashboard import (
    add_usage,
    client_table,
    dashboard_context,
    experiment_section,
    failing_webhooks,
    lead_series,
    render_page,
)
from .flow import REVIEW_WINDOW
from .package import write_file_atomic

# Not a slug (slugs have no "_"), so never a client's folder under output/.
DASHBOARD_DIR = "_dashboard"
PAGES_FILE = "pages.json"
PAGE_SIZE = 25  # clients per page; a page that grows past twice this is split
SHELF = 50  # pages per shelf of the A-to-Z index, once there are more pages than that
# The first page's tables: small enough for Lighthouse's 100 on a phone (about 35 kB).
RECENT = 20  # clients changed last
QUEUE = 20  # reviews waiting longest
_READ_CHUNK = 1000  # clients per read when every page is drawn
_TOTALS = ("tokens", "cost_usd", "qa_total", "qa_count")
_FIELDS = ("first", "label", "low", "high", "clients", *_TOTALS)  # a page's record in pages.json


def client_entries(
    output_dir: Path, rows: Iterable[Any], figures: Mapping[str, Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """One entry per clients row: slug, name, status, error, QA score, its package, open review, live site, usage.

    `figures` are the store's client_figures of these rows (their live deployment, tokens and cost).
    """
    entries = []
    now = datetime.now(timezone.utc)
    for row in rows:
        figure = figures.get(row.slug) if row.slug else None
        # The site as now published: the latest run that deployed it (a later failed run leaves it live).
        live = (figure or {}).get("live") or {}
        # A slug typed into the table is never a path until it passes the slug check.
        folder = output_dir / row.slug if row.slug and is_safe_slug(row.slug) else None
        qa_score = None
        if folder and (folder / "qa" / "report.json").exists():
            try:
                score = json.loads((folder / "qa" / "report.json").read_text("utf-8")).get("score")
                qa_score = float(score) if isinstance(score, (int, float)) and not isinstance(score, bool) else None
            except (OSError, ValueError, AttributeError):
                qa_score = None
        has_package = bool(folder and (folder / "BOOTSTRAP_SUMMARY.md").exists())
        has_ticket = bool(folder and (folder / "review" / "REVIEW_TICKET.md").exists())
        review = None
        if row.status == "needs_review":
            raised = row.updated_at or now
            raised = raised if raised.tzinfo else raised.replace(tzinfo=timezone.utc)
            review = {
                "raised_at": raised.isoformat(),
                "overdue": now - raised > REVIEW_WINDOW,
                "ticket": f"{row.slug}/review/REVIEW_TICKET.md" if has_ticket else None,
            }
        entries.append(
            {
                "slug": row.slug,
                "business_name": row.business_name,
                "status": row.status,
                "error": row.last_error,
                "attempt": row.attempt,
                "qa_score": qa_score,
                "output_dir": str(folder) if has_package or has_ticket else None,
                "site": f"{row.slug}/site/index.html" if has_package or has_ticket else None,
                "summary": f"{row.slug}/BOOTSTRAP_SUMMARY.md" if has_package else None,
                "review": review,
                "live_url": live.get("live_url"),
                "preview_url": live.get("preview_url"),
            }
        )
    add_usage(entries, figures)
    return entries


def client_overview(output_dir: Path, store: Any) -> list[dict[str, Any]]:
    """Every client (`deznity status`): client_entries of every row, oldest first, with the store's figures."""
    return client_entries(output_dir, store.list_clients(), store.client_figures())


def rebuild_portfolio(
    output_dir: Path, store: Any, slugs: Iterable[str | None] = (), *, everything: bool = False
) -> Path:
    """Redraw the dashboard after a change of the clients `slugs`: their pages and the first page, output/index.html.

    Every page is drawn when `everything` is set, or when there is no page index yet (a new output
    folder, or one from before the pages).
    """
    output_dir.mkdir(parents=True, exist_ok=True)
    # One redraw at a time across processes: each reads the table after its own change and
    # writes after the previous redraw, so the last file written reflects every change.
    # The lock is on the folder itself, so it leaves no file behind.
    folder = os.open(output_dir, os.O_RDONLY)
    try:
        fcntl.flock(folder, fcntl.LOCK_EX)
        kept = None if everything else _load_pages(output_dir)
        if kept is not None and _redraw_pages(output_dir, store, *kept, {s for s in slugs if s}):
            pages, totals = kept
        else:
            pages = _draw_every_page(output_dir, store)
            totals = {k: sum(p[k] for p in pages) for k in _TOTALS}
        _save_pages(output_dir, pages, totals)
        target = output_dir / "index.html"
        write_file_atomic(target, first_page(output_dir, store, totals))
    finally:
        os.close(folder)  # closing releases the lock
    return target


# ----- the pages by slug ---------------------------------------------------------------------------


def page_file(first: str) -> str:
    """The file name of the page whose range starts at slug `first` ("" for the first range)."""
    return f"clients-from-{first}.html" if first else "clients.html"


# The page index this process wrote last, by file: the file's identity when written, its pages and totals.
# A write-back in the same process (the sensors' long-lived one) then skips reading and checking the
# file, the part of its work that grows with the number of pages (about 20 ms of 100 at 4,000 pages).
_WRITTEN: dict[Path, tuple[tuple[int, int, int], list[dict[str, Any]], dict[str, float]]] = {}


def _identity(path: Path) -> tuple[int, int, int] | None:
    """Inode, size and modification time of a file: another writer's replacement changes the inode."""
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def _load_pages(output_dir: Path) -> tuple[list[dict[str, Any]], dict[str, float]] | None:
    """The kept page index and totals, or None when there is none or it is not one this version wrote."""
    path = output_dir / DASHBOARD_DIR / PAGES_FILE
    written = _WRITTEN.pop(path.resolve(), None)  # taken out: a redraw that fails half way leaves no copy
    if written is not None and written[0] == _identity(path):
        return [dict(page) for page in written[1]], dict(written[2])
    try:
        kept = json.loads(path.read_text("utf-8"))
        columns, totals = kept["pages"], kept["totals"]
        firsts = columns["first"]
        ok = (
            kept.get("page_size") == PAGE_SIZE
            and firsts
            and firsts[0] == ""
            and all(len(columns[k]) == len(firsts) for k in _FIELDS)
            # Each range starts at a slug (it names a file) and they come in order.
            and all(isinstance(f, str) and is_safe_slug(f) for f in firsts[1:])
            and all(a < b for a, b in itertools.pairwise(firsts))
            # The figures are this module's own writing: only the file names (above) and totals are checked.
            and all(isinstance(totals.get(k), (int, float)) for k in _TOTALS)
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    if not ok:
        return None
    pages = [dict(zip(_FIELDS, values)) for values in zip(*(columns[k] for k in _FIELDS))]
    for page in pages:
        page["file"] = page_file(page["first"])  # a name made here, never one read from the file
    return pages, totals


def _save_pages(output_dir: Path, pages: Sequence[Mapping[str, Any]], totals: Mapping[str, float]) -> None:
    """Keep the page index and totals in _dashboard/pages.json, a list per field (thousands of pages load in ms)."""
    columns = {k: [p[k] for p in pages] for k in _FIELDS}
    index = {"page_size": PAGE_SIZE, "totals": totals, "pages": columns}
    path = output_dir / DASHBOARD_DIR / PAGES_FILE
    write_file_atomic(path, json.dumps(index, separators=(",", ":")))
    identity = _identity(path)
    if identity is not None:
        _WRITTEN[path.resolve()] = (identity, [dict(page) for page in pages], dict(totals))


def _redraw_pages(
    output_dir: Path, store: Any, pages: list[dict[str, Any]], totals: dict[str, float], slugs: set[str]
) -> bool:
    """Redraw the pages whose ranges hold `slugs`, splitting one grown past twice PAGE_SIZE; False: draw every page.

    `totals` (of every page) follow: each redrawn page's old figures out, its new ones in.

    A page is found by comparing slugs as Python does (byte order, as SQLite and PostgreSQL's C collation
    sort); a database that sorts them otherwise may not hold a client where it is looked for, and then
    every page is drawn again rather than leave the client out.
    """
    firsts = [p["first"] for p in pages]
    wanted: dict[int, set[str]] = {}
    for slug in slugs:
        wanted.setdefault(bisect.bisect_right(firsts, slug) - 1, set()).add(slug)
    split, shelves = False, set()
    # From the last range back: a split inserts pages after its own, leaving earlier indexes as they are.
    for i in sorted(wanted, reverse=True):
        before = pages[i + 1]["first"] if i + 1 < len(pages) else None
        rows = store.clients_between(pages[i]["first"], before)
        missing = wanted[i] - {r.slug for r in rows}
        if any(store.get(slug) is not None for slug in missing):
            return False
        groups = _split(rows, pages[i]["first"]) if len(rows) > 2 * PAGE_SIZE else [(pages[i]["first"], rows)]
        old = pages[i]
        _count(totals, old, -1)
        pages[i : i + 1] = [{"first": first, "file": page_file(first)} for first, _ in groups]
        for n, (_first, group) in enumerate(groups, start=i):
            _draw_page(output_dir, store, pages, n, group)
            _count(totals, pages[n], +1)
        if len(groups) > 1 and i + len(groups) < len(pages):
            after = i + len(groups)  # its "previous page" link changed
            _count(totals, pages[after], -1)
            _draw_page(output_dir, store, pages, after, None)
            _count(totals, pages[after], +1)
        if len(groups) > 1:
            split = True  # the pages after it move: every shelf from its own on is redrawn
        elif any(old.get(k) != pages[i].get(k) for k in ("clients", "label")):
            shelves.add(i // SHELF)
    if split or not (output_dir / DASHBOARD_DIR / "index.html").exists():
        _draw_directory(output_dir, pages)
    elif shelves:
        _draw_directory(output_dir, pages, shelves)
    return True


def _count(totals: dict[str, float], page: Mapping[str, Any], sign: int) -> None:
    for key in _TOTALS:
        totals[key] = totals.get(key, 0) + sign * page.get(key, 0)


def _draw_every_page(output_dir: Path, store: Any) -> list[dict[str, Any]]:
    """Every client on pages of PAGE_SIZE by slug, and their index: reads every client, once."""
    rows: list[Any] = []
    first = ""
    while True:
        chunk = store.clients_between(first, None, limit=_READ_CHUNK)
        rows += [r for r in chunk if not rows or r.slug != rows[-1].slug]
        if len(chunk) < _READ_CHUNK:
            break
        first = str(chunk[-1].slug)
    groups = _split(rows, "")
    pages = [{"first": first, "file": page_file(first)} for first, _ in groups]
    folder = output_dir / DASHBOARD_DIR
    folder.mkdir(parents=True, exist_ok=True)
    figures = store.client_figures()  # every client's in a few reads, rather than a few per page
    for n, (_first, group) in enumerate(groups):
        _draw_page(output_dir, store, pages, n, group, figures)
    # Pages of ranges that are no more (drawn before the index was lost or the page size changed).
    drawn = {p["file"] for p in pages}
    for stale in folder.glob("clients*.html"):
        if stale.name not in drawn:
            stale.unlink(missing_ok=True)
    _draw_directory(output_dir, pages)
    return pages


def _split(rows: Sequence[Any], first: str) -> list[tuple[str, list[Any]]]:
    """`rows` (by slug) in ranges of about PAGE_SIZE, the first starting at `first`; each other at a valid slug."""
    groups: list[tuple[str, list[Any]]] = [(first, [])]
    for row in rows:
        # A range's start names a file: only a slug that passes the slug check may be one.
        if len(groups[-1][1]) >= PAGE_SIZE and isinstance(row.slug, str) and is_safe_slug(row.slug):
            groups.append((row.slug, []))
        groups[-1][1].append(row)
    return groups


def _draw_page(
    output_dir: Path,
    store: Any,
    pages: list[dict[str, Any]],
    n: int,
    rows: Sequence[Any] | None,
    every_figure: Mapping[str, Mapping[str, Any]] | None = None,
) -> None:
    """Write page `n` of `pages` from its `rows` (None: read them), and keep its totals in pages[n].

    `every_figure`: the figures of every client, when every page is drawn (else the page's are read).
    """
    page = pages[n]
    if rows is None:
        before = pages[n + 1]["first"] if n + 1 < len(pages) else None
        rows = store.clients_between(page["first"], before)
    if every_figure is not None:
        figures = {r.slug: every_figure[r.slug] for r in rows if r.slug in every_figure}
    else:
        figures = store.client_figures([r.id for r in rows]) if rows else {}
    entries = client_entries(output_dir, rows, figures)
    label = f"{rows[0].slug} to {rows[-1].slug}" if rows else f"from {page['first'] or 'the start'} (none yet)"
    html = render_page(
        "dashboard_clients.html.j2",
        **client_table(output_dir, entries, figures),
        label=label,
        previous=pages[n - 1]["file"] if n > 0 else None,
        next=pages[n + 1]["file"] if n + 1 < len(pages) else None,
        generated_at=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    )
    (output_dir / DASHBOARD_DIR).mkdir(parents=True, exist_ok=True)
    write_file_atomic(output_dir / DASHBOARD_DIR / page["file"], html)
    scored = [e["qa_score"] for e in entries if e["qa_score"] is not None]
    page.update(
        label=label,
        low=rows[0].slug if rows else page["first"],
        high=rows[-1].slug if rows else page["first"],
        clients=len(rows),
        tokens=sum(e["tokens"] for e in entries),
        cost_usd=sum(e["cost_usd"] for e in entries),
        qa_total=sum(scored),
        qa_count=len(scored),
    )


def shelf_file(n: int) -> str:
    """The file name of shelf `n` (from 0) of the A-to-Z index."""
    return f"index-{n + 1}.html"


def _draw_directory(output_dir: Path, pages: Sequence[Mapping[str, Any]], shelves: Iterable[int] | None = None) -> None:
    """The A-to-Z index: every page by slug range, or past SHELF pages the shelves of SHELF pages, each its own page.

    `shelves`: only these shelves are drawn again, and the index (None: every one).
    """
    folder = output_dir / DASHBOARD_DIR
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    groups = [pages[n : n + SHELF] for n in range(0, len(pages), SHELF)] if len(pages) > SHELF else []
    listed = [
        {
            "file": shelf_file(n),
            "label": f"{group[0]['low']} to {group[-1]['high']}",
            "clients": sum(p["clients"] for p in group),
            "pages": len(group),
        }
        for n, group in enumerate(groups)
    ]
    total = sum(p["clients"] for p in pages)
    index = render_page(
        "dashboard_directory.html.j2",
        shelves=listed,
        pages=[] if groups else pages,
        total=total,
        label=None,
        pages_count=len(pages),
        generated_at=now,
    )
    write_file_atomic(folder / "index.html", index)
    for n in range(len(groups)) if shelves is None else sorted(shelves):
        if n < len(groups):
            shelf = render_page(
                "dashboard_directory.html.j2",
                shelves=[],
                pages=groups[n],
                total=listed[n]["clients"],
                label=listed[n]["label"],
                pages_count=len(groups[n]),
                generated_at=now,
            )
            write_file_atomic(folder / shelf_file(n), shelf)
    if shelves is None:
        # Shelves that are no more (the pages were fewer, or drawn with another page size).
        for stale in folder.glob("index-*.html"):
            if stale.name not in {item["file"] for item in listed}:
                stale.unlink(missing_ok=True)


# ----- the first page --------------------------------------------------------------------------------


def first_page(output_dir: Path, store: Any, totals: Mapping[str, float]) -> str:
    """output/index.html: the store's counts, the kept totals, the review queue and the clients changed last."""
    recent_rows = store.recent_clients(RECENT)
    queue_rows, overdue = store.review_queue(QUEUE, overdue_before=datetime.now(timezone.utc) - REVIEW_WINDOW)
    figures = store.client_figures([r.id for r in recent_rows]) if recent_rows else {}
    recent = client_entries(output_dir, recent_rows, figures)
    return render_page(
        "dashboard.html.j2",
        **dashboard_context(
            output_dir,
            counts=store.status_counts(),
            recent=recent,
            figures=figures,
            queue=client_entries(output_dir, queue_rows, {}),
            overdue=overdue,
            totals=totals,
            directory=f"{DASHBOARD_DIR}/index.html",
        ),
        # Leads and failing webhooks: one grouped query each, and at most RECENT clients listed.
        leads=lead_series(store, recent, limit=RECENT),
        experiments=experiment_section(store, limit=RECENT),
        webhooks=failing_webhooks(store),
    )

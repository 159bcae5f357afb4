"""Every client at a glance (for `deznity status` and the dashboard), and the one writer of output/index.html."""

from __future__ import annotations

import fcntl
import json
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .brief import is_safe_slug
from .dashboard import render_dashboard
from .flow import REVIEW_WINDOW
from .package import write_file_atomic


def client_overview(output_dir: Path, store: Any) -> list[dict[str, Any]]:
    """One entry per client: slug, name, status, error, QA score, where its package is, its open review and live
    site."""
    entries = []
    for row in store.list_clients():
        # The site as now published: the latest run that deployed it (a later failed run leaves it live).
        live = store.latest_live_project(row.id) or {}
        # A slug typed into the table is never a path until it passes the slug check.
        folder = output_dir / row.slug if row.slug and is_safe_slug(row.slug) else None
        qa_score = None
        if folder and (folder / "qa" / "report.json").exists():
            try:
                qa_score = json.loads((folder / "qa" / "report.json").read_text("utf-8")).get("score")
            except (OSError, ValueError):
                qa_score = None
        has_package = bool(folder and (folder / "BOOTSTRAP_SUMMARY.md").exists())
        has_ticket = bool(folder and (folder / "review" / "REVIEW_TICKET.md").exists())
        review = None
        if row.status == "needs_review":
            raised = row.updated_at or datetime.now(timezone.utc)
            raised = raised if raised.tzinfo else raised.replace(tzinfo=timezone.utc)
            review = {
                "raised_at": raised.isoformat(),
                "overdue": datetime.now(timezone.utc) - raised > REVIEW_WINDOW,
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
    return entries


def rebuild_portfolio(output_dir: Path, store: Any) -> Path:
    """Rewrite output/index.html, the dashboard, from the store and the packages on disk."""
    output_dir.mkdir(parents=True, exist_ok=True)
    # One rebuild at a time across processes: each reads the table after its own change and
    # writes after the previous rebuild, so the last file written reflects every change.
    # The lock is on the folder itself, so it leaves no file behind.
    folder = os.open(output_dir, os.O_RDONLY)
    try:
        fcntl.flock(folder, fcntl.LOCK_EX)
        html = render_dashboard(output_dir, client_overview(output_dir, store), store)
        target = output_dir / "index.html"
        write_file_atomic(target, html)
    finally:
        os.close(folder)  # closing releases the lock
    return target

"""Which clients received leads since a cursor, and their figures: what the Dagster `leads` asset reports.

The cursor is the newest lead's created_at seen, with the ids of the leads in the last TIE_SECONDS
before it: a lead stamped a moment before another but committed after it (two requests in flight)
is still seen once, on the next pass.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from ..store.base import ClientStore
from ..store.rows import aware, utcnow

RECENT_DAYS = 7
TIE_SECONDS = 2.0
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


@dataclass
class LeadActivity:
    """Clients whose leads changed since the cursor, their figures, and the cursor to keep."""

    figures: dict[str, dict[str, int]] = field(default_factory=dict)  # slug -> leads_7d, leads_total, spam_total
    new_leads: int = 0
    cursor: str | None = None
    newest: datetime | None = None


def _created(lead: dict[str, Any]) -> datetime:
    value = lead["created_at"]
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return aware(value) or EPOCH


def lead_activity(store: ClientStore, cursor: str | None, *, now: datetime | None = None) -> LeadActivity:
    """The clients with leads (spam included) newer than `cursor`, and their figures; with no cursor yet, every
    client that ever had a lead."""
    now = now or utcnow()
    state = json.loads(cursor) if cursor else None
    if state is None:
        # First pass: every client that ever had a lead; the newest lead is where the next pass starts.
        read = store.leads(limit=1) + store.leads(spam=True, limit=1)
        slugs: list[str] | None = None
        newest = max((_created(r) for r in read), default=None)
        if newest is None:
            return LeadActivity(cursor=cursor)
        tie = newest - timedelta(seconds=TIE_SECONDS)
        read = store.leads(since=tie) + store.leads(since=tie, spam=True)
    else:
        newest = datetime.fromisoformat(state["newest"])
        seen = set(state.get("ids", []))
        since = newest - timedelta(seconds=TIE_SECONDS)
        read = store.leads(since=since) + store.leads(since=since, spam=True)
        new = [r for r in read if str(r["id"]) not in seen]
        if not new:
            return LeadActivity(cursor=cursor, newest=newest)
        slugs = sorted({str(r["slug"]) for r in new})
        newest = max([newest, *(_created(r) for r in new)])
    totals = store.lead_totals(slugs, since=now - timedelta(days=RECENT_DAYS))
    figures = {
        slug: {"leads_7d": t["leads_recent"], "leads_total": t["leads_total"], "spam_total": t["spam_total"]}
        for slug, t in totals.items()
    }
    # Every lead stamped within TIE_SECONDS of the newest was read: the next pass reads from there and skips them.
    tie = newest - timedelta(seconds=TIE_SECONDS)
    ids = sorted({str(r["id"]) for r in read if _created(r) > tie})
    count = len(new) if state is not None else sum(f["leads_total"] + f["spam_total"] for f in figures.values())
    return LeadActivity(
        figures=figures,
        new_leads=count,
        cursor=json.dumps({"newest": newest.isoformat(), "ids": ids}),
        newest=newest,
    )


__all__ = ["LeadActivity", "lead_activity"]

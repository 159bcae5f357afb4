"""Experiments rows as every store backend hands them back, and the shape of their counts."""

from __future__ import annotations

import json
from typing import Any

from .rows import aware

# experiment_events.kind -> the count it adds to.
COUNT_OF_KIND = {"exposure": "visitors", "conversion": "conversions"}
TIME_COLUMNS = ("started_at", "decided_at", "acted_at")


def empty_counts() -> dict[str, dict[str, int]]:
    """Zero visitors and conversions for both variants."""
    return {v: {"visitors": 0, "conversions": 0} for v in ("a", "b")}


def experiment_row(row: dict[str, Any]) -> dict[str, Any]:
    """An experiments row: its id as text, times timezone-aware, its figures parsed (None when absent or unreadable)."""
    out = dict(row)
    out["id"], out["client_id"] = str(out["id"]), str(out["client_id"])
    for column in TIME_COLUMNS:
        out[column] = aware(out.get(column))
    figures = out.get("figures")
    if isinstance(figures, str):
        try:
            out["figures"] = json.loads(figures)
        except ValueError:
            out["figures"] = None
    return out

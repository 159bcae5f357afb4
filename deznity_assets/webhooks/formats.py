"""What an endpoint receives: the signed JSON event, or a one-line Slack message for people."""

from __future__ import annotations

import json
import unicodedata
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

SLACK_STATUS = {
    "client.claimed": "in progress",
    "client.completed": "completed",
    "client.failed": "failed",
    "client.retried": "back to pending",
    "client.needs_review": "waiting for review",
    "review.overdue": "review OVERDUE",
    "client.deployed": "live",
}


def _iso(value: Any) -> str:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
    return str(value)


def event_data(event: dict[str, Any], output_dir: Path, site_url: str | None = None) -> dict[str, Any]:
    """The event's payload, with links to the package and site once the client is completed."""
    data = json.loads(event["payload"]) if isinstance(event["payload"], str) else dict(event["payload"])
    slug = data.get("slug")
    if event["type"] == "client.needs_review" and slug:
        data["links"] = {"ticket": str(output_dir / slug / "review" / "REVIEW_TICKET.md")}
    if event["type"] == "client.completed" and slug:
        folder = output_dir / slug
        data["links"] = {
            "package": str(folder),
            "site": str(folder / "site" / "index.html"),
            **({"site_url": site_url} if site_url else {}),
        }
    return data


def json_body(event: dict[str, Any], data: dict[str, Any]) -> bytes:
    """The JSON body every signed endpoint receives (the same bytes on every attempt)."""
    body = {"id": str(event["id"]), "type": event["type"], "created_at": _iso(event["created_at"]), "data": data}
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


# The fields a lead's Slack line shows at most: what a person reads before opening the lead.
SLACK_LEAD_CHARS = 300


def _lead_text(name: str, data: dict[str, Any]) -> str:
    """A lead's line: `TacoLoco (tacoloco): new reservation lead — Ana Ruiz, ana@example.com, 4`."""
    fields = data.get("fields")
    values = fields.values() if isinstance(fields, dict) else []
    shown = ", ".join(
        json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else str(v)
        for v in values
        if v not in (None, "")
    )
    if len(shown) > SLACK_LEAD_CHARS:
        shown = shown[: SLACK_LEAD_CHARS - 1].rstrip() + "…"
    text = f"{name} ({data.get('slug')}): new {data.get('form') or 'form'} lead"
    return f"{text} — {shown}" if shown else text


def slack_text(event_type: str, data: dict[str, Any]) -> str:
    """One line for people: `TacoLoco (tacoloco): completed, QA 96 — output/tacoloco/site/index.html`."""
    name = data.get("business_name") or data.get("slug") or "a client"
    if event_type == "lead.received":
        return _slack_line(_lead_text(str(name), data))
    if event_type == "experiment.decided":
        return _slack_line(_experiment_text(str(name), data))
    status = SLACK_STATUS.get(event_type) or str(data.get("status") or event_type)
    if event_type == "review.decided" and data.get("decision"):
        status = f"review {data['decision']}" + (f" by {data['reviewer']}" if data.get("reviewer") else "")
    parts = [f"{name} ({data.get('slug')}): {status}"]
    if event_type in {"client.claimed", "client.retried"} and data.get("attempt"):
        parts[0] += f" (attempt {data['attempt']})"
    if data.get("qa_score") is not None:
        parts.append(f"QA {float(data['qa_score']):g}")
    text = ", ".join(parts)
    links = data.get("links") or {}
    detail = links.get("site") or data.get("live_url") or data.get("reason") or links.get("ticket")
    if detail:
        text += f" — {detail}"
    return _slack_line(text)


def _experiment_text(name: str, data: dict[str, Any]) -> str:
    """`TacoLoco (tacoloco): A/B experiment decided, b wins — A 25.0% of 812, B 49.6% of 788`."""
    winner = data.get("winner")
    outcome = {"a": "a wins", "b": "b wins", "none": "no difference"}.get(str(winner), str(winner))
    text = f"{name} ({data.get('slug')}): A/B experiment decided, {outcome}"
    figures = data.get("figures") or {}
    try:
        text += " — " + ", ".join(
            f"{v.upper()} {float(figures[v]['rate']) * 100:.1f}% of {int(figures[v]['visitors'])}" for v in ("a", "b")
        )
    except (KeyError, TypeError, ValueError):
        pass
    return text


def _slack_line(text: str) -> str:
    """`text` as one Slack line: line breaks and invisible characters flattened, Slack's &, < and > escaped."""
    # One line, whatever a reason or a visitor's message holds; a bidi override or zero-width
    # character would reorder or hide what the channel reads.
    text = "".join(" " if unicodedata.category(ch) in {"Cc", "Cf", "Zl", "Zp", "Cs"} else ch for ch in text)
    text = " ".join(text.split())
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_body(event_type: str, data: dict[str, Any]) -> bytes:
    """The body a Slack incoming webhook takes: {"text": "<one line>"}."""
    return json.dumps({"text": slack_text(event_type, data)}, ensure_ascii=False).encode("utf-8")

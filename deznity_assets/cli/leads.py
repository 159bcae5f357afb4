"""The leads command: what visitors sent through the forms of the clients' sites, as a table, JSON or CSV."""

from __future__ import annotations

import csv
import json
import sys
from datetime import date, datetime, timezone
from typing import Any

import click

from .common import load_platform, open_store, table

# A spreadsheet runs a cell that begins with one of these as a formula (CSV injection): such a cell
# gets a leading apostrophe, which spreadsheets show as text and do not display.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FIXED_COLUMNS = ["created_at", "client", "form", "variant", "id"]
SUMMARY_CHARS = 70


def parse_since(value: str) -> datetime:
    """--since as an aware UTC time: a day (YYYY-MM-DD, from its midnight UTC) or an ISO 8601 time."""
    text = value.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime(day.year, day.month, day.day, tzinfo=timezone.utc)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise click.BadParameter(
            f"{value[:40]!r} is not a date; use YYYY-MM-DD (a UTC day) or an ISO time such as 2025-06-01T09:30:00Z",
            param_hint="--since",
        ) from None
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def safe_cell(value: Any) -> str:
    """A CSV cell that no spreadsheet runs as a formula; dicts and lists as JSON."""
    text = (
        json.dumps(value, ensure_ascii=False)
        if isinstance(value, (dict, list))
        else ""
        if value is None
        else str(value)
    )
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _iso(value: Any) -> str:
    if isinstance(value, datetime):
        value = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
    return str(value)


def _fields(lead: dict[str, Any]) -> dict[str, Any]:
    fields = lead.get("fields")
    if isinstance(fields, str):
        try:
            fields = json.loads(fields)
        except ValueError:
            return {"fields": fields}
    return fields if isinstance(fields, dict) else {"fields": fields}


def lead_record(lead: dict[str, Any], *, spam: bool = False) -> dict[str, Any]:
    """One lead as `--json` gives it: client, form, fields (an object), created_at, and the rest."""
    record = {
        "id": str(lead["id"]),
        "client": lead["slug"],
        "form": lead["form"],
        "fields": _fields(lead),
        "variant": lead.get("variant"),
        "created_at": _iso(lead["created_at"]),
        "mail_state": lead.get("mail_state"),
        "mail_error": lead.get("mail_error"),
    }
    if spam:
        record["spam_reason"] = lead.get("spam_reason")
    return record


def write_csv(records: list[dict[str, Any]], out: Any) -> None:
    """The leads as CSV: the fixed columns, then one column per field name seen, formula-looking cells defused."""
    names: list[str] = []
    for record in records:
        names += [name for name in record["fields"] if name not in names]
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([safe_cell(c) for c in [*FIXED_COLUMNS, *names]])
    for r in records:
        fixed = [r["created_at"], r["client"], r["form"], r["variant"], r["id"]]
        writer.writerow([safe_cell(v) for v in [*fixed, *(r["fields"].get(name) for name in names)]])


@click.command("leads")
@click.argument("slug", required=False)
@click.option(
    "--since", "since_text", metavar="DATE", help="Only leads from this UTC day (YYYY-MM-DD) or time (ISO 8601) on."
)
@click.option("--json", "as_json", is_flag=True, help="A JSON list: id, client, form, fields, variant, created_at.")
@click.option("--csv", "as_csv", is_flag=True, help="CSV with one column per field; safe to open in a spreadsheet.")
@click.option("--spam", is_flag=True, help="The submissions kept apart as spam (with the reason) instead.")
def leads(slug: str | None, since_text: str | None, as_json: bool, as_csv: bool, spam: bool) -> None:
    """What visitors sent through the forms of the clients' sites (of SLUG only when given), newest first."""
    from ..site_api.mail import plain_line

    if as_json and as_csv:
        raise click.UsageError("choose one of --json and --csv")
    since = parse_since(since_text) if since_text else None
    store = open_store(load_platform())
    if slug is not None and store.get(slug) is None:
        raise click.ClickException(f"no client {plain_line(slug, 40)!r}; `deznity status` lists the clients")
    records = [lead_record(lead, spam=spam) for lead in store.leads(slug=slug, since=since, spam=spam)]
    if as_json:
        click.echo(json.dumps(records, indent=2, ensure_ascii=False))
        return
    if as_csv:
        write_csv(records, sys.stdout)
        return
    if not records:
        kind = "spam" if spam else "leads"
        click.echo(f"no {kind} yet" + (f" for {slug}" if slug else "") + (f" since {since_text}" if since else ""))
        return
    rows = []
    for r in records:
        # Visitor text is shown flattened: no line breaks, control or escape sequences reach the terminal.
        summary = plain_line(", ".join(f"{k}: {v}" for k, v in r["fields"].items() if v not in (None, "")))
        summary = summary if len(summary) <= SUMMARY_CHARS else summary[: SUMMARY_CHARS - 1] + "…"
        status = r.get("spam_reason") if spam else r["mail_state"] or "pending"
        rows.append(
            (r["created_at"][:16].replace("T", " "), r["client"], r["form"], plain_line(status or "-"), summary)
        )
    table(["received (UTC)", "client", "form", "spam reason" if spam else "e-mail", "fields"], rows)
    click.echo(f"{len(records)} {'spam submissions' if spam else 'leads'}")


COMMANDS = [leads]

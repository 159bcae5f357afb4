"""The experiments command: each client's A/B experiment, its figures and its decision, as a table or JSON."""

from __future__ import annotations

import json
from typing import Any

import click

from ..brief import BriefError
from ..experiments.report import client_experiments
from ..site_api.mail import plain_line
from .common import load_platform, open_store, table


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.2f}%"


def _switch(row: Any) -> bool | None:
    try:
        return row.brief().experiments
    except BriefError:
        return None


@click.command("experiments")
@click.argument("slug", required=False)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="A JSON list, per client: id, status (running, decided, off), per variant visitors and conversions, "
    "and the decision with the winner.",
)
@click.option("--history", is_flag=True, help="Also each client's past experiments, newest first.")
def experiments(slug: str | None, as_json: bool, history: bool) -> None:
    """Each client's A/B experiment (of SLUG only when given): visitors, conversions, the interval and the decision."""
    platform = load_platform()
    store = open_store(platform)
    global_on = bool(platform.resources["output"].experiments)
    if slug is not None:
        row = store.get(slug)
        if row is None:
            raise click.ClickException(f"no client {plain_line(slug, 40)!r}; `deznity status` lists the clients")
        rows = [row]
    else:
        rows = [r for r in store.list_clients() if r.slug]
    records = []
    for row in rows:
        found = client_experiments(store, str(row.slug), switch=_switch(row), global_on=global_on, history=history)
        if found is None and slug is not None:
            found = {"client": row.slug, "id": None, "status": "none", "experiment": None}
            if history:
                found["history"] = []
        if found is not None:
            records.append(found)
    if as_json:
        click.echo(json.dumps(records, indent=2, ensure_ascii=False))
        return
    if not records:
        click.echo("no experiments yet" + (f" for {slug}" if slug else ""))
        return
    lines = []
    for record in records:
        shown = [record["experiment"], *record.get("history", [])] if record["experiment"] else []
        if not shown:
            lines.append((record["client"], record["status"], "-", "-", "-", "-", "-", "-"))
        for n, exp in enumerate(shown):
            a, b = exp["variants"]["a"], exp["variants"]["b"]
            low, high = exp["interval"]
            decision = exp["decision"]
            lines.append(
                (
                    record["client"] if n == 0 else "",
                    record["status"] if n == 0 else exp["status"],
                    exp["started_at"][:10] if exp["started_at"] else "-",
                    f"{a['conversions']}/{a['visitors']} ({_pct(a['rate'])})",
                    f"{b['conversions']}/{b['visitors']} ({_pct(b['rate'])})",
                    f"[{_pct(low)}, {_pct(high)}]" if low is not None else "-",
                    (f"{decision['winner']} ({decision['decision']})" if decision else exp["look"]),
                    exp["id"][:8],
                )
            )
    table(
        ["client", "status", "started", "A conv/visitors", "B conv/visitors", "B - A interval", "decision", "id"], lines
    )


COMMANDS = [experiments]

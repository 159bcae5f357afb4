"""Benchmark: what reading and announcing leads costs, with many leads, on SQLite and on PostgreSQL.

Run: `.venv/bin/python benchmarks/lead_figures.py --clients 200 --leads 100000 --mails 300 --write`.
Fills a fresh store with C published clients and N leads spread over the last 90 days (5 % spam),
then times what runs outside the visitor's request: the dashboard's leads section (lead_series,
one grouped query), the `leads` asset's first sensor pass (every client's figures) and a pass after
100 new leads, `deznity leads SLUG --since` (one client's last week), and the e-mail pass sending
M leads to a local SMTP server (aiosmtpd on 127.0.0.1, one connection per pass). With --write the
figures, the command and the machine are appended to docs/PERFORMANCE.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from contextlib import nullcontext
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _project import machine, record  # noqa: E402

CHUNK = 5_000


def fill(store: Any, clients: int, leads: int, now: datetime) -> list[Any]:
    """C completed clients and N leads over 90 days, inserted in chunks; returns the client rows."""
    from deznity_assets.brief import REFERENCE_CLIENTS
    from deznity_assets.store.schema import leads as leads_table

    rows = []
    for n in range(clients):
        brief = {**REFERENCE_CLIENTS[n % 5], "business_name": f"Client {n:05d}", "contact_email": f"c{n}@example.com"}
        rows.append(store.add_client(brief, status="completed"))
    rng = random.Random(7)
    with store.engine.begin() as conn:
        batch = []
        for i in range(leads):
            client = rows[rng.randrange(clients)]
            spam = rng.random() < 0.05
            batch.append(
                {
                    "id": str(uuid.uuid4()),
                    "client_id": client.id,
                    "slug": client.slug,
                    "form": "reservation",
                    "fields": json.dumps({"name": f"Visitor {i}", "email": f"v{i}@example.com", "party_size": 2}),
                    "spam": spam,
                    "spam_reason": "honeypot" if spam else None,
                    "created_at": now - timedelta(seconds=rng.uniform(0, 90 * 86400)),
                    # Old leads were mailed long ago: the e-mail pass sees only the new ones.
                    "mail_state": "sent",
                    "mail_attempts": 1,
                }
            )
            if len(batch) == CHUNK:
                conn.execute(leads_table.insert(), batch)
                batch = []
        if batch:
            conn.execute(leads_table.insert(), batch)
    return rows


def timed(fn: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    """The median seconds of `repeats` calls of `fn`, and its last result."""
    seconds, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds), result


def measure(url: str, clients: int, leads: int, mails: int, repeats: int) -> dict[str, float]:
    """Every figure on the store at `url`."""
    from deznity_assets.dashboard import lead_series
    from deznity_assets.site_api.activity import lead_activity
    from deznity_assets.site_api.mail import send_lead_mail
    from deznity_assets.site_api.settings import SiteApiSettings
    from deznity_assets.store import SqlClientStore
    from deznity_assets.store.events import lead_event
    from tests.servers.smtp import SmtpServer

    store = SqlClientStore(url)
    now = datetime.now(timezone.utc)
    rows = fill(store, clients, leads, now)
    entries = [{"slug": r.slug, "business_name": r.business_name} for r in rows]
    figures: dict[str, float] = {}
    figures["dashboard"], _ = timed(lambda: lead_series(store, entries), repeats)
    figures["asset_first"], first = timed(lambda: lead_activity(store, None), repeats)
    for i in range(100):
        client = rows[i % clients]
        lead = {
            "id": str(uuid.uuid4()),
            "client_id": client.id,
            "slug": client.slug,
            "form": "contact",
            "fields": json.dumps({"name": f"New {i}", "email": f"n{i}@example.com", "message": "Hola"}),
            "spam": False,
            "created_at": datetime.now(timezone.utc),
        }
        store.add_lead(lead, lead_event(lead, business_name=client.business_name))
    figures["asset_new"], _ = timed(lambda: lead_activity(store, first.cursor), repeats)
    week = now - timedelta(days=7)
    figures["cli"], _ = timed(lambda: store.leads(slug=rows[0].slug, since=week), repeats)
    # The e-mail pass: the 100 new leads and `mails` - 100 more, to a real SMTP server.
    for i in range(max(0, mails - 100)):
        client = rows[i % clients]
        lead = {
            "id": str(uuid.uuid4()),
            "client_id": client.id,
            "slug": client.slug,
            "form": "reservation",
            "fields": json.dumps({"name": f"Mail {i}", "email": f"m{i}@example.com", "party_size": 3}),
            "spam": False,
            "created_at": datetime.now(timezone.utc),
        }
        store.add_lead(lead, None)
    with SmtpServer() as server:
        settings = SiteApiSettings(smtp_url=server.url, smtp_from="leads@agency.example")
        start = time.perf_counter()
        sent = 0
        while True:
            report = send_lead_mail(store, settings)
            sent += report.sent
            if report.sent == 0:
                break
        figures["mail_seconds"] = time.perf_counter() - start
        figures["mails"] = sent
        assert len(server.messages) == sent
    store.dispose()
    return figures


def main() -> None:
    """Measure on each backend; print the table, and append it to docs/PERFORMANCE.md with --write."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--mails", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--write", action="store_true", help="append the figures to docs/PERFORMANCE.md")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    rows = []
    for backend in args.backends.split(","):
        with tempfile.TemporaryDirectory() as tmp:
            if backend == "postgres":
                from intake_tick import postgres_cluster

                cluster: Any = postgres_cluster()
            else:
                cluster = nullcontext(None)
            with cluster as server:
                if backend == "postgres":
                    import psycopg

                    with psycopg.connect(f"postgresql://postgres@{server}/postgres", autocommit=True) as conn:
                        conn.execute("CREATE DATABASE leads")
                    url = f"postgresql+psycopg://postgres@{server}/leads"
                else:
                    url = f"sqlite:///{tmp}/deznity.db"
                f = measure(url, args.clients, args.leads, args.mails, args.repeats)
        row = (
            f"| {backend} | {args.leads:,} | {f['dashboard'] * 1000:.0f} ms | {f['asset_first'] * 1000:.0f} ms "
            f"| {f['asset_new'] * 1000:.0f} ms | {f['cli'] * 1000:.0f} ms "
            f"| {f['mails']:.0f} in {f['mail_seconds']:.1f} s "
            f"({f['mails'] / f['mail_seconds']:.0f}/s) |"
        )
        print(row)
        rows.append(row)
    text = "\n".join(
        [
            f"## Leads outside the request, {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC",
            "",
            f"{args.clients} published clients, leads over 90 days (5 % spam); medians of {args.repeats} calls. "
            "Dashboard: the leads section's data (one grouped query); asset: leads_sensor's pass with no cursor "
            "(every client's figures) and after 100 new leads; CLI: `deznity leads SLUG --since` a week; e-mails: "
            "passes to aiosmtpd on 127.0.0.1 until none is left.",
            "",
            f"Command: `.venv/bin/python benchmarks/lead_figures.py --clients {args.clients} --leads {args.leads} "
            f"--mails {args.mails} --write`  ",
            f"Machine: {machine(load)}",
            "",
            "| store | leads | dashboard | asset, first pass | asset, 100 new | CLI, one client's week | e-mails |",
            "|---|---|---|---|---|---|---|",
            *rows,
        ]
    )
    if args.write:
        record(text)


if __name__ == "__main__":
    main()

"""Benchmark: webhook delivery passes with one endpoint down, on SQLite and on PostgreSQL.

Run: `.venv/bin/python benchmarks/webhook_delivery.py --events 300 --history 20000 --write`.
Two endpoints on 127.0.0.1 (the test suite's signature-checking receiver): one healthy, one answering
500 throughout (backoff 60 s, so nothing is given up meanwhile). The store holds `--history` events
already delivered to both, then `--events` new status changes. Measured: the passes and seconds until
the healthy endpoint has every new event, the requests each endpoint got per pass, and an idle pass
afterwards (nothing due) with the dead endpoint's backlog still waiting.
With --write the figures, the command and the machine are appended to docs/PERFORMANCE.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._project import machine, record  # noqa: E402

SECRET = "bench-webhook-secret"
CHUNK = 5_000


def fill_history(store, labels: list[str], count: int) -> None:
    """`count` old events, each delivered to every endpoint (the outbox of a busy installation)."""
    from deznity_assets.store.schema import (
        webhook_deliveries,
        webhook_endpoint_events,
        webhook_endpoints,
        webhook_events,
    )

    start = datetime.now(UTC) - timedelta(days=30)
    with store.engine.begin() as conn:
        for first in range(0, count, CHUNK):
            events, queued, attempts = [], [], []
            for i in range(first, min(first + CHUNK, count)):
                at, event_id = start + timedelta(seconds=i), str(uuid.uuid4())
                events.append(
                    dict(id=event_id, client_id=f"old-{i % 5000}", slug=f"old-{i % 5000}", type="client.claimed")
                    | dict(payload="{}", done=True, created_at=at)
                )
                for label in labels:
                    queued.append(
                        dict(endpoint=label, event_id=event_id, seq=i + 1, state="delivered", attempts=1, updated_at=at)
                    )
                    attempts.append(
                        dict(id=str(uuid.uuid4()), event_id=event_id, endpoint=label, attempt=1, outcome="delivered")
                        | dict(status_code=200, duration_ms=5, attempted_at=at)
                    )
            conn.execute(webhook_events.insert(), events)
            conn.execute(webhook_endpoint_events.insert(), queued)
            conn.execute(webhook_deliveries.insert(), attempts)
        conn.execute(webhook_endpoints.insert(), [dict(endpoint=label, queued_through=count) for label in labels])


def measure(backend: str, events: int, history: int) -> dict[str, float]:
    """One backend: the passes and seconds until the healthy endpoint has every new event, then an idle pass."""
    from contextlib import ExitStack

    from deznity_assets.brief import REFERENCE_CLIENTS
    from deznity_assets.resources import WebhookResource
    from deznity_assets.store import SqlClientStore
    from deznity_assets.webhooks import deliver_due, parse_endpoints
    from tests.servers.webhook_receiver import WebhookReceiver

    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="deznity-bench-hooks-")))
        if backend == "sqlite":
            url = f"sqlite:///{folder / 'deznity.db'}"
        else:
            from benchmarks.intake_tick import postgres_cluster

            url = f"postgresql+psycopg://postgres@{stack.enter_context(postgres_cluster())}/postgres"
        store = SqlClientStore(url)
        healthy = stack.enter_context(WebhookReceiver(SECRET))
        dead = stack.enter_context(WebhookReceiver(SECRET))
        dead.otherwise = "500"
        settings = WebhookResource(urls=f"{healthy.url},{dead.url}", secret=SECRET, backoff_seconds=60)
        labels = [parse_endpoints([u])[0][0].label for u in (healthy.url, dead.url)]
        fill_history(store, labels, history)
        rows = [store.add_client({**REFERENCE_CLIENTS[4], "business_name": f"Shop {n}"}) for n in range(events // 3)]
        store.claim_pending(len(rows))
        for row in rows:  # each client claimed, completed and sent back: three events apiece
            store.mark_completed(row.slug, run_id=None)
            store.requeue(row.slug, reason="rework")
        passes, seconds, dead_requests = 0, [], []
        while len(healthy.accepted) < events and passes < 100:
            before, started = len(dead.requests), time.perf_counter()
            deliver_due(store, settings, folder)
            seconds.append(time.perf_counter() - started)
            dead_requests.append(len(dead.requests) - before)
            passes += 1
        started = time.perf_counter()
        deliver_due(store, settings, folder)  # nothing due: the healthy one is done, the dead one in backoff
        idle = time.perf_counter() - started
        waiting = store.webhook_backlog(labels[1])[0]
        store.dispose()
    result = {
        "received": len(healthy.accepted),
        "passes": passes,
        "total_s": sum(seconds),
        "median_pass_s": statistics.median(seconds),
        "slowest_pass_s": max(seconds),
        "dead_per_pass": max(dead_requests),
        "idle_s": idle,
        "waiting": waiting,
    }
    print(backend, result)
    return result


def main() -> None:
    """Measure each backend; print, and with --write append to docs/PERFORMANCE.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=300, help="new status changes (a multiple of 3)")
    parser.add_argument("--history", type=int, default=20_000, help="events delivered before")
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    results = {b: measure(b, args.events, args.history) for b in args.backends.split(",")}
    if not args.write:
        return
    lines = [
        f"## Webhook delivery with one endpoint down, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC\n",
        f"Command: `.venv/bin/python benchmarks/webhook_delivery.py --events {args.events} --history {args.history}`"
        f" ({args.history:,} events already delivered, then {args.events} status changes; two endpoints on"
        " 127.0.0.1, one answering 500 throughout)  ",
        f"Machine: {machine(load)}\n",
        "| store | healthy endpoint received | passes | all passes | median pass | slowest pass "
        "| requests to the dead one per pass | idle pass | dead one's backlog |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for backend, r in results.items():
        name = "SQLite" if backend == "sqlite" else "PostgreSQL 15"
        lines.append(
            f"| {name} | {r['received']:.0f} of {args.events} | {r['passes']:.0f} | {r['total_s']:.1f} s "
            f"| {r['median_pass_s']:.2f} s | {r['slowest_pass_s']:.2f} s | at most {r['dead_per_pass']:.0f} "
            f"| {r['idle_s'] * 1000:.0f} ms | {r['waiting']:.0f} waiting |"
        )
    record("\n".join(lines) + "\n")
    print("written to docs/PERFORMANCE.md")


if __name__ == "__main__":
    main()

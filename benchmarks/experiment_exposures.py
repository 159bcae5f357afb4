"""Exposures per second one `deznity api` process counts, as the edge reports them, on SQLite and PostgreSQL.

Run: `.venv/bin/python benchmarks/experiment_exposures.py [--seconds 15] [--concurrency 20]
[--backends sqlite,postgres] [--write]`.

The edge reports every enrolled view of a page with a variant (docs/EXPERIMENTS.md), so the site API
takes one request per home page view of every site in an experiment. One process of the site API
(`deznity api`) on a throwaway store with published clients; `--concurrency` senders post exposures
with the sites' tokens as fast as they are answered, a new visitor each time except one in four (a
second view of a visitor already counted, answered without a new row). Figures: answered exposures
per second, the server's CPU per exposure, and the latency of each answer. With `--write` they are
appended to docs/PERFORMANCE.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._project import clients_database, machine, record, throwaway_env
from benchmarks.site_api import _free_port, _publish, running_api
from deznity_assets.experiments.measure import exposure_token

KEY = "bench-experiments-key-" + "k" * 32


async def _senders(url: str, slugs: list[str], concurrency: int, seconds: float) -> dict[str, Any]:
    """Post exposures for `seconds`; the answers' statuses, latencies and counted flags."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    counted = 0
    tokens = {s: exposure_token(KEY, s) for s in slugs}
    end = time.monotonic() + seconds

    async def one(index: int) -> None:
        nonlocal counted
        last: tuple[str, str] | None = None
        async with httpx.AsyncClient(timeout=30) as client:
            n = 0
            while time.monotonic() < end:
                if last is not None and n % 4 == 3:
                    slug, visitor = last  # the same visitor's second view of the same site
                else:
                    slug, visitor = slugs[(index + n) % len(slugs)], secrets.token_urlsafe(16)
                last = (slug, visitor)
                started = time.perf_counter()
                answer = await client.post(
                    f"{url}/sites/{slug}/api/experiments/exposure",
                    json={"variant": "ab"[n % 2], "visitor": visitor, "page": "index"},
                    headers={"authorization": f"Bearer {tokens[slug]}"},
                )
                latencies.append((time.perf_counter() - started) * 1000)
                statuses[answer.status_code] = statuses.get(answer.status_code, 0) + 1
                if answer.status_code == 202 and answer.json().get("counted"):
                    counted += 1
                n += 1

    await asyncio.gather(*(one(i) for i in range(concurrency)))
    return {"latencies": latencies, "statuses": statuses, "counted": counted}


def measure(env: dict[str, str], *, seconds: float, concurrency: int) -> dict[str, Any]:
    """Start one `deznity api`, warm it, then measure the exposures it answers."""
    slugs = _publish(env, 20)
    port = _free_port()
    api_env = {**env, "DEZNITY_API_PORT": str(port), "DEZNITY_EXPERIMENTS_KEY": KEY}
    with running_api(api_env) as (url, proc):
        asyncio.run(_senders(url, slugs, 5, 2.0))  # warm: every site read once, every experiment started
        server = psutil.Process(proc.pid)
        cpu_before = sum(server.cpu_times()[:2])
        result = asyncio.run(_senders(url, slugs, concurrency, seconds))
        cpu = sum(server.cpu_times()[:2]) - cpu_before
    answered = result["statuses"].get(202, 0)
    ordered = sorted(result["latencies"])
    return {
        "answered_per_s": round(answered / seconds, 1),
        "counted_per_s": round(result["counted"] / seconds, 1),
        "server_cpu_ms_per_exposure": round(1000 * cpu / answered, 2) if answered else None,
        "p50_ms": round(statistics.median(ordered), 1) if ordered else None,
        "p99_ms": round(ordered[int(len(ordered) * 0.99) - 1], 1) if ordered else None,
        "statuses": result["statuses"],
    }


def main() -> None:
    """Measure each backend, print the figures, and append them to docs/PERFORMANCE.md with --write."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    results: dict[str, Any] = {}
    for backend in args.backends.split(","):
        with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
            env = throwaway_env(Path(tmp), settings=clients_database(stack, backend))
            results[backend] = measure(env, seconds=args.seconds, concurrency=args.concurrency)
            print(backend, json.dumps(results[backend]), flush=True)
    if args.write:
        lines = [
            "\n## Experiments: exposures per second of one site API process",
            "",
            f"`.venv/bin/python benchmarks/experiment_exposures.py --seconds {args.seconds:g} --concurrency "
            f"{args.concurrency} --backends {args.backends} --write` on {machine(load)}; the senders (one process) "
            "share the machine. Each sender posts an exposure as soon as it has its answer, a new visitor each time "
            "but one in four (a second view, answered without a new row).",
            "",
            "| store | answered exposures/s | of which new rows/s | server CPU ms per exposure | p50 ms | p99 ms |",
            "|---|---|---|---|---|---|",
        ]
        for backend, r in results.items():
            lines.append(
                f"| {backend} | {r['answered_per_s']} | {r['counted_per_s']} | {r['server_cpu_ms_per_exposure']} | "
                f"{r['p50_ms']} | {r['p99_ms']} |"
            )
        record("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()

"""Accepted form submissions per second of one `deznity api` process, with latency, on SQLite and PostgreSQL.

Run: `.venv/bin/python benchmarks/site_api.py [--seconds 20] [--concurrency 50] [--rate 300]
[--backends sqlite,postgres] [--write]`.

One process of the site API (uvicorn, as `deznity api` runs it) on a throwaway store with published
clients, and `--concurrency` senders, each its own visitor address (so the per-address limit does not
bind), posting the contact form as JSON; a lead counts once answered 201 (committed). Capacity: each
sender posts again as soon as it has its answer. Latency: submissions due at `--rate` per second,
timed from when each was due. Flood: one address sending ten times `--rate` (from one more load
process, on kept-alive raw sockets) against one site, while the senders go on at `--rate` against the
others: the flood must be answered 429 and the others' p50 stay within 2x. The senders use aiohttp,
whose CPU per request is an eighth of httpx's here, and the flood a tenth of aiohttp's: the generators
share the machine's cores with the server. Results go to docs/PERFORMANCE.md with `--write`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import deque
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import aiohttp
import httpx
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._project import ROOT, clients_database, machine, record, throwaway_env

BIN = Path(sys.executable).parent
SITE_BASE = "https://{slug}.bench.example"
BRIEF = {
    "industry": "restaurant",
    "goal": "increase reservations",
    "color": "#FF6A00",
    "copy_tone": ["fun"],
    "target_geo": "CDMX",
    "pages": ["home", "book"],
    "budget": "starter",
}


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _publish(env: dict[str, str], count: int) -> list[str]:
    """`count` published clients in the store; their slugs."""
    code = (
        "import json,sys; from deznity_assets.platform import Platform; s = Platform.from_env().store; "
        "b = json.loads(sys.argv[1]); "
        f"print(json.dumps([s.add_client({{**b, 'business_name': f'Bench Tacos {{i}}'}}, status='completed').slug "
        f"for i in range({count})]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, json.dumps(BRIEF)], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    return list(json.loads(out.stdout))


@contextmanager
def running_api(env: dict[str, str]) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """One `deznity api` process on the port `env` names, answering /healthz: its URL and process."""
    proc = subprocess.Popen([str(BIN / "deznity"), "api"], env=env, cwd=ROOT, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{env['DEZNITY_API_PORT']}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
            if time.monotonic() > deadline:
                raise RuntimeError("deznity api did not start")
        yield url, proc
    finally:
        proc.terminate()
        proc.wait(timeout=20)


async def _senders(
    url: str,
    slugs: list[str],
    concurrency: int,
    seconds: float,
    address: str | None,
    tag: str,
    rate: float | None = None,
) -> dict[str, Any]:
    """`concurrency` senders posting for `seconds`: latencies of 201s, and counts of each status.

    Without `rate` each sender posts again as soon as it has its answer (the most the server takes).
    With `rate`, submissions are due at `rate` per second whatever the answers do, and a latency runs
    from when one was due, so time spent queued behind slow answers counts (no coordinated omission).
    """
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    begin = time.perf_counter()
    deadline = begin + seconds
    due = deque(begin + i / rate for i in range(int(rate * seconds))) if rate else deque()
    # aiohttp, not httpx, sends the load: httpx spent 3 ms of this machine's CPU per request, aiohttp
    # 0.2 ms, and the generator shares the cores with the server it measures.
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=30)) as client:

        async def one(index: int) -> None:
            slug = slugs[index % len(slugs)]
            headers = {"Origin": SITE_BASE.format(slug=slug), "Accept": "application/json"}
            target = f"{url}/sites/{slug}/api/forms/contact"
            n = 0
            while True:
                if rate:
                    if not due:
                        return
                    start = due.popleft()
                    wait = start - time.perf_counter()
                    if wait > 0:
                        await asyncio.sleep(wait)
                elif time.perf_counter() >= deadline:
                    return
                else:
                    start = time.perf_counter()
                n += 1
                # One address per submission unless flooding: the per-address limit must not bind here.
                seq = index * 100_000 + n
                headers["X-Forwarded-For"] = address or f"10.{seq >> 16 & 255}.{seq >> 8 & 255}.{seq & 255}"
                body = {"name": "Bench", "email": "bench@example.com", "message": f"{tag} {index} {n}"}
                try:
                    async with client.post(target, json=body, headers=headers) as answer:
                        await answer.read()
                        status = answer.status
                except (aiohttp.ClientError, asyncio.TimeoutError):
                    statuses[0] = statuses.get(0, 0) + 1  # no answer (0 in the figures): counted, not fatal
                    continue
                statuses[status] = statuses.get(status, 0) + 1
                if status == 201:
                    latencies.append(time.perf_counter() - start)

        await asyncio.gather(*(one(i) for i in range(concurrency)))
    return {"latencies": latencies, "statuses": statuses, "seconds": time.perf_counter() - begin}


def _load(args: tuple[Any, ...]) -> dict[str, Any]:
    return asyncio.run(_senders(*args))


async def _flood(url: str, slug: str, connections: int, seconds: float, address: str, rate: float) -> dict[str, Any]:
    """One address posting at `rate` per second over `connections` kept-alive sockets: counts of each status.

    Written on raw sockets with one request built once: the flood stands for traffic from elsewhere on
    the internet, so what it costs to send should not come out of the cores the server is measured on
    (aiohttp spent 0.2 ms of CPU per request, 0.6 of a core for 3,000 a second; this about a tenth).
    """
    host, port = url.removeprefix("http://").split(":")
    body = json.dumps({"name": "Flood", "email": "flood@example.com", "message": "flood"}).encode()
    request = (
        f"POST /sites/{slug}/api/forms/contact HTTP/1.1\r\nHost: {host}:{port}\r\n"
        f"Origin: {SITE_BASE.format(slug=slug)}\r\nAccept: application/json\r\n"
        f"X-Forwarded-For: {address}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    statuses: dict[int, int] = {}
    begin, cpu = time.perf_counter(), time.process_time()
    total = int(rate * seconds)
    sent = 0

    async def connection() -> None:
        nonlocal sent
        reader, writer = await asyncio.open_connection(host, int(port))
        try:
            while sent < total:
                due = begin + sent / rate
                sent += 1
                wait = due - time.perf_counter()
                if wait > 0:
                    await asyncio.sleep(wait)
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                status = int(head[9:12])
                length = 0
                for line in head.split(b"\r\n"):
                    if line[:15].lower() == b"content-length:":
                        length = int(line[15:])
                await reader.readexactly(length)
                statuses[status] = statuses.get(status, 0) + 1
        finally:
            writer.close()

    await asyncio.gather(*(connection() for _ in range(connections)))
    elapsed = time.perf_counter() - begin
    return {"statuses": statuses, "seconds": elapsed, "cores": (time.process_time() - cpu) / elapsed}


def _flood_load(args: tuple[Any, ...]) -> dict[str, Any]:
    return asyncio.run(_flood(*args))


def _figures(result: dict[str, Any], seconds: float) -> dict[str, Any]:
    seconds = max(seconds, result.get("seconds", seconds))
    lat = sorted(result["latencies"])
    if not lat:
        return {"accepted_per_s": 0.0, "p50_ms": None, "p99_ms": None, "statuses": result["statuses"]}
    return {
        "accepted_per_s": round(len(lat) / seconds, 1),
        "p50_ms": round(statistics.median(lat) * 1000, 1),
        "p99_ms": round(lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000, 1),
        "statuses": result["statuses"],
    }


def measure(env: dict[str, str], *, seconds: float, concurrency: int, rate: float) -> dict[str, Any]:
    """The steady run and the flood run against one `deznity api` process on the store `env` names."""
    slugs = _publish(env, 20)
    port = _free_port()
    api_env = {
        **env,
        "DEZNITY_API_PORT": str(port),
        "DEZNITY_SITE_BASE_URL": SITE_BASE,
        "DEZNITY_API_MIN_FILL_SECONDS": "0",
        "DEZNITY_API_RATE_LIMIT_SITE": "1000000/minute",
    }
    with running_api(api_env) as (url, proc):
        _load((url, slugs, 10, 2.0, None, "warm"))
        server = psutil.Process(proc.pid)
        cpu_before = sum(server.cpu_times()[:2])
        capacity = _figures(_load((url, slugs, concurrency, seconds, None, "capacity")), seconds)
        cpu = sum(server.cpu_times()[:2]) - cpu_before
        # CPU the server spent per accepted lead: the rate the process could reach on a core of its own.
        accepted = capacity["accepted_per_s"] * seconds
        capacity["server_cpu_ms_per_lead"] = round(1000 * cpu / accepted, 2) if accepted else None
        steady = _figures(_load((url, slugs, concurrency, seconds, None, "steady", rate)), seconds)
        ctx = multiprocessing.get_context("spawn")
        cpu_before, flood_began = sum(server.cpu_times()[:2]), time.perf_counter()
        with ctx.Pool(2) as pool:
            # The flood: ten times the rate, from one address, against one site; the others meanwhile.
            flood = pool.apply_async(_flood_load, ((url, slugs[0], concurrency, seconds, "192.0.2.66", 10 * rate),))
            others = pool.apply_async(_load, ((url, slugs[1:], concurrency, seconds, None, "others", rate),))
            results = [flood.get(), others.get()]
        # How busy the server was meanwhile (1.0: a whole core): with headroom left, a slowdown of the
        # others comes from the machine's cores, which the three load processes share with it.
        flood_cpu = (sum(server.cpu_times()[:2]) - cpu_before) / (time.perf_counter() - flood_began)
        flood_statuses: dict[int, int] = {}
        for code, n in results[0]["statuses"].items():
            flood_statuses[code] = flood_statuses.get(code, 0) + n
        during = _figures(results[1], seconds)
    flood_total = sum(flood_statuses.values())
    return {
        "rate": rate,
        "capacity": capacity,
        "steady": steady,
        "flood": {
            "requests_per_s": round(flood_total / seconds, 1),
            "answered_429": flood_statuses.get(429, 0),
            "accepted": flood_statuses.get(201, 0),
            "statuses": flood_statuses,
            "sender_cores": round(results[0]["cores"], 2),
        },
        "others_during_flood": during,
        "server_cores_during_flood": round(flood_cpu, 2),
        "slowdown_p50": round(during["p50_ms"] / steady["p50_ms"], 2)
        if during["p50_ms"] and steady["p50_ms"]
        else None,
        "rate_ratio": round(during["accepted_per_s"] / steady["accepted_per_s"], 2)
        if steady["accepted_per_s"]
        else None,
    }


def main() -> None:
    """Measure each backend, print the figures, and append them to docs/PERFORMANCE.md with --write."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--rate", type=float, default=300.0, help="submissions per second of the latency runs")
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    results: dict[str, Any] = {}
    for backend in args.backends.split(","):
        with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
            env = throwaway_env(Path(tmp), settings=clients_database(stack, backend))
            results[backend] = measure(env, seconds=args.seconds, concurrency=args.concurrency, rate=args.rate)
            print(backend, json.dumps(results[backend]), flush=True)
    if args.write:
        lines = [
            "\n## Site API: accepted submissions per second of one process",
            "",
            f"`.venv/bin/python benchmarks/site_api.py --seconds {args.seconds:g} --concurrency {args.concurrency} "
            f"--rate {args.rate:g} --backends {args.backends} --write` on {machine(load)}; the load generator "
            "(one process, and one more for the flood) shares the machine. Capacity: each of the senders posts "
            "again as soon as it has its answer. Latency: submissions due at the rate whatever the answers do, "
            "timed from when each was due. Flood: one address at ten times the rate over kept-alive raw "
            "sockets, against one site, while the others go on at the rate.",
            "",
            "| store | capacity accepted/s | server CPU ms per lead | at rate: accepted/s | p50 ms | p99 ms "
            "| flood req/s | flood 429s | others at rate during flood: accepted/s | p50 ms | p99 ms | p50 slowdown "
            "| server cores busy during flood | flood sender cores |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for backend, r in results.items():
            c, s, f, o = r["capacity"], r["steady"], r["flood"], r["others_during_flood"]
            lines.append(
                f"| {backend} | {c['accepted_per_s']} | {c['server_cpu_ms_per_lead']} | {s['accepted_per_s']} | "
                f"{s['p50_ms']} | {s['p99_ms']} | {f['requests_per_s']} | "
                f"{f['answered_429']} of {sum(f['statuses'].values())} | {o['accepted_per_s']} | {o['p50_ms']} | "
                f"{o['p99_ms']} | {r['slowdown_p50']}x | {r['server_cores_during_flood']} | {f['sender_cores']} |"
            )
        record("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()

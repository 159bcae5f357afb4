"""Accepted form submissions per second of one `deznity api` process, with latency, on SQLite and PostgreSQL.

Run: `.venv/bin/python benchmarks/site_api.py [--seconds 20] [--concurrency 50] [--backends sqlite,postgres] [--write]`.

One process of the site API (uvicorn, as `deznity api` runs it) on a throwaway store with published
clients. A load process keeps `--concurrency` senders busy, each as its own visitor address (so the
per-address limit does not bind), posting the contact form as JSON; every answer must be a 201 (a
committed lead). Then a flood: one address sending as fast as two load processes can, against one
site, while the same 50 senders go on against other sites: the flood must be answered 429 and the
others' latency and rate must stay within 2x of the first run. Results go to docs/PERFORMANCE.md
with `--write`.
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
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._project import ROOT, machine, record, throwaway_env
from benchmarks.intake_tick import postgres_cluster

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


async def _senders(
    url: str, slugs: list[str], concurrency: int, seconds: float, address: str | None, tag: str
) -> dict[str, Any]:
    """`concurrency` senders posting for `seconds`: latencies of 201s, and counts of each status."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:

        async def one(index: int) -> None:
            slug = slugs[index % len(slugs)]
            headers = {
                "Origin": SITE_BASE.format(slug=slug),
                "Accept": "application/json",
                "X-Forwarded-For": address or f"10.{index // 250}.{index % 250}.{hash(tag) % 250}",
            }
            target = f"{url}/sites/{slug}/api/forms/contact"
            n = 0
            while time.perf_counter() < deadline:
                n += 1
                body = {"name": "Bench", "email": "bench@example.com", "message": f"{tag} {index} {n}"}
                start = time.perf_counter()
                answer = await client.post(target, json=body, headers=headers)
                statuses[answer.status_code] = statuses.get(answer.status_code, 0) + 1
                if answer.status_code == 201:
                    latencies.append(time.perf_counter() - start)

        await asyncio.gather(*(one(i) for i in range(concurrency)))
    return {"latencies": latencies, "statuses": statuses}


def _load(args: tuple[str, list[str], int, float, str | None, str]) -> dict[str, Any]:
    return asyncio.run(_senders(*args))


def _figures(result: dict[str, Any], seconds: float) -> dict[str, Any]:
    lat = sorted(result["latencies"])
    if not lat:
        return {"accepted_per_s": 0.0, "p50_ms": None, "p99_ms": None, "statuses": result["statuses"]}
    return {
        "accepted_per_s": round(len(lat) / seconds, 1),
        "p50_ms": round(statistics.median(lat) * 1000, 1),
        "p99_ms": round(lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000, 1),
        "statuses": result["statuses"],
    }


def measure(env: dict[str, str], *, seconds: float, concurrency: int) -> dict[str, Any]:
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
    proc = subprocess.Popen([str(BIN / "deznity"), "api"], env=api_env, cwd=ROOT, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
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
        _load((url, slugs, 10, 2.0, None, "warm"))
        server = psutil.Process(proc.pid)
        cpu_before = sum(server.cpu_times()[:2])
        steady = _figures(_load((url, slugs, concurrency, seconds, None, "steady")), seconds)
        cpu = sum(server.cpu_times()[:2]) - cpu_before
        # CPU the server spent per accepted lead: the rate the process could reach on a core of its own.
        accepted = steady["accepted_per_s"] * seconds
        steady["server_cpu_ms_per_lead"] = round(1000 * cpu / accepted, 2) if accepted else None
        ctx = multiprocessing.get_context("spawn")
        with ctx.Pool(3) as pool:
            flood = [(url, slugs[:1], concurrency, seconds, "192.0.2.66", f"flood{i}") for i in range(2)]
            others = (url, slugs[1:], concurrency, seconds, None, "others")
            results = pool.map(_load, [*flood, others])
        flood_statuses: dict[int, int] = {}
        for r in results[:2]:
            for code, n in r["statuses"].items():
                flood_statuses[code] = flood_statuses.get(code, 0) + n
        during = _figures(results[2], seconds)
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    flood_total = sum(flood_statuses.values())
    return {
        "steady": steady,
        "flood": {
            "requests_per_s": round(flood_total / seconds, 1),
            "answered_429": flood_statuses.get(429, 0),
            "accepted": flood_statuses.get(201, 0),
            "statuses": flood_statuses,
        },
        "others_during_flood": during,
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
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    results: dict[str, Any] = {}
    for backend in args.backends.split(","):
        with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
            folder = Path(tmp)
            settings: dict[str, str] = {}
            if backend == "postgres":
                import psycopg

                server = stack.enter_context(postgres_cluster())
                with psycopg.connect(f"postgresql://postgres@{server}/postgres", autocommit=True) as conn:
                    conn.execute("CREATE DATABASE clients")
                settings["DEZNITY_DATABASE_URL"] = f"postgresql+psycopg://postgres@{server}/clients"
            env = throwaway_env(folder, settings=settings)
            results[backend] = measure(env, seconds=args.seconds, concurrency=args.concurrency)
            print(backend, json.dumps(results[backend]), flush=True)
    if args.write:
        lines = [
            "\n## Site API: accepted submissions per second of one process",
            "",
            f"`.venv/bin/python benchmarks/site_api.py --seconds {args.seconds:g} --concurrency {args.concurrency} "
            f"--backends {args.backends} --write` on {machine(load)}; the load generator shares the machine.",
            "",
            "| store | accepted/s | p50 ms | p99 ms | server CPU ms per lead | flood req/s (one address) | flood 429s "
            "| others/s during flood | others p50 ms | p50 slowdown | rate ratio |",
            "|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for backend, r in results.items():
            s, f, o = r["steady"], r["flood"], r["others_during_flood"]
            lines.append(
                f"| {backend} | {s['accepted_per_s']} | {s['p50_ms']} | {s['p99_ms']} | "
                f"{s['server_cpu_ms_per_lead']} | {f['requests_per_s']} | "
                f"{f['answered_429']} of {sum(f['statuses'].values())} | {o['accepted_per_s']} | {o['p50_ms']} | "
                f"{r['slowdown_p50']}x | {r['rate_ratio']} |"
            )
        record("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()

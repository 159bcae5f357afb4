"""Benchmark: LLM-bound clients, one alone against many at once, through a server that answers after a fixed delay.

Run: `.venv/bin/python benchmarks/llm_concurrency.py --delay 10 --clients 16 --rpm 600 [--write]`.
The test suite's OpenAI-compatible server on 127.0.0.1 answers every chat completion (the offline
generator's deliverable for the requested schema) after `--delay` seconds. On a throwaway project
folder (SQLite store and memory, response cache off, DEZNITY_LLM_RPM=`--rpm`), `deznity autonomous
--once` processes one client, then `--clients` clients with `--workers` equal to that number.
Reports both wall times, the speed-up (clients x one client's time / the batch's time), the calls
in flight on average (calls x delay / wall time), and the peak RSS of the whole process tree and of
its largest process (each client in flight is one worker process: what it costs in memory).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._project import machine, record, throwaway_env  # noqa: E402
from tests.servers import openai_compatible as srv  # noqa: E402
from tests.servers.offline_answers import offline_answer  # noqa: E402

BIN = Path(sys.executable).parent


def brief(i: int) -> dict[str, str]:
    """A varied pending client."""
    industries = ("restaurant", "saas", "ecommerce", "tech", "beauty")
    return {
        "business_name": f"Concurrency Bench {i}",
        "industry": industries[i % len(industries)],
        "goal": "more bookings",
        "color": f"#{(i * 2654435761) % 0x1000000:06X}",
        "copy_tone": "friendly",
        "target_geo": "Austin, USA",
        "pages": "home, about, contact",
        "budget": "growth",
    }


def one_pass(
    server: srv.OpenAICompatibleServer, clients: int, rpm: int, delay: float, code: Path = ROOT
) -> dict[str, Any]:
    """Queue `clients` clients, process them with as many workers; wall time, calls, memory."""
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as tmp:
        env = throwaway_env(
            Path(tmp),
            code,
            {
                "DEZNITY_LLM_PROVIDER": "compatible",
                "DEZNITY_LLM_BASE_URL": server.base_url,
                "DEZNITY_LLM_MODEL": "test-model",
                "DEZNITY_LLM_RPM": str(rpm),
                "DEZNITY_LLM_CACHE": "off",
            },
        )
        queue = (
            "import json, sys\nfrom deznity_assets.platform import Platform\n"
            "store = Platform.from_env().store\n"
            "for b in json.loads(sys.stdin.read()): store.add_client(b)\n"
        )
        import json

        subprocess.run(
            [sys.executable, "-c", queue],
            input=json.dumps([brief(i) for i in range(clients)]),
            text=True,
            env=env,
            cwd=code,
            check=True,
        )
        served = len(server.completions)
        arrivals: list[float] = []

        def arrived(body: dict[str, Any]) -> None:
            # Called as each request arrives, to count the calls in flight; None answers as `otherwise`.
            arrivals.append(time.monotonic())

        server.route = arrived
        started = time.perf_counter()
        proc = subprocess.Popen(
            [str(BIN / "deznity"), "autonomous", "--once", "--workers", str(clients)],
            env=env,
            cwd=code,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        root = psutil.Process(proc.pid)
        peak_tree = peak_one = 0.0
        while proc.poll() is None:
            try:
                rss = [p.memory_info().rss for p in [root, *root.children(recursive=True)]]
            except psutil.Error:
                rss = []
            if rss:
                peak_tree, peak_one = max(peak_tree, sum(rss)), max(peak_one, max(rss))
            time.sleep(0.2)
        wall = time.perf_counter() - started
        err = proc.stderr.read() if proc.stderr else ""
        if proc.returncode != 0:
            raise SystemExit(f"deznity autonomous --once failed:\n{err[-3000:]}")
        count = (
            "from deznity_assets.platform import Platform\nimport collections\n"
            "print(dict(collections.Counter(r.status for r in Platform.from_env().store.list_clients())))\n"
        )
        completed = subprocess.run(
            [sys.executable, "-c", count], env=env, cwd=code, check=True, capture_output=True, text=True
        ).stdout.strip()
        return {
            "clients": clients,
            "wall_s": wall,
            "calls": len(server.completions) - served,
            "peak_tree_mb": peak_tree / 1e6,
            "peak_process_mb": peak_one / 1e6,
            "statuses": completed,
            # Every call takes the fixed delay, so the calls in flight at an arrival are those that
            # arrived within the delay before it.
            "peak_in_flight": max((sum(1 for b in arrivals if a - delay < b <= a) for a in arrivals), default=0),
        }


def main() -> None:
    """One client alone, then the batch; print and optionally record."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delay", type=float, default=10.0, help="seconds the server takes to answer each call")
    parser.add_argument("--clients", type=int, default=16, help="clients processed at once (workers)")
    parser.add_argument("--rpm", type=int, default=600, help="DEZNITY_LLM_RPM: the provider's rate limit")
    parser.add_argument("--code", type=Path, default=ROOT, help="code tree to run (default: this one)")
    parser.add_argument("--write", action="store_true", help="append the figures to docs/PERFORMANCE.md")
    args = parser.parse_args()
    load = os.getloadavg()[0]  # other work on the machine slows every figure: it is recorded with them
    with srv.OpenAICompatibleServer(models=("test-model",)) as server:
        server.otherwise = srv.Behaviour("slow", content=offline_answer, delay=args.delay)
        alone = one_pass(server, 1, args.rpm, args.delay, args.code.resolve())
        print("one client:", alone, flush=True)
        batch = one_pass(server, args.clients, args.rpm, args.delay, args.code.resolve())
        print(f"{args.clients} clients:", batch, flush=True)
    speedup = args.clients * alone["wall_s"] / batch["wall_s"]
    in_flight = batch["calls"] * args.delay / batch["wall_s"]
    lines = [
        "| clients | workers | wall time | LLM calls | calls in flight (average / peak) | peak RSS, whole tree "
        "| largest process |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in (alone, batch):
        lines.append(
            f"| {r['clients']} | {r['clients']} | {r['wall_s']:.1f} s | {r['calls']} | "
            f"{r['calls'] * args.delay / r['wall_s']:.1f} / {r['peak_in_flight']} | {r['peak_tree_mb']:.0f} MB | "
            f"{r['peak_process_mb']:.0f} MB |"
        )
    summary = (
        f"{args.clients} clients at once were {speedup:.1f}x faster than one at a time "
        f"({args.clients} x {alone['wall_s']:.1f} s against {batch['wall_s']:.1f} s), {in_flight:.1f} calls in flight "
        f"on average; each client in flight is one process of up to {batch['peak_process_mb']:.0f} MB "
        f"({batch['peak_tree_mb']:.0f} MB for the whole tree, the command's own process included)."
    )
    print("\n".join(lines))
    print(summary)
    if args.write:
        command = "benchmarks/llm_concurrency.py " + " ".join(sys.argv[1:])
        record(
            f"## LLM-bound concurrency, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC\n\n"
            f"Command: `.venv/bin/python {command}` (every call answered after {args.delay:g} s, "
            f"DEZNITY_LLM_RPM={args.rpm}, response cache off, `deznity autonomous --once --workers N`)  \n"
            f"Machine: {machine(load)}\n\n" + "\n".join(lines) + f"\n\n{summary}\n"
        )


if __name__ == "__main__":
    main()

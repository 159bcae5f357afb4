"""Benchmark: clients per hour through the whole pipeline on the embedded defaults.

Run: `make benchmark` (or `.venv/bin/python benchmarks/pipeline_throughput.py --clients 10`).
Processes N clients in process with 1 and with 2 workers on a throwaway project folder, and
appends the figures, the command and the machine to docs/PERFORMANCE.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_once(clients: int, workers: int) -> dict[str, float]:
    """Process `clients` reference-like clients with `workers` workers; wall time and memory."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "DEZNITY_STATE_DIR": f"{tmp}/state",
            "DEZNITY_OUTPUT_DIR": f"{tmp}/output",
            "DAGSTER_HOME": f"{tmp}/state/dagster_home",
            "DEZNITY_LLM_PROVIDER": "offline",
        }
        env.pop("DEZNITY_DATABASE_URL", None)
        deznity = str(Path(sys.executable).parent / "deznity")
        for i in range(clients):
            brief = json.dumps(
                {
                    "business_name": f"Bench {i}",
                    "industry": ["ecommerce", "saas", "restaurant"][i % 3],
                    "goal": "increase online sales",
                    "color": "#3366CC",
                    "copy_tone": "professional",
                    "target_geo": "Global",
                    "pages": "home, products, cart, blog",
                    "budget": "growth",
                }
            )
            subprocess.run(
                [deznity, "add-client", "--file", "-"], input=brief, text=True, env=env, check=True, capture_output=True
            )
        started = time.perf_counter()
        proc = subprocess.run(
            [deznity, "autonomous", "--once", "--workers", str(workers)], env=env, capture_output=True, text=True
        )
        wall = time.perf_counter() - started
        if proc.returncode != 0:
            raise SystemExit(f"benchmark run failed:\n{proc.stdout}\n{proc.stderr[-3000:]}")
        peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        return {
            "wall_s": wall,
            "per_client_s": wall / clients,
            "clients_per_hour": clients / wall * 3600,
            "peak_rss_mb": peak_kb / 1024,
        }


def main() -> None:
    """Measure and append the figures to docs/PERFORMANCE.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=10)
    args = parser.parse_args()
    rows = []
    for workers in (1, 2):
        result = run_once(args.clients, workers)
        rows.append((workers, result))
        print(
            f"workers={workers}: {result['wall_s']:.1f}s for {args.clients} clients, "
            f"{result['per_client_s']:.2f}s per client, {result['clients_per_hour']:.0f} clients/hour, "
            f"peak RSS {result['peak_rss_mb']:.0f} MB"
        )
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}"
    lines = [
        f"\n## Pipeline throughput, {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC\n",
        f"Command: `.venv/bin/python benchmarks/pipeline_throughput.py --clients {args.clients}` "
        "(offline generator, SQLite store, LanceDB memory, `deznity autonomous --once`, wall time including "
        "process start-up)  ",
        f"Machine: {machine}\n",
        "| workers | clients | wall time | per client | clients / hour | peak RSS of the largest process |",
        "|---|---|---|---|---|---|",
    ]
    for workers, r in rows:
        lines.append(
            f"| {workers} | {args.clients} | {r['wall_s']:.1f} s | {r['per_client_s']:.2f} s | "
            f"{r['clients_per_hour']:.0f} | {r['peak_rss_mb']:.0f} MB |"
        )
    target = ROOT / "docs" / "PERFORMANCE.md"
    if not target.exists():
        target.write_text(
            "# Performance\n\nFigures measured by the scripts in `benchmarks/`; the newest at the end.\n"
            "The original claimed about 2 minutes per client and 30 clients per hour.\n"
        )
    with target.open("a") as fh:
        fh.write("\n".join(lines) + "\n")
    print(f"written to {target}")


if __name__ == "__main__":
    main()

"""Benchmark: what one client's run costs in process: memory after importing the code location, peak RSS, CPU time.

Run: `.venv/bin/python benchmarks/run_profile.py [--code DIR ...] [--profile]`.
For each code tree (default: this one), in a fresh Python process on a throwaway project folder
(offline agents, SQLite store and memory, hashing embeddings): import the code location, then
process one client with the job executed in that process (what a run worker does), and report
RSS after the import, peak RSS, the CPU seconds of the run, and the top-level packages the run
imported. Trees given together are measured one after the other in the same invocation.
`--profile` prints cProfile's 40 most expensive calls of the run too.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._project import throwaway_env  # noqa: E402

PROBE = r"""
import json, os, resource, sys, tempfile, time
tmp = tempfile.mkdtemp()
import psutil
rss = lambda: psutil.Process().memory_info().rss / 1e6
start = time.process_time()
import deznity_assets.definitions
from deznity_assets.platform import Platform
from deznity_assets.runner import run_client
imported = rss()
import_cpu = time.process_time() - start
before = {m.split(".")[0] for m in sys.modules}
platform = Platform.from_env()
platform.store.add_client({"business_name": "Probe Co", "industry": "restaurant", "goal": "more bookings",
    "color": "#336699", "copy_tone": "friendly", "target_geo": "Austin, USA", "pages": "home, menu, book, blog",
    "budget": "growth"})
row = platform.control.claim_pending(1).ready[0]
profile = os.environ.get("PROBE_PROFILE") == "1"
if profile:
    import cProfile, pstats
    prof = cProfile.Profile()
    prof.enable()
start = time.process_time()
outcome = run_client(row, platform)
cpu = time.process_time() - start
if profile:
    prof.disable()
    pstats.Stats(prof, stream=sys.stderr).sort_stats("cumulative").print_stats(40)
print(json.dumps({"status": outcome.status, "import_rss_mb": round(imported), "import_cpu_s": round(import_cpu, 2),
    "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024), "run_cpu_s": round(cpu, 2),
    "imported_by_the_run": sorted({m.split(".")[0] for m in sys.modules} - before - set(sys.builtin_module_names))}))
"""


def probe(code: Path, profile: bool) -> dict[str, object]:
    """Run the probe with the code in `code` on a throwaway project; its figures."""
    import tempfile

    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as tmp:
        env = throwaway_env(Path(tmp), code, {"PROBE_PROFILE": "1" if profile else "0"})
        proc = subprocess.run(
            [sys.executable, "-c", PROBE], env=env, cwd=code, capture_output=True, text=True, check=False
        )
        if profile:
            print(proc.stderr[-12000:], file=sys.stderr)
        if proc.returncode != 0:
            raise SystemExit(f"probe failed in {code}:\n{proc.stderr[-3000:]}")
        result: dict[str, object] = json.loads(proc.stdout.strip().splitlines()[-1])
        return result


def main() -> None:
    """Probe each code tree and print its figures as JSON lines."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--code", action="append", type=Path, help="code tree to measure (repeat to compare)")
    parser.add_argument("--rounds", type=int, default=1, help="probes per tree, interleaved")
    parser.add_argument("--profile", action="store_true", help="print cProfile's most expensive calls")
    args = parser.parse_args()
    for _ in range(args.rounds):
        for code in [path.resolve() for path in (args.code or [ROOT])]:
            print(json.dumps({"code": str(code), **probe(code, args.profile)}), flush=True)


if __name__ == "__main__":
    main()

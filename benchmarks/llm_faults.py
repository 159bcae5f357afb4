"""The five reference clients through an OpenAI-compatible server that injects faults, then again from the cache.

Run: `.venv/bin/python benchmarks/llm_faults.py`. The server is the test suite's local
OpenAI-compatible server on 127.0.0.1 (answers: the offline generator's deliverable for the
requested schema); every third request fails with a 429, a 503, invalid JSON or a schema
violation. Prints tokens, cost, retries, repairs and cache figures for both passes and appends
them to docs/PERFORMANCE.md.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.servers import openai_compatible as srv  # noqa: E402
from tests.servers.offline_answers import offline_answer  # noqa: E402


def main() -> None:
    """Two passes over the reference clients; figures to stdout and docs/PERFORMANCE.md."""
    with tempfile.TemporaryDirectory() as tmp, srv.OpenAICompatibleServer(models=("test-model",)) as server:
        prices = Path(tmp) / "prices.json"
        prices.write_text(json.dumps({"test-model": {"input_per_mtok": 2.5, "output_per_mtok": 10.0}}))
        os.environ.update(
            {
                "DEZNITY_STATE_DIR": f"{tmp}/state",
                "DEZNITY_OUTPUT_DIR": f"{tmp}/output",
                "DAGSTER_HOME": f"{tmp}/state/dagster_home",
                "DEZNITY_LLM_PROVIDER": "compatible",
                "DEZNITY_LLM_BASE_URL": server.base_url,
                "DEZNITY_LLM_MODEL": "test-model",
                "DEZNITY_LLM_PRICES": str(prices),
            }
        )
        faults = [srv.rate_limited(), srv.server_error(503), srv.invalid_json(), srv.schema_violation()]
        server.script(*[faults[(i // 3) % 4] if i % 3 == 0 else srv.content(offline_answer) for i in range(200)])
        from deznity_assets.brief import REFERENCE_CLIENTS
        from deznity_assets.platform import Platform
        from deznity_assets.runner import run_client

        platform = Platform.from_env()
        provider = platform.resources["agents"].get_provider()
        rows = [platform.control.add_client(brief) for brief in REFERENCE_CLIENTS]
        passes = []
        for label in ("first pass (faults injected)", "second pass (same briefs)"):
            before, requests_before, started = dict(provider.stats()), len(server.completions), time.perf_counter()
            outcomes = [run_client(platform.control.claim_client(row.slug), platform) for row in rows]
            after = provider.stats()
            delta = {
                k: after[k] - before[k]
                for k in (
                    "requests",
                    "retries",
                    "repairs",
                    "cache_hits",
                    "cache_misses",
                    "tokens_in",
                    "tokens_out",
                    "cost_usd",
                )
            }
            delta["server_requests"] = len(server.completions) - requests_before
            delta["completed"] = sum(o.status == "completed" for o in outcomes)
            delta["seconds"] = round(time.perf_counter() - started, 1)
            passes.append((label, delta))
            print(label, delta, flush=True)
    lines = [
        f"\n## LLM provider through faults, then the cache, {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC\n",
        "Command: `.venv/bin/python benchmarks/llm_faults.py` (five reference clients, local OpenAI-compatible "
        "server, every third request a 429, 503, invalid JSON or schema violation; prices 2.5 / 10 USD per "
        "million tokens in / out)\n",
        "| pass | clients completed | requests sent | retries | repairs | cache hits | tokens in / out | cost "
        "| wall time |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for label, d in passes:
        lines.append(
            f"| {label} | {d['completed']} / 5 | {d['server_requests']} | {d['retries']} | {d['repairs']} | "
            f"{d['cache_hits']} | {d['tokens_in']} / {d['tokens_out']} | ${d['cost_usd']:.4f} | {d['seconds']} s |"
        )
    with (ROOT / "docs" / "PERFORMANCE.md").open("a") as fh:
        fh.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()

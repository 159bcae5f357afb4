"""The five reference clients through an OpenAI-compatible server that injects faults, then again from the cache.

Run: `.venv/bin/python benchmarks/llm_faults.py` (see --help). The server is the test suite's local
OpenAI-compatible server on 127.0.0.1 (answers: the offline generator's deliverable for the
requested schema); a share --fault-rate of the requests (default 0.45: 9 of every 20, at seeded
random places) fails with a 429, a 503, a truncated JSON answer (finish_reason "length") or a
schema violation, in turn. Prints the faults served, tokens, cost, retries, repairs, step retries
and cache figures for both passes, and appends them to docs/PERFORMANCE.md unless --no-record.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.servers import openai_compatible as srv  # noqa: E402
from tests.servers.offline_answers import offline_answer  # noqa: E402
from tests.servers.weak_model import MISTAKES, WeakModel  # noqa: E402

FAULT_KINDS = ("429", "503", "truncated JSON", "schema violation")


def _fault(kind: str, answer: srv.ContentFn = offline_answer) -> srv.Behaviour:
    return {
        "429": srv.rate_limited,
        "503": lambda: srv.server_error(503),
        "truncated JSON": lambda: srv.truncated(value=answer),
        "schema violation": srv.schema_violation,
    }[kind]()


def _script(rate: float, seed: int, blocks: int = 500) -> list[str | None]:
    """The fault (or None: a good answer) of each request in arrival order; the kinds take turns.

    Exactly round(20 x rate) of every 20 requests fail, at seeded random places within the 20: the
    share holds over a run (give or take a part-used block), and faults still come in bursts.
    """
    rng = random.Random(seed)
    kinds = itertools.cycle(FAULT_KINDS)
    per_block = round(20 * rate)
    script: list[str | None] = []
    for _ in range(blocks):
        failing = set(rng.sample(range(20), per_block))
        script += [next(kinds) if i in failing else None for i in range(20)]
    return script


def _step_retries(instance: object, run_ids: list[str]) -> int:
    import dagster as dg

    assert isinstance(instance, dg.DagsterInstance)
    return sum(len(instance.all_logs(r, of_type=dg.DagsterEventType.STEP_UP_FOR_RETRY)) for r in run_ids)


def _corrections(platform: object, slugs: list[str]) -> dict[str, dict[str, object]]:
    """Per client: QA score and failing checks, corrections and their tokens and cost, parts filled."""
    from deznity_assets.platform import Platform

    assert isinstance(platform, Platform)
    figures = platform.store.client_figures()
    out: dict[str, dict[str, object]] = {}
    for slug in slugs:
        folder = platform.output_dir / slug
        report = json.loads((folder / "qa" / "report.json").read_text()) if folder.exists() else {}
        failing = [c["id"] for r in report.get("reports", []) for c in r["checks"] if not c["passed"]]
        summary = (folder / "BOOTSTRAP_SUMMARY.md").read_text() if folder.exists() else ""
        house = summary.split("**House copy.**", 1)[1].split("\n", 1)[0] if "**House copy.**" in summary else ""
        figure = figures.get(slug, {})
        out[slug] = {
            "qa": report.get("score", "-"),
            "failing": ", ".join(failing),
            "corrections": figure.get("corrections", 0),
            "correction_tokens": figure.get("correction_tokens", 0),
            "correction_cost_usd": round(float(figure.get("correction_cost_usd", 0.0)), 6),
            "filled": house.count(";") + 1 if house else 0,
        }
    return out


def main() -> None:
    """Two passes over the reference clients; figures to stdout and docs/PERFORMANCE.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--fault-rate", type=float, default=0.45, help="share of requests that fail, in twentieths (default 0.45)"
    )
    parser.add_argument("--seed", type=int, default=7, help="seed of the fault sequence (default 7)")
    parser.add_argument("--clients", type=int, default=5, help="how many reference clients, 1 to 5 (default 5)")
    parser.add_argument("--rpm", type=int, default=60, help="DEZNITY_LLM_RPM (default 60, as the platform's)")
    parser.add_argument(
        "--sloppy",
        action="store_true",
        help="answers of a weak model (tests/servers/weak_model.py: every mistake, on every request, never fixed)"
        " instead of the offline generator's; reports each client's corrections and what they cost",
    )
    parser.add_argument("--no-record", action="store_true", help="print only; do not append to docs/PERFORMANCE.md")
    args = parser.parse_args()
    script = _script(args.fault_rate, args.seed)
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
                "DEZNITY_LLM_RPM": str(args.rpm),
            }
        )
        answer: srv.ContentFn = WeakModel(MISTAKES, fixes="never") if args.sloppy else offline_answer
        server.script(*[_fault(kind, answer) if kind else srv.content(answer) for kind in script])
        from deznity_assets.brief import REFERENCE_CLIENTS
        from deznity_assets.platform import Platform
        from deznity_assets.runner import run_client

        platform = Platform.from_env()
        instance = platform.instance()
        provider = platform.resources["agents"].get_provider()
        rows = [platform.control.add_client(brief) for brief in REFERENCE_CLIENTS[: args.clients]]
        passes = []
        for label in ("first pass (faults injected)", "second pass (same briefs)"):
            before, served_before, started = dict(provider.stats()), len(server.completions), time.perf_counter()
            outcomes = [run_client(platform.control.claim_client(str(row.slug)), platform, instance) for row in rows]
            after = provider.stats()
            counters = ("requests", "retries", "repairs", "cache_hits", "cache_misses", "tokens_in", "tokens_out")
            delta: dict[str, float | int | str] = {k: after[k] - before[k] for k in (*counters, "cost_usd")}
            served = len(server.completions)
            faults = [kind for kind in script[served_before:served] if kind]
            delta["server_requests"] = served - served_before
            delta["faults"] = len(faults)
            delta["fault_share"] = round(len(faults) / max(1, served - served_before), 3)
            delta["faults_by_kind"] = ", ".join(f"{k} {faults.count(k)}" for k in FAULT_KINDS)
            delta["step_retries"] = _step_retries(instance, [o.run_id for o in outcomes if o.run_id])
            delta["completed"] = sum(o.status == "completed" for o in outcomes)
            delta["seconds"] = round(time.perf_counter() - started, 1)
            passes.append((label, delta))
            print(label, delta, flush=True)
            for outcome in outcomes:
                if outcome.status != "completed":
                    print(f"  {outcome.slug}: {outcome.status}: {outcome.error}", flush=True)
            if label.startswith("first"):
                corrections = _corrections(platform, [str(row.slug) for row in rows])
                for slug, c in corrections.items():
                    print(f"  {slug}: {c}", flush=True)
    completed = all(d["completed"] == len(rows) for _, d in passes)
    print(f"every client completed: {'yes' if completed else 'NO'} ({len(rows)} clients, both passes)", flush=True)
    if args.no_record:
        sys.exit(0 if completed else 1)
    command = " ".join(["benchmarks/llm_faults.py", *sys.argv[1:]])
    lines = [
        f"\n## LLM provider through faults, then the cache, {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC\n",
        f"Command: `.venv/bin/python {command}` ({len(rows)} reference clients, local OpenAI-compatible server, "
        f"{round(20 * args.fault_rate)} of every 20 requests (seed {args.seed}) failing with a 429, 503, truncated "
        "JSON answer or schema violation in turn; prices 2.5 / 10 USD per million tokens in / out)\n",
        "| pass | clients completed | requests sent | faults served | retries | repairs | step retries | cache hits "
        "| tokens in / out | cost | wall time |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    if args.sloppy:
        lines[1] = lines[1].replace(
            "(",
            "(answers of a weak model: every mistake of tests/servers/weak_model.py on every request, never fixed; ",
            1,
        )
    for label, d in passes:
        lines.append(
            f"| {label} | {d['completed']} / {len(rows)} | {d['server_requests']} | {d['faults']} "
            f"({float(d['fault_share']):.0%}) | {d['retries']} | {d['repairs']} | {d['step_retries']} | "
            f"{d['cache_hits']} | {d['tokens_in']} / {d['tokens_out']} | ${float(d['cost_usd']):.4f} | "
            f"{d['seconds']} s |"
        )
    lines += [
        "",
        "Per client, first pass: QA, corrections (repairs and QA rounds) and what they cost, and the parts "
        "filled from the offline copy:",
        "",
        "| client | QA score | failing checks | corrections | correction tokens | correction cost | parts filled |",
        "|---|---|---|---|---|---|---|",
    ]
    for slug, c in corrections.items():
        lines.append(
            f"| {slug} | {c['qa']} | {c['failing'] or '-'} | {c['corrections']} | {c['correction_tokens']} | "
            f"${c['correction_cost_usd']:.4f} | {c['filled']} |"
        )
    with (ROOT / "docs" / "PERFORMANCE.md").open("a") as fh:
        fh.write("\n".join(lines) + "\n")
    sys.exit(0 if completed else 1)


if __name__ == "__main__":
    main()

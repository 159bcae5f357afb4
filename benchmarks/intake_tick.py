"""Benchmark: one pending_clients_sensor tick with a large backlog, on SQLite and on PostgreSQL.

Run: `.venv/bin/python benchmarks/intake_tick.py --pending 100000 --partitions 100000 --write`.
Fills the clients table with N pending rows and the instance with P existing client partitions,
then measures (1) the sensor's evaluation in process, partition validation of its run requests
included (the part Dagster cuts off after 60 s), and (2) a whole tick of the real daemon: the
evaluation in a code server, adding the new partitions, creating and queueing the runs. The
instance's max_concurrent_runs is 0 here, so the runs stay queued and only intake is measured.
With --write the figures, the command and the machine are appended to docs/PERFORMANCE.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._project import create_database, postgres_cluster  # noqa: E402

BIN = Path(sys.executable).parent
CHUNK = 5_000


def fill_clients(url: str, pending: int) -> None:
    """Insert `pending` valid pending clients in chunks (as a burst of sign-ups would leave them)."""
    from deznity_assets.store import SqlClientStore
    from deznity_assets.store.schema import clients

    store = SqlClientStore(url)
    start = datetime.now(UTC) - timedelta(days=1)
    with store.engine.begin() as conn:
        for first in range(0, pending, CHUNK):
            rows = []
            for i in range(first, min(first + CHUNK, pending)):
                at = start + timedelta(microseconds=i)
                rows.append(
                    dict(
                        id=str(uuid.uuid4()),
                        slug=f"b{i:06d}",
                        business_name=f"Bench {i}",
                        industry="saas",
                        goal="increase online sales",
                        color="#3366CC",
                        copy_tone="professional",
                        target_geo="Global",
                        pages="home, pricing, blog",
                        budget="growth",
                        status="pending",
                        attempt=1,
                        created_at=at,
                        updated_at=at,
                    )
                )
            conn.execute(clients.insert(), rows)
    store.dispose()


def fill_partitions(partitions: int) -> None:
    """Add `partitions` client partitions of earlier clients to the instance in DAGSTER_HOME."""
    import dagster as dg

    with dg.DagsterInstance.get() as instance:
        for first in range(0, partitions, CHUNK * 2):
            keys = [f"old{i:06d}" for i in range(first, min(first + CHUNK * 2, partitions))]
            instance.add_dynamic_partitions("clients", keys)


def evaluate_in_process(env: dict[str, str]) -> tuple[float, int]:
    """Seconds of one sensor evaluation (claims, run requests, partition validation) and its run requests."""
    import dagster as dg

    from deznity_assets.platform import Platform

    platform_ = Platform.from_env(env)
    sensor = platform_.definitions.resolve_sensor_def("pending_clients_sensor")
    with dg.DagsterInstance.get() as instance:
        platform_.resources["memory"].get_memory()  # seeded once, as the daemon's first tick would
        started = time.perf_counter()
        with dg.build_sensor_context(
            instance_ref=instance.get_ref(), definitions=platform_.definitions, resources=platform_.resources
        ) as context:
            result = sensor.evaluate_tick(context)
        return time.perf_counter() - started, len(result.run_requests)


def daemon_tick(env: dict[str, str], log: Path, timeout: float) -> dict[str, float]:
    """Start the real daemon, wait for the pending sensor's first tick that requested runs; its timings."""
    import dagster as dg
    from dagster._core.scheduler.instigation import TickStatus

    command = [str(BIN / "dagster-daemon"), "run", "-w", str(ROOT / "workspace.yaml")]
    with log.open("w") as out:
        proc = subprocess.Popen(
            command, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + timeout
        with dg.DagsterInstance.get() as instance:
            while time.monotonic() < deadline:
                for state in instance.all_instigator_state():
                    if state.instigator_name != "pending_clients_sensor":
                        continue
                    for tick in instance.get_ticks(state.instigator_origin_id, state.selector_id, limit=5):
                        if tick.status == TickStatus.SUCCESS and tick.run_ids and tick.end_timestamp:
                            return {"tick_s": tick.end_timestamp - tick.timestamp, "runs": len(tick.run_ids)}
                        if tick.status == TickStatus.FAILURE:
                            raise SystemExit(f"the tick failed: {tick.error}")
                if proc.poll() is not None:
                    raise SystemExit(f"the daemon exited:\n{log.read_text()[-3000:]}")
                time.sleep(1)
        raise SystemExit(f"no tick within {timeout} s:\n{log.read_text()[-3000:]}")
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def measure(backend: str, pending: int, partitions: int, limit: int | None, timeout: float) -> dict[str, float]:
    """Fill a fresh store and instance on `backend`, then time an evaluation and a daemon tick."""
    with tempfile.TemporaryDirectory(prefix="deznity-intake-") as tmp, _server(backend) as server:
        state = Path(tmp) / "state"
        home = state / "dagster_home"
        home.mkdir(parents=True)
        env = {
            k: v for k, v in os.environ.items() if not k.startswith(("DEZNITY_", "OPENAI", "OPENROUTER", "SUPABASE"))
        }
        env.update(
            DEZNITY_STATE_DIR=str(state),
            DEZNITY_OUTPUT_DIR=f"{tmp}/output",
            DAGSTER_HOME=str(home),
            DEZNITY_LLM_PROVIDER="offline",
            DEZNITY_EMBEDDINGS="hashing",
            DEZNITY_POLL_SECONDS="5",
        )
        if limit:
            env["DEZNITY_MAX_RUNS_PER_TICK"] = str(limit)
        source = ROOT / "dagster.yaml"
        if backend == "postgres":
            for db in ("clients", "dagster"):
                create_database(server, db)
            env["DEZNITY_DATABASE_URL"] = f"postgresql+psycopg://postgres@{server}/clients"
            env["DEZNITY_DAGSTER_PG_URL"] = f"postgresql+psycopg2://postgres@{server}/dagster"
            source = ROOT / "deploy" / "dagster.yaml"
        else:
            env["DEZNITY_DATABASE_URL"] = f"sqlite:///{state / 'deznity.db'}"
        # Nothing dequeued: the runs a tick creates stay queued, so only intake is timed.
        text = source.read_text().replace("max_concurrent_runs: 4", "max_concurrent_runs: 0")
        (home / "dagster.yaml").write_text(text)
        os.environ.update(env)
        started = time.perf_counter()
        fill_clients(env["DEZNITY_DATABASE_URL"], pending)
        fill_partitions(partitions)
        fill_s = time.perf_counter() - started
        eval_s, requested = evaluate_in_process(env)
        print(f"{backend}: filled in {fill_s:.0f} s; evaluation {eval_s:.2f} s for {requested} run requests")
        log = Path(tempfile.gettempdir()) / f"intake-tick-daemon-{backend}.log"
        tick = daemon_tick(env, log, timeout)
        print(f"{backend}: daemon tick {tick['tick_s']:.1f} s for {tick['runs']:.0f} runs")
        return {"eval_s": eval_s, "requested": requested, **tick}


@contextmanager
def _server(backend: str) -> Iterator[str]:
    if backend == "postgres":
        with postgres_cluster() as server:
            yield server
    else:
        yield ""


def main() -> None:
    """Measure each backend; print, and with --write append to docs/PERFORMANCE.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pending", type=int, default=100_000)
    parser.add_argument("--partitions", type=int, default=100_000)
    parser.add_argument("--limit", type=int, default=None, help="DEZNITY_MAX_RUNS_PER_TICK (default: its default)")
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    from deznity_assets.resources import LifecycleResource

    limit = args.limit or LifecycleResource.model_fields["max_runs_per_tick"].default
    results = {b: measure(b, args.pending, args.partitions, args.limit, args.timeout) for b in args.backends.split(",")}
    if not args.write:
        return
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}"
    command = f"`.venv/bin/python benchmarks/intake_tick.py --pending {args.pending} --partitions {args.partitions}"
    command += f" --limit {args.limit}`" if args.limit else "`"
    lines = [
        f"\n## Intake: one sensor tick with a backlog, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC\n",
        f"Command: {command} (DEZNITY_MAX_RUNS_PER_TICK={limit}; {args.pending:,} pending rows, "
        f"{args.partitions:,} existing partitions; max_concurrent_runs 0, so the runs stay queued)  ",
        f"Machine: {machine}\n",
        "| store and instance | sensor evaluation (limit 60 s) | run requests | whole daemon tick | runs queued |",
        "|---|---|---|---|---|",
    ]
    for backend, r in results.items():
        name = "SQLite" if backend == "sqlite" else "PostgreSQL 15"
        lines.append(f"| {name} | {r['eval_s']:.1f} s | {r['requested']:.0f} | {r['tick_s']:.1f} s | {r['runs']:.0f} |")
    with (ROOT / "docs" / "PERFORMANCE.md").open("a") as fh:
        fh.write("\n".join(lines) + "\n")
    print("written to docs/PERFORMANCE.md")


if __name__ == "__main__":
    main()

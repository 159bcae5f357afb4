"""Benchmark: clients per hour through the daemon, against a trivial job under the same dagster.yaml.

Run: `.venv/bin/python benchmarks/daemon_throughput.py --clients 30 [--code DIR ...] [--rounds 1] [--write]`.
For each code tree (default: this one) and round, on a throwaway project folder (SQLite, offline
agents, hashing embeddings): queue N clients, copy the tree's dagster.yaml into a fresh
DAGSTER_HOME, start `dagster-daemon run` (DefaultRunLauncher: one process per run), and wait until N
runs ended; then the same with benchmarks/trivial_location.py (7 assets that do nothing, fed by a
sensor). Throughput is N over the span from the first run's start to the last run's end, taken from
Dagster's run records; the sides run one after the other in the same invocation, so the ratio is
paired. Run workers are sampled every 0.1 s for their peak RSS (VmHWM) and CPU time.
`--write` appends the table, the command and the machine to docs/PERFORMANCE.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._project import machine, record, throwaway_env  # noqa: E402

BIN = Path(sys.executable).parent
TRIVIAL_WORKSPACE = "load_from:\n  - python_file:\n      relative_path: {path}\n      location_name: trivial\n"


@dataclass
class Side:
    """One measured pass: which graph, which code, and what Dagster's run records say."""

    label: str
    runs: int = 0
    succeeded: int = 0
    span_seconds: float = 0.0
    worker_peak_mb: list[float] = field(default_factory=list)
    worker_cpu_s: list[float] = field(default_factory=list)

    @property
    def per_hour(self) -> float:
        """Runs (clients) per hour over the span of the run records."""
        return self.succeeded / self.span_seconds * 3600 if self.span_seconds else 0.0


def queue_clients(count: int) -> None:
    """Add `count` varied pending clients to the store of this environment (run in the code under test)."""
    from deznity_assets.platform import Platform

    industries = ("restaurant", "saas", "ecommerce", "tech", "beauty")
    store = Platform.from_env().store
    for i in range(count):
        store.add_client(
            {
                "business_name": f"Daemon Bench {i}",
                "industry": industries[i % len(industries)],
                "goal": "more bookings",
                "color": f"#{(i * 2654435761) % 0x1000000:06X}",
                "copy_tone": "friendly",
                "target_geo": ("Austin, USA", "Madrid, Spain", "Global")[i % 3],
                "pages": ("home, about, contact", "home, services, blog", "home, menu, book, blog")[i % 3],
                "budget": "growth",
            }
        )


def _sample(workers: dict[int, tuple[float, float]], root: psutil.Process) -> None:
    """Record (peak RSS MB, CPU s) of every run worker below `root`.

    The daemon's gRPC code server starts each run in a process of its own through multiprocessing's
    spawn: those are the run workers.
    """
    try:
        children = root.children(recursive=True)
    except psutil.NoSuchProcess:
        return
    for proc in children:
        try:
            if "spawn_main" not in " ".join(proc.cmdline()):
                continue
            with open(f"/proc/{proc.pid}/status") as status:
                hwm = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
            cpu = proc.cpu_times()
            workers[proc.pid] = (hwm / 1024, cpu.user + cpu.system)
        except (psutil.Error, OSError, StopIteration):
            continue


def measure(label: str, code: Path, *, trivial: bool, runs: int, timeout: float) -> Side:
    """Queue `runs` clients (or trivial runs), run the daemon until they ended, read the run records."""
    import dagster as dg
    from dagster._core.storage.dagster_run import FINISHED_STATUSES, RunRecord

    from deznity_assets.platform import create_instance_tables

    side = Side(label=label)
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as tmp:
        folder = Path(tmp)
        env = throwaway_env(folder, code, {"DEZNITY_POLL_SECONDS": "5"})
        home = Path(env["DAGSTER_HOME"])
        home.mkdir(parents=True)
        shutil.copy(code / "dagster.yaml", home / "dagster.yaml")
        if trivial:
            workspace = folder / "workspace.yaml"
            workspace.write_text(TRIVIAL_WORKSPACE.format(path=ROOT / "benchmarks" / "trivial_location.py"))
            env["TRIVIAL_RUNS"] = str(runs)
        else:
            workspace = code / "workspace.yaml"
            subprocess.run(
                [sys.executable, __file__, "--queue", str(runs)], env=env, cwd=code, check=True, capture_output=True
            )
        # The tables first: this process polls the instance while the daemon starts, and two
        # processes opening a new SQLite instance race to create them.
        with dg.DagsterInstance.from_config(str(home)) as instance:
            create_instance_tables(instance)
        with open(folder / "daemon.log", "wb") as log:
            daemon = subprocess.Popen(
                [str(BIN / "dagster-daemon"), "run", "-w", str(workspace)],
                env=env,
                cwd=code,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        workers: dict[int, tuple[float, float]] = {}
        deadline = time.monotonic() + timeout
        try:
            root = psutil.Process(daemon.pid)
            done: list[RunRecord] = []
            last_check = 0.0
            while time.monotonic() < deadline:
                _sample(workers, root)
                time.sleep(0.1)
                if time.monotonic() - last_check < 1.0 or not (home / "storage").exists():
                    continue
                last_check = time.monotonic()
                with dg.DagsterInstance.from_config(str(home)) as instance:
                    done = instance.get_run_records(dg.RunsFilter(statuses=list(FINISHED_STATUSES)))
                    if len(done) >= runs:
                        records = done
                        break
            else:
                raise SystemExit(f"{label}: {len(done)}/{runs} runs ended in {timeout} s")
        finally:
            if daemon.poll() is None:
                os.killpg(daemon.pid, signal.SIGINT)
                try:
                    daemon.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(daemon.pid, signal.SIGKILL)
                    daemon.wait()
        starts = [r.start_time for r in records if r.start_time]
        ends = [r.end_time for r in records if r.end_time]
        side.runs = len(records)
        side.succeeded = sum(1 for r in records if r.dagster_run.status == dg.DagsterRunStatus.SUCCESS)
        side.span_seconds = max(ends) - min(starts)
        side.worker_peak_mb = [peak for peak, _ in workers.values()]
        side.worker_cpu_s = [cpu for _, cpu in workers.values()]
        if side.succeeded < runs:
            print((folder / "daemon.log").read_text(errors="replace")[-3000:], file=sys.stderr)
    return side


def row(side: Side, trivial: Side) -> str:
    """One Markdown table row for a Deznity pass, with its paired trivial pass."""
    peak = max(side.worker_peak_mb, default=0.0)
    cpu = statistics.median(side.worker_cpu_s) if side.worker_cpu_s else 0.0
    tcpu = statistics.median(trivial.worker_cpu_s) if trivial.worker_cpu_s else 0.0
    return (
        f"| {side.label} | {side.succeeded}/{side.runs} | {side.span_seconds:.1f} s | {side.per_hour:.0f} | "
        f"{trivial.per_hour:.0f} | {side.per_hour / trivial.per_hour:.2f} | {peak:.0f} MB "
        f"(trivial {max(trivial.worker_peak_mb, default=0.0):.0f}) | {cpu:.2f} s (trivial {tcpu:.2f}) |"
    )


HEADER = (
    "| code | runs succeeded | span | clients / h | trivial job runs / h | ratio | run worker peak RSS (max) "
    "| run worker CPU (median) |\n|---|---|---|---|---|---|---|---|"
)


def main() -> None:
    """Parse the options, measure each code tree and its paired trivial job, print and optionally record."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=30, help="clients (and trivial runs) queued per pass")
    parser.add_argument("--code", action="append", type=Path, help="code tree to measure (repeat to pair trees)")
    parser.add_argument("--rounds", type=int, default=1, help="passes per code tree, interleaved")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds allowed per pass")
    parser.add_argument("--write", action="store_true", help="append the figures to docs/PERFORMANCE.md")
    parser.add_argument("--queue", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.queue is not None:
        queue_clients(args.queue)
        return
    codes = [path.resolve() for path in (args.code or [ROOT])]
    load = os.getloadavg()[0]  # other work on the machine slows the spans: it is recorded with them
    lines = []
    for round_ in range(args.rounds):
        for code in codes:
            label = f"{code.name} #{round_ + 1}"
            ours = measure(label, code, trivial=False, runs=args.clients, timeout=args.timeout)
            trivial = measure(label, code, trivial=True, runs=args.clients, timeout=args.timeout)
            lines.append(row(ours, trivial))
            print(lines[-1], flush=True)
    print(HEADER)
    print("\n".join(lines))
    if args.write:
        command = "benchmarks/daemon_throughput.py " + " ".join(sys.argv[1:])
        record(
            f"## Daemon throughput, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC\n\n"
            f"Command: `.venv/bin/python {command}`  \nMachine: {machine(load)} (other work on the machine "
            "slows the spans; CPU time and RSS are not affected)\n\n"
            f"{HEADER}\n" + "\n".join(lines) + "\n"
        )


if __name__ == "__main__":
    main()

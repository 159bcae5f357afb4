"""Benchmark: kill the continuous mode (kill -9 of the whole process tree) at random moments, restart it, count.

Run: `.venv/bin/python benchmarks/crash_recovery.py --clients 15 --kills 5`.
Queues M clients on a throwaway project folder, starts `deznity autonomous` (daemon + webserver +
sensors), kills every process of it N times at random moments, restarts it each time, and then
waits for every client to end. Reports completed / failed / stuck / lost, the time from the last
restart until the last client ended, and leftover publishing folders; `--write` appends the figures,
the command and the machine to docs/PERFORMANCE.md. tests/test_crashes.py runs a short version.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._project import machine, record, throwaway_env  # noqa: E402

BIN = Path(sys.executable).parent
INDUSTRIES = ("restaurant", "saas", "ecommerce", "tech", "beauty")


@dataclass
class Report:
    """What became of the clients after the kills."""

    clients: int
    kills: int
    completed: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    stuck: dict[str, str] = field(default_factory=dict)
    lost: list[str] = field(default_factory=list)
    leftovers: list[str] = field(default_factory=list)
    crashed_runs: int = 0
    runs: int = 0
    recovery_seconds: float | None = None
    wall_seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """Every client completed, none lost, no half-published folder left behind."""
        return len(self.completed) == self.clients and not self.leftovers

    def lines(self) -> list[str]:
        """The report as printable lines."""
        out = [
            f"clients {self.clients}, kills {self.kills}: completed {len(self.completed)}, failed {len(self.failed)},"
            f" stuck {len(self.stuck)}, lost {len(self.lost)}, leftover folders {len(self.leftovers)}",
            f"runs {self.runs}, of which killed mid-run and retried: {self.crashed_runs}",
            f"last restart to last client ended: {self.recovery_seconds} s; whole run {round(self.wall_seconds, 1)} s",
        ]
        out += [f"  failed {slug}: {reason}" for slug, reason in self.failed.items()]
        out += [f"  stuck {slug}: {state}" for slug, state in self.stuck.items()]
        out += [f"  lost {slug}" for slug in self.lost]
        out += [f"  leftover {name}" for name in self.leftovers]
        return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """`deznity autonomous` (continuous mode) in its own session, output to `log`."""
    with open(log, "ab") as out:
        return subprocess.Popen(
            [str(BIN / "deznity"), "autonomous"],
            env={
                **env,
                "DEZNITY_UI_PORT": str(_free_port()),
                "DEZNITY_UI_HOST": "127.0.0.1",
                "DEZNITY_API_PORT": str(_free_port()),
            },
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def kill_tree(proc: subprocess.Popen[bytes]) -> int:
    """SIGKILL the process and every descendant at once (no process gets to clean up); returns how many."""
    try:
        parent = psutil.Process(proc.pid)
        victims = [*parent.children(recursive=True), parent]
    except psutil.NoSuchProcess:
        victims = []
    for victim in victims:
        try:
            victim.send_signal(signal.SIGKILL)
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(victims, timeout=10)
    proc.wait(timeout=10)
    return len(victims)


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop the continuous mode the polite way (Ctrl-C), then by force."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=40)
        except subprocess.TimeoutExpired:
            kill_tree(proc)


def add_clients(env: dict[str, str], count: int, seed: int) -> list[str]:
    """Queue `count` clients with varied briefs; returns their slugs."""
    from deznity_assets.platform import Platform

    rng = random.Random(seed)
    store = Platform.from_env(env).store
    slugs = []
    for i in range(count):
        row = store.add_client(
            {
                "business_name": f"Crash Bench {i}",
                "industry": rng.choice(INDUSTRIES),
                "goal": "more bookings",
                "color": f"#{rng.randrange(0x1000000):06X}",
                "copy_tone": "friendly",
                "target_geo": rng.choice(["Austin, USA", "Madrid, Spain", "Global"]),
                "pages": ", ".join(rng.sample(["home", "about", "services", "contact", "blog"], rng.randint(1, 4))),
                "budget": "growth",
            }
        )
        slugs.append(str(row.slug))
    return slugs


def statuses(env: dict[str, str]) -> dict[str, tuple[str, str | None]]:
    """slug -> (status, last_error) from the clients table."""
    from deznity_assets.platform import Platform

    return {str(r.slug): (r.status, r.last_error) for r in Platform.from_env(env).store.list_clients()}


def run(
    folder: Path,
    *,
    clients: int,
    kills: int,
    seed: int = 7,
    min_gap: float = 5.0,
    max_gap: float = 40.0,
    settle_seconds: float = 300.0,
    poll_seconds: int = 5,
    mid_run: bool = False,
) -> Report:
    """Queue `clients`, kill and restart the continuous mode `kills` times, wait `settle_seconds` for the rest.

    With `mid_run`, each kill waits (at most `max_gap` seconds) until a run is executing, so that
    every kill lands on work in flight.
    """
    rng = random.Random(seed)
    env = throwaway_env(folder, settings={"DEZNITY_POLL_SECONDS": str(poll_seconds)})
    log = folder / "autonomous.log"
    began = time.monotonic()
    slugs = add_clients(env, clients, seed)
    # The watcher below opens the instance while `deznity autonomous` starts: the tables must exist
    # first, or the two processes race to create them. In a child process, because making the
    # instance exports DAGSTER_HOME into the environment of the process that makes it.
    create = "from deznity_assets.platform import Platform; Platform.from_env().create_instance_storage()"
    subprocess.run([sys.executable, "-c", create], env=env, cwd=ROOT, check=True)
    report = Report(clients=clients, kills=kills)
    proc = start(env, log)
    try:
        for _ in range(kills):
            if mid_run:
                wait_for_a_started_run(Path(env["DAGSTER_HOME"]), max_gap)
                time.sleep(rng.uniform(0, 2))
            else:
                time.sleep(rng.uniform(min_gap, max_gap))
            kill_tree(proc)
            proc = start(env, log)
        restarted = time.monotonic()
        deadline = restarted + settle_seconds
        while time.monotonic() < deadline:
            rows = statuses(env)
            if all(rows.get(s, ("missing", None))[0] in ("completed", "failed") for s in slugs):
                report.recovery_seconds = round(time.monotonic() - restarted, 1)
                break
            time.sleep(2)
    finally:
        stop(proc)
    rows = statuses(env)
    output = Path(env["DEZNITY_OUTPUT_DIR"])
    for slug in slugs:
        status, error = rows.get(slug, ("missing", None))
        if status == "missing" or (status == "completed" and not (output / slug / "site" / "index.html").exists()):
            report.lost.append(slug)
        elif status == "completed":
            report.completed.append(slug)
        elif status == "failed":
            report.failed[slug] = error or ""
        else:
            report.stuck[slug] = f"{status}: {error or ''}"
    if output.is_dir():
        report.leftovers = sorted(p.name for p in output.iterdir() if p.name.startswith((".old-", ".staging-")))
    report.runs, report.crashed_runs = count_runs(Path(env["DAGSTER_HOME"]))
    report.wall_seconds = time.monotonic() - began
    return report


def wait_for_a_started_run(dagster_home: Path, timeout: float) -> bool:
    """Wait until some run of the instance is executing; False after `timeout` seconds."""
    import dagster as dg

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (dagster_home / "dagster.yaml").exists():
            with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
                if instance.get_runs(dg.RunsFilter(statuses=[dg.DagsterRunStatus.STARTED]), limit=1):
                    return True
        time.sleep(0.5)
    return False


def count_runs(dagster_home: Path) -> tuple[int, int]:
    """All runs of the instance, and those that ended as crashes."""
    import dagster as dg

    from deznity_assets.control.runs import crashed

    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        runs = instance.get_runs()
        return len(runs), sum(1 for run in runs if crashed(run))


def main() -> None:
    """Parse the options, run the benchmark, print (and with --write record) the report."""
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=15, help="clients queued before the first start")
    parser.add_argument("--kills", type=int, default=5, help="kill -9 of the whole tree, each followed by a restart")
    parser.add_argument("--seed", type=int, default=7, help="seed of the kill moments and the briefs")
    parser.add_argument("--min-gap", type=float, default=5.0, help="shortest wait before a kill, seconds")
    parser.add_argument("--max-gap", type=float, default=40.0, help="longest wait before a kill, seconds")
    parser.add_argument("--settle", type=float, default=300.0, help="seconds allowed after the last restart")
    parser.add_argument("--poll", type=int, default=5, help="DEZNITY_POLL_SECONDS of the continuous mode")
    parser.add_argument("--mid-run", action="store_true", help="kill only while a run executes")
    parser.add_argument("--write", action="store_true", help="append the figures to docs/PERFORMANCE.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        report = run(
            Path(tmp),
            clients=args.clients,
            kills=args.kills,
            seed=args.seed,
            min_gap=args.min_gap,
            max_gap=args.max_gap,
            settle_seconds=args.settle,
            poll_seconds=args.poll,
            mid_run=args.mid_run,
        )
        if not report.ok:
            print((Path(tmp) / "autonomous.log").read_text()[-4000:], file=sys.stderr)
    for line in report.lines():
        print(line)
    if args.write:
        command = "benchmarks/crash_recovery.py " + " ".join(sys.argv[1:])
        lines = "".join(f"    {line}\n" for line in report.lines())
        record(f"## Crash recovery, {datetime.now(UTC):%Y-%m-%d}\n\n`{command}` on {machine()}:\n\n{lines}")
    sys.exit(0 if report.ok else 1)


if __name__ == "__main__":
    main()

"""Benchmark: clients per hour through the daemon, against a trivial job under the same dagster.yaml.

Run: `.venv/bin/python benchmarks/daemon_throughput.py --clients 30 [--code DIR ...] [--rounds 1]
[--topology embedded|split] [--instance sqlite|postgres] [--write]`.
For each code tree (default: this one) and round, on a throwaway project folder (offline agents,
hashing embeddings): queue N clients, copy the tree's dagster.yaml into a fresh DAGSTER_HOME, start
`dagster-daemon run` (DefaultRunLauncher: one process per run), and wait until N runs ended; then
the same with benchmarks/trivial_location.py (7 assets that do nothing, fed by a sensor).
Throughput is N over the span from the first run's start to the last run's end, taken from
Dagster's run records; the sides run one after the other in the same invocation, so the ratio is
paired. Run workers are sampled every 0.1 s for their peak RSS (VmHWM) and CPU time; the daemon and
the code server for the CPU they spend from the first run created to the last run ended, per run.

`--instance postgres` starts a throwaway PostgreSQL 15 cluster (as the tests do) and gives each pass
two new databases: the instance's, through the tree's deploy/dagster.yaml, and the clients store's.
`--topology split` serves the code location from its own `dagster code-server start` process, the
daemon loading it over gRPC (deploy/workspace.yaml; the trivial job from a code server of its own),
as production does; `embedded` lets the daemon load the code itself (workspace.yaml).
`--write` appends the table, the command and the machine to docs/PERFORMANCE.md.
"""

from __future__ import annotations

import argparse
import compileall
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._project import create_database, machine, postgres_cluster, record, throwaway_env  # noqa: E402

BIN = Path(sys.executable).parent
TRIVIAL_FILE = ROOT / "benchmarks" / "trivial_location.py"
TRIVIAL_WORKSPACE = "load_from:\n  - python_file:\n      relative_path: {path}\n      location_name: trivial\n"
TRIVIAL_GRPC_WORKSPACE = (
    "load_from:\n  - grpc_server:\n      host: 127.0.0.1\n      port: {port}\n      location_name: trivial\n"
)
# The databases of each pass on the benchmark's PostgreSQL cluster.
_databases = iter(range(1, 1_000_000))


@dataclass
class Side:
    """One measured pass: which graph, which code, and what Dagster's run records say."""

    label: str
    runs: int = 0
    succeeded: int = 0
    span_seconds: float = 0.0
    worker_peak_mb: list[float] = field(default_factory=list)
    worker_cpu_s: list[float] = field(default_factory=list)
    daemon_cpu_s: float = 0.0  # the daemon process, first run created to last run ended
    server_cpu_s: float = 0.0  # the code server's processes but the run workers, the same span
    postgres_cpu_s: float = 0.0  # the PostgreSQL server's processes, the same span

    @property
    def daemon_per_run(self) -> float:
        """CPU seconds the daemon spent per run."""
        return self.daemon_cpu_s / self.runs if self.runs else 0.0

    @property
    def postgres_per_run(self) -> float:
        """CPU seconds the PostgreSQL server spent per run."""
        return self.postgres_cpu_s / self.runs if self.runs else 0.0

    @property
    def server_per_run(self) -> float:
        """CPU seconds the code server (run workers excluded) spent per run."""
        return self.server_cpu_s / self.runs if self.runs else 0.0

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


def _sample(workers: dict[int, tuple[float, float]], servers: dict[int, float], roots: list[psutil.Process]) -> None:
    """Record (peak RSS MB, CPU s) of every run worker below `roots`, and the CPU of every other process.

    The gRPC code server (the daemon's own, or the split topology's) starts each run in a process of
    its own through multiprocessing's spawn: those are the run workers; the rest serve the code.
    """
    for root in roots:
        try:
            children = root.children(recursive=True)
        except psutil.NoSuchProcess:
            continue
        for proc in children:
            try:
                cpu = proc.cpu_times()
                cmdline = " ".join(proc.cmdline())
                if not cmdline or proc.status() == psutil.STATUS_ZOMBIE:
                    # An ended process not yet reaped has no command line: a run worker's last CPU
                    # figure would otherwise be counted as the code server's.
                    continue
                if "spawn_main" not in cmdline:
                    if proc.pid not in workers:
                        servers[proc.pid] = cpu.user + cpu.system
                    continue
                # A worker between fork and exec showed the server's command line: it is not a server.
                servers.pop(proc.pid, None)
                with open(f"/proc/{proc.pid}/status") as status:
                    hwm = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
                workers[proc.pid] = (hwm / 1024, cpu.user + cpu.system)
            except (psutil.Error, OSError, StopIteration):
                continue


def _cpu(proc: psutil.Process) -> float:
    """User and system CPU seconds of one process (0 once it is gone)."""
    try:
        cpu = proc.cpu_times()
    except psutil.Error:
        return 0.0
    return cpu.user + cpu.system


def _server_cpu(servers: dict[int, float], roots: list[psutil.Process]) -> float:
    """CPU of the processes serving the code: the code server (first of `roots` when split) and every non-worker."""
    return sum(servers.values()) + sum(_cpu(root) for root in roots[:-1])


def _postmaster(server: str) -> psutil.Process:
    """The PostgreSQL server process listening on host:port."""
    port = server.rsplit(":", 1)[1]
    for proc in psutil.process_iter(["name", "cmdline"]):
        cmdline = " ".join(proc.info["cmdline"] or [])
        if proc.info["name"] == "postgres" and f"port={port} " in f"{cmdline} " and "-D" in cmdline:
            return proc
    raise SystemExit(f"no PostgreSQL server process for port {port}")


def _tree_cpu(proc: psutil.Process | None) -> float:
    """CPU of a server and its connections: its own, its ended children's, and its live children's."""
    if proc is None:
        return 0.0
    try:
        cpu = proc.cpu_times()
        total = cpu.user + cpu.system + cpu.children_user + cpu.children_system
        children = proc.children()
    except psutil.Error:
        return 0.0
    return total + sum(_cpu(child) for child in children)


@contextmanager
def _process(command: list[str], env: dict[str, str], cwd: Path, log: Path) -> Iterator[subprocess.Popen]:
    """A process in its own session, logging to `log`, stopped with SIGINT, then SIGTERM, then SIGKILL."""
    with log.open("wb") as out:
        proc = subprocess.Popen(command, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield proc
    finally:
        # SIGINT is ignored by processes started from a shell's background job: SIGTERM follows.
        for stop, wait in ((signal.SIGINT, 15), (signal.SIGTERM, 15), (signal.SIGKILL, None)):
            if proc.poll() is not None:
                break
            os.killpg(proc.pid, stop)
            try:
                proc.wait(timeout=wait)
            except subprocess.TimeoutExpired:
                continue


def _code_server(
    trivial: bool, port: int, env: dict[str, str], code: Path, log: Path, stack: ExitStack
) -> psutil.Process:
    """Start the split topology's code server (the project's module, or the trivial file) and wait until it answers."""
    from deznity_assets.topology import code_server_command

    if trivial:
        command = [str(BIN / "dagster"), "code-server", "start", "-f", str(TRIVIAL_FILE), "--location-name", "trivial"]
        command += ["-h", "127.0.0.1", "-p", str(port)]
    else:
        command = code_server_command("127.0.0.1", port, bindir=BIN)
    server = stack.enter_context(_process(command, env, code, log))
    health = [str(BIN / "dagster"), "api", "grpc-health-check", "-h", "127.0.0.1", "-p", str(port)]
    deadline = time.monotonic() + 180
    while subprocess.run(health, env=env, capture_output=True).returncode != 0:
        if server.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"the code server did not start:\n{log.read_text(errors='replace')[-3000:]}")
        time.sleep(1)
    return psutil.Process(server.pid)


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def measure(
    label: str,
    code: Path,
    *,
    trivial: bool,
    runs: int,
    timeout: float,
    topology: str = "embedded",
    postgres: str | None = None,
) -> Side:
    """Queue `runs` clients (or trivial runs), run the daemon until they ended, read the run records.

    `postgres` is host:port of a cluster for the instance and the clients store (None: SQLite);
    `topology` "split" serves the code from a code server of its own.
    """
    import dagster as dg
    from dagster._core.storage.dagster_run import FINISHED_STATUSES, RunRecord

    from deznity_assets.platform import create_instance_tables

    side = Side(label=label)
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as tmp, ExitStack() as stack:
        folder = Path(tmp)
        settings = {"DEZNITY_POLL_SECONDS": "5"}
        instance_yaml = code / "dagster.yaml"
        if postgres:
            number = next(_databases)
            for name in (f"clients_{number}", f"dagster_{number}"):
                create_database(postgres, name)
            settings["DEZNITY_DATABASE_URL"] = f"postgresql+psycopg://postgres@{postgres}/clients_{number}"
            settings["DEZNITY_DAGSTER_PG_URL"] = f"postgresql+psycopg2://postgres@{postgres}/dagster_{number}"
            instance_yaml = code / "deploy" / "dagster.yaml"
        env = throwaway_env(folder, code, settings)
        home = Path(env["DAGSTER_HOME"])
        home.mkdir(parents=True)
        shutil.copy(instance_yaml, home / "dagster.yaml")
        if trivial:
            env["TRIVIAL_RUNS"] = str(runs)
        else:
            subprocess.run(
                [sys.executable, __file__, "--queue", str(runs)], env=env, cwd=code, check=True, capture_output=True
            )
        # This process reads the instance too (deploy/dagster.yaml names its database by variable).
        previous = {"DEZNITY_DAGSTER_PG_URL": os.environ.get("DEZNITY_DAGSTER_PG_URL")}
        if postgres:
            os.environ["DEZNITY_DAGSTER_PG_URL"] = env["DEZNITY_DAGSTER_PG_URL"]
        stack.callback(_restore, previous)
        # The tables first: this process polls the instance while the daemon starts, and two
        # processes opening a new SQLite instance race to create them.
        with dg.DagsterInstance.from_config(str(home)) as instance:
            create_instance_tables(instance)
        roots = []
        if topology == "split":
            port = _free_port()
            roots.append(_code_server(trivial, port, env, code, folder / "code-server.log", stack))
            if trivial:
                workspace = folder / "workspace.yaml"
                workspace.write_text(TRIVIAL_GRPC_WORKSPACE.format(port=port))
            else:
                workspace = code / "deploy" / "workspace.yaml"
                env.update(DEZNITY_CODE_SERVER_HOST="127.0.0.1", DEZNITY_CODE_SERVER_PORT=str(port))
        elif trivial:
            workspace = folder / "workspace.yaml"
            workspace.write_text(TRIVIAL_WORKSPACE.format(path=TRIVIAL_FILE))
        else:
            workspace = code / "workspace.yaml"
        command = [str(BIN / "dagster-daemon"), "run", "-w", str(workspace)]
        daemon = stack.enter_context(_process(command, env, code, folder / "daemon.log"))
        workers: dict[int, tuple[float, float]] = {}
        servers: dict[int, float] = {}
        root = psutil.Process(daemon.pid)
        roots.append(root)
        postmaster = _postmaster(postgres) if postgres else None
        baseline: tuple[float, float, float] | None = None  # daemon, server, PostgreSQL CPU at the first run
        deadline = time.monotonic() + timeout
        done: list[RunRecord] = []
        last_check = 0.0
        # On PostgreSQL one instance reads the whole pass (a new one a second would be server work too).
        polling = stack.enter_context(dg.DagsterInstance.from_config(str(home))) if postgres else None
        while time.monotonic() < deadline:
            _sample(workers, servers, roots)
            time.sleep(0.1)
            if time.monotonic() - last_check < 1.0 or not (postgres or (home / "storage").exists()):
                continue
            last_check = time.monotonic()
            with nullcontext(polling) if polling else dg.DagsterInstance.from_config(str(home)) as instance:
                if baseline is None and instance.get_runs_count() > 0:
                    baseline = (_cpu(root), _server_cpu(servers, roots), _tree_cpu(postmaster))
                done = instance.get_run_records(dg.RunsFilter(statuses=list(FINISHED_STATUSES)))
                if len(done) >= runs:
                    records = done
                    break
        else:
            raise SystemExit(f"{label}: {len(done)}/{runs} runs ended in {timeout} s")
        _sample(workers, servers, roots)
        start_daemon, start_server, start_postgres = baseline or (0.0, 0.0, 0.0)
        side.daemon_cpu_s = _cpu(root) - start_daemon
        side.server_cpu_s = _server_cpu(servers, roots) - start_server
        side.postgres_cpu_s = _tree_cpu(postmaster) - start_postgres
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


def _restore(previous: dict[str, str | None]) -> None:
    for name, value in previous.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def row(side: Side, trivial: Side) -> str:
    """One Markdown table row for a Deznity pass, with its paired trivial pass."""
    peak = max(side.worker_peak_mb, default=0.0)
    cpu = statistics.median(side.worker_cpu_s) if side.worker_cpu_s else 0.0
    tcpu = statistics.median(trivial.worker_cpu_s) if trivial.worker_cpu_s else 0.0
    return (
        f"| {side.label} | {side.succeeded}/{side.runs} | {side.span_seconds:.1f} s | {side.per_hour:.0f} | "
        f"{trivial.per_hour:.0f} | {side.per_hour / trivial.per_hour:.2f} | {peak:.0f} MB "
        f"(trivial {max(trivial.worker_peak_mb, default=0.0):.0f}) | {cpu:.2f} s (trivial {tcpu:.2f}) | "
        f"{side.daemon_per_run:.2f} s (trivial {trivial.daemon_per_run:.2f}) | "
        f"{side.server_per_run:.2f} s (trivial {trivial.server_per_run:.2f}) | "
        f"{side.postgres_per_run:.2f} s (trivial {trivial.postgres_per_run:.2f}) |"
    )


HEADER = (
    "| code | runs succeeded | span | clients / h | trivial job runs / h | ratio | run worker peak RSS (max) "
    "| run worker CPU (median) | daemon CPU per run | code server CPU per run | PostgreSQL CPU per run |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|"
)
TOPOLOGIES = {
    "embedded": "the daemon loading the code location itself (workspace.yaml)",
    "split": "the code location served by `dagster code-server start`, the daemon loading it over gRPC "
    "(deploy/workspace.yaml)",
}
INSTANCES = {
    "sqlite": "SQLite instance and clients store (the tree's dagster.yaml)",
    "postgres": "instance on PostgreSQL 15 (the tree's deploy/dagster.yaml) and the clients store in a database "
    "of its own on the same throwaway local cluster",
}


def main() -> None:
    """Parse the options, measure each code tree and its paired trivial job, print and optionally record."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=30, help="clients (and trivial runs) queued per pass")
    parser.add_argument("--code", action="append", type=Path, help="code tree to measure (repeat to pair trees)")
    parser.add_argument("--rounds", type=int, default=1, help="passes per code tree, interleaved")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds allowed per pass")
    parser.add_argument(
        "--topology", choices=sorted(TOPOLOGIES), default="embedded", help="how the daemon reaches the code"
    )
    parser.add_argument("--instance", choices=sorted(INSTANCES), default="sqlite", help="the instance's storage")
    parser.add_argument("--write", action="store_true", help="append the figures to docs/PERFORMANCE.md")
    parser.add_argument("--queue", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.queue is not None:
        queue_clients(args.queue)
        return
    codes = [path.resolve() for path in (args.code or [ROOT])]
    for code in codes:
        # Bytecode as an installed package has it (pip compiles on install): with PYTHONDONTWRITEBYTECODE
        # set, every run worker would compile the project's newer modules from source again.
        compileall.compile_dir(code / "deznity_assets", quiet=1)
    load = os.getloadavg()[0]  # other work on the machine slows the spans: it is recorded with them
    lines = []
    with postgres_cluster() if args.instance == "postgres" else nullcontext(None) as server:
        for round_ in range(args.rounds):
            for code in codes:
                label = f"{code.name} #{round_ + 1}"
                options = {"runs": args.clients, "timeout": args.timeout, "topology": args.topology, "postgres": server}
                ours = measure(label, code, trivial=False, **options)
                trivial = measure(label, code, trivial=True, **options)
                lines.append(row(ours, trivial))
                print(lines[-1], flush=True)
    end_load = os.getloadavg()[0]
    print(HEADER)
    print("\n".join(lines))
    if args.write:
        command = "benchmarks/daemon_throughput.py " + " ".join(sys.argv[1:])
        default = args.topology == "embedded" and args.instance == "sqlite"
        title = "" if default else f" ({args.topology}, {args.instance})"
        record(
            f"## Daemon throughput{title}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC\n\n"
            f"Command: `.venv/bin/python {command}` ({TOPOLOGIES[args.topology]}; {INSTANCES[args.instance]})  \n"
            f"Machine: {machine(load)}, {end_load:.1f} when it ended (other work on the machine slows the "
            "spans; CPU time and RSS are not affected)\n\n"
            f"{HEADER}\n" + "\n".join(lines) + "\n"
        )


if __name__ == "__main__":
    main()

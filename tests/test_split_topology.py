"""The production shape on this machine: instance on PostgreSQL, a gRPC code server, the daemon and webservers apart."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import ExitStack
from pathlib import Path

import psycopg
import pytest

from deznity_assets.brief import generic_client
from deznity_assets.config import DAGSTER_PG_SCHEME
from deznity_assets.platform import Platform
from deznity_assets.topology import SPLIT_WORKSPACE, code_server_command, daemon_command, webserver_command
from tests.plugins.platform import CREATE_INSTANCE_STORAGE, PROJECT_ROOT, env_for

BIN = Path(sys.executable).parent
CLIENTS = 10
RUNS_QUERY = """query Runs($ids: [String!]) { runsOrError(filter: {runIds: $ids}) {
  ... on Runs { results { runId status tags { key value } } } } }"""
LOCATION_QUERY = """{ workspaceOrError { ... on Workspace { locationEntries { name
  locationOrLoadError { __typename ... on RepositoryLocation { name } } } } } }"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _graphql(url: str, query: str, variables: dict | None = None) -> dict:
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    req = urllib.request.Request(f"{url}/graphql", data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.load(resp)["data"]


class Services:
    """Processes started in their own sessions, each with its log, stopped with SIGINT (SIGKILL after 40 s)."""

    def __init__(self, folder: Path, env: dict[str, str]):
        self.folder, self.env = folder, env
        self.procs: dict[str, subprocess.Popen] = {}

    def start(self, name: str, command: list[str]) -> subprocess.Popen:
        log = open(self.folder / f"{name}.log", "w")  # noqa: SIM115 - closed with the process in stop()
        proc = subprocess.Popen(
            command, env=self.env, cwd=PROJECT_ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.procs[name] = proc
        return proc

    def logs(self) -> str:
        return "\n".join(f"--- {n}\n{(self.folder / f'{n}.log').read_text()[-2500:]}" for n in self.procs)

    def wait_for(self, what: str, ready, timeout: float = 120) -> None:
        deadline = time.time() + timeout
        while not ready():
            dead = [n for n, p in self.procs.items() if p.poll() is not None]
            if dead or time.time() > deadline:
                raise AssertionError(f"{what} not ready (exited: {dead})\n{self.logs()}")
            time.sleep(1)

    def stop(self) -> None:
        for proc in reversed(list(self.procs.values())):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGINT)
        for proc in reversed(list(self.procs.values())):
            try:
                proc.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def _answers(url: str) -> bool:
    try:
        urllib.request.urlopen(f"{url}/server_info", timeout=5)
        return True
    except OSError:
        return False


@pytest.fixture
def split_topology(tmp_path, postgres_server, postgres_url):
    dagster_db = f"dagster_{os.getpid()}_{tmp_path.name[-12:].replace('-', '_')}".lower()
    postgres_server.execute(f"CREATE DATABASE {dagster_db}")
    code_port, ui_port, ro_port = _free_port(), _free_port(), _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DEZNITY_", "OPENAI", "OPENROUTER", "SUPABASE"))}
    env.update(
        env_for(
            tmp_path,
            DEZNITY_POLL_SECONDS="2",
            DEZNITY_EMBEDDINGS="hashing",
            # The clients store and the instance on one PostgreSQL server, each in its own database.
            DEZNITY_DATABASE_URL=postgres_url,
            DEZNITY_DAGSTER_PG_URL=postgres_server.url(dagster_db, driver=DAGSTER_PG_SCHEME.removesuffix("://")),
            DEZNITY_CODE_SERVER_HOST="127.0.0.1",
            DEZNITY_CODE_SERVER_PORT=str(code_port),
        )
    )
    platform = Platform.from_env(env)
    home = os.environ.get("DAGSTER_HOME")
    platform.settings.ensure_dagster_home()  # deploy/dagster.yaml: storage in PostgreSQL
    # Its tables made before four processes open it (in the environment that names the database).
    subprocess.run([sys.executable, "-c", CREATE_INSTANCE_STORAGE], env=env, cwd=PROJECT_ROOT, check=True)
    if home is None:
        os.environ.pop("DAGSTER_HOME", None)
    else:
        os.environ["DAGSTER_HOME"] = home
    services = Services(tmp_path, env)
    with ExitStack() as stack:
        stack.callback(postgres_server.execute, f"DROP DATABASE IF EXISTS {dagster_db} WITH (FORCE)")
        stack.callback(services.stop)
        services.start("code-server", code_server_command("127.0.0.1", code_port, bindir=BIN))
        health = [str(BIN / "dagster"), "api", "grpc-health-check", "-h", "127.0.0.1", "-p", str(code_port)]
        services.wait_for(
            "code server", lambda: subprocess.run(health, capture_output=True, env=env).returncode == 0, 180
        )
        services.start("daemon", daemon_command(SPLIT_WORKSPACE, bindir=BIN))
        url, read_only = f"http://127.0.0.1:{ui_port}", f"http://127.0.0.1:{ro_port}"
        services.start("webserver", webserver_command(SPLIT_WORKSPACE, "127.0.0.1", ui_port, bindir=BIN))
        services.start(
            "webserver-read-only",
            webserver_command(SPLIT_WORKSPACE, "127.0.0.1", ro_port, read_only=True, bindir=BIN),
        )
        services.wait_for("webservers", lambda: _answers(url) and _answers(read_only))
        yield platform, services, url, read_only, dagster_db, code_port


def test_split_topology_processes_clients_through_the_sensor(split_topology, postgres_server):
    platform, services, url, read_only, dagster_db, code_port = split_topology
    store = platform.store
    slugs = [str(store.add_client(generic_client(f"split-{i:02d}")).slug) for i in range(CLIENTS)]

    def finished() -> bool:
        return all(store.get(slug).status in ("completed", "failed") for slug in slugs)

    started = time.time()
    services.wait_for(f"{CLIENTS} clients", finished, timeout=300)
    print(f"{CLIENTS} clients added to all finished: {time.time() - started:.1f} s")
    rows = [store.get(slug) for slug in slugs]
    assert all(r.status == "completed" for r in rows), [(r.slug, r.status, r.last_error) for r in rows]
    assert all((platform.output_dir / slug / "site" / "index.html").exists() for slug in slugs)

    # The webserver (loading the code location from the code server) reports every run as succeeded.
    locations = _graphql(url, LOCATION_QUERY)["workspaceOrError"]["locationEntries"]
    assert [(e["name"], e["locationOrLoadError"]["__typename"]) for e in locations] == [
        ("deznity", "RepositoryLocation")
    ]
    runs = _graphql(url, RUNS_QUERY, {"ids": [r.run_id for r in rows]})["runsOrError"]["results"]
    assert len(runs) == CLIENTS and {r["status"] for r in runs} == {"SUCCESS"}
    for run in runs:
        tags = {t["key"]: t["value"] for t in run["tags"]}
        assert tags["dagster/sensor_name"] == "pending_clients_sensor"

    # The instance lives in PostgreSQL: the runs are rows of its own database, launched through the
    # gRPC code server (not a code location the daemon loaded itself).
    with psycopg.connect(postgres_server.dsn(dagster_db)) as conn:
        stored = {row[0] for row in conn.execute("SELECT run_id FROM runs")}
        grpc = conn.execute("SELECT run_id, value FROM run_tags WHERE key = '.dagster/grpc_info'").fetchall()
        spans = conn.execute("SELECT min(start_time), max(end_time) FROM runs").fetchone()
    assert {r.run_id for r in rows} <= stored
    assert {run_id for run_id, value in grpc if json.loads(value)["port"] == code_port} >= {r.run_id for r in rows}
    print(f"{CLIENTS} clients: first run started to last ended {spans[1] - spans[0]:.1f} s")
    assert not (platform.settings.dagster_home_path / "history").exists()  # no SQLite run storage

    # The read-only webserver shows the same runs and refuses to launch or cancel.
    seen = _graphql(read_only, RUNS_QUERY, {"ids": [r.run_id for r in rows]})["runsOrError"]["results"]
    assert {r["status"] for r in seen} == {"SUCCESS"} and len(seen) == CLIENTS
    allowed = {
        p["permission"]: p["value"] for p in _graphql(read_only, "{ permissions { permission value } }")["permissions"]
    }
    assert allowed["launch_pipeline_execution"] is False and allowed["terminate_pipeline_execution"] is False
    full = {p["permission"]: p["value"] for p in _graphql(url, "{ permissions { permission value } }")["permissions"]}
    assert full["launch_pipeline_execution"] is True

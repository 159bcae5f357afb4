"""What the benchmarks share: a throwaway project's environment, the machine they ran on, the record they append."""

from __future__ import annotations

import os
import platform
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PERFORMANCE = ROOT / "docs" / "PERFORMANCE.md"
# No key or setting of a real service may leak in from the shell: benchmarks run on the embedded
# defaults, or on the local servers they start themselves.
SERVICE_PREFIXES = ("DEZNITY_", "OPENAI", "OPENROUTER", "SUPABASE", "PINECONE", "DAGSTER_", "PYTHONPATH")


def throwaway_env(folder: Path, code: Path = ROOT, settings: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of a project in `folder` running the code in `code`: SQLite, offline agents, hashing embeddings.

    `settings` adds or overrides variables (another provider, a poll interval...).
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(SERVICE_PREFIXES)}
    env.update(
        {
            "PYTHONPATH": str(code),
            "DEZNITY_STATE_DIR": str(folder / "state"),
            "DEZNITY_OUTPUT_DIR": str(folder / "output"),
            "DEZNITY_DATABASE_URL": f"sqlite:///{folder / 'state' / 'deznity.db'}",
            "DAGSTER_HOME": str(folder / "state" / "dagster_home"),
            "DEZNITY_LLM_PROVIDER": "offline",
            "DEZNITY_EMBEDDINGS": "hashing",
            **(settings or {}),
        }
    )
    return env


def machine(load: float | None = None) -> str:
    """The machine line of a record: architecture, cores, Python, and the load average when measuring began."""
    line = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    # Other work on the machine slows every wall-clock figure: the load is recorded with them.
    return line if load is None else f"{line}, load average {load:.1f} when it started"


def record(text: str) -> None:
    """Append `text` (a Markdown section starting with its heading) to docs/PERFORMANCE.md."""
    with PERFORMANCE.open("a") as doc:
        doc.write(text if text.startswith("\n") else "\n" + text)


@contextmanager
def postgres_cluster() -> Iterator[str]:
    """A throwaway PostgreSQL 15 on 127.0.0.1 (as tests/plugins/postgres.py starts it); yields host:port."""
    import pwd

    from tests.plugins.postgres import PG_BIN, PG_USER, _as_postgres, _free_port

    base = Path(tempfile.mkdtemp(prefix="deznity-bench-pg-"))
    run = base / "run"
    run.mkdir()
    if os.geteuid() == 0:
        entry = pwd.getpwnam(PG_USER)
        for path in (base, run):
            os.chown(path, entry.pw_uid, entry.pw_gid)
    _as_postgres([str(PG_BIN / "initdb"), "-D", str(base / "data"), "-U", PG_USER, "-A", "trust", "--no-sync"])
    port = _free_port()
    options = f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={run} -c max_connections=100"
    pg_ctl = [str(PG_BIN / "pg_ctl"), "-D", str(base / "data")]
    _as_postgres([*pg_ctl, "-o", options, "-l", str(base / "log"), "-w", "start"])
    try:
        yield f"127.0.0.1:{port}"
    finally:
        _as_postgres([*pg_ctl, "-m", "immediate", "-w", "stop"])
        shutil.rmtree(base, ignore_errors=True)


def create_database(server: str, name: str) -> None:
    """Create database `name` on the cluster at host:port (as its superuser)."""
    import psycopg

    with psycopg.connect(f"postgresql://postgres@{server}/postgres", autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")  # type: ignore[arg-type]


def clients_database(stack: ExitStack, backend: str) -> dict[str, str]:
    """Settings putting a benchmark's clients store on `backend`: sqlite (the throwaway default) or postgres.

    For postgres a throwaway cluster is started on `stack` (stopped when it closes) with a `clients` database.
    """
    if backend != "postgres":
        return {}
    server = stack.enter_context(postgres_cluster())
    create_database(server, "clients")
    return {"DEZNITY_DATABASE_URL": f"postgresql+psycopg://postgres@{server}/clients"}

"""A throwaway PostgreSQL 15 cluster for the tests: one per session, one database per test."""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

PG_BIN = Path(os.environ.get("DEZNITY_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))
PG_USER = "postgres"
MIGRATIONS = Path(__file__).resolve().parents[2] / "supabase" / "migrations"
MIGRATED_TEMPLATE = "deznity_migrated_template"

# The roles and grants a Supabase project has before any migration runs.
SUPABASE_BOOTSTRAP_SQL = """
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'anon') THEN
    CREATE ROLE anon NOLOGIN NOINHERIT;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'authenticated') THEN
    CREATE ROLE authenticated NOLOGIN NOINHERIT;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'service_role') THEN
    CREATE ROLE service_role NOLOGIN NOINHERIT BYPASSRLS;
  END IF;
END
$$;
GRANT USAGE ON SCHEMA public TO anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON TABLES TO anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON FUNCTIONS TO anon, authenticated, service_role;
"""


@dataclass
class PostgresServer:
    """A running cluster: where it listens and how to reach it as the superuser."""

    host: str
    port: int
    data_dir: Path
    socket_dir: Path

    def url(self, dbname: str = "postgres", *, driver: str = "postgresql+psycopg") -> str:
        """A connection URL for `dbname` as the postgres superuser."""
        return f"{driver}://{PG_USER}@{self.host}:{self.port}/{dbname}"

    def dsn(self, dbname: str = "postgres") -> str:
        """A libpq connection string for `dbname`."""
        return f"host={self.host} port={self.port} user={PG_USER} dbname={dbname}"

    def execute(self, sql: str, dbname: str = "postgres") -> None:
        """Run SQL in autocommit mode (CREATE DATABASE cannot run in a transaction)."""
        import psycopg

        with psycopg.connect(self.dsn(dbname), autocommit=True) as conn:
            conn.execute(sql)  # type: ignore[arg-type]


def migration_files() -> list[Path]:
    """The Supabase migrations in the order the CLI applies them."""
    return sorted(MIGRATIONS.glob("*.sql"))


def apply_migrations(server: PostgresServer, dbname: str) -> None:
    """Create the Supabase roles, then apply every migration to `dbname`."""
    server.execute(SUPABASE_BOOTSTRAP_SQL, dbname)
    for path in migration_files():
        server.execute(path.read_text(encoding="utf-8"), dbname)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_postgres(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    # PostgreSQL refuses to run as root; tests run as root here.
    prefix = ["runuser", "-u", PG_USER, "--"] if os.geteuid() == 0 else []
    return subprocess.run(prefix + args, check=True, capture_output=True, text=True, **kwargs)


def _skip_reason() -> str | None:
    if not (PG_BIN / "initdb").exists():
        return f"PostgreSQL binaries not found in {PG_BIN} (apt-get install postgresql-15, or set DEZNITY_TEST_PG_BIN)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(PG_USER)
        except KeyError:
            return "no 'postgres' OS user to run the test cluster as (apt-get install postgresql-15 creates it)"
        if not shutil.which("runuser"):
            return "runuser is missing (util-linux); needed to start PostgreSQL as the postgres user"
    return None


@pytest.fixture(scope="session")
def postgres_server() -> PostgresServer:
    """A PostgreSQL 15 cluster on 127.0.0.1, started once per test session and removed after."""
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    base = Path(tempfile.mkdtemp(prefix="deznity-pg-"))
    data_dir, socket_dir = base / "data", base / "run"
    socket_dir.mkdir()
    if os.geteuid() == 0:
        entry = pwd.getpwnam(PG_USER)
        for path in (base, socket_dir):
            os.chown(path, entry.pw_uid, entry.pw_gid)
    _as_postgres(
        [
            str(PG_BIN / "initdb"),
            "-D",
            str(data_dir),
            "-U",
            PG_USER,
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-sync",
            "--locale=C",
        ]
    )
    port = _free_port()
    options = (
        f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={socket_dir} "
        "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=60"
    )
    _as_postgres(
        [
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(data_dir),
            "-o",
            options,
            "-l",
            str(base / "server.log"),
            "-w",
            "-t",
            "60",
            "start",
        ]
    )
    server = PostgresServer(host="127.0.0.1", port=port, data_dir=data_dir, socket_dir=socket_dir)
    try:
        server.execute(f"CREATE DATABASE {MIGRATED_TEMPLATE}")
        apply_migrations(server, MIGRATED_TEMPLATE)
        yield server
    finally:
        subprocess.run(
            (["runuser", "-u", PG_USER, "--"] if os.geteuid() == 0 else [])
            + [str(PG_BIN / "pg_ctl"), "-D", str(data_dir), "-m", "immediate", "-w", "stop"],
            capture_output=True,
        )
        shutil.rmtree(base, ignore_errors=True)


_db_counter = itertools.count(1)


def _fresh_database(server: PostgresServer, template: str) -> str:
    name = f"deznity_test_{os.getpid()}_{next(_db_counter)}"
    server.execute(f"CREATE DATABASE {name} TEMPLATE {template}")
    return name


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> str:
    """A SQLAlchemy URL (postgresql+psycopg) of a new, empty database for this test."""
    name = _fresh_database(postgres_server, "template0")
    yield postgres_server.url(name)
    postgres_server.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def migrated_postgres_url(postgres_server: PostgresServer) -> str:
    """A SQLAlchemy URL of a new database with the Supabase roles and migrations applied."""
    name = _fresh_database(postgres_server, MIGRATED_TEMPLATE)
    yield postgres_server.url(name)
    postgres_server.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def libpq_url(sqlalchemy_url: str) -> str:
    """The libpq/psycopg form of a postgresql+psycopg SQLAlchemy URL."""
    return sqlalchemy_url.replace("postgresql+psycopg://", "postgresql://", 1)


@pytest.fixture
def postgrest_server(migrated_postgres_url: str):
    """A local PostgREST-protocol server over a freshly migrated database."""
    from tests.servers.postgrest import PostgrestServer

    with PostgrestServer(libpq_url(migrated_postgres_url)) as server:
        yield server


@pytest.fixture(params=["sqlite", "postgres", "supabase"])
def client_store(request: pytest.FixtureRequest, tmp_path: Path):
    """An empty clients store on each backend: SQLite, PostgreSQL (SQLAlchemy), Supabase REST."""
    if request.param == "sqlite":
        from deznity_assets.store import SqlClientStore

        store = SqlClientStore(f"sqlite:///{tmp_path / 'deznity.db'}")
    elif request.param == "postgres":
        from deznity_assets.store import SqlClientStore

        store = SqlClientStore(request.getfixturevalue("postgres_url"))
    else:
        from deznity_assets.store.supabase_rest import SupabaseClientStore

        server = request.getfixturevalue("postgrest_server")
        store = SupabaseClientStore(server.url, server.service_role_key)
    yield store
    store.dispose()


@pytest.fixture
def pinecone_plane():
    """A local Pinecone data-plane server (1536 dimensions, cosine)."""
    from tests.servers.pinecone_dataplane import PineconeDataPlane

    with PineconeDataPlane() as plane:
        yield plane


@pytest.fixture(params=["sqlite", "pinecone"])
def vector_memory(request: pytest.FixtureRequest, tmp_path: Path):
    """An empty vector memory on each backend, with the offline embedder."""
    from deznity_assets.memory.embeddings import HashingEmbedder

    if request.param == "sqlite":
        from deznity_assets.memory.sqlite import SqliteMemory

        return SqliteMemory(tmp_path / "memory", HashingEmbedder())
    from deznity_assets.memory.pinecone_store import PineconeMemory

    plane = request.getfixturevalue("pinecone_plane")
    return PineconeMemory(plane.api_key, HashingEmbedder(), host=plane.host)

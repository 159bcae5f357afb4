"""No secret is ever stored or shown: canary values in every secret variable, clients through success and failure,
then every file under the state, Dagster and output folders searched."""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import subprocess
import sys
import zlib
from pathlib import Path

import dagster as dg
import pytest

from deznity_assets.brief import REFERENCE_CLIENTS
from deznity_assets.config import all_variables
from deznity_assets.definitions import JOB_NAME, build_definitions
from deznity_assets.resources import ClientStoreResource
from tests.plugins.platform import env_for
from tests.servers import openai_compatible as srv
from tests.servers.offline_answers import offline_answer
from tests.servers.pinecone_dataplane import PineconeDataPlane

DEZNITY = str(Path(sys.executable).parent / "deznity")
CANARY = "cnry7Q4xZ"  # the common stem: any leak of any canary contains it


def _canary(name: str) -> str:
    return f"{CANARY}-{name.lower().replace('_', '-')}-secret"


def _cells(path: Path) -> list[bytes]:
    """Every value of every table of a SQLite file, zlib-compressed ones unpacked (Dagster compresses its
    run and job snapshots)."""
    cells: list[bytes] = []
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            for row in db.execute(f'SELECT * FROM "{table}"'):
                for value in row:
                    data = value.encode() if isinstance(value, str) else value if isinstance(value, bytes) else b""
                    cells.append(data)
                    with contextlib.suppress(zlib.error):
                        cells.append(zlib.decompress(data))
    return cells


def _leaks(*folders: Path) -> list[str]:
    """Every file (and file name) under `folders` that contains the canary stem, SQLite contents unpacked."""
    found = []
    for folder in folders:
        for path in folder.rglob("*"):
            if CANARY in path.name:
                found.append(f"{path} (name)")
            if not path.is_file():
                continue
            data = path.read_bytes()
            chunks = [data, *(_cells(path) if data.startswith(b"SQLite format 3") else [])]
            if any(CANARY.encode() in chunk for chunk in chunks):
                found.append(str(path))
    return found


@pytest.fixture
def canary_database(postgres_server) -> str:
    """A database owned by a role whose password is a canary, as a URL with the password in it."""
    password = _canary("DATABASE_PASSWORD")
    postgres_server.execute(f"CREATE ROLE canary_owner LOGIN PASSWORD '{password}'")
    postgres_server.execute("CREATE DATABASE canary_db OWNER canary_owner")
    yield f"postgresql://canary_owner:{password}@{postgres_server.host}:{postgres_server.port}/canary_db"
    postgres_server.execute("DROP DATABASE IF EXISTS canary_db WITH (FORCE)")
    postgres_server.execute("DROP ROLE IF EXISTS canary_owner")


def test_no_canary_reaches_storage_logs_outputs_or_answers(tmp_path, canary_database):
    secrets = {v.name: _canary(v.name) for v in all_variables() if v.secret == "always"}
    plane = PineconeDataPlane(api_key=secrets["PINECONE_API_KEY"])
    with srv.OpenAICompatibleServer(models=("test-model",), api_key=secrets["DEZNITY_LLM_API_KEY"]) as llm, plane:
        llm.script(*[srv.content(offline_answer) for _ in range(40)])
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DEZNITY_", "OPENAI", "PINECONE", "SUPABASE"))}
        env.update(env_for(tmp_path))
        env.update(secrets)
        env.update(
            {
                "DEZNITY_DATABASE_URL": canary_database,
                "DEZNITY_LLM_PROVIDER": "compatible",
                "DEZNITY_LLM_BASE_URL": llm.base_url,
                "DEZNITY_LLM_MODEL": "test-model",
                "DEZNITY_EMBEDDINGS": "hashing",
                "PINECONE_HOST": plane.host,
            }
        )

        def deznity(*args: str, ok: bool = True, stdin: str | None = None) -> subprocess.CompletedProcess:
            proc = subprocess.run(
                [DEZNITY, *args], env=env, cwd=tmp_path, input=stdin, capture_output=True, text=True, timeout=300
            )
            assert not ok or proc.returncode == 0, f"{args}: {proc.stdout}\n{proc.stderr}"
            assert CANARY not in proc.stdout + proc.stderr, f"`deznity {' '.join(args)}` printed a secret"
            return proc

        # Success: a client processed with every key in use (database, LLM, Pinecone).
        deznity("add-client", "--file", "-", stdin=json.dumps(REFERENCE_CLIENTS[4]))
        deznity("autonomous", "--once")
        # Failure: the provider refuses the key and quotes it back (as OpenAI's 401 does).
        llm.api_key = "a-different-key"
        deznity("add-client", "--file", "-", stdin=json.dumps(REFERENCE_CLIENTS[0]))
        deznity("autonomous", "--once", ok=False)
        # A row that fails validation at claim.
        deznity("add-client", "--file", "-", stdin=json.dumps({**REFERENCE_CLIENTS[2], "color": "blue"}), ok=False)
        status = {e["slug"]: e for e in json.loads(deznity("status", "--json").stdout)}
        deznity("doctor", ok=False)
        deznity("env")

    assert status["tacoloco"]["status"] == "completed", status["tacoloco"]
    assert status["fittrack"]["status"] == "failed" and "API key" in status["fittrack"]["error"]
    assert any(r["path"].endswith("/chat/completions") for r in llm.requests)  # the LLM really was used
    assert plane.namespaces.get("client-tacoloco")  # and Pinecone
    state, output = tmp_path / "state", tmp_path / "output"
    assert (state / "dagster_home" / "storage").exists() and (output / "tacoloco" / "site" / "index.html").exists()
    assert _leaks(state, output) == []


def test_a_plain_secret_would_be_caught(tmp_path):
    """The control for the test above: a secret given as a plain value lands in Dagster's run storage."""
    plain = f"postgresql://u:{_canary('plain')}@127.0.0.1:1/db"
    defs = build_definitions({"store": ClientStoreResource(database_url=plain)})
    with dg.instance_for_test(temp_dir=str(tmp_path)) as instance:
        instance.create_run_for_job(job_def=defs.resolve_job_def(JOB_NAME), run_config={})
    assert _leaks(tmp_path), "a plainly configured secret should be in the run snapshot; the scan found nothing"

"""No secret is ever stored or shown: canary values in every secret variable, clients through success and failure,
then every file under the state, Dagster and output folders searched."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import socket
import sqlite3
import subprocess
import sys
import zlib
from pathlib import Path

import dagster as dg
import pytest

from deznity_assets.brief import REFERENCE_CLIENTS, slugify
from deznity_assets.config import all_variables
from deznity_assets.definitions import JOB_NAME, build_definitions
from deznity_assets.resources import ClientStoreResource
from deznity_assets.store import SqlClientStore
from tests.plugins.platform import env_for
from tests.servers import openai_compatible as srv
from tests.servers.offline_answers import offline_answer
from tests.servers.pinecone_dataplane import PineconeDataPlane
from tests.servers.vercel_api import VercelApi
from tests.servers.webhook_receiver import WebhookReceiver

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


def _leaks(*folders: Path, needle: str = CANARY) -> list[str]:
    """Every file (and file name) under `folders` that contains `needle` (the canary stem), SQLite contents unpacked."""
    found = []
    for folder in folders:
        for path in folder.rglob("*"):
            if needle in path.name:
                found.append(f"{path} (name)")
            if not path.is_file():
                continue
            data = path.read_bytes()
            chunks = [data, *(_cells(path) if data.startswith(b"SQLite format 3") else [])]
            if any(needle.encode() in chunk for chunk in chunks):
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
    # Webhook receivers whose URLs carry canaries (a token query, a Slack token path), the
    # signing secret a canary too: events are delivered, and none of it may be kept or shown.
    hooks = WebhookReceiver(secrets["DEZNITY_WEBHOOK_SECRET"]).start()
    slack = WebhookReceiver(slack=True).start()
    secrets["DEZNITY_WEBHOOK_URLS"] = f"{hooks.url}?token={secrets['DEZNITY_WEBHOOK_URLS']}"
    secrets["DEZNITY_SLACK_WEBHOOK_URL"] = f"{slack.base_url}/services/{secrets['DEZNITY_SLACK_WEBHOOK_URL']}"
    # Sites are published live with the Vercel token (a canary too; Netlify's is set but Vercel wins).
    vercel = VercelApi(secrets["VERCEL_TOKEN"], builds=1).start()
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
                "DEZNITY_VERCEL_API_URL": vercel.base_url,
                "DEZNITY_DEPLOY_POLL_SECONDS": "0.05",
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
        deznity("webhooks", "deliveries")
    hooks.stop()
    slack.stop()
    vercel.stop()

    assert status["tacoloco"]["status"] == "completed", status["tacoloco"]
    assert status["tacoloco"]["live_url"] == "https://tacoloco.vercel.app"  # the token was used
    assert status["fittrack"]["status"] == "failed" and "API key" in status["fittrack"]["error"]
    assert any(r["path"].endswith("/chat/completions") for r in llm.requests)  # the LLM really was used
    assert plane.namespaces.get("client-tacoloco")  # and Pinecone
    state, output = tmp_path / "state", tmp_path / "output"
    assert (state / "dagster_home" / "storage").exists() and (output / "tacoloco" / "site" / "index.html").exists()
    assert _leaks(state, output) == []
    assert {e["type"] for e in hooks.accepted} >= {
        "client.claimed",
        "client.deployed",
        "client.completed",
        "client.failed",
    }
    assert any("TacoLoco (tacoloco): completed" in m["text"] for m in slack.accepted)
    assert hooks.rejected == []
    import psycopg

    from tests.plugins.postgres import libpq_url

    with psycopg.connect(libpq_url(canary_database)) as conn:
        kept = conn.execute("SELECT * FROM webhook_events, webhook_deliveries").fetchall()
        endpoints = conn.execute("SELECT * FROM webhook_endpoints, webhook_endpoint_events").fetchall()
    assert kept and CANARY not in repr(kept)
    assert endpoints and CANARY not in repr(endpoints)


def test_a_hosting_token_a_provider_quotes_back_is_never_shown(tmp_path):
    """A site deployed with a token, then a 401 whose message quotes the Authorization header it got."""
    token = _canary("VERCEL_TOKEN")
    printed: list[str] = []
    with VercelApi(token, builds=1) as vercel:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DEZNITY_", "OPENAI", "PINECONE", "SUPABASE"))}
        env.pop("NETLIFY_AUTH_TOKEN", None)
        env.update(env_for(tmp_path))
        env.update(
            {
                "VERCEL_TOKEN": token,
                "DEZNITY_VERCEL_API_URL": vercel.base_url,
                "DEZNITY_DEPLOY_POLL_SECONDS": "0.05",
                "DEZNITY_EMBEDDINGS": "hashing",
            }
        )
        _run(env, tmp_path, printed, "add-client", "--file", "-", stdin=json.dumps(REFERENCE_CLIENTS[4]))
        _run(env, tmp_path, printed, "autonomous", "--once")
        assert "ok   live deploy" in _run(env, tmp_path, printed, "doctor", ok=False).stdout
        vercel.fail(401, {"error": {"code": "forbidden", "message": "token revoked: {auth}"}}, times=99)
        _run(env, tmp_path, printed, "retry", "tacoloco")
        _run(env, tmp_path, printed, "autonomous", "--once", ok=False)
        _run(env, tmp_path, printed, "doctor", ok=False)
        (entry,) = json.loads(_run(env, tmp_path, printed, "status", "--json").stdout)
    assert vercel.seen("POST", "/v13/deployments")[-1].status == 401  # the answer that quoted the token
    assert entry["status"] == "failed", entry
    assert "forbidden: token revoked: Bearer ***; check VERCEL_TOKEN" in entry["error"], entry
    assert entry["live_url"] == "https://tacoloco.vercel.app"  # the site published before stays live
    assert "BAD  live deploy" in printed[-2]
    _assert_nowhere(tmp_path, printed, CANARY)


def test_a_plain_secret_would_be_caught(tmp_path):
    """The control for the test above: a secret given as a plain value lands in Dagster's run storage."""
    plain = f"postgresql://u:{_canary('plain')}@127.0.0.1:1/db"
    defs = build_definitions({"store": ClientStoreResource(database_url=plain)})
    with dg.instance_for_test(temp_dir=str(tmp_path)) as instance:
        instance.create_run_for_job(job_def=defs.resolve_job_def(JOB_NAME), run_config={})
    assert _leaks(tmp_path), "a plainly configured secret should be in the run snapshot; the scan found nothing"


def _free_port() -> int:
    with contextlib.closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _llm_url_env(tmp_path: Path, url: str) -> dict[str, str]:
    """The environment of `deznity` commands whose LLM server is at `url` (and nothing else configured)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DEZNITY_", "OPENAI", "PINECONE", "SUPABASE"))}
    env.update(env_for(tmp_path))
    env.update(
        {
            "DEZNITY_LLM_PROVIDER": "compatible",
            "DEZNITY_LLM_BASE_URL": url,
            "DEZNITY_LLM_MODEL": "test-model",
            "DEZNITY_LLM_MAX_RETRIES": "0",
            "DEZNITY_EMBEDDINGS": "hashing",
        }
    )
    return env


def _run(env: dict[str, str], cwd: Path, printed: list[str], *args: str, ok: bool = True, stdin: str | None = None):
    """`deznity *args`, its output added to `printed`."""
    proc = subprocess.run([DEZNITY, *args], env=env, cwd=cwd, input=stdin, capture_output=True, text=True, timeout=300)
    assert not ok or proc.returncode == 0, f"{args}: {proc.stdout}\n{proc.stderr}"
    printed.append(proc.stdout + proc.stderr)
    return proc


def _assert_nowhere(tmp_path: Path, printed: list[str], *needles: str) -> None:
    """No needle in the commands' output, the client rows' last_error, or any file of the state and output folders."""
    state, output = tmp_path / "state", tmp_path / "output"
    rows = SqlClientStore(f"sqlite:///{state / 'deznity.db'}")
    errors = [row.last_error or "" for row in rows.list_clients()]
    rows.dispose()
    assert any(errors)
    for needle in needles:
        assert [text for text in [*printed, *errors] if needle in text] == [], needle
        assert _leaks(state, output, needle=needle) == [], needle


def test_credentials_in_the_llm_base_url_are_never_shown(tmp_path):
    """A proxy URL with user:password@: sent as HTTP Basic auth, never stored or shown, on success or failure."""
    user, password = "proxy-user", _canary("URL_PASSWORD")
    basic = base64.b64encode(f"{user}:{password}".encode()).decode()  # the form the credentials travel in
    slugs = [slugify(REFERENCE_CLIENTS[i]["business_name"]) for i in (4, 0)]
    printed: list[str] = []
    with srv.OpenAICompatibleServer(models=("test-model",)) as llm:
        llm.otherwise = srv.content(offline_answer)
        port = llm.base_url.split(":")[-1].split("/")[0]
        url = f"http://{user}:{password}@127.0.0.1:{port}/v1"
        env = _llm_url_env(tmp_path, url)
        # Success: the credentials reach the server (as Basic auth) and the client completes.
        _run(env, tmp_path, printed, "add-client", "--file", "-", stdin=json.dumps(REFERENCE_CLIENTS[4]))
        _run(env, tmp_path, printed, "autonomous", "--once")
        assert llm.completions and llm.requests[-1]["headers"]["authorization"] == f"Basic {basic}"
        # Failure: a proxy refuses every request, echoing the URL and the credentials it got.
        llm.otherwise = srv.error(403, f"proxy denied POST {url}/chat/completions (authorization: Basic {basic})")
        _run(env, tmp_path, printed, "add-client", "--file", "-", stdin=json.dumps(REFERENCE_CLIENTS[0]))
        _run(env, tmp_path, printed, "autonomous", "--once", ok=False)
        _run(env, tmp_path, printed, "doctor", "--live", ok=False)
        status = {e["slug"]: e for e in json.loads(_run(env, tmp_path, printed, "status", "--json").stdout)}
        # Failure: nothing listens on the base URL's port.
        env["DEZNITY_LLM_BASE_URL"] = f"http://{user}:{password}@127.0.0.1:{_free_port()}/v1"
        _run(env, tmp_path, printed, "doctor", "--live", ok=False)

    assert status[slugs[0]]["status"] == "completed", status[slugs[0]]
    assert status[slugs[1]]["status"] == "failed" and "403" in status[slugs[1]]["error"], status[slugs[1]]
    assert "proxy denied POST http://[redacted]@127.0.0.1" in status[slugs[1]]["error"]
    assert "could not connect to 127.0.0.1:" in printed[-1], printed[-1]
    _assert_nowhere(tmp_path, printed, CANARY, basic, user)


def test_a_base_url_password_with_an_unencoded_slash_is_never_shown(tmp_path):
    """user:pa/ss@host: the URL's authority ends at the /, so its password looks like a host and port."""
    printed: list[str] = []
    env = _llm_url_env(tmp_path, f"http://proxy-user:{_canary('URL_PASSWORD')}/x@127.0.0.1:{_free_port()}/v1")
    _run(env, tmp_path, printed, "add-client", "--file", "-", stdin=json.dumps(REFERENCE_CLIENTS[1]))
    _run(env, tmp_path, printed, "autonomous", "--once", ok=False)
    _run(env, tmp_path, printed, "doctor", ok=False)
    (entry,) = json.loads(_run(env, tmp_path, printed, "status", "--json").stdout)
    assert entry["status"] == "failed" and "DEZNITY_LLM_BASE_URL is not a usable" in entry["error"], entry
    _assert_nowhere(tmp_path, printed, CANARY, "proxy-user")

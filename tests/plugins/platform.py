"""Fixtures for the platform: a Platform on a temporary folder, its store, a Dagster instance."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import dagster as dg
import pytest
from click.testing import CliRunner, Result

from deznity_assets.cli import main
from deznity_assets.platform import Platform
from deznity_assets.resources import HostingResource
from deznity_assets.store import SqlClientStore

PROJECT_ROOT = Path(__file__).resolve().parents[2]
# `python -c` this in a project's environment to make its Dagster instance's tables before several
# processes (a daemon, webservers) open it together and race to make them.
CREATE_INSTANCE_STORAGE = "from deznity_assets.platform import Platform; Platform.from_env().create_instance_storage()"
# Variables of remote services: unset for every test unless it sets them itself.
SERVICE_VARIABLES = (
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "OPENROUTER_API_KEY",
    "DEZNITY_LLM_BASE_URL",
    "DEZNITY_LLM_API_KEY",
    "SUPABASE_URL",
    "SUPABASE_SERVICE_ROLE_KEY",
    "SUPABASE_ANON_KEY",
    "PINECONE_API_KEY",
    "PINECONE_HOST",
)

# A health client (a Spanish dental clinic): the review gate holds it until a reviewer decides.
REGULATED_BRIEF = {
    "business_name": "Sonrisa Clara",
    "industry": "dental clinic",
    "goal": "more appointments",
    "color": "#0E7490",
    "copy_tone": ["warm", "trustworthy"],
    "target_geo": "Madrid, Spain",
    "pages": ["home", "services", "contact"],
    "budget": "growth",
}


def env_for(tmp_path: Path, **extra: str) -> dict[str, str]:
    """Environment variables pointing every Deznity folder at `tmp_path`."""
    env = {
        "DEZNITY_STATE_DIR": str(tmp_path / "state"),
        "DEZNITY_OUTPUT_DIR": str(tmp_path / "output"),
        "DEZNITY_DATABASE_URL": f"sqlite:///{tmp_path / 'state' / 'deznity.db'}",
        "DAGSTER_HOME": str(tmp_path / "state" / "dagster_home"),
        "DEZNITY_LLM_PROVIDER": "offline",
    }
    env.update(extra)
    return env


def cli_on_store(
    command: str,
    client_store: Any,
    request: pytest.FixtureRequest,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    unset: tuple[str, ...] = (),
) -> Callable[..., Result]:
    """Runs `deznity COMMAND ...` in process, the environment pointing at `client_store` (SQL or Supabase REST)."""
    if hasattr(client_store, "engine"):
        target = {"DEZNITY_DATABASE_URL": client_store.engine.url.render_as_string(hide_password=False)}
    else:
        server = request.getfixturevalue("postgrest_server")
        target = {"SUPABASE_URL": server.url, "SUPABASE_SERVICE_ROLE_KEY": server.service_role_key}
    for key in (*SERVICE_VARIABLES, *unset):
        monkeypatch.delenv(key, raising=False)
    env = {**env_for(tmp_path), **target}
    if "SUPABASE_URL" in target:
        env.pop("DEZNITY_DATABASE_URL")
        monkeypatch.delenv("DEZNITY_DATABASE_URL", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)

    def run(*args: str, ok: bool = True) -> Result:
        result = CliRunner().invoke(main, [command, *args], catch_exceptions=False)
        if ok:
            assert result.exit_code == 0, result.output
        return result

    return run


@pytest.fixture
def platform(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Platform:
    """The platform (and the process environment) on a temporary project folder, offline."""
    env = env_for(tmp_path)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    for key in SERVICE_VARIABLES:
        monkeypatch.delenv(key, raising=False)
    return Platform.from_env(env)


@pytest.fixture
def store(platform: Platform) -> SqlClientStore:
    """The platform's (empty) SQLite clients store."""
    db = platform.store
    assert isinstance(db, SqlClientStore)
    yield db
    db.dispose()


@pytest.fixture
def instance(platform: Platform) -> dg.DagsterInstance:
    """A throwaway Dagster instance."""
    with dg.instance_for_test() as inst:
        yield inst


def on_vercel(platform: Platform, api_url: str) -> Platform:
    """The platform publishing to a Vercel API at `api_url` for team_agency, its token named by VERCEL_TOKEN."""
    # The token as the code location has it: an environment variable's name, never its value.
    hosting = HostingResource(
        vercel_token=dg.EnvVar("VERCEL_TOKEN"),
        vercel_team_id="team_agency",
        vercel_api_url=api_url,
        poll_seconds=0.02,
        max_retries=3,
    )
    return platform.with_resources(hosting=hosting)

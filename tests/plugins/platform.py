"""Fixtures for the platform: settings on a temporary folder, a store, a Dagster instance."""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg
import pytest

from deznity_assets.settings import Settings
from deznity_assets.store import SqlClientStore

PROJECT_ROOT = Path(__file__).resolve().parents[2]


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


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings (and the process environment) on a temporary project folder."""
    env = env_for(tmp_path)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    for key in ("OPENAI_API_KEY", "OPENROUTER_API_KEY", "DEZNITY_LLM_BASE_URL", "SUPABASE_URL", "PINECONE_API_KEY"):
        monkeypatch.delenv(key, raising=False)
    return Settings.from_env(dict(os.environ))


@pytest.fixture
def store(settings: Settings) -> SqlClientStore:
    """An empty SQLite clients store."""
    db = SqlClientStore(settings.database_url)
    yield db
    db.dispose()


@pytest.fixture
def instance(settings: Settings) -> dg.DagsterInstance:
    """A throwaway Dagster instance."""
    with dg.instance_for_test() as inst:
        yield inst

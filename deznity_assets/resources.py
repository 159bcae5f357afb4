"""Dagster resources: the clients store, the agent provider and the output folder, built from settings."""

from __future__ import annotations

import dataclasses
import os
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

import dagster as dg

from .agents.provider import AgentProvider
from .io_manager import DeliverableIOManager
from .memory import VectorMemory
from .settings import Settings
from .store.base import ClientStore
from .store.select import store_from_settings

_provider_lock = threading.Lock()


@lru_cache(maxsize=8)
def _store_for(url: str, supabase_url: str) -> ClientStore:
    # One engine (or REST client) per database per process.
    settings = dataclasses.replace(Settings.from_env(), database_url=url)
    return store_from_settings(settings, env={**os.environ, "SUPABASE_URL": supabase_url})


class ClientStoreResource(dg.ConfigurableResource):
    """The clients table and the project logs: SQLite by default, PostgreSQL by URL, Supabase by SUPABASE_URL."""

    database_url: str

    def get_store(self) -> ClientStore:
        """The store for this configuration, shared within the process."""
        return _store_for(self.database_url, os.environ.get("SUPABASE_URL", ""))


class AgentProviderResource(dg.ConfigurableResource):
    """Which agent provider runs the agents: 'auto' picks from the environment."""

    provider: str = "auto"

    def get_provider(self) -> AgentProvider:
        """The provider instance, shared within the process (it holds caches and rate limits)."""
        env = {k: v for k, v in os.environ.items() if k.startswith(_PROVIDER_ENV_PREFIXES)}
        if self.provider != "auto":
            env["DEZNITY_LLM_PROVIDER"] = self.provider
        return _provider_for(tuple(sorted(env.items())))


# The provider depends only on these variables; one instance per distinct configuration.
_PROVIDER_ENV_PREFIXES = ("DEZNITY_LLM_", "DEZNITY_MODEL_", "OPENAI_", "OPENROUTER_", "DEZNITY_STATE_DIR")


@lru_cache(maxsize=8)
def _provider_for(env_items: tuple[tuple[str, str], ...]) -> AgentProvider:
    from .llm.select import provider_from_env

    with _provider_lock:
        return provider_from_env(dict(env_items))


# The memory depends only on these variables; one instance per distinct configuration.
_MEMORY_ENV_PREFIXES = ("PINECONE_", "DEZNITY_PINECONE_", "DEZNITY_MEMORY_", "OPENAI_", "DEZNITY_STATE_DIR")


class MemoryResource(dg.ConfigurableResource):
    """Vector memory: house knowledge to retrieve, and each client's agent decisions."""

    def get_memory(self) -> VectorMemory:
        """The memory (Pinecone or embedded LanceDB), seeded with the house knowledge once per process."""
        env = {k: v for k, v in os.environ.items() if k.startswith(_MEMORY_ENV_PREFIXES)}
        return _memory_for(tuple(sorted(env.items())))


@lru_cache(maxsize=4)
def _memory_for(env_items: tuple[tuple[str, str], ...]) -> VectorMemory:
    from .memory import memory_from_env
    from .memory.knowledge import seed_knowledge

    env = {**os.environ, **dict(env_items)}
    memory = memory_from_env(env)
    # Idempotent (content-hash ids): a no-op when the knowledge is already there.
    seed_knowledge(memory)
    return memory


class OutputResource(dg.ConfigurableResource):
    """Where packages are written and how the generated sites are addressed."""

    output_dir: str
    site_base_url: str = "https://{slug}.deznity.com"
    form_action: str = "/api/forms/{form}"

    @property
    def path(self) -> Path:
        return Path(self.output_dir)

    def site_url(self, slug: str) -> str:
        """Public base URL of a client's site."""
        return self.site_base_url.format(slug=slug).rstrip("/")


def resources_from_settings(settings: Settings) -> dict[str, Any]:
    """The resource set every entry point uses."""
    return {
        "store": ClientStoreResource(database_url=settings.database_url),
        "agents": AgentProviderResource(),
        "memory": MemoryResource(),
        "io_manager": DeliverableIOManager(),
        "output": OutputResource(
            output_dir=str(settings.output_dir), site_base_url=settings.site_base_url,
            form_action=settings.form_action,
        ),
    }

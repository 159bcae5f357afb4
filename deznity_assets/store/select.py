"""Pick the clients store from the environment: Supabase, PostgreSQL or SQLite."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from .base import ClientStore

if TYPE_CHECKING:
    from ..settings import Settings


def normalize_database_url(url: str) -> str:
    """SQLAlchemy URL for `url`: plain postgres:// and postgresql:// URLs use psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    if url.startswith("postgresql+psycopg2://"):
        # psycopg2 is not a dependency; psycopg 3 reads the same URLs.
        return "postgresql+psycopg://" + url[len("postgresql+psycopg2://"):]
    return url


def store_from_settings(settings: Settings, *, env: dict[str, str] | None = None) -> ClientStore:
    """Supabase when SUPABASE_URL is set, else SqlClientStore(settings.database_url)."""
    env = dict(os.environ) if env is None else env
    if env.get("SUPABASE_URL"):
        from .supabase_rest import SupabaseClientStore

        return SupabaseClientStore.from_env(env)
    from .sql import SqlClientStore

    return SqlClientStore(normalize_database_url(settings.database_url))


__all__ = ["normalize_database_url", "store_from_settings"]

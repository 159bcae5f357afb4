"""The clients store resource: SQLite by default, PostgreSQL by URL, Supabase by SUPABASE_URL."""

from __future__ import annotations

from functools import lru_cache

import dagster as dg

from ..config import secret_value, setting
from ..store.base import ClientStore


class ClientStoreResource(dg.ConfigurableResource):
    """The clients table and the project logs: SQLite by default, PostgreSQL by URL, Supabase by SUPABASE_URL."""

    database_url: str = setting(
        "DEZNITY_DATABASE_URL",
        "",
        "the clients store (SQLAlchemy URL: sqlite, postgresql; also Supabase's connection string)",
        secret="credentials",
        shown_default="sqlite:///<state>/deznity.db",
    )
    supabase_url: str | None = setting(
        "SUPABASE_URL", None, "clients through Supabase REST instead of a database URL", secret="credentials"
    )
    supabase_service_role_key: str | None = setting(
        "SUPABASE_SERVICE_ROLE_KEY", None, "Supabase service_role key (with SUPABASE_URL)", secret="always"
    )
    supabase_anon_key: str | None = setting(
        "SUPABASE_ANON_KEY",
        None,
        "Supabase anon key: works alone only with a warning about RLS; lets `deznity doctor` check RLS",
        secret="always",
    )

    def connection(self) -> dict[str, str]:
        """The store's settings with secrets read (for opening it and for `deznity doctor`); never logged."""
        return {
            "database_url": secret_value(self.database_url) or "",
            "supabase_url": secret_value(self.supabase_url) or "",
            "service_role_key": secret_value(self.supabase_service_role_key) or "",
            "anon_key": secret_value(self.supabase_anon_key) or "",
        }

    def get_store(self) -> ClientStore:
        """The store for this configuration, shared within the process."""
        return _store_for(**self.connection())

    def open_store(self) -> ClientStore:
        """A store of its own (not shared), for callers that dispose of it."""
        return _open(**self.connection())


def _open(database_url: str, supabase_url: str, service_role_key: str, anon_key: str) -> ClientStore:
    if supabase_url:
        from ..store.supabase_rest import SupabaseClientStore

        return SupabaseClientStore.connect(supabase_url, service_role_key=service_role_key, anon_key=anon_key)
    from ..store.sql import SqlClientStore
    from ..store.urls import normalize_database_url

    if not database_url:
        raise ValueError("no clients store: set DEZNITY_DATABASE_URL (or SUPABASE_URL)")
    return SqlClientStore(normalize_database_url(database_url))


@lru_cache(maxsize=8)
def _store_for(database_url: str, supabase_url: str, service_role_key: str, anon_key: str) -> ClientStore:
    # One engine (or REST client) per database per process.
    return _open(database_url, supabase_url, service_role_key, anon_key)

"""The production instance's storage: dagster-postgres's, keeping its database connections open.

dagster-postgres connects through SQLAlchemy's `NullPool`: every query and every event written opens
a new server connection (a new PostgreSQL backend process, its authentication and catalog caches)
and closes it, and every instance a process opens (the code server opens one for every sensor tick)
first lists the database's tables three times. `DeznityPostgresStorage` (deploy/dagster.yaml) keeps
one pooled engine per database in each process and lists the tables once per process and storage;
the SQL, the schema and the migrations are dagster-postgres's, unchanged. Kept apart from
instance_storage.py so that an embedded (SQLite) process never imports dagster-postgres.
"""

from __future__ import annotations

import os
import threading
from typing import Any

from dagster._serdes import ConfigurableClassData
from dagster_postgres import (
    DagsterPostgresStorage,
    PostgresEventLogStorage,
    PostgresRunStorage,
    PostgresScheduleStorage,
)
from dagster_postgres.utils import create_pg_engine, get_token_provider_from_config, pg_url_from_config
from sqlalchemy.engine import Engine
from sqlalchemy.pool import QueuePool

# Connections each process keeps open to the instance's PostgreSQL database (threads beyond them
# get one closed after use, as dagster-postgres's are): a run worker uses one at a time, the daemon
# a few threads. About two per process: 4 runs in flight, the daemon, the code server and the two
# webservers (which keep their own) hold about 20, within PostgreSQL's default 100.
PG_POOL_SIZE = 2


class PostgresEngines:
    """One pooled engine per PostgreSQL URL in this process, none carried across a fork."""

    def __init__(self) -> None:
        self._engines: dict[tuple[str, bool], Engine] = {}
        self._checked: set[tuple[str, str]] = set()
        self._pid = os.getpid()
        self._lock = threading.Lock()

    def get(self, postgres_url: str, token_provider: Any = None) -> Engine:
        """The engine of this database, made on first use."""
        key = (postgres_url, token_provider is not None)
        with self._lock:
            if os.getpid() != self._pid:
                # A forked child must not share its parent's sockets: forget them unclosed.
                for stale in self._engines.values():
                    stale.dispose(close=False)
                self._engines.clear()
                self._pid = os.getpid()
            engine = self._engines.get(key)
            if engine is None:
                engine = create_pg_engine(
                    postgres_url,
                    token_provider,
                    isolation_level="AUTOCOMMIT",
                    poolclass=QueuePool,
                    pool_size=PG_POOL_SIZE,
                    max_overflow=-1,
                    # A connection the server or a proxy closed while idle is replaced, not raised.
                    pool_pre_ping=True,
                )
                self._engines[key] = engine
            return engine

    def tables_checked(self, storage: str, postgres_url: str) -> bool:
        """Whether this process already checked (and made) `storage`'s tables in this database; marks it checked."""
        with self._lock:
            seen = (storage, postgres_url) in self._checked
            self._checked.add((storage, postgres_url))
            return seen


PG_ENGINES = PostgresEngines()


class _PooledPostgres:
    """A dagster-postgres storage on the process's pooled engine, its tables checked once per process."""

    _engine: Engine

    def __init__(
        self,
        postgres_url: str,
        should_autocreate_tables: bool = True,
        inst_data: ConfigurableClassData | None = None,
        token_provider: Any = None,
    ) -> None:
        # Dagster lists the database's tables in every constructor (each instance a process opens:
        # every sensor tick, every execution plan): once per process and storage is enough.
        check = should_autocreate_tables and not PG_ENGINES.tables_checked(type(self).__name__, postgres_url)
        super().__init__(postgres_url, check, inst_data, token_provider)  # type: ignore[call-arg]
        self.should_autocreate_tables = should_autocreate_tables
        self._engine.dispose()  # dagster-postgres's NullPool engine: never connected again
        self._engine = PG_ENGINES.get(postgres_url, token_provider)


class PooledPostgresRunStorage(_PooledPostgres, PostgresRunStorage):
    """dagster-postgres's run storage with its connections kept open."""


class PooledPostgresScheduleStorage(_PooledPostgres, PostgresScheduleStorage):
    """dagster-postgres's schedule, sensor and tick storage with its connections kept open."""


class PooledPostgresEventLogStorage(_PooledPostgres, PostgresEventLogStorage):
    """dagster-postgres's event log with its connections kept open, and the tables it has remembered."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._tables_present: set[str] = set()

    def has_table(self, table_name: str) -> bool:
        """Whether the table exists: asked before every asset check event (34 a client's run creation)."""
        if table_name in self._tables_present:
            return True
        present = super().has_table(table_name)
        if present:  # a table missing now may be made by a migration: asked again next time
            self._tables_present.add(table_name)
        return present


class DeznityPostgresStorage(DagsterPostgresStorage):
    """The production instance storage (deploy/dagster.yaml): dagster-postgres's, pooled connections."""

    def __init__(
        self,
        postgres_url: str,
        should_autocreate_tables: bool = True,
        inst_data: ConfigurableClassData | None = None,
        token_provider: Any = None,
    ) -> None:
        # dagster-postgres's constructor, with the pooled classes (it names its own in the body).
        self.postgres_url = postgres_url
        self.should_autocreate_tables = should_autocreate_tables
        self._inst_data = inst_data
        self._run_storage = PooledPostgresRunStorage(
            postgres_url, should_autocreate_tables, token_provider=token_provider
        )
        self._event_log_storage = PooledPostgresEventLogStorage(
            postgres_url, should_autocreate_tables, token_provider=token_provider
        )
        self._schedule_storage = PooledPostgresScheduleStorage(
            postgres_url, should_autocreate_tables, token_provider=token_provider
        )
        super(DagsterPostgresStorage, self).__init__()

    @classmethod
    def from_config_value(cls, inst_data: ConfigurableClassData | None, config_value: Any) -> DeznityPostgresStorage:
        """This class from dagster-postgres's settings (`postgres_url` or `postgres_db`)."""
        return cls(
            inst_data=inst_data,
            postgres_url=pg_url_from_config(config_value),
            should_autocreate_tables=config_value.get("should_autocreate_tables", True),
            token_provider=get_token_provider_from_config(config_value),
        )

"""The embedded instance's storage: Dagster's SQLite storage, keeping its database connections open.

Dagster's SQLite storages build a new SQLAlchemy engine, open a new connection and throw both away
for every query and every event they write. A client's run writes 239 events and reads the index
about 350 times: 590 engines, about a fifth of the run's CPU. These subclasses keep one engine per
database file with a small pool of open connections instead; the SQL, the files and their layout
are Dagster's, unchanged. The PostgreSQL instance (deploy/dagster.yaml) has the same done to
dagster-postgres's storage in instance_storage_postgres.py.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from dagster._core.storage.event_log.sqlite.sqlite_event_log import INDEX_SHARD_NAME, SqliteEventLogStorage
from dagster._core.storage.runs.sqlite.sqlite_run_storage import SqliteRunStorage
from dagster._core.storage.schedules.sqlite.sqlite_schedule_storage import SqliteScheduleStorage
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from dagster._core.storage.sqlite_storage import (
    DagsterSqliteStorage,
    _event_logs_directory,
    _runs_directory,
    _schedule_directory,
)
from dagster._serdes import ConfigurableClassData
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import QueuePool

# Run databases kept open by one process besides the index: a run worker writes to one, the daemon
# and the webserver read the few runs in flight. Older ones are closed.
OPEN_RUN_DATABASES = 8


def _sync_wal_normally(dbapi_connection: Any, _record: Any) -> None:
    """In WAL mode, sync at checkpoints rather than at every commit (SQLite's advice for WAL).

    A commit then costs no fsync (1 ms each here, ~670 a run). A killed process loses nothing and
    the file cannot be corrupted; a power cut may lose the last commits before a checkpoint, the
    events of runs in flight. Databases in another journal mode keep SQLite's default.
    """
    cursor = dbapi_connection.cursor()
    try:
        if str(cursor.execute("PRAGMA journal_mode").fetchone()[0]).lower() == "wal":
            cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


class SqliteEngines:
    """One pooled engine per SQLite file, least recently used closed first, none carried across a fork."""

    def __init__(self, limit: int, connect_args: dict[str, Any]) -> None:
        self._limit = limit
        self._connect_args = connect_args
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        self._pid = os.getpid()
        self._lock = threading.Lock()

    def get(self, conn_string: str) -> Engine:
        """The engine of this database file, made on first use."""
        with self._lock:
            if os.getpid() != self._pid:
                # A forked child must not use its parent's SQLite connections: forget them unclosed.
                for stale in self._engines.values():
                    stale.dispose(close=False)
                self._engines.clear()
                self._pid = os.getpid()
            engine = self._engines.get(conn_string)
            if engine is None:
                engine = create_engine(
                    conn_string,
                    poolclass=QueuePool,
                    # Two kept open; threads beyond that (the webserver's) get one closed after use.
                    pool_size=2,
                    max_overflow=-1,
                    # A connection goes back to the pool and may be taken by another thread.
                    connect_args={**self._connect_args, "check_same_thread": False},
                )
                event.listen(engine, "connect", _sync_wal_normally)
            self._engines[conn_string] = engine
            self._engines.move_to_end(conn_string)
            while len(self._engines) > self._limit:
                _, oldest = self._engines.popitem(last=False)
                oldest.dispose()
            return engine

    def close_all(self) -> None:
        """Close every open connection (before the files are deleted, or when the storage is disposed)."""
        with self._lock:
            for engine in self._engines.values():
                engine.dispose()
            self._engines.clear()


class PooledSqliteEventLogStorage(SqliteEventLogStorage):
    """Dagster's SQLite event log (one database per run plus an index), with its connections kept open."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None) -> None:
        self._engines = SqliteEngines(OPEN_RUN_DATABASES + 1, {"timeout": SQLITE_BUSY_TIMEOUT_SECONDS})
        super().__init__(base_dir, inst_data)

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        # As Dagster's: one connection at a time per process (the lock), the database made on first use.
        with self._db_lock:
            engine = self._engines.get(self.conn_string_for_shard(shard))
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
                # A new file turned to WAL only now: reconnect, for the WAL setting on every connection.
                engine.dispose()
            with engine.connect() as conn, conn.begin():
                yield conn

    def has_table(self, table_name: str) -> bool:
        """Whether the index database has this table (asked often: which features the schema has)."""
        engine = self._engines.get(self.conn_string_for_shard(INDEX_SHARD_NAME))
        with engine.connect() as conn:
            return bool(engine.dialect.has_table(conn, table_name))

    def wipe(self) -> None:
        """Delete every run's database and empty the index, closing the connections to them first."""
        self._engines.close_all()
        super().wipe()

    def upgrade(self) -> None:
        """Migrate every database, on fresh connections."""
        self._engines.close_all()
        super().upgrade()

    def dispose(self) -> None:
        """Close the connections and stop watching the folder."""
        self._engines.close_all()
        super().dispose()


class _PooledConnect:
    """`connect()` from one pooled engine, for Dagster's SQLite storages of one file (runs, schedules)."""

    _conn_string: str

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._engines = SqliteEngines(1, {})
        super().__init__(*args, **kwargs)

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """A connection in a transaction, from the pool."""
        with self._engines.get(self._conn_string).connect() as conn, conn.begin():
            yield conn


class PooledSqliteRunStorage(_PooledConnect, SqliteRunStorage):
    """Dagster's SQLite run storage with its connections kept open."""

    def dispose(self) -> None:
        """Close the connections."""
        self._engines.close_all()
        super().dispose()


class PooledSqliteScheduleStorage(_PooledConnect, SqliteScheduleStorage):
    """Dagster's SQLite schedule, sensor and tick storage with its connections kept open."""

    def dispose(self) -> None:
        """Close the connections."""
        self._engines.close_all()
        super().dispose()


class DeznitySqliteStorage(DagsterSqliteStorage):
    """The embedded instance storage (DeznityInstance's default): Dagster's SQLite layout, pooled connections."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None) -> None:
        # Dagster's constructor, with the pooled classes (it names its own classes in the body).
        self.base_dir = base_dir
        self._run_storage = PooledSqliteRunStorage.from_local(_runs_directory(base_dir))
        self._event_log_storage = PooledSqliteEventLogStorage(_event_logs_directory(base_dir))
        self._schedule_storage = PooledSqliteScheduleStorage.from_local(_schedule_directory(base_dir))
        self._inst_data = inst_data
        super(DagsterSqliteStorage, self).__init__()

    @classmethod
    def from_config_value(cls, inst_data: ConfigurableClassData, config_value: Any) -> DeznitySqliteStorage:
        """This class (Dagster's method names its own) from the `base_dir` setting."""
        return cls.from_local(inst_data=inst_data, **config_value)

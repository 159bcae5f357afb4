"""The clients store over SQLAlchemy: SQLite by default, PostgreSQL with the same queries."""

from __future__ import annotations

import functools
import json
import logging
import re
import threading
import uuid
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from ..brief import slugify, unique_slug, validate_brief
from . import figures
from .events import client_event, queue_rows, queue_state
from .experiment_rows import COUNT_OF_KIND, empty_counts, experiment_row
from .rows import ClientRow, aware, brief_to_columns, is_uuid, utcnow
from .schema import (
    ADDED_COLUMNS,
    ADDED_INDEXES,
    STATUS_CHECK,
    STATUSES,
    agent_activities,
    clients,
    experiment_events,
    experiments,
    leads,
    metadata,
    project_tasks,
    projects,
    reviews,
    webhook_deliveries,
    webhook_endpoint_events,
    webhook_endpoints,
    webhook_events,
)
from .transitions import StoreTransitions, new_review, slug_problem

log = logging.getLogger(__name__)

# How sa.Uuid keeps an id on SQLite (no native uuid type): 32 lowercase hex digits, no dashes.
STORED_ID = re.compile(r"[0-9a-f]{32}")
STATUS_FIX = (
    f"' is not a status; use one of {', '.join(STATUSES)} (lower case, no spaces): "
    "set it to pending to have the client processed"
)
# clients_status_check as SQLAlchemy wrote it on SQLite (any list of statuses), to widen it in place.
SQLITE_STATUS_CHECK = re.compile(r'CONSTRAINT\s+"?clients_status_check"?\s+CHECK\s*\((?:[^()]|\([^()]*\))*\)', re.I)
SQLITE_CREATE_CLIENTS = re.compile(r'^\s*CREATE\s+TABLE\s+"?clients"?(?=\s*\()', re.I)
# A clients table without clients_status_check is searched for odd statuses at most this often.
ODD_STATUS_RESCAN = timedelta(hours=1)


class _TypedId(sa.types.TypeDecorator[str]):
    """A clients id as text, whatever was typed into it: a UUID in its usual form, anything else as it is."""

    impl = sa.String
    cache_ok = True

    def process_result_value(self, value: Any, dialect: sa.Dialect) -> str | None:
        # sa.Uuid raises on anything but a UUID, and one such hand-typed row would then break
        # every read of the table (claims, status, the portfolio); such a row is failed at claim.
        if value is None or isinstance(value, uuid.UUID):
            return None if value is None else str(value)
        text = str(value)
        return str(uuid.UUID(text)) if STORED_ID.fullmatch(text) else text


_CLIENT_COLUMNS = [sa.type_coerce(clients.c.id, _TypedId).label("id"), *(c for c in clients.c if c.name != "id")]
# The id exactly as stored, to tell a typed-in id from one this store wrote (SQLite).
_CLAIM_COLUMNS = [*_CLIENT_COLUMNS, sa.type_coerce(clients.c.id, sa.String).label("stored_id")]
# A reviews row and its client's slug; ids read as _TypedId, as a row typed by hand may hold any text.
_REVIEW_COLUMNS = [
    sa.type_coerce(reviews.c.id, _TypedId).label("id"),
    sa.type_coerce(reviews.c.client_id, _TypedId).label("client_id"),
    *(c for c in reviews.c if c.name not in ("id", "client_id")),
    clients.c.slug,
]


# add_lead's statements on SQLite, made once (see add_lead).
_LEAD_INSERTS = (leads.insert(), webhook_events.insert())


@functools.lru_cache(maxsize=8)
def _lead_insert(lead_columns: tuple[str, ...], event_columns: tuple[str, ...] | None) -> sa.Executable:
    """PostgreSQL: one statement storing a lead and its event (parameters lead_<column>, event_<column>).

    Built once per set of columns with bound parameters, so SQLAlchemy compiles it once: building
    it with the values cost more CPU per lead than the rest of a submission.
    """
    new_lead = leads.insert().values({c: sa.bindparam(f"lead_{c}", type_=leads.c[c].type) for c in lead_columns})
    if event_columns is None:
        return new_lead
    cte = new_lead.returning(leads.c.id).cte("new_lead")
    row = sa.select(
        *(sa.bindparam(f"event_{c}", type_=webhook_events.c[c].type).label(c) for c in event_columns)
    ).select_from(cte)
    return webhook_events.insert().from_select(list(event_columns), row).add_cte(cte)


# Connections a process keeps open to PostgreSQL (as many again may open for a burst, then close).
POOL_SIZE = 10


class SqlClientStore(StoreTransitions):
    """Clients, projects, tasks and agent activity in a SQL database (SQLite or PostgreSQL)."""

    def __init__(self, url: str, *, create: bool = True):
        self.url = url
        kwargs: dict[str, Any] = {"future": True}
        if url.startswith("sqlite"):
            # Several processes (daemon, runs, CLI) share the file: wait for locks
            # instead of failing, and let readers proceed during writes.
            kwargs["connect_args"] = {"timeout": 30, "check_same_thread": False}
        else:
            kwargs["pool_pre_ping"] = True
            # Threads beyond the pool's size would open and close a connection (a server process each)
            # per use: the site API keeps its store work to POOL_SIZE threads (site_api/app.py).
            kwargs["pool_size"] = POOL_SIZE
            kwargs["max_overflow"] = POOL_SIZE
        self.engine = sa.create_engine(url, **kwargs)
        # Whether clients has clients_status_check (None: not looked yet), and the last scan for odd statuses.
        self._status_guarded: bool | None = None
        self._odd_scanned_at: datetime | None = None
        self._byte_order: bool | None = None  # whether slugs sort byte by byte (_slugs_in_byte_order)
        self._leads_engine: sa.Engine | None = None  # see _lead_engine
        self._sqlite_writer = threading.Lock()  # see add_lead
        if url.startswith("sqlite"):
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
        if create:
            self.create_tables()

    @property
    def backend(self) -> str:
        """The SQL dialect name: sqlite or postgresql."""
        return self.engine.dialect.name

    def create_tables(self) -> None:
        """Create missing tables (idempotent); add columns an older version lacked and widen a clients_status_check."""
        if self.url.startswith("sqlite:///"):
            from pathlib import Path

            Path(self.url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        metadata.create_all(self.engine)
        self._add_missing_indexes()
        # Columns first: the SQLite status-check rebuild copies the table's columns as they are.
        self._add_missing_columns()
        with self.engine.connect() as conn:
            outdated = _status_check_outdated(conn)
        if outdated:
            self._widen_status_check()

    def _add_missing_indexes(self) -> None:
        # create_all makes the indexes of the tables it creates only: a clients table made by an older
        # version gets the newer ones (the dashboard's, ADDED_INDEXES) here, IF NOT EXISTS as processes race.
        for index in clients.indexes:
            if index.name not in ADDED_INDEXES:
                continue
            try:
                with self.engine.begin() as conn:
                    conn.execute(sa.schema.CreateIndex(index, if_not_exists=True))
            except sa.exc.DBAPIError as exc:
                # A user that may write rows but not index the table: the dashboard still works, slower.
                log.warning(
                    "index %s is missing and could not be made (%s); apply supabase/migrations/%s as the table's owner",
                    index.name,
                    str(exc.orig).splitlines()[0] if exc.orig else type(exc).__name__,
                    ADDED_INDEXES[str(index.name)],
                )

    def _add_missing_columns(self) -> None:
        # create_all makes missing tables, never missing columns: a database made by an older version
        # lacks the ones added since (ADDED_COLUMNS), all nullable, so adding them keeps every row.
        with self.engine.connect() as conn:
            missing = _missing_columns(conn)
        tables = {"clients": clients, "projects": projects}
        guard = "IF NOT EXISTS " if self.backend == "postgresql" else ""
        for table, name in missing:
            kind = tables[table].c[name].type.compile(dialect=self.engine.dialect)
            try:
                with self.engine.begin() as conn:
                    conn.exec_driver_sql(f"ALTER TABLE {table} ADD COLUMN {guard}{name} {kind}")
            except sa.exc.DBAPIError as exc:
                # Another process added it meanwhile (SQLite has no IF NOT EXISTS), or a user that
                # may write rows but not alter the table: say what to apply rather than stop every command.
                with self.engine.connect() as conn:
                    if (table, name) not in _missing_columns(conn):
                        continue
                log.warning(
                    "%s.%s is missing and could not be added (%s); apply supabase/migrations/%s as the table's owner",
                    table,
                    name,
                    str(exc.orig).splitlines()[0] if exc.orig else type(exc).__name__,
                    ADDED_COLUMNS[(table, name)],
                )

    def _widen_status_check(self) -> None:
        # A database made by an older version has a clients_status_check without the newer
        # statuses (needs_review), and would refuse the transition into them.
        if self.backend == "sqlite":
            self._rebuild_sqlite_clients()
            return
        try:
            with self.engine.begin() as conn:
                # One ALTER TABLE: it locks the table, so processes starting together take turns.
                conn.execute(
                    sa.text(
                        "ALTER TABLE clients DROP CONSTRAINT IF EXISTS clients_status_check, "
                        f"ADD CONSTRAINT clients_status_check CHECK ({STATUS_CHECK})"
                    )
                )
        except sa.exc.DBAPIError as exc:
            # E.g. a user that may write rows but not alter the table: the platform still runs,
            # and only the move to a newer status would be refused.
            log.warning(
                "clients_status_check does not allow %s and could not be widened (%s); apply "
                "supabase/migrations/20250601000500_reviews.sql as the table's owner",
                ", ".join(STATUSES),
                str(exc.orig).splitlines()[0] if exc.orig else type(exc).__name__,
            )

    def _rebuild_sqlite_clients(self) -> None:
        # SQLite cannot alter a CHECK. Its documented way: a new table (here the same definition
        # with the check widened), the rows copied, the old table dropped and the new one renamed,
        # its indexes and triggers made again; in one transaction with foreign keys off, or
        # dropping clients would cascade to every project, activity and review.
        with self.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT")  # BEGIN and COMMIT are ours
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")  # no effect inside a transaction
            try:
                # The write lock first: processes starting together rebuild once, the others see it done.
                conn.exec_driver_sql("BEGIN IMMEDIATE")
                try:
                    if _status_check_outdated(conn):
                        self._copy_sqlite_clients(conn)
                    conn.exec_driver_sql("COMMIT")
                except BaseException:
                    conn.exec_driver_sql("ROLLBACK")
                    raise
            finally:
                conn.exec_driver_sql("PRAGMA foreign_keys=ON")

    def _copy_sqlite_clients(self, conn: sa.Connection) -> None:
        table_sql = conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'clients'")
        ddl = str(table_sql.scalar_one())
        widened, found = SQLITE_STATUS_CHECK.subn(f"CONSTRAINT clients_status_check CHECK ({STATUS_CHECK})", ddl)
        rebuilt, named = SQLITE_CREATE_CLIENTS.subn("CREATE TABLE clients_rebuilt", widened)
        if found != 1 or named != 1:
            log.warning(
                "clients_status_check does not allow %s, and the clients table is not in a form this "
                "version can rebuild; recreate the table (copying its rows) with the check from "
                "deznity_assets/store/schema.py",
                ", ".join(STATUSES),
            )
            return
        others = conn.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE tbl_name = 'clients' AND type IN ('index', 'trigger') "
            "AND sql IS NOT NULL"
        )
        recreate = [str(r[0]) for r in others]
        conn.exec_driver_sql("DROP TABLE IF EXISTS clients_rebuilt")
        conn.exec_driver_sql(rebuilt)
        # Same definition, so the same columns in the same order.
        conn.exec_driver_sql("INSERT INTO clients_rebuilt SELECT * FROM clients")
        conn.exec_driver_sql("DROP TABLE clients")
        conn.exec_driver_sql("ALTER TABLE clients_rebuilt RENAME TO clients")
        for statement in recreate:
            conn.exec_driver_sql(statement)

    def dispose(self) -> None:
        """Close pooled connections."""
        self.engine.dispose()
        if self._leads_engine is not None:
            self._leads_engine.dispose()

    # ----- clients -----------------------------------------------------------------

    def add_client(self, data: dict[str, Any], *, status: str = "pending") -> ClientRow:
        """Validate a brief and insert it as a new client; raises BriefError when invalid."""
        brief = validate_brief(data, columns=clients.c.keys())
        columns = brief_to_columns(brief.model_dump())
        for _ in range(50):
            taken = self._slugs_like(slugify(brief.business_name))
            slug = unique_slug(brief.business_name, taken)
            try:
                return self.insert_raw({**columns, "slug": slug}, status=status)
            except IntegrityError:
                continue  # another writer took the slug meanwhile
        raise RuntimeError(f"could not find a free slug for {brief.business_name!r}")

    def insert_raw(self, data: dict[str, Any], *, status: str = "pending") -> ClientRow:
        """Insert a row without validation, as if typed straight into the table."""
        now = utcnow()
        row = {"id": str(uuid.uuid4()), "status": status, "attempt": 1, "created_at": now, "updated_at": now}
        row.update({k: v for k, v in data.items() if k in clients.c})
        with self.engine.begin() as conn:
            conn.execute(clients.insert().values(**row))
        return self.get(str(row["id"]))  # type: ignore[return-value]

    def get(self, key: str) -> ClientRow | None:
        """The client with this slug or id, or None."""
        cond = sa.or_(clients.c.slug == key, self._id_is(clients.c.id, key))
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(*_CLIENT_COLUMNS).where(cond)).first()
        return ClientRow.from_mapping(row) if row else None

    def _id_is(self, column: Any, key: str) -> sa.ColumnElement[bool]:
        # `column` (a clients id or a reference to one) names the client `key`. On PostgreSQL
        # ids are native UUIDs, so anything else names no row. On SQLite a row typed by hand
        # may hold any text ('42', a dashed UUID): match that text as well as the stored form.
        if self.backend != "sqlite":
            return column == key if is_uuid(key) else sa.false()
        forms = {str(key)}
        if is_uuid(key):
            forms.add(uuid.UUID(key).hex)
        return sa.type_coerce(column, sa.String).in_(sorted(forms))

    def _ids_are(self, column: Any, keys: list[str]) -> sa.ColumnElement[bool]:
        # `column` names one of the clients `keys` (ids as read from this store), as _id_is does for one.
        if self.backend != "sqlite":
            return column.in_([k for k in keys if is_uuid(k)])
        forms = set(keys) | {uuid.UUID(k).hex for k in keys if is_uuid(k)}
        return sa.type_coerce(column, sa.String).in_(sorted(forms))

    def list_clients(self, *, status: str | None = None) -> list[ClientRow]:
        """Every client, oldest first, optionally only those with `status`."""
        query = sa.select(*_CLIENT_COLUMNS).order_by(clients.c.created_at, clients.c.id)
        if status:
            query = query.where(clients.c.status == status)
        with self.engine.connect() as conn:
            return [ClientRow.from_mapping(r) for r in conn.execute(query)]

    # ----- the dashboard's reads: a page of rows or a count, never every client -----

    def status_counts(self) -> dict[str, int]:
        """How many clients have each status (one GROUP BY over the status index)."""
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(clients.c.status, sa.func.count()).group_by(clients.c.status))
            return {str(r[0]): int(r[1]) for r in rows}

    def _slugs_in_byte_order(self) -> bool:
        # The dashboard's pages by slug compare slugs byte by byte, as SQLite and PostgreSQL's C collation
        # sort them; a database with another collation (en_US ignores '-') is read with COLLATE "C",
        # which its slug index cannot serve. Asked once per store.
        if self._byte_order is None:
            if self.backend != "postgresql":
                self._byte_order = True
            else:
                with self.engine.connect() as conn:
                    collation = conn.execute(
                        sa.text("SELECT datcollate FROM pg_database WHERE datname = current_database()")
                    ).scalar()
                self._byte_order = str(collation).split(".")[0] in ("C", "POSIX")
        return self._byte_order

    def recent_clients(self, limit: int) -> list[ClientRow]:
        """The `limit` clients changed last, latest first (clients_updated_idx)."""
        query = sa.select(*_CLIENT_COLUMNS).order_by(clients.c.updated_at.desc(), clients.c.id.desc()).limit(limit)
        with self.engine.connect() as conn:
            return [ClientRow.from_mapping(r) for r in conn.execute(query)]

    def review_queue(self, limit: int, *, overdue_before: datetime) -> tuple[list[ClientRow], int]:
        """The `limit` clients waiting for review longest (oldest first), and how many wait since before
        `overdue_before` (clients_status_updated_idx)."""
        waiting = clients.c.status == "needs_review"
        query = sa.select(*_CLIENT_COLUMNS).where(waiting).order_by(clients.c.updated_at, clients.c.id).limit(limit)
        with self.engine.connect() as conn:
            rows = [ClientRow.from_mapping(r) for r in conn.execute(query)]
            overdue = conn.execute(
                sa.select(sa.func.count()).select_from(clients).where(waiting, clients.c.updated_at < overdue_before)
            ).scalar_one()
        return rows, int(overdue)

    def clients_between(self, first: str, before: str | None = None, *, limit: int | None = None) -> list[ClientRow]:
        """Clients whose slug is at least `first` and below `before` (None: no end), by slug; at most `limit`."""
        slug = clients.c.slug if self._slugs_in_byte_order() else clients.c.slug.collate("C")
        query = sa.select(*_CLIENT_COLUMNS).where(slug >= first).order_by(slug)
        if before is not None:
            query = query.where(slug < before)
        if limit is not None:
            query = query.limit(limit)
        with self.engine.connect() as conn:
            return [ClientRow.from_mapping(r) for r in conn.execute(query)]

    def delete_client(self, key: str) -> bool:
        """Remove a client and its project history; True when a row was removed."""
        row = self.get(key)
        if not row:
            return False
        with self.engine.begin() as conn:
            project_ids = sa.select(projects.c.id).where(self._id_is(projects.c.client_id, row.id))
            conn.execute(project_tasks.delete().where(project_tasks.c.project_id.in_(project_ids)))
            conn.execute(agent_activities.delete().where(self._id_is(agent_activities.c.client_id, row.id)))
            conn.execute(projects.delete().where(self._id_is(projects.c.client_id, row.id)))
            conn.execute(reviews.delete().where(self._id_is(reviews.c.client_id, row.id)))
            conn.execute(clients.delete().where(self._id_is(clients.c.id, row.id)))
        return True

    def _slugs_like(self, base: str) -> set[str]:
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(clients.c.slug).where(clients.c.slug.like(f"{base[:12]}%")))
            return {r[0] for r in rows if r[0]}

    # ----- lifecycle transitions ---------------------------------------------------

    def claim_pending(self, limit: int) -> list[ClientRow]:
        """Atomically move up to `limit` pending clients to in_progress and return them.

        One UPDATE ... WHERE status = 'pending' RETURNING: on PostgreSQL the candidate
        rows are locked with FOR UPDATE SKIP LOCKED, on SQLite the statement holds the
        database write lock, so a row is claimed by exactly one caller.

        Rows the claim refuses come back failed, with the field and the fix in last_error: a
        slug that cannot be a partition key, an id SQLite cannot address, or a status that is
        not one of STATUSES (only a table without clients_status_check can hold one: it is
        searched on the first claim, then hourly).
        """
        now = utcnow()
        odd_status = self._odd_status_update(now) if self._odd_statuses_due(now) else None
        picked = (
            sa.select(clients.c.id)
            .where(clients.c.status == "pending")
            .order_by(clients.c.created_at, clients.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
            .cte("picked")
        )
        if self.backend == "postgresql":
            # Evaluate the pick once: as a plain IN (subquery) the planner may re-run it per
            # row and claim more than `limit` rows.
            picked = picked.prefix_with("MATERIALIZED")
        stmt = (
            clients.update()
            .where(clients.c.id == picked.c.id, clients.c.status == "pending")
            .values(status="in_progress", claimed_at=now, updated_at=now, run_id=None, last_error=None)
            .returning(*_CLAIM_COLUMNS)
        )
        with self.engine.begin() as conn:
            refused = [ClientRow.from_mapping(r) for r in conn.execute(odd_status)] if odd_status is not None else []
            claimed = [(ClientRow.from_mapping(r), r._mapping["stored_id"]) for r in conn.execute(stmt)]
            # The outbox rows commit with the status change, or not at all.
            events = [client_event(r, status="failed", reason=r.last_error, at=now) for r in refused]
            events += [client_event(r, status="in_progress", at=now) for r, _ in claimed]
            if events:
                conn.execute(webhook_events.insert(), events)
        rows = refused + [self._refuse_unusable(row, stored_id) for row, stored_id in claimed]
        rows.sort(key=lambda r: (r.created_at or now, r.id))
        return rows

    def _odd_statuses_due(self, now: datetime) -> bool:
        # `status NOT IN (...)` reads the whole table, too slow for every poll of a large one. A table
        # with clients_status_check (every table this store or the migrations create) cannot hold
        # another status; one made without it is looked at on the first claim, then hourly.
        if self._status_guarded is None:
            with self.engine.connect() as conn:
                self._status_guarded = _has_status_check(conn)
        if self._status_guarded:
            return False
        if self._odd_scanned_at is not None and now - self._odd_scanned_at < ODD_STATUS_RESCAN:
            return False
        self._odd_scanned_at = now
        return True

    def _odd_status_update(self, now: datetime) -> Any:
        # Only a table created without clients_status_check can hold 'Pending' or ' pending';
        # such a row would sit unclaimed and unexplained forever: fail it, naming the field.
        return (
            clients.update()
            .where(clients.c.status.not_in(STATUSES))
            .values(
                status="failed",
                last_error=sa.literal("status: '")
                + sa.func.substr(clients.c.status, 1, 40, type_=sa.String)
                + sa.literal(STATUS_FIX),
                updated_at=now,
            )
            .returning(*_CLAIM_COLUMNS)
        )

    def claim_client(self, key: str) -> ClientRow | None:
        """Atomically claim one named client that is not in progress; None if another caller has it.

        A client that already finished (completed or failed) starts a new attempt.
        """
        row = self._require(key)
        now = utcnow()
        stmt = (
            clients.update()
            .where(self._id_is(clients.c.id, row.id), clients.c.status != "in_progress")
            .values(
                status="in_progress",
                claimed_at=now,
                updated_at=now,
                run_id=None,
                last_error=None,
                attempt=sa.case((clients.c.status == "pending", clients.c.attempt), else_=clients.c.attempt + 1),
                # A retry's resume step stands for a pending row; a finished client starts over.
                resume_from=sa.case((clients.c.status == "pending", clients.c.resume_from), else_=sa.null()),
                resume_review=sa.case((clients.c.status == "pending", clients.c.resume_review), else_=sa.null()),
            )
            .returning(*_CLAIM_COLUMNS)
        )
        return self._claim_one(stmt, now)

    def _claim_one(self, stmt: Any, now: datetime) -> ClientRow | None:
        """Run a one-row claim UPDATE ... RETURNING and write its claimed event in the same transaction."""
        with self.engine.begin() as conn:
            claimed = conn.execute(stmt).first()
            if claimed is not None:
                event = client_event(ClientRow.from_mapping(claimed), status="in_progress", at=now)
                conn.execute(webhook_events.insert().values(**event))
        if claimed is None:
            return None
        return self._refuse_unusable(ClientRow.from_mapping(claimed), claimed._mapping["stored_id"])

    def claim_reviewed(self, key: str) -> ClientRow | None:
        """Atomically move a client from needs_review to in_progress; None if it is not (or no longer) waiting.

        One UPDATE ... WHERE status = 'needs_review': of two callers acting on the same decision
        (sensor ticks, a CLI pass) only one gets the row.
        """
        row = self.get(key)
        if row is None:
            return None
        now = utcnow()
        stmt = (
            clients.update()
            .where(self._id_is(clients.c.id, row.id), clients.c.status == "needs_review")
            .values(status="in_progress", claimed_at=now, updated_at=now, run_id=None, last_error=None)
            .returning(*_CLAIM_COLUMNS)
        )
        return self._claim_one(stmt, now)

    def _refuse_unusable(self, row: ClientRow, stored_id: Any) -> ClientRow:
        # A row typed without a slug is named now (NULL only: an empty or odd slug was typed
        # on purpose and is refused with the reason, as is an id this table cannot address).
        if row.slug is None:
            row.slug = self._assign_slug(row)
        problems = [p for p in (self._id_problem(stored_id), slug_problem(row.slug)) if p]
        return self._refuse(row, problems) if problems else row

    def _id_problem(self, stored_id: Any) -> str | None:
        # PostgreSQL refuses anything but a UUID in a uuid column; SQLite keeps whatever was typed,
        # and an id not in the stored form cannot be referenced by the run's project rows.
        if self.backend != "sqlite" or (isinstance(stored_id, str) and STORED_ID.fullmatch(stored_id)):
            return None
        return (
            f"id: {str(stored_id)[:40]!r} is not an id this table can use; ids are UUIDs written as 32 "
            "lower-case hex digits without dashes (e.g. 1b4e28ba2fa111d2883f0016d3cca427): give the row "
            "such an id, or delete it and add the client with `deznity add-client`"
        )

    def _assign_slug(self, row: ClientRow) -> str:
        # Rows typed straight into the table have no slug yet; a row whose name cannot
        # give one still needs a name for its error, so fall back to its id.
        base_name = row.business_name if slugify(row.business_name, fallback="") else f"client {row.id[:8]}"
        for _ in range(50):
            slug = unique_slug(base_name, self._slugs_like(slugify(base_name)))
            try:
                with self.engine.begin() as conn:
                    conn.execute(
                        clients.update()
                        .where(self._id_is(clients.c.id, row.id), clients.c.slug.is_(None))
                        .values(slug=slug)
                    )
                return self.get(row.id).slug  # type: ignore[union-attr,return-value]
            except IntegrityError:
                continue
        raise RuntimeError(f"could not find a free slug for client {row.id}")

    def requeue(
        self, key: str, *, reason: str | None = None, resume_from: str | None = None, resume_review: str | None = None
    ) -> ClientRow:
        """Back to pending with attempt + 1 (retry, or a claim whose run never started); `resume_from`,
        `resume_review`: its plan."""
        row = self._require(key)
        now = utcnow()
        with self.engine.begin() as conn:
            requeued = conn.execute(
                clients.update()
                .where(self._id_is(clients.c.id, row.id))
                .values(
                    status="pending",
                    attempt=clients.c.attempt + 1,
                    run_id=None,
                    claimed_at=None,
                    last_error=reason,
                    resume_from=resume_from,
                    resume_review=resume_review,
                    updated_at=now,
                )
                .returning(clients.c.attempt)
            ).scalar()
            if requeued is not None:
                event = client_event(row, status="pending", attempt=int(requeued), reason=reason, at=now)
                conn.execute(webhook_events.insert().values(**event))
        return self._require(key)

    # ----- projects, tasks, activities ---------------------------------------------

    def start_project(self, key: str, *, run_id: str, attempt: int) -> str:
        """The projects row for this run (created once per run); returns its id."""
        row = self._require(key)
        with self.engine.begin() as conn:
            existing = conn.execute(sa.select(projects.c.id).where(projects.c.run_id == run_id)).scalar()
            if existing:
                return str(existing)
            project_id = str(uuid.uuid4())
            conn.execute(
                projects.insert().values(
                    id=project_id,
                    client_id=row.id,
                    run_id=run_id,
                    attempt=attempt,
                    status="in_progress",
                    phase="client_analysis",
                    started_at=utcnow(),
                )
            )
            return project_id

    def project_for_run(self, run_id: str) -> dict[str, Any] | None:
        """The projects row of a run, if any."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(projects).where(projects.c.run_id == run_id)).first()
        return dict(row._mapping) if row else None

    def _update_client(
        self, client_id: str, values: dict[str, Any], what: str, event: dict[str, Any] | None = None
    ) -> None:
        with self.engine.begin() as conn:
            conn.execute(clients.update().where(self._id_is(clients.c.id, client_id)).values(**values))
            if event is not None:
                conn.execute(webhook_events.insert().values(**event))

    def _update_project(self, run_id: str, values: dict[str, Any]) -> None:
        with self.engine.begin() as conn:
            conn.execute(projects.update().where(projects.c.run_id == run_id).values(**values))

    def latest_project(self, client_id: str) -> dict[str, Any] | None:
        """The most recent projects row of a client."""
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(projects)
                .where(self._id_is(projects.c.client_id, client_id))
                .order_by(projects.c.started_at.desc())
                .limit(1)
            ).first()
        return dict(row._mapping) if row else None

    def latest_live_project(self, client_id: str) -> dict[str, Any] | None:
        """The most recent projects row of a client that recorded a live URL (its site as now published)."""
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(projects)
                .where(self._id_is(projects.c.client_id, client_id), projects.c.live_url.is_not(None))
                .order_by(projects.c.started_at.desc())
                .limit(1)
            ).first()
        return dict(row._mapping) if row else None

    def log_task(
        self,
        *,
        project_id: str,
        phase: str,
        agent: str,
        task: str,
        status: str,
        started_at: datetime,
        output_path: str | None = None,
    ) -> None:
        """One project_tasks row for an agent task."""
        with self.engine.begin() as conn:
            conn.execute(
                project_tasks.insert().values(
                    id=str(uuid.uuid4()),
                    project_id=project_id,
                    phase=phase,
                    agent=agent,
                    task=task,
                    status=status,
                    output_path=output_path,
                    started_at=started_at,
                    finished_at=utcnow(),
                )
            )

    def log_activity(
        self,
        *,
        client_id: str,
        agent: str,
        action: str,
        project_id: str | None = None,
        phase: str | None = None,
        duration_ms: int | None = None,
        provider: str | None = None,
        model: str | None = None,
        tokens_in: int | None = None,
        tokens_out: int | None = None,
        cost_usd: float | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        """One agent_activities row: what an agent did, when and at what cost."""
        with self.engine.begin() as conn:
            conn.execute(
                agent_activities.insert().values(
                    id=str(uuid.uuid4()),
                    project_id=project_id,
                    client_id=client_id,
                    agent=agent,
                    action=action,
                    phase=phase,
                    duration_ms=duration_ms,
                    provider=provider,
                    model=model,
                    tokens_in=tokens_in,
                    tokens_out=tokens_out,
                    cost_usd=cost_usd,
                    details=json.dumps(details, ensure_ascii=False, default=str) if details else None,
                    created_at=utcnow(),
                )
            )

    def activities(self, key: str) -> list[dict[str, Any]]:
        """Every agent activity of a client, oldest first."""
        row = self._require(key)
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(agent_activities)
                .where(self._id_is(agent_activities.c.client_id, row.id))
                .order_by(agent_activities.c.created_at)
            )
            return [dict(r._mapping) for r in rows]

    def tasks_for_run(self, run_id: str) -> list[dict[str, Any]]:
        """The project_tasks rows of a run."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(project_tasks)
                .join(projects, projects.c.id == project_tasks.c.project_id)
                .where(projects.c.run_id == run_id)
                .order_by(project_tasks.c.started_at)
            )
            return [dict(r._mapping) for r in rows]

    def usage_totals(self, client_id: str) -> tuple[int, float]:
        """Tokens and cost of a client's latest project."""
        project = self.latest_project(client_id)
        if not project:
            return 0, 0.0
        with self.engine.connect() as conn:
            tokens, cost = conn.execute(
                sa.select(
                    sa.func.coalesce(sa.func.sum(agent_activities.c.tokens_in + agent_activities.c.tokens_out), 0),
                    sa.func.coalesce(sa.func.sum(agent_activities.c.cost_usd), 0.0),
                ).where(agent_activities.c.project_id == project["id"])
            ).one()
        return int(tokens or 0), float(cost or 0.0)  # type: ignore[call-overload, arg-type]

    def client_figures(self, client_ids: list[str] | None = None) -> dict[str, dict[str, Any]]:
        """Per client slug: latest project; tokens, cost and seconds per phase of the latest attempt (figures.py).

        `client_ids`: only these clients (a page of the dashboard); None: every client.
        """
        # Four reads however many clients there are (a few more per 500 named ones).
        slug_query = sa.select(_CLIENT_COLUMNS[0], clients.c.slug).where(clients.c.slug.is_not(None))
        with self.engine.connect() as conn:
            if client_ids is None:
                slug_rows = list(conn.execute(slug_query))
                project_rows = [dict(r._mapping) for r in conn.execute(sa.select(projects))]
            else:
                slug_rows, project_rows = [], []
                for chunk in figures.chunked(sorted(set(client_ids)), 500):
                    slug_rows += conn.execute(slug_query.where(self._ids_are(clients.c.id, chunk)))
                    project_rows += [
                        dict(r._mapping)
                        for r in conn.execute(sa.select(projects).where(self._ids_are(projects.c.client_id, chunk)))
                    ]
            slugs = {str(r.id): r.slug for r in slug_rows}
            latest = figures.latest_projects(project_rows)
            attempt_ids = sorted(figures.attempt_project_ids(project_rows, latest))
            task_rows: list[dict[str, Any]] = []
            activity_rows: list[dict[str, Any]] = []
            # Summed and timed in the database: one row per project and phase, one per project.
            for chunk in figures.chunked(attempt_ids, 500):
                task_rows += [
                    dict(r._mapping)
                    for r in conn.execute(
                        sa.select(
                            project_tasks.c.project_id,
                            project_tasks.c.phase,
                            sa.func.min(project_tasks.c.started_at).label("started_at"),
                            sa.func.max(project_tasks.c.finished_at).label("finished_at"),
                        )
                        .where(project_tasks.c.project_id.in_(chunk))
                        .group_by(project_tasks.c.project_id, project_tasks.c.phase)
                    )
                ]
            corrected = agent_activities.c.action.like(f"%{figures.CORRECTED_WORD}%")
            usage = sa.select(
                agent_activities.c.project_id,
                sa.func.sum(agent_activities.c.tokens_in + agent_activities.c.tokens_out).label("tokens"),
                sa.func.sum(agent_activities.c.cost_usd).label("cost_usd"),
                sa.func.sum(sa.case((corrected, 1), else_=0)).label("corrections"),
                sa.func.sum(
                    sa.case((corrected, agent_activities.c.tokens_in + agent_activities.c.tokens_out), else_=0)
                ).label("correction_tokens"),
                sa.func.sum(sa.case((corrected, agent_activities.c.cost_usd), else_=0.0)).label("correction_cost_usd"),
            ).group_by(agent_activities.c.project_id)
            # Named clients: their activities through the client index; every client: one pass over the table
            # (agent_activities has no project index: an IN list per 500 projects would read it once each).
            # Projects of older attempts are summed too, and ignored by figures.client_figures.
            if client_ids is not None:
                wanted = [str(i) for i in slugs]
                chunks = [
                    usage.where(self._ids_are(agent_activities.c.client_id, c)) for c in figures.chunked(wanted, 500)
                ]
            else:
                chunks = [usage]
            for query in chunks:
                activity_rows += [dict(r._mapping) for r in conn.execute(query)]
        return figures.client_figures(slugs=slugs, projects=project_rows, tasks=task_rows, activities=activity_rows)

    def stale_claims(self, older_than: timedelta) -> list[ClientRow]:
        """in_progress rows claimed more than `older_than` ago."""
        cutoff = utcnow() - older_than
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(*_CLIENT_COLUMNS).where(clients.c.status == "in_progress", clients.c.claimed_at < cutoff)
            )
            return [ClientRow.from_mapping(r) for r in rows]

    # ----- human review --------------------------------------------------------------

    def add_review(
        self, key: str, *, attempt: int, decision: str, reviewer: str, reason: str = "", rework: str | None = None
    ) -> dict[str, Any]:
        """Record a reviewer's decision (approved or rejected) on a client; KeyError if there is no such client."""
        row = self._require(key)
        review = new_review(row, attempt=attempt, decision=decision, reviewer=reviewer, reason=reason, rework=rework)
        with self.engine.begin() as conn:
            conn.execute(reviews.insert().values(**review))
        return self._select_reviews(self._id_is(reviews.c.id, review["id"]))[0]

    def unapplied_reviews(self, limit: int = 100) -> list[dict[str, Any]]:
        """Up to `limit` reviews not yet acted on, oldest decision first, each with its client's slug."""
        return self._select_reviews(reviews.c.applied_at.is_(None), limit=limit)

    def apply_review(self, review_id: str, *, outcome: str, run_id: str | None = None) -> bool:
        """Mark a review acted on (once): True only for the call that did it."""
        # Conditional on applied_at IS NULL: of two sensor ticks acting on one row, one wins.
        stmt = (
            reviews.update()
            .where(self._id_is(reviews.c.id, review_id), reviews.c.applied_at.is_(None))
            .values(applied_at=utcnow(), outcome=outcome, applied_run=run_id)
            .returning(reviews.c.applied_at)
        )
        with self.engine.begin() as conn:
            return conn.execute(stmt).first() is not None

    def reviews_for(self, key: str) -> list[dict[str, Any]]:
        """A client's reviews, oldest first; KeyError if there is no such client."""
        row = self._require(key)
        return self._select_reviews(self._id_is(reviews.c.client_id, row.id))

    def _select_reviews(self, where: sa.ColumnElement[bool], *, limit: int | None = None) -> list[dict[str, Any]]:
        # An outer join: a review whose client is gone (typed with foreign keys off) still shows, slug None.
        query = (
            sa.select(*_REVIEW_COLUMNS)
            .select_from(reviews.outerjoin(clients, clients.c.id == reviews.c.client_id))
            .where(where)
            .order_by(reviews.c.decided_at, reviews.c.id)
        )
        if limit is not None:
            query = query.limit(limit)
        with self.engine.connect() as conn:
            rows = [dict(r._mapping) for r in conn.execute(query)]
        for review in rows:
            review["decided_at"], review["applied_at"] = aware(review["decided_at"]), aware(review["applied_at"])
        return rows

    # ----- webhook outbox ------------------------------------------------------------

    def record_event(self, event: dict[str, Any]) -> None:
        """Add one webhook_events row (an event that is not a clients status change, e.g. review.decided)."""
        with self.engine.begin() as conn:
            conn.execute(webhook_events.insert().values(**event))

    def pending_events(self, limit: int) -> list[dict[str, Any]]:
        """Up to `limit` webhook events not yet done, oldest first."""
        query = sa.select(webhook_events).where(webhook_events.c.done.is_(False))
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(webhook_events.c.seq).limit(limit))
            return [dict(r._mapping) for r in rows]

    def deliveries(self, event_ids: list[str] | None = None, *, latest: int | None = None) -> list[dict[str, Any]]:
        """Delivery attempts of these events (default: all), in the order they were made; only the `latest` last."""
        order = (webhook_deliveries.c.attempted_at, webhook_deliveries.c.attempt)
        query = sa.select(webhook_deliveries)
        if event_ids is not None:
            query = query.where(webhook_deliveries.c.event_id.in_(event_ids))
        if latest is not None:
            query = query.order_by(*(c.desc() for c in order)).limit(latest)
        else:
            query = query.order_by(*order)
        with self.engine.connect() as conn:
            rows = [dict(r._mapping) for r in conn.execute(query)]
        return rows[::-1] if latest is not None else rows

    def record_delivery(self, delivery: dict[str, Any]) -> None:
        """Add one webhook_deliveries row (one attempt to one endpoint) and set the event's state in its queue."""
        queued = webhook_endpoint_events
        with self.engine.begin() as conn:
            conn.execute(webhook_deliveries.insert().values(id=str(uuid.uuid4()), **delivery))
            conn.execute(
                queued.update()
                .where(queued.c.endpoint == delivery["endpoint"], queued.c.event_id == delivery["event_id"])
                .values(**queue_state(delivery))
            )

    def finish_events(self, event_ids: list[str]) -> None:
        """Mark events done: every endpoint delivered them or gave them up."""
        if event_ids:
            with self.engine.begin() as conn:
                conn.execute(webhook_events.update().where(webhook_events.c.id.in_(event_ids)).values(done=True))

    def events(self) -> list[dict[str, Any]]:
        """Every webhook event, oldest first (for tests and inspection)."""
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(sa.select(webhook_events).order_by(webhook_events.c.seq))]

    # ----- leads ---------------------------------------------------------------------

    def published_site(self, key: str) -> ClientRow | None:
        """The client whose site is published (a completed run), by id or slug; None otherwise."""
        row = self.get(key)
        if row is None or row.status == "completed":
            return row
        # A client being re-processed (retried, held for review) keeps its published site meanwhile.
        with self.engine.connect() as conn:
            done = conn.execute(
                sa.select(projects.c.id)
                .where(self._id_is(projects.c.client_id, row.id), projects.c.status == "completed")
                .limit(1)
            ).first()
        return row if done else None

    def add_lead(self, lead: dict[str, Any], event: dict[str, Any] | None) -> None:
        """Store one leads row and its webhook event in one transaction."""
        if self.backend == "postgresql":
            # One statement, so one round trip and atomic by itself (no BEGIN and COMMIT): the lead is a
            # data-modifying CTE the event's insert reads. Visitors wait on this; it ran 5 round trips.
            params = {f"lead_{k}": v for k, v in lead.items()}
            params.update({f"event_{k}": v for k, v in (event or {}).items()})
            statement = _lead_insert(tuple(lead), tuple(event) if event is not None else None)
            try:
                with self._lead_engine().connect() as conn:
                    conn.execute(statement, params)
            except sa.exc.DBAPIError as exc:
                if not exc.connection_invalidated:
                    raise
                # The connection was dead (the server restarted; this engine does not ping before use).
                # Once more on a new one; if the first try had committed, the lead's id is taken: stored.
                try:
                    with self._lead_engine().connect() as conn:
                        conn.execute(statement, params)
                except IntegrityError as again:
                    if getattr(getattr(again.orig, "diag", None), "constraint_name", None) != "leads_pkey":
                        raise
            return
        # SQLite has one writer: threads of this process take turns here rather than in SQLite's busy
        # handler, which sleeps in steps of up to 100 ms while another holds the lock.
        with self._sqlite_writer, self.engine.begin() as conn:
            # Parameters beside one statement object, not .values(**row): SQLAlchemy compiles each once.
            conn.execute(_LEAD_INSERTS[0], lead)
            if event is not None:
                conn.execute(_LEAD_INSERTS[1], event)

    def _lead_engine(self) -> sa.Engine:
        """PostgreSQL engine for add_lead: autocommit, no ping before use (add_lead retries a dead connection)."""
        if self._leads_engine is None:
            # A ping is a round trip and a fifth of a lead's CPU, on the path a visitor waits on.
            self._leads_engine = sa.create_engine(
                self.url, isolation_level="AUTOCOMMIT", pool_size=POOL_SIZE, max_overflow=POOL_SIZE
            )
        return self._leads_engine

    def leads(
        self, *, slug: str | None = None, since: datetime | None = None, spam: bool = False, limit: int | None = None
    ) -> list[dict[str, Any]]:
        """Leads (spam=True: the spam kept apart), newest first, of one client or all, since a time."""
        query = sa.select(leads).where(leads.c.spam.is_(spam))
        if slug is not None:
            query = query.where(leads.c.slug == slug)
        if since is not None:
            query = query.where(leads.c.created_at >= since)
        query = query.order_by(leads.c.created_at.desc(), leads.c.id)
        if limit is not None:
            query = query.limit(limit)
        with self.engine.connect() as conn:
            rows = [dict(r._mapping) for r in conn.execute(query)]
        for row in rows:
            row["created_at"] = aware(row["created_at"])
        return rows

    def lead_counts(self, *, since: datetime) -> list[dict[str, Any]]:
        """Leads (not spam) per client and UTC day since a time: rows of slug, day (YYYY-MM-DD), leads."""
        # Grouped by the database: the dashboard's cost does not grow with the number of leads.
        created = leads.c.created_at
        day = (
            sa.func.to_char(sa.func.timezone("UTC", created), "YYYY-MM-DD")
            if self.backend == "postgresql"
            else sa.func.strftime("%Y-%m-%d", created)
        ).label("day")
        query = (
            sa.select(leads.c.slug, day, sa.func.count().label("leads"))
            .where(leads.c.spam.is_(False), created >= since)
            .group_by(leads.c.slug, day)
            .order_by(leads.c.slug, day)
        )
        with self.engine.connect() as conn:
            return [{"slug": r.slug, "day": str(r.day), "leads": int(r.leads)} for r in conn.execute(query)]

    def leads_to_mail(self, limit: int) -> list[dict[str, Any]]:
        """Up to `limit` leads (not spam) the e-mail pass has not finished with, oldest first."""
        query = (
            sa.select(leads)
            .where(leads.c.mail_state.is_(None), leads.c.spam.is_(False))
            .order_by(leads.c.created_at, leads.c.id)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    def mark_lead_mail(self, lead_id: str, *, state: str | None, error: str | None = None) -> None:
        """Record one e-mail attempt of a lead: its state (sent, none, failed; None to try again) and error."""
        with self.engine.begin() as conn:
            conn.execute(
                leads.update()
                .where(self._id_is(leads.c.id, lead_id))
                .values(mail_state=state, mail_error=error, mail_attempts=leads.c.mail_attempts + 1)
            )

    def lead_totals(self, slugs: list[str] | None, *, since: datetime) -> dict[str, dict[str, int]]:
        """Per client (of `slugs`, or every one with a lead): leads_total, leads_recent (since `since`), spam_total."""
        # One grouped query: the Dagster leads asset's figures cost the same whatever the number of leads.
        recent = sa.func.sum(sa.case((leads.c.created_at >= since, 1), else_=0))
        query = sa.select(leads.c.slug, leads.c.spam, sa.func.count().label("n"), recent.label("recent")).group_by(
            leads.c.slug, leads.c.spam
        )
        if slugs is not None:
            query = query.where(leads.c.slug.in_(slugs))
        totals: dict[str, dict[str, int]] = {}
        with self.engine.connect() as conn:
            for r in conn.execute(query):
                entry = totals.setdefault(r.slug, {"leads_total": 0, "leads_recent": 0, "spam_total": 0})
                if r.spam:
                    entry["spam_total"] += int(r.n)
                else:
                    entry["leads_total"] += int(r.n)
                    entry["leads_recent"] += int(r.recent or 0)
        return totals

    # ----- A/B experiments -----------------------------------------------------------

    def record_experiment_event(
        self,
        *,
        client_id: str,
        slug: str,
        page: str,
        variant: str,
        kind: str,
        visitor: str,
        at: datetime | None = None,
    ) -> dict[str, Any] | None:
        """Count one exposure or conversion of a client's running experiment, once per visitor (see ClientStore)."""
        now = at or utcnow()
        with self.engine.begin() as conn:
            running = self._running_experiment(conn, client_id)
            if running is None:
                if kind != "exposure":
                    return None
                # Ignored when another exposure started one first (experiments_one_running_idx).
                conn.execute(
                    _insert_ignoring_duplicates(conn, experiments).values(
                        id=str(uuid.uuid4()),
                        client_id=client_id,
                        slug=slug,
                        page=page,
                        status="running",
                        started_at=now,
                    )
                )
                running = self._running_experiment(conn, client_id)
                if running is None:
                    return None
            if kind == "conversion":
                # Only a visitor who was shown a variant converts, and in the variant they were shown.
                shown = conn.execute(
                    sa.select(experiment_events.c.variant).where(
                        experiment_events.c.experiment_id == running,
                        experiment_events.c.visitor == visitor,
                        experiment_events.c.kind == "exposure",
                    )
                ).first()
                if shown is None:
                    return {"experiment_id": running, "variant": None, "counted": False}
                variant = shown.variant
            # RETURNING rather than rowcount: a RETURNING insert's rowcount is not reliable on every driver.
            done = conn.execute(
                _insert_ignoring_duplicates(conn, experiment_events)
                .values(experiment_id=running, variant=variant, kind=kind, visitor=visitor, created_at=now)
                .returning(experiment_events.c.seq)
            ).first()
            return {"experiment_id": running, "variant": variant, "counted": done is not None}

    @staticmethod
    def _running_experiment(conn: sa.Connection, client_id: str) -> str | None:
        return conn.execute(
            sa.select(experiments.c.id).where(experiments.c.client_id == client_id, experiments.c.status == "running")
        ).scalar()

    def start_experiment(self, key: str, *, page: str = "index") -> dict[str, Any] | None:
        """Start a client's next experiment (a new id); None while one is running. KeyError: no such client."""
        row = self._require(key)
        new_id = str(uuid.uuid4())
        with self.engine.begin() as conn:
            done = conn.execute(
                _insert_ignoring_duplicates(conn, experiments)
                .values(id=new_id, client_id=row.id, slug=row.slug, page=page, status="running", started_at=utcnow())
                .returning(experiments.c.id)
            ).first()
        return self._select_experiments(experiments.c.id == new_id)[0] if done is not None else None

    def experiments_of(
        self, slug: str | None = None, *, statuses: tuple[str, ...] | None = None, limit: int | None = None
    ) -> list[dict[str, Any]]:
        """Experiments (of one client or all, with one of `statuses`), newest first."""
        where: list[sa.ColumnElement[bool]] = []
        if slug is not None:
            where.append(experiments.c.slug == slug)
        if statuses is not None:
            where.append(experiments.c.status.in_(statuses))
        return self._select_experiments(sa.and_(sa.true(), *where), newest_first=True, limit=limit)

    def _select_experiments(
        self, where: sa.ColumnElement[bool], *, newest_first: bool = False, limit: int | None = None
    ) -> list[dict[str, Any]]:
        order = (experiments.c.started_at.desc(), experiments.c.id) if newest_first else (experiments.c.decided_at,)
        query = sa.select(experiments).where(where).order_by(*order)
        if limit is not None:
            query = query.limit(limit)
        with self.engine.connect() as conn:
            rows = [dict(r._mapping) for r in conn.execute(query)]
        return [experiment_row(r) for r in rows]

    def experiment_counts(self, experiment_ids: list[str]) -> dict[str, dict[str, dict[str, int]]]:
        """Per experiment and variant: visitors (exposures) and conversions, counted by the database."""
        out: dict[str, dict[str, dict[str, int]]] = {i: empty_counts() for i in experiment_ids}
        if not experiment_ids:
            return out
        e = experiment_events
        query = (
            sa.select(e.c.experiment_id, e.c.variant, e.c.kind, sa.func.count().label("n"))
            .where(e.c.experiment_id.in_(experiment_ids))
            .group_by(e.c.experiment_id, e.c.variant, e.c.kind)
        )
        with self.engine.connect() as conn:
            for r in conn.execute(query):
                out[str(r.experiment_id)][r.variant][COUNT_OF_KIND[r.kind]] = int(r.n)
        return out

    def record_experiment_decision(
        self,
        experiment_id: str,
        *,
        decision: str,
        winner: str,
        figures: dict[str, Any],
        event: dict[str, Any] | None,
        at: datetime | None = None,
    ) -> bool:
        """Record a running experiment's decision and its webhook event in one transaction; True only once."""
        stmt = (
            experiments.update()
            .where(experiments.c.id == experiment_id, experiments.c.status == "running")
            .values(
                status="decided",
                decided_at=at or utcnow(),
                decision=decision,
                winner=winner,
                figures=json.dumps(figures, sort_keys=True),
            )
        )
        with self.engine.begin() as conn:
            if conn.execute(stmt).rowcount != 1:
                return False
            if event is not None:
                conn.execute(webhook_events.insert().values(**event))
        return True

    def end_experiment(self, experiment_id: str) -> bool:
        """Switch a running experiment off (its client's switch was turned off); True when it was running."""
        stmt = (
            experiments.update()
            .where(experiments.c.id == experiment_id, experiments.c.status == "running")
            .values(status="off", decided_at=utcnow())
        )
        with self.engine.begin() as conn:
            return bool(conn.execute(stmt).rowcount == 1)

    def pending_experiment_decisions(self, limit: int = 100) -> list[dict[str, Any]]:
        """Decided experiments not yet acted upon, oldest decision first."""
        where = sa.and_(experiments.c.status == "decided", experiments.c.acted_at.is_(None))
        return self._select_experiments(where, limit=limit)

    def mark_experiment_acted(self, experiment_id: str, *, outcome: str) -> bool:
        """Mark a decided experiment acted upon (once), with what was done; True only for the call that did it."""
        stmt = (
            experiments.update()
            .where(
                experiments.c.id == experiment_id, experiments.c.status == "decided", experiments.c.acted_at.is_(None)
            )
            .values(acted_at=utcnow(), outcome=outcome)
        )
        with self.engine.begin() as conn:
            return bool(conn.execute(stmt).rowcount == 1)

    def experiment_activity(self, after_seq: int, limit: int = 10_000) -> tuple[list[str], int]:
        """Slugs whose experiments counted events after `after_seq`, and the last seq seen (the sensor's cursor)."""
        e = experiment_events
        query = (
            sa.select(e.c.seq, experiments.c.slug)
            .select_from(e.join(experiments, experiments.c.id == e.c.experiment_id))
            .where(e.c.seq > after_seq)
            .order_by(e.c.seq)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        slugs = sorted({r.slug for r in rows})
        return slugs, (int(rows[-1].seq) if rows else after_seq)

    def finish_events_through(self, seq: int) -> int:
        """Mark every event up to `seq` done (no configured endpoint owes it); how many were not done yet."""
        stmt = (
            webhook_events.update()
            .where(webhook_events.c.done.is_(False), webhook_events.c.seq <= seq)
            .values(done=True)
        )
        with self.engine.begin() as conn:
            return conn.execute(stmt).rowcount or 0

    def webhook_endpoints(self) -> list[dict[str, Any]]:
        """Every endpoint's delivery state (webhook_endpoints rows), by name."""
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(webhook_endpoints).order_by(webhook_endpoints.c.endpoint))
            return [_aware_row(r._mapping, "failing_since", "checked_at") for r in rows]

    def start_webhook_endpoint(self, endpoint: str) -> None:
        """Give a new endpoint its state (idempotent): it is owed the events not done yet, and every later one.

        Events every endpoint has done with are history, not sent to an endpoint configured later.
        """
        with self.engine.begin() as conn:
            known = conn.execute(
                sa.select(webhook_endpoints.c.endpoint).where(webhook_endpoints.c.endpoint == endpoint)
            )
            if known.first() is not None:
                return
            first_open = conn.execute(
                sa.select(sa.func.min(webhook_events.c.seq)).where(webhook_events.c.done.is_(False))
            ).scalar()
            if first_open is not None:
                through = first_open - 1
            else:
                through = conn.execute(sa.select(sa.func.max(webhook_events.c.seq))).scalar() or 0
            row = {"endpoint": endpoint, "queued_through": through, "waiting": 0, "given_up": 0}
            conn.execute(_insert_ignoring_duplicates(conn, webhook_endpoints), [row])

    def queue_webhook_events(self, endpoint: str, limit: int) -> int:
        """Take up to `limit` events after the endpoint's queued_through into its queue; how many.

        An event the attempt log already has for this endpoint keeps what it says (attempts, outcome).
        """
        where_endpoint = webhook_endpoints.c.endpoint == endpoint
        with self.engine.begin() as conn:
            through = conn.execute(sa.select(webhook_endpoints.c.queued_through).where(where_endpoint)).scalar()
            if through is None or limit <= 0:
                return 0
            found = conn.execute(
                sa.select(webhook_events.c.seq, webhook_events.c.id)
                .where(webhook_events.c.seq > through)
                .order_by(webhook_events.c.seq)
                .limit(limit)
            ).all()
            if not found:
                return 0
            events = [(int(r.seq), str(r.id)) for r in found]
            tried = conn.execute(
                sa.select(webhook_deliveries)
                .where(
                    webhook_deliveries.c.endpoint == endpoint,
                    webhook_deliveries.c.event_id.in_([event_id for _, event_id in events]),
                )
                .order_by(webhook_deliveries.c.attempted_at, webhook_deliveries.c.attempt)
            )
            rows = queue_rows(endpoint, events, [dict(r._mapping) for r in tried], utcnow())
            # Two passes at once may queue the same events: the second's rows are ignored.
            conn.execute(_insert_ignoring_duplicates(conn, webhook_endpoint_events), rows)
            newest = events[-1][0]
            conn.execute(
                webhook_endpoints.update()
                .where(where_endpoint, webhook_endpoints.c.queued_through < newest)
                .values(queued_through=newest)
            )
        return len(rows)

    def owed_webhook_events(self, endpoint: str, limit: int) -> list[dict[str, Any]]:
        """Up to `limit` open events of an endpoint's queue, oldest first, with their attempts and next_attempt_at."""
        queued = webhook_endpoint_events
        query = (
            sa.select(webhook_events, queued.c.attempts, queued.c.next_attempt_at)
            .join(queued, queued.c.event_id == webhook_events.c.id)
            .where(queued.c.endpoint == endpoint, queued.c.state == "open")
            .order_by(queued.c.seq)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [_aware_row(r._mapping, "created_at", "next_attempt_at") for r in conn.execute(query)]

    def update_webhook_endpoint(self, endpoint: str, values: dict[str, Any]) -> None:
        """Set columns of one endpoint's state (failing_since, last_error, waiting, given_up, checked_at)."""
        with self.engine.begin() as conn:
            conn.execute(webhook_endpoints.update().where(webhook_endpoints.c.endpoint == endpoint).values(**values))

    def webhook_backlog(self, endpoint: str) -> tuple[int, int]:
        """(waiting, given up) events of an endpoint: open in its queue or not queued yet, and given up."""
        queued = webhook_endpoint_events
        by_state = (
            sa.select(queued.c.state, sa.func.count())
            .where(queued.c.endpoint == endpoint, queued.c.state.in_(("open", "gave_up")))
            .group_by(queued.c.state)
        )
        with self.engine.connect() as conn:
            counts = {str(r[0]): int(r[1]) for r in conn.execute(by_state)}
            through = conn.execute(
                sa.select(webhook_endpoints.c.queued_through).where(webhook_endpoints.c.endpoint == endpoint)
            ).scalar()
            later = conn.execute(
                sa.select(sa.func.count()).select_from(webhook_events).where(webhook_events.c.seq > (through or 0))
            ).scalar()
        return counts.get("open", 0) + (int(later or 0) if through is not None else 0), counts.get("gave_up", 0)

    def redeliver_webhook_events(self, endpoint: str, *, since: datetime | None = None) -> int:
        """Open again the events the endpoint gave up (at or after `since`), for a new round of attempts; how many."""
        queued = webhook_endpoint_events
        stmt = queued.update().where(queued.c.endpoint == endpoint, queued.c.state == "gave_up")
        if since is not None:
            stmt = stmt.where(queued.c.updated_at >= since)
        values = {"state": "open", "attempts": 0, "next_attempt_at": None, "updated_at": utcnow()}
        with self.engine.begin() as conn:
            return conn.execute(stmt.values(**values)).rowcount or 0


def _has_status_check(conn: sa.Connection) -> bool:
    """True when the clients table has clients_status_check (so every row holds one of its statuses)."""
    return any(c["name"] == "clients_status_check" for c in sa.inspect(conn).get_check_constraints("clients"))


def _status_check_outdated(conn: sa.Connection) -> bool:
    """True when clients_status_check exists and refuses one of STATUSES (made by an older version)."""
    # A table without the check at all takes any status: claim_pending fails the odd ones.
    for check in sa.inspect(conn).get_check_constraints("clients"):
        if check["name"] == "clients_status_check":
            return any(f"'{status}'" not in check["sqltext"] for status in STATUSES)
    return False


def _missing_columns(conn: sa.Connection) -> list[tuple[str, str]]:
    """(table, column) of ADDED_COLUMNS the database does not have yet (made by an older version)."""
    inspector = sa.inspect(conn)
    present = {table: {c["name"] for c in inspector.get_columns(table)} for table in {t for t, _ in ADDED_COLUMNS}}
    return [(table, name) for table, name in ADDED_COLUMNS if name not in present[table]]


def _insert_ignoring_duplicates(conn: sa.Connection, table: sa.Table) -> Any:
    """INSERT ... ON CONFLICT DO NOTHING on the connection's dialect (SQLite or PostgreSQL)."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table).on_conflict_do_nothing()
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table).on_conflict_do_nothing()


def _aware_row(mapping: Any, *columns: str) -> dict[str, Any]:
    """A row as a dict, its `columns` timezone-aware (SQLite hands back naive UTC datetimes)."""
    row = dict(mapping)
    for column in columns:
        row[column] = aware(row.get(column))
    return row


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


__all__ = ["ClientRow", "SqlClientStore", "brief_to_columns", "utcnow"]

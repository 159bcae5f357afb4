"""The clients store over Supabase's REST API (PostgREST) through the `supabase` SDK."""

from __future__ import annotations

import json
import logging
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import jwt
from postgrest.exceptions import APIError
from postgrest.types import CountMethod, ReturnMethod

from supabase import Client, ClientOptions, SupabaseException, create_client

from ..brief import BRIEF_FIELDS, slugify, unique_slug, validate_brief
from . import figures
from .events import client_event, queue_rows, queue_state
from .experiment_rows import COUNT_OF_KIND, empty_counts, experiment_row
from .rows import ClientRow, brief_to_columns, is_uuid, utcnow
from .schema import STATUSES
from .transitions import SLUG_FIX, StoreTransitions, new_review, slug_problem

log = logging.getLogger(__name__)

PAGE_SIZE = 1000  # Supabase's default max-rows; larger reads are paged.
CAS_RETRIES = 50
TIMESTAMP_COLUMNS = frozenset(
    {
        "claimed_at",
        "created_at",
        "updated_at",
        "started_at",
        "finished_at",
        "attempted_at",
        "next_attempt_at",
        "decided_at",
        "applied_at",
        "failing_since",
        "checked_at",
        "acted_at",
    }
)
CLIENT_COLUMNS = (
    "id",
    "slug",
    *BRIEF_FIELDS,
    "status",
    "attempt",
    "last_error",
    "run_id",
    "claimed_at",
    "created_at",
    "updated_at",
    "resume_from",
    "resume_review",
)


class SupabaseStoreError(RuntimeError):
    """Supabase refused a request; the message says what to fix."""


def key_role(key: str) -> str | None:
    """The Postgres role a Supabase API key acts as (service_role, anon, ...), if it can be told."""
    if key.startswith("sb_secret_"):
        return "service_role"
    if key.startswith("sb_publishable_"):
        return "anon"
    try:
        # Only the role claim is read, to warn early; Supabase itself verifies the signature.
        claims = jwt.decode(key, options={"verify_signature": False})
    except jwt.PyJWTError:
        return None
    role = claims.get("role")
    return str(role) if role else None


def _iso(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    return {k: _iso(v) if isinstance(v, datetime) else v for k, v in values.items()}


def _parse_row(row: dict[str, Any]) -> dict[str, Any]:
    out = dict(row)
    for key in TIMESTAMP_COLUMNS & out.keys():
        if isinstance(out[key], str):
            out[key] = datetime.fromisoformat(out[key].replace("Z", "+00:00"))
    return out


class SupabaseClientStore(StoreTransitions):
    """Clients, projects, tasks and agent activity in a Supabase project, over its REST API."""

    def __init__(self, url: str, key: str, *, timeout: float = 30.0, client: Client | None = None):
        if not url:
            raise ValueError("SUPABASE_URL is empty; set it to your project URL, e.g. https://<ref>.supabase.co")
        if not key:
            raise ValueError("no Supabase key; set SUPABASE_SERVICE_ROLE_KEY (Project Settings > API > service_role)")
        self.url = url.rstrip("/")
        self.role = key_role(key)
        if self.role != "service_role":
            log.warning(
                "Supabase key acts as role %r, not service_role: row level security will hide or refuse the "
                "clients tables; set SUPABASE_SERVICE_ROLE_KEY to the service_role key",
                self.role or "unknown",
            )
        options = ClientOptions(postgrest_client_timeout=timeout, auto_refresh_token=False, persist_session=False)
        try:
            self.client = client or create_client(self.url, key, options=options)
        except (SupabaseException, ValueError) as exc:
            # The SDK's words ("Invalid URL") name neither the setting nor the fix; never echo the URL.
            raise ValueError(
                f"SUPABASE_URL is not a Supabase project URL ({type(exc).__name__}: {str(exc).replace(key, '***')}); "
                "set it to https://<ref>.supabase.co (Project Settings > API), or unset it to use DEZNITY_DATABASE_URL"
            ) from None

    @classmethod
    def connect(cls, url: str, *, service_role_key: str = "", anon_key: str = "") -> SupabaseClientStore:
        """The store for a project URL with the service_role key (or the anon key alone, with a warning)."""
        key = service_role_key
        if not key and anon_key:
            log.warning(
                "SUPABASE_SERVICE_ROLE_KEY is not set; using SUPABASE_ANON_KEY, which row level security "
                "denies every clients table: set SUPABASE_SERVICE_ROLE_KEY for the platform"
            )
            key = anon_key
        if not key:
            raise ValueError(
                "SUPABASE_URL is set but SUPABASE_SERVICE_ROLE_KEY is not; set it to the service_role "
                "key from Project Settings > API, or unset SUPABASE_URL to use DEZNITY_DATABASE_URL"
            )
        return cls(url, key)

    @property
    def backend(self) -> str:
        """Which backend serves the store: always supabase."""
        return "supabase"

    def __repr__(self) -> str:
        return f"SupabaseClientStore(url={self.url!r}, role={self.role!r})"  # never the key

    # ----- plumbing -----------------------------------------------------------------

    def _run(self, request: Any, what: str) -> list[dict[str, Any]]:
        try:
            response = request.execute()
        except APIError as exc:
            raise self._explain(exc, what) from exc
        data = response.data if response is not None else None
        if data is None:
            return []
        return [_parse_row(r) for r in (data if isinstance(data, list) else [data])]

    def _explain(self, exc: APIError, what: str) -> Exception:
        code = str(exc.code or "")
        if code == "23505":
            return exc  # unique violations are handled by callers (slug races)
        if code in {"42501", "PGRST301", "PGRST302"} or "permission denied" in str(exc.message or ""):
            return SupabaseStoreError(
                f"Supabase refused to {what} ({exc.message}): the key acts as {self.role!r}; row level security "
                "allows only service_role — set SUPABASE_SERVICE_ROLE_KEY to the service_role key"
            )
        if code in {"42P01", "PGRST205", "PGRST202", "42883"}:
            return SupabaseStoreError(
                f"Supabase could not {what} ({exc.message}): the tables or claim function are missing — apply "
                "supabase/migrations/*.sql with `supabase db push` or the SQL editor"
            )
        if code == "23514" and "clients_slug_check" in str(exc.message or ""):
            return SupabaseStoreError(f"Supabase refused to {what} ({exc.message}): slug: {SLUG_FIX}")
        return SupabaseStoreError(f"Supabase could not {what}: {exc.message} (code {code or 'unknown'})")

    def _select_all(self, table: str, build: Any, what: str) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        offset = 0
        while True:
            page = self._run(build(self.client.table(table).select("*")).range(offset, offset + PAGE_SIZE - 1), what)
            rows.extend(page)
            if len(page) < PAGE_SIZE:
                return rows
            offset += PAGE_SIZE

    def create_tables(self) -> None:
        """Check the migrated tables are reachable (tables are created by supabase/migrations, not here)."""
        self._run(self.client.table("clients").select("id").limit(1), "read the clients table")

    def dispose(self) -> None:
        """Nothing to release: the SDK opens a connection per request."""

    # ----- clients -----------------------------------------------------------------

    def add_client(self, data: dict[str, Any], *, status: str = "pending") -> ClientRow:
        """Validate a brief and insert it as a new client; raises BriefError when invalid."""
        brief = validate_brief(data, columns=CLIENT_COLUMNS)
        columns = brief_to_columns(brief.model_dump())
        for _ in range(CAS_RETRIES):
            slug = unique_slug(brief.business_name, self._slugs_like(slugify(brief.business_name)))
            try:
                return self.insert_raw({**columns, "slug": slug}, status=status)
            except APIError as exc:
                if exc.code != "23505":
                    raise
        raise RuntimeError(f"could not find a free slug for {brief.business_name!r}")

    def insert_raw(self, data: dict[str, Any], *, status: str = "pending") -> ClientRow:
        """Insert a row without validation, as if typed straight into the table."""
        now = utcnow()
        row: dict[str, Any] = {
            "id": str(uuid.uuid4()),
            "status": status,
            "attempt": 1,
            "created_at": now,
            "updated_at": now,
        }
        row.update({k: v for k, v in data.items() if k in CLIENT_COLUMNS})
        inserted = self._run(self.client.table("clients").insert(_jsonable(row)), "insert a client")
        return ClientRow.from_mapping(inserted[0]) if inserted else self._require(row["id"])

    def get(self, key: str) -> ClientRow | None:
        """The client with this slug or id, or None."""
        if is_uuid(key):
            rows = self._run(self.client.table("clients").select("*").eq("id", key).limit(1), "read a client")
            if rows:
                return ClientRow.from_mapping(rows[0])
        rows = self._run(self.client.table("clients").select("*").eq("slug", key).limit(1), "read a client")
        return ClientRow.from_mapping(rows[0]) if rows else None

    def list_clients(self, *, status: str | None = None) -> list[ClientRow]:
        """Every client, oldest first, optionally only those with `status`."""

        def build(q: Any) -> Any:
            q = q.order("created_at").order("id")
            return q.eq("status", status) if status else q

        return [ClientRow.from_mapping(r) for r in self._select_all("clients", build, "list clients")]

    # ----- the dashboard's reads: a page of rows or a count, never every client -----

    def _count(self, build: Any, what: str) -> int:
        # PostgREST counts in the database (Prefer: count=exact) and says so in Content-Range.
        try:
            response = build(self.client.table("clients").select("id", count=CountMethod.exact)).limit(1).execute()
        except APIError as exc:
            raise self._explain(exc, what) from exc
        return int(response.count or 0)

    def status_counts(self) -> dict[str, int]:
        """How many clients have each status (a count per status, counted by PostgREST)."""
        counts = {s: self._count(lambda q, s=s: q.eq("status", s), "count clients") for s in STATUSES}
        # A table made without clients_status_check may hold another status: the rest of the total.
        other = self._count(lambda q: q, "count clients") - sum(counts.values())
        if other > 0:
            rows = self._select_all("clients", lambda q: q.not_.in_("status", list(STATUSES)).order("id"), "count")
            for row in rows:
                counts[str(row["status"])] = counts.get(str(row["status"]), 0) + 1
        return {s: n for s, n in counts.items() if n}

    def recent_clients(self, limit: int) -> list[ClientRow]:
        """The `limit` clients changed last, latest first (clients_updated_idx)."""
        rows = self._run(
            self.client.table("clients").select("*").order("updated_at", desc=True).order("id", desc=True).limit(limit),
            "read recent clients",
        )
        return [ClientRow.from_mapping(r) for r in rows]

    def review_queue(self, limit: int, *, overdue_before: datetime) -> tuple[list[ClientRow], int]:
        """The `limit` clients waiting for review longest (oldest first), and how many wait since before
        `overdue_before` (clients_status_updated_idx)."""
        rows = self._run(
            self.client.table("clients")
            .select("*")
            .eq("status", "needs_review")
            .order("updated_at")
            .order("id")
            .limit(limit),
            "read the review queue",
        )
        overdue = self._count(
            lambda q: q.eq("status", "needs_review").lt("updated_at", _iso(overdue_before)), "count overdue reviews"
        )
        return [ClientRow.from_mapping(r) for r in rows], overdue

    def clients_between(self, first: str, before: str | None = None, *, limit: int | None = None) -> list[ClientRow]:
        """Clients whose slug is at least `first` and below `before` (None: no end), by slug; at most `limit`."""

        def build(q: Any) -> Any:
            q = q.gte("slug", first).order("slug")
            return q.lt("slug", before) if before is not None else q

        if limit is None:
            rows = self._select_all("clients", build, "read a page of clients")
        else:
            rows = self._run(build(self.client.table("clients").select("*")).limit(limit), "read a page of clients")
        return [ClientRow.from_mapping(r) for r in rows]

    def delete_client(self, key: str) -> bool:
        """Remove a client and its project history; True when a row was removed."""
        row = self.get(key)
        if not row:
            return False
        project_ids = [
            p["id"]
            for p in self._run(self.client.table("projects").select("id").eq("client_id", row.id), "read projects")
        ]
        if project_ids:
            self._run(self.client.table("project_tasks").delete().in_("project_id", project_ids), "delete tasks")
        self._run(self.client.table("agent_activities").delete().eq("client_id", row.id), "delete activities")
        self._run(self.client.table("projects").delete().eq("client_id", row.id), "delete projects")
        # Its reviews go with it: reviews.client_id is ON DELETE CASCADE (20250601000500_reviews.sql).
        self._run(self.client.table("clients").delete().eq("id", row.id), "delete a client")
        return True

    def _slugs_like(self, base: str) -> set[str]:
        rows = self._select_all("clients", lambda q: q.like("slug", f"{base[:12]}%").order("id"), "read slugs")
        return {r["slug"] for r in rows if r.get("slug")}

    # ----- lifecycle transitions ---------------------------------------------------

    def claim_pending(self, limit: int) -> list[ClientRow]:
        """Atomically move up to `limit` pending clients to in_progress (the claim_pending_clients RPC).

        A row whose slug cannot be a partition key comes back failed, with the reason in last_error.
        """
        rows = self._run(self.client.rpc("claim_pending_clients", {"max_count": int(limit)}), "claim pending clients")
        # PostgREST has no transaction across requests: the outbox rows follow the claim at once.
        self._record_events([client_event(ClientRow.from_mapping(r), status="in_progress") for r in rows])
        claimed = [self._refuse_unusable(ClientRow.from_mapping(r)) for r in rows]
        now = utcnow()
        claimed.sort(key=lambda r: (r.created_at or now, r.id))
        return claimed

    def claim_client(self, key: str) -> ClientRow | None:
        """Atomically claim one named client that is not in progress; None if another caller has it.

        A client that already finished (completed or failed) starts a new attempt.
        """
        for _ in range(CAS_RETRIES):
            row = self._require(key)
            if row.status == "in_progress":
                return None
            now = utcnow()
            values = {
                "status": "in_progress",
                "claimed_at": now,
                "updated_at": now,
                "run_id": None,
                "last_error": None,
                "attempt": row.attempt if row.status == "pending" else row.attempt + 1,
            }
            if row.resume_from and row.status != "pending":
                values["resume_from"] = None  # a retry's resume step stands for a pending row only
            if row.resume_review and row.status != "pending":
                values["resume_review"] = None
            # Compare-and-set on the status and attempt just read: PostgREST cannot express
            # attempt + 1, and this keeps the claim atomic against concurrent callers.
            updated = self._run(
                self.client.table("clients")
                .update(_jsonable(values))
                .eq("id", row.id)
                .eq("status", row.status)
                .eq("attempt", row.attempt),
                "claim a client",
            )
            if updated:
                claimed = ClientRow.from_mapping(updated[0])
                self.record_event(client_event(claimed, status="in_progress", at=now))
                return self._refuse_unusable(claimed)
        return None

    def claim_reviewed(self, key: str) -> ClientRow | None:
        """Atomically move a client from needs_review to in_progress; None if it is not (or no longer) waiting.

        One PATCH filtered on status=eq.needs_review: of two callers acting on the same decision
        only one gets the row back.
        """
        row = self.get(key)
        if row is None:
            return None
        now = utcnow()
        values = {"status": "in_progress", "claimed_at": now, "updated_at": now, "run_id": None, "last_error": None}
        updated = self._run(
            self.client.table("clients").update(_jsonable(values)).eq("id", row.id).eq("status", "needs_review"),
            "claim a reviewed client",
        )
        if not updated:
            return None
        claimed = ClientRow.from_mapping(updated[0])
        self.record_event(client_event(claimed, status="in_progress", at=now))
        return self._refuse_unusable(claimed)

    def _refuse_unusable(self, row: ClientRow) -> ClientRow:
        # A row typed without a slug is named now (NULL only: an empty or odd slug was typed on
        # purpose). A slug a database without clients_slug_check let in is refused with the reason.
        if row.slug is None:
            row.slug = self._assign_slug(row)
        problem = slug_problem(row.slug)
        return self._refuse(row, [problem]) if problem else row

    def _assign_slug(self, row: ClientRow) -> str:
        base_name = row.business_name if slugify(row.business_name, fallback="") else f"client {row.id[:8]}"
        for _ in range(CAS_RETRIES):
            slug = unique_slug(base_name, self._slugs_like(slugify(base_name)))
            try:
                self._run(
                    self.client.table("clients").update({"slug": slug}).eq("id", row.id).is_("slug", "null"),
                    "name a client",
                )
                return self._require(row.id).slug  # type: ignore[return-value]
            except APIError as exc:
                if exc.code != "23505":
                    raise
        raise RuntimeError(f"could not find a free slug for client {row.id}")

    def _update_client(
        self, client_id: str, values: dict[str, Any], what: str, event: dict[str, Any] | None = None
    ) -> None:
        self._run(self.client.table("clients").update(_jsonable(values)).eq("id", client_id), what)
        if event is not None:
            self.record_event(event)

    def requeue(
        self, key: str, *, reason: str | None = None, resume_from: str | None = None, resume_review: str | None = None
    ) -> ClientRow:
        """Back to pending with attempt + 1 (retry, or a claim whose run never started); `resume_from`,
        `resume_review`: its plan."""
        for _ in range(CAS_RETRIES):
            row = self._require(key)
            values = {
                "status": "pending",
                "attempt": row.attempt + 1,
                "run_id": None,
                "claimed_at": None,
                "last_error": reason,
                "updated_at": utcnow(),
            }
            if resume_from or row.resume_from:
                # Written only when there is something to say, so a project that has not applied
                # 20250601000600_live_deployment.sql yet keeps working until a retry resumes.
                values["resume_from"] = resume_from
            if resume_review or row.resume_review:
                # Likewise 20250601000900_clients_resume_review.sql, until a review run crashes.
                values["resume_review"] = resume_review
            updated = self._run(
                self.client.table("clients").update(_jsonable(values)).eq("id", row.id).eq("attempt", row.attempt),
                "requeue a client",
            )
            if updated:
                requeued = ClientRow.from_mapping(updated[0])
                self.record_event(client_event(row, status="pending", attempt=requeued.attempt, reason=reason))
                return requeued
        raise RuntimeError(f"could not requeue client {key!r}: it kept changing underneath")

    # ----- projects, tasks, activities ---------------------------------------------

    def start_project(self, key: str, *, run_id: str, attempt: int) -> str:
        """The projects row for this run (created once per run); returns its id."""
        row = self._require(key)
        existing = self.project_for_run(run_id)
        if existing:
            return str(existing["id"])
        project_id = str(uuid.uuid4())
        try:
            self._run(
                self.client.table("projects").insert(
                    _jsonable(
                        {
                            "id": project_id,
                            "client_id": row.id,
                            "run_id": run_id,
                            "attempt": attempt,
                            "status": "in_progress",
                            "phase": "client_analysis",
                            "started_at": utcnow(),
                        }
                    )
                ),
                "start a project",
            )
        except APIError as exc:
            if exc.code != "23505":
                raise
            return str(self.project_for_run(run_id)["id"])  # type: ignore[index]  # another writer won
        return project_id

    def project_for_run(self, run_id: str) -> dict[str, Any] | None:
        """The projects row of a run, if any."""
        rows = self._run(self.client.table("projects").select("*").eq("run_id", run_id).limit(1), "read a project")
        return rows[0] if rows else None

    def _update_project(self, run_id: str, values: dict[str, Any]) -> None:
        self._run(self.client.table("projects").update(_jsonable(values)).eq("run_id", run_id), "update a project")

    def latest_project(self, client_id: str) -> dict[str, Any] | None:
        """The most recent projects row of a client."""
        rows = self._run(
            self.client.table("projects")
            .select("*")
            .eq("client_id", client_id)
            .order("started_at", desc=True)
            .limit(1),
            "read projects",
        )
        return rows[0] if rows else None

    def latest_live_project(self, client_id: str) -> dict[str, Any] | None:
        """The most recent projects row of a client that recorded a live URL (its site as now published)."""
        try:
            rows = self._run(
                self.client.table("projects")
                .select("*")
                .eq("client_id", client_id)
                .not_.is_("live_url", "null")
                .order("started_at", desc=True)
                .limit(1),
                "read live deployments",
            )
        except SupabaseStoreError as exc:
            # A project without 20250601000600_live_deployment.sql has no live_url: nothing was deployed.
            if "live_url" not in str(exc):
                raise
            return None
        return rows[0] if rows else None

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
        self._run(
            self.client.table("project_tasks").insert(
                _jsonable(
                    {
                        "id": str(uuid.uuid4()),
                        "project_id": project_id,
                        "phase": phase,
                        "agent": agent,
                        "task": task,
                        "status": status,
                        "output_path": output_path,
                        "started_at": started_at,
                        "finished_at": utcnow(),
                    }
                )
            ),
            "log a task",
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
        self._run(
            self.client.table("agent_activities").insert(
                _jsonable(
                    {
                        "id": str(uuid.uuid4()),
                        "project_id": project_id,
                        "client_id": client_id,
                        "agent": agent,
                        "action": action,
                        "phase": phase,
                        "duration_ms": duration_ms,
                        "provider": provider,
                        "model": model,
                        "tokens_in": tokens_in,
                        "tokens_out": tokens_out,
                        "cost_usd": cost_usd,
                        "details": json.dumps(details, ensure_ascii=False, default=str) if details else None,
                        "created_at": utcnow(),
                    }
                )
            ),
            "log an activity",
        )

    def activities(self, key: str) -> list[dict[str, Any]]:
        """Every agent activity of a client, oldest first."""
        row = self._require(key)
        return self._select_all(
            "agent_activities", lambda q: q.eq("client_id", row.id).order("created_at").order("id"), "read activities"
        )

    def tasks_for_run(self, run_id: str) -> list[dict[str, Any]]:
        """The project_tasks rows of a run."""
        project = self.project_for_run(run_id)
        if project is None:
            return []
        return self._select_all(
            "project_tasks", lambda q: q.eq("project_id", project["id"]).order("started_at").order("id"), "read tasks"
        )

    def usage_totals(self, client_id: str) -> tuple[int, float]:
        """Tokens and cost of a client's latest project."""
        project = self.latest_project(client_id)
        if not project:
            return 0, 0.0
        rows = self._select_all(
            "agent_activities", lambda q: q.eq("project_id", project["id"]).order("id"), "read activities"
        )
        # Same arithmetic as SQL: a row missing either token count adds no tokens.
        tokens = sum(
            r["tokens_in"] + r["tokens_out"]
            for r in rows
            if r.get("tokens_in") is not None and r.get("tokens_out") is not None
        )
        cost = sum(float(r["cost_usd"]) for r in rows if r.get("cost_usd") is not None)
        return int(tokens), float(cost)

    def client_figures(self, client_ids: list[str] | None = None) -> dict[str, dict[str, Any]]:
        """Per client slug: latest project; tokens, cost and seconds per phase of the latest attempt (figures.py).

        `client_ids`: only these clients (a page of the dashboard); None: every client.
        """
        # A handful of requests however many clients there are (a few more per hundred named ones).
        if client_ids is None:
            client_rows = self._select_all("clients", lambda q: q.order("id"), "read clients")
            project_rows = self._select_all("projects", lambda q: q.order("id"), "read projects")
        else:
            client_rows, project_rows = [], []
            for ids in figures.chunked(sorted({i for i in client_ids if is_uuid(i)}), 100):
                client_rows += self._select_all("clients", lambda q, c=ids: q.in_("id", c).order("id"), "read clients")
                project_rows += self._select_all(
                    "projects", lambda q, c=ids: q.in_("client_id", c).order("id"), "read projects"
                )
        slugs = {str(r["id"]): r["slug"] for r in client_rows if r.get("slug")}
        latest = figures.latest_projects(project_rows)
        tasks: list[dict[str, Any]] = []
        activities: list[dict[str, Any]] = []
        # A hundred ids keep each request's URL short (about 4 kB).
        for chunk in figures.chunked(sorted(figures.attempt_project_ids(project_rows, latest)), 100):
            tasks += self._select_all(
                "project_tasks", lambda q, c=chunk: q.in_("project_id", c).order("id"), "read tasks"
            )
        # Named clients: their activities through the client index (other attempts' rows are ignored
        # by figures.client_figures); every client: the latest attempts' projects.
        column, keys = (
            ("client_id", sorted(slugs))
            if client_ids is not None
            else ("project_id", sorted(figures.attempt_project_ids(project_rows, latest)))
        )
        for chunk in figures.chunked(keys, 100):
            activities += [
                figures.usage_row(r)
                for r in self._select_all(
                    "agent_activities", lambda q, c=chunk: q.in_(column, c).order("id"), "read activities"
                )
            ]
        return figures.client_figures(slugs=slugs, projects=project_rows, tasks=tasks, activities=activities)

    def stale_claims(self, older_than: timedelta) -> list[ClientRow]:
        """in_progress rows claimed more than `older_than` ago."""
        cutoff = _iso(utcnow() - older_than)
        rows = self._select_all(
            "clients", lambda q: q.eq("status", "in_progress").lt("claimed_at", cutoff).order("id"), "read stale claims"
        )
        return [ClientRow.from_mapping(r) for r in rows]

    # ----- human review --------------------------------------------------------------

    def add_review(
        self, key: str, *, attempt: int, decision: str, reviewer: str, reason: str = "", rework: str | None = None
    ) -> dict[str, Any]:
        """Record a reviewer's decision (approved or rejected) on a client; KeyError if there is no such client."""
        row = self._require(key)
        review = new_review(row, attempt=attempt, decision=decision, reviewer=reviewer, reason=reason, rework=rework)
        inserted = self._run(self.client.table("reviews").insert(_jsonable(review)), "record a review")
        return {**(inserted[0] if inserted else _parse_row(_jsonable(review))), "slug": row.slug}

    def unapplied_reviews(self, limit: int = 100) -> list[dict[str, Any]]:
        """Up to `limit` reviews not yet acted on, oldest decision first, each with its client's slug."""
        rows = self._run(
            self.client.table("reviews")
            .select("*")
            .is_("applied_at", "null")
            .order("decided_at")
            .order("id")
            .limit(int(limit)),
            "read reviews",
        )
        return self._with_slugs(rows)

    def apply_review(self, review_id: str, *, outcome: str, run_id: str | None = None) -> bool:
        """Mark a review acted on (once): True only for the call that did it."""
        if not is_uuid(review_id):
            return False  # names no row of a uuid column; PostgreSQL would refuse the filter
        values = {"applied_at": utcnow(), "outcome": outcome, "applied_run": run_id}
        # Filtered on applied_at=is.null: of two sensor ticks acting on one row, one gets it back.
        updated = self._run(
            self.client.table("reviews").update(_jsonable(values)).eq("id", review_id).is_("applied_at", "null"),
            "apply a review",
        )
        return bool(updated)

    def reviews_for(self, key: str) -> list[dict[str, Any]]:
        """A client's reviews, oldest first; KeyError if there is no such client."""
        row = self._require(key)
        rows = self._select_all(
            "reviews", lambda q: q.eq("client_id", row.id).order("decided_at").order("id"), "read reviews"
        )
        return [{**r, "slug": row.slug} for r in rows]

    def _with_slugs(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        # The client's slug beside each review (None once the client is gone): one more request,
        # rather than an embedded select that would need the foreign key in PostgREST's cache.
        ids = sorted({str(r["client_id"]) for r in rows})
        slugs: dict[str, Any] = {}
        if ids:
            found = self._run(self.client.table("clients").select("id,slug").in_("id", ids), "read client slugs")
            slugs = {str(c["id"]): c.get("slug") for c in found}
        return [{**r, "slug": slugs.get(str(r["client_id"]))} for r in rows]

    # ----- webhook outbox ------------------------------------------------------------

    def record_event(self, event: dict[str, Any]) -> None:
        """Add one webhook_events row (an event that is not a clients status change, e.g. review.decided)."""
        self._record_events([event])

    def _record_events(self, events: list[dict[str, Any]]) -> None:
        if events:
            self._run(self.client.table("webhook_events").insert([_jsonable(e) for e in events]), "record events")

    def pending_events(self, limit: int) -> list[dict[str, Any]]:
        """Up to `limit` webhook events not yet done, oldest first."""
        return self._run(
            self.client.table("webhook_events").select("*").eq("done", "false").order("seq").limit(limit),
            "read webhook events",
        )

    def deliveries(self, event_ids: list[str] | None = None, *, latest: int | None = None) -> list[dict[str, Any]]:
        """Delivery attempts of these events (default: all), in the order they were made; only the `latest` last."""
        if event_ids == []:
            return []
        if latest is not None:
            query = self.client.table("webhook_deliveries").select("*")
            if event_ids is not None:
                query = query.in_("event_id", event_ids)
            query = query.order("attempted_at", desc=True).order("attempt", desc=True).order("id", desc=True)
            return self._run(query.limit(int(latest)), "read webhook deliveries")[::-1]

        def build(q: Any) -> Any:
            q = q.order("attempted_at").order("attempt").order("id")
            return q.in_("event_id", event_ids) if event_ids is not None else q

        return self._select_all("webhook_deliveries", build, "read webhook deliveries")

    def record_delivery(self, delivery: dict[str, Any]) -> None:
        """Add one webhook_deliveries row (one attempt to one endpoint) and set the event's state in its queue."""
        row = _jsonable({"id": str(uuid.uuid4()), **delivery})
        self._run(self.client.table("webhook_deliveries").insert(row), "record a webhook delivery")
        # A second request (no transaction across requests): should it fail, the queue row still says
        # the attempt before, and the event is sent once more (delivery is at least once anyway).
        self._run(
            self.client.table("webhook_endpoint_events")
            .update(_jsonable(queue_state(delivery)))
            .eq("endpoint", delivery["endpoint"])
            .eq("event_id", str(delivery["event_id"])),
            "update an endpoint's webhook event",
        )

    def finish_events(self, event_ids: list[str]) -> None:
        """Mark events done: every endpoint delivered them or gave them up."""
        if event_ids:
            self._run(
                self.client.table("webhook_events").update({"done": True}).in_("id", event_ids), "finish webhook events"
            )

    def events(self) -> list[dict[str, Any]]:
        """Every webhook event, oldest first (for tests and inspection)."""
        return self._select_all("webhook_events", lambda q: q.order("seq"), "read webhook events")

    # ----- leads ---------------------------------------------------------------------

    def published_site(self, key: str) -> ClientRow | None:
        """The client whose site is published (a completed run), by id or slug; None otherwise."""
        row = self.get(key)
        if row is None or row.status == "completed":
            return row
        # A client being re-processed (retried, held for review) keeps its published site meanwhile.
        done = self._run(
            self.client.table("projects").select("id").eq("client_id", row.id).eq("status", "completed").limit(1),
            "read projects",
        )
        return row if done else None

    def add_lead(self, lead: dict[str, Any], event: dict[str, Any] | None) -> None:
        """Store one leads row and its webhook event in one transaction (the record_lead function)."""
        args = {"lead": _jsonable(lead), "event": _jsonable(event) if event is not None else None}
        self._run(self.client.rpc("record_lead", args), "record a lead")

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
        """Count one exposure or conversion of a client's running experiment (the record_experiment_event function)."""
        args = {
            "p_client_id": client_id,
            "p_slug": slug,
            "p_page": page,
            "p_variant": variant,
            "p_kind": kind,
            "p_visitor": visitor,
            "p_at": _iso(at or utcnow()),
        }
        rows = self._run(self.client.rpc("record_experiment_event", args), "record an experiment event")
        if not rows or rows[0].get("experiment_id") is None:
            return None
        row = rows[0]
        return {"experiment_id": str(row["experiment_id"]), "variant": row["variant"], "counted": bool(row["counted"])}

    def start_experiment(self, key: str, *, page: str = "index") -> dict[str, Any] | None:
        """Start a client's next experiment (a new id); None while one is running. KeyError: no such client."""
        row = self._require(key)
        values = {
            "id": str(uuid.uuid4()),
            "client_id": row.id,
            "slug": row.slug,
            "page": page,
            "status": "running",
            "started_at": utcnow(),
        }
        try:
            self._run(self.client.table("experiments").insert(_jsonable(values)), "start an experiment")
        except APIError as exc:
            if exc.code != "23505":
                raise
            return None  # one is running (experiments_one_running_idx)
        return self._experiments(lambda q: q.eq("id", values["id"]))[0]

    def experiments_of(
        self, slug: str | None = None, *, statuses: tuple[str, ...] | None = None, limit: int | None = None
    ) -> list[dict[str, Any]]:
        """Experiments (of one client or all, with one of `statuses`), newest first."""

        def build(q: Any) -> Any:
            if slug is not None:
                q = q.eq("slug", slug)
            if statuses is not None:
                q = q.in_("status", list(statuses))
            return q.order("started_at", desc=True).order("id")

        return self._experiments(build, limit=limit)

    def _experiments(self, build: Any, *, limit: int | None = None) -> list[dict[str, Any]]:
        if limit is not None:
            rows = self._run(build(self.client.table("experiments").select("*")).limit(limit), "read experiments")
        else:
            rows = self._select_all("experiments", build, "read experiments")
        return [experiment_row(r) for r in rows]

    def experiment_counts(self, experiment_ids: list[str]) -> dict[str, dict[str, dict[str, int]]]:
        """Per experiment and variant: visitors (exposures) and conversions, counted by the database."""
        out: dict[str, dict[str, dict[str, int]]] = {i: empty_counts() for i in experiment_ids}
        if not experiment_ids:
            return out
        rows = self._run(
            self.client.rpc("experiment_counts", {"p_ids": "{" + ",".join(experiment_ids) + "}"}),
            "count experiment events",
        )
        for r in rows:
            out[str(r["experiment_id"])][r["variant"]][COUNT_OF_KIND[r["kind"]]] = int(r["n"])
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
        args = {
            "p_experiment_id": experiment_id,
            "p_decision": decision,
            "p_winner": winner,
            "p_figures": json.dumps(figures, sort_keys=True),
            "p_at": _iso(at or utcnow()),
            "event": _jsonable(event) if event is not None else None,
        }
        rows = self._run(self.client.rpc("record_experiment_decision", args), "record an experiment decision")
        return bool(rows and rows[0].get("recorded"))

    def end_experiment(self, experiment_id: str) -> bool:
        """Switch a running experiment off (its client's switch was turned off); True when it was running."""
        rows = self._run(
            self.client.table("experiments")
            .update(_jsonable({"status": "off", "decided_at": utcnow()}))
            .eq("id", experiment_id)
            .eq("status", "running"),
            "switch an experiment off",
        )
        return len(rows) == 1

    def pending_experiment_decisions(self, limit: int = 100) -> list[dict[str, Any]]:
        """Decided experiments not yet acted upon, oldest decision first."""
        rows = self._run(
            self.client.table("experiments")
            .select("*")
            .eq("status", "decided")
            .is_("acted_at", "null")
            .order("decided_at")
            .limit(limit),
            "read pending experiment decisions",
        )
        return [experiment_row(r) for r in rows]

    def mark_experiment_acted(self, experiment_id: str, *, outcome: str) -> bool:
        """Mark a decided experiment acted upon (once), with what was done; True only for the call that did it."""
        rows = self._run(
            self.client.table("experiments")
            .update(_jsonable({"acted_at": utcnow(), "outcome": outcome}))
            .eq("id", experiment_id)
            .eq("status", "decided")
            .is_("acted_at", "null"),
            "mark an experiment acted upon",
        )
        return len(rows) == 1

    def experiment_activity(self, after_seq: int, limit: int = 10_000) -> tuple[list[str], int]:
        """Slugs whose experiments counted events after `after_seq`, and the last seq seen (the sensor's cursor)."""
        rows = self._run(
            self.client.rpc("experiment_activity", {"p_after": after_seq, "p_limit": limit}), "read experiment events"
        )
        if not rows:
            return [], after_seq
        return sorted({str(r["slug"]) for r in rows}), int(rows[0]["last_seq"])

    def leads(
        self, *, slug: str | None = None, since: datetime | None = None, spam: bool = False, limit: int | None = None
    ) -> list[dict[str, Any]]:
        """Leads (spam=True: the spam kept apart), newest first, of one client or all, since a time."""

        def build(q: Any) -> Any:
            q = q.eq("spam", "true" if spam else "false")
            if slug is not None:
                q = q.eq("slug", slug)
            if since is not None:
                q = q.gte("created_at", _iso(since))
            return q.order("created_at", desc=True).order("id")

        if limit is not None:
            rows = self._run(build(self.client.table("leads").select("*")).limit(limit), "read leads")
        else:
            rows = self._select_all("leads", build, "read leads")
        return [_parse_row(r) for r in rows]

    def lead_counts(self, *, since: datetime) -> list[dict[str, Any]]:
        """Leads (not spam) per client and UTC day since a time: rows of slug, day (YYYY-MM-DD), leads."""
        # PostgREST groups only with aggregates switched on, which a project may not have: counted here.
        rows = self._select_all(
            "leads",
            lambda q: q.eq("spam", "false").gte("created_at", _iso(since)).order("created_at"),
            "read leads",
        )
        counts: dict[tuple[str, str], int] = {}
        for row in rows:
            day = _parse_row(row)["created_at"].astimezone(timezone.utc).strftime("%Y-%m-%d")
            counts[(row["slug"], day)] = counts.get((row["slug"], day), 0) + 1
        return [{"slug": slug, "day": day, "leads": n} for (slug, day), n in sorted(counts.items())]

    def leads_to_mail(self, limit: int) -> list[dict[str, Any]]:
        """Up to `limit` leads (not spam) the e-mail pass has not finished with, oldest first."""
        query = (
            self.client.table("leads")
            .select("*")
            .is_("mail_state", "null")
            .eq("spam", "false")
            .order("created_at")
            .order("id")
            .limit(limit)
        )
        return [_parse_row(r) for r in self._run(query, "read leads to mail")]

    def mark_lead_mail(self, lead_id: str, *, state: str | None, error: str | None = None) -> None:
        """Record one e-mail attempt of a lead: its state (sent, none, failed; None to try again) and error."""
        rows = self._run(self.client.table("leads").select("mail_attempts").eq("id", lead_id), "read a lead")
        attempts = int(rows[0]["mail_attempts"]) + 1 if rows else 1
        values = {"mail_state": state, "mail_error": error, "mail_attempts": attempts}
        self._run(self.client.table("leads").update(values).eq("id", lead_id), "record a lead's e-mail")

    def lead_totals(self, slugs: list[str] | None, *, since: datetime) -> dict[str, dict[str, int]]:
        """Per client (of `slugs`, or every one with a lead): leads_total, leads_recent (since `since`), spam_total."""
        # PostgREST groups only with aggregates switched on: three small columns read and counted here.
        totals: dict[str, dict[str, int]] = {}
        offset = 0
        while True:
            query = self.client.table("leads").select("slug,spam,created_at")
            if slugs is not None:
                query = query.in_("slug", slugs)
            page = self._run(query.order("id").range(offset, offset + PAGE_SIZE - 1), "count leads")
            for row in page:
                entry = totals.setdefault(row["slug"], {"leads_total": 0, "leads_recent": 0, "spam_total": 0})
                if row["spam"]:
                    entry["spam_total"] += 1
                    continue
                entry["leads_total"] += 1
                if _parse_row(row)["created_at"] >= since:
                    entry["leads_recent"] += 1
            if len(page) < PAGE_SIZE:
                return totals
            offset += PAGE_SIZE

    def finish_events_through(self, seq: int) -> int:
        """Mark every event up to `seq` done (no configured endpoint owes it); how many were not done yet."""
        query = self.client.table("webhook_events").select("seq", count=CountMethod.exact)
        count = self._count_rows(query.eq("done", "false").lte("seq", int(seq)), "count webhook events")
        if count:
            # Without the rows back: after a long outage they may be thousands of payloads.
            self._run(
                self.client.table("webhook_events")
                .update({"done": True}, returning=ReturnMethod.minimal)
                .eq("done", "false")
                .lte("seq", int(seq)),
                "finish webhook events",
            )
        return count

    def webhook_endpoints(self) -> list[dict[str, Any]]:
        """Every endpoint's delivery state (webhook_endpoints rows), by name."""
        return self._select_all("webhook_endpoints", lambda q: q.order("endpoint"), "read webhook endpoints")

    def _newest_seq(self, *, open_only: bool = False) -> int | None:
        # The newest event's seq, or with open_only the oldest not done.
        query = self.client.table("webhook_events").select("seq")
        query = query.eq("done", "false").order("seq") if open_only else query.order("seq", desc=True)
        rows = self._run(query.limit(1), "read webhook events")
        return int(rows[0]["seq"]) if rows else None

    def start_webhook_endpoint(self, endpoint: str) -> None:
        """Give a new endpoint its state (idempotent): it is owed the events not done yet, and every later one.

        Events every endpoint has done with are history, not sent to an endpoint configured later.
        """
        table = "webhook_endpoints"
        if self._run(self.client.table(table).select("endpoint").eq("endpoint", endpoint), "read webhook endpoints"):
            return
        first_open = self._newest_seq(open_only=True)
        through = first_open - 1 if first_open is not None else self._newest_seq() or 0
        row = {"endpoint": endpoint, "queued_through": through, "waiting": 0, "given_up": 0}
        self._run(
            self.client.table(table).upsert(row, on_conflict="endpoint", ignore_duplicates=True),
            "add a webhook endpoint",
        )

    def queue_webhook_events(self, endpoint: str, limit: int) -> int:
        """Take up to `limit` events after the endpoint's queued_through into its queue; how many.

        An event the attempt log already has for this endpoint keeps what it says (attempts, outcome).
        """
        state = self._run(
            self.client.table("webhook_endpoints").select("queued_through").eq("endpoint", endpoint),
            "read webhook endpoints",
        )
        if not state or limit <= 0:
            return 0
        through = int(state[0]["queued_through"])
        found = self._run(
            self.client.table("webhook_events").select("seq,id").gt("seq", through).order("seq").limit(int(limit)),
            "read webhook events",
        )
        if not found:
            return 0
        events = [(int(r["seq"]), str(r["id"])) for r in found]
        tried = self._run(
            self.client.table("webhook_deliveries")
            .select("*")
            .eq("endpoint", endpoint)
            .in_("event_id", [event_id for _, event_id in events])
            .order("attempted_at")
            .order("attempt"),
            "read webhook deliveries",
        )
        rows = queue_rows(endpoint, events, tried, utcnow())
        # Inserted before queued_through moves on: a pass that stops in between is repeated, and
        # the rows it already queued are ignored (as are those of a second pass at the same time).
        self._run(
            self.client.table("webhook_endpoint_events").upsert(
                [_jsonable(r) for r in rows], on_conflict="endpoint,event_id", ignore_duplicates=True
            ),
            "queue webhook events",
        )
        newest = events[-1][0]
        self._run(
            self.client.table("webhook_endpoints")
            .update({"queued_through": newest})
            .eq("endpoint", endpoint)
            .lt("queued_through", newest),
            "advance a webhook endpoint",
        )
        return len(rows)

    def owed_webhook_events(self, endpoint: str, limit: int) -> list[dict[str, Any]]:
        """Up to `limit` open events of an endpoint's queue, oldest first, with their attempts and next_attempt_at."""
        queued = self._run(
            self.client.table("webhook_endpoint_events")
            .select("event_id,attempts,next_attempt_at")
            .eq("endpoint", endpoint)
            .eq("state", "open")
            .order("seq")
            .limit(int(limit)),
            "read an endpoint's webhook events",
        )
        if not queued:
            return []
        # A second request rather than an embedded select (which needs the foreign key in PostgREST's cache).
        found = self._run(
            self.client.table("webhook_events").select("*").in_("id", [str(q["event_id"]) for q in queued]),
            "read webhook events",
        )
        events = {str(e["id"]): e for e in found}
        return [
            {**events[str(q["event_id"])], "attempts": q["attempts"], "next_attempt_at": q["next_attempt_at"]}
            for q in queued
            if str(q["event_id"]) in events
        ]

    def update_webhook_endpoint(self, endpoint: str, values: dict[str, Any]) -> None:
        """Set columns of one endpoint's state (failing_since, last_error, waiting, given_up, checked_at)."""
        self._run(
            self.client.table("webhook_endpoints").update(_jsonable(values)).eq("endpoint", endpoint),
            "update a webhook endpoint",
        )

    def _count_rows(self, request: Any, what: str) -> int:
        try:
            response = request.limit(1).execute()
        except APIError as exc:
            raise self._explain(exc, what) from exc
        return int(response.count or 0)

    def webhook_backlog(self, endpoint: str) -> tuple[int, int]:
        """(waiting, given up) events of an endpoint: open in its queue or not queued yet, and given up."""

        def in_state(state: str) -> int:
            query = self.client.table("webhook_endpoint_events").select("seq", count=CountMethod.exact)
            return self._count_rows(query.eq("endpoint", endpoint).eq("state", state), "count webhook events")

        state = self._run(
            self.client.table("webhook_endpoints").select("queued_through").eq("endpoint", endpoint),
            "read webhook endpoints",
        )
        later = 0
        if state:
            query = self.client.table("webhook_events").select("seq", count=CountMethod.exact)
            later = self._count_rows(query.gt("seq", int(state[0]["queued_through"])), "count webhook events")
        return in_state("open") + later, in_state("gave_up")

    def redeliver_webhook_events(self, endpoint: str, *, since: datetime | None = None) -> int:
        """Open again the events the endpoint gave up (at or after `since`), for a new round of attempts; how many."""
        values = {"state": "open", "attempts": 0, "next_attempt_at": None, "updated_at": utcnow()}
        query = (
            self.client.table("webhook_endpoint_events")
            .update(_jsonable(values))
            .eq("endpoint", endpoint)
            .eq("state", "gave_up")
        )
        if since is not None:
            query = query.gte("updated_at", _iso(since))
        return len(self._run(query, "redeliver webhook events"))


__all__ = ["SupabaseClientStore", "SupabaseStoreError", "key_role"]

"""A local HTTP server on 127.0.0.1 speaking Supabase's PostgREST protocol, backed by a real Postgres.

It serves exactly what SupabaseClientStore sends: table reads with `select`, `eq`/`neq`/`lt`/
`lte`/`gt`/`gte`/`like`/`is`/`in` filters, `order`, `limit`, `offset` (and the total with
`Prefer: count=exact`); inserts (upserts ignoring duplicates with `on_conflict` and
`Prefer: resolution=ignore-duplicates`), updates and deletes with `Prefer: return=representation`;
and `POST /rest/v1/rpc/<function>`. Like the
Supabase gateway it requires an `apikey` header, and like PostgREST it verifies the bearer
JWT (HS256) and runs each request as the JWT's `role` via SET LOCAL ROLE, so row level
security and grants behave as on a real project.
"""

from __future__ import annotations

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import jwt
import psycopg
from psycopg import sql

from tests.servers.loopback import LoopbackServer

RESERVED_PARAMS = {"select", "order", "limit", "offset", "columns", "on_conflict"}
OPERATORS = {"eq": "=", "neq": "<>", "lt": "<", "lte": "<=", "gt": ">", "gte": ">=", "like": "LIKE", "ilike": "ILIKE"}
ROLES = {"anon", "authenticated", "service_role"}


class PostgrestError(Exception):
    """An error answered as PostgREST's JSON error body."""

    def __init__(self, status: int, code: str, message: str, details: str | None = None, hint: str | None = None):
        super().__init__(message)
        self.status, self.body = status, {"code": code, "message": message, "details": details, "hint": hint}


def make_key(secret: str, role: str) -> str:
    """A Supabase-style API key: an HS256 JWT whose `role` claim names the Postgres role."""
    now = int(time.time())
    return jwt.encode(
        {"iss": "supabase", "ref": "local", "role": role, "iat": now, "exp": now + 3600 * 24}, secret, algorithm="HS256"
    )


def _pg_status(exc: psycopg.Error, role: str) -> PostgrestError:
    # PostgREST's mapping of SQLSTATEs to HTTP statuses.
    state = exc.sqlstate or ""
    diag = exc.diag
    message = diag.message_primary or str(exc)
    if state == "42501":
        status = 401 if role == "anon" else 403
    elif state == "23505":
        status = 409
    elif state.startswith("23") or state.startswith("22"):
        status = 400
    elif state in {"42P01", "42883"}:
        status = 404
    else:
        status = 500 if state.startswith(("XX", "53", "58")) else 400
    return PostgrestError(status, state, message, diag.message_detail, diag.message_hint)


class PostgrestServer(LoopbackServer):
    """PostgREST-compatible endpoint under /rest/v1 for one Postgres database."""

    methods = ("GET", "POST", "PATCH", "DELETE")
    thread_name = "postgrest"

    def __init__(
        self, dsn: str, *, jwt_secret: str = "local-test-jwt-secret-at-least-32-characters", schema: str = "public"
    ):
        super().__init__()
        self.dsn = dsn
        self.jwt_secret = jwt_secret
        self.schema = schema
        self.anon_key = make_key(jwt_secret, "anon")
        self.service_role_key = make_key(jwt_secret, "service_role")
        self.requests: list[tuple[str, str]] = []
        self._columns: dict[str, list[str]] = {}
        self._lock = threading.Lock()

    # ----- lifecycle ---------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The project URL to hand to supabase.create_client."""
        return self.base_url

    # ----- request handling --------------------------------------------------------------

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        parts = urlsplit(handler.path)
        with self._lock:
            self.requests.append((handler.command, handler.path))
        try:
            role = self._authenticate(handler)
            status, body, headers = self._dispatch(
                handler.command, parts.path, parts.query, raw, handler.headers.get("Prefer", ""), role
            )
        except PostgrestError as exc:
            status, body, headers = exc.status, exc.body, {}
        payload = b"" if body is None else json.dumps(body).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json; charset=utf-8")
        handler.send_header("Content-Length", str(len(payload)))
        for key, value in headers.items():
            handler.send_header(key, value)
        handler.end_headers()
        handler.wfile.write(payload)

    def _authenticate(self, handler: BaseHTTPRequestHandler) -> str:
        apikey = handler.headers.get("apikey")
        if not apikey:
            raise PostgrestError(
                401, "401", "No API key found in request", hint="No `apikey` request header or url param was found."
            )
        auth = handler.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ").strip() if auth.startswith("Bearer ") else apikey
        try:
            claims = jwt.decode(token, self.jwt_secret, algorithms=["HS256"], options={"verify_aud": False})
            jwt.decode(apikey, self.jwt_secret, algorithms=["HS256"], options={"verify_aud": False})
        except jwt.PyJWTError as exc:
            raise PostgrestError(401, "PGRST301", f"JWT invalid: {exc}") from None
        role = claims.get("role", "anon")
        if role not in ROLES:
            raise PostgrestError(401, "PGRST301", f"role {role!r} does not exist")
        return role

    def _dispatch(
        self, method: str, path: str, query: str, raw: bytes, prefer: str, role: str
    ) -> tuple[int, Any, dict[str, str]]:
        if not path.startswith("/rest/v1/"):
            raise PostgrestError(404, "PGRST000", f"no route {path}")
        rest = path[len("/rest/v1/") :].strip("/")
        params = parse_qsl(query, keep_blank_values=True)
        body = json.loads(raw) if raw else None
        if rest.startswith("rpc/"):
            if method != "POST":
                raise PostgrestError(405, "PGRST117", "only POST is served for rpc")
            return 200, self._rpc(rest[4:], body or {}, role), {}
        table = rest
        columns = self._table_columns(table)
        representation = "return=representation" in prefer
        if method == "GET":
            values = self._filter_values(params, columns)
            rows = self._run(role, self._select_sql(table, columns, params), values)
            offset = int(dict(params).get("offset") or 0)
            # Prefer: count=exact: the total of the filtered rows, counted in the database, after the slash.
            total = self._count(role, table, columns, params, values) if "count=exact" in prefer else "*"
            shown = f"{offset}-{offset + len(rows) - 1}" if rows else "*"
            return 200, rows, {"Content-Range": f"{shown}/{total}"}
        if method == "POST":
            conflict = dict(params).get("on_conflict") if "resolution=ignore-duplicates" in prefer else None
            rows = self._run(role, *self._insert_sql(table, columns, body, ignore_on=conflict))
            return 201, rows if representation else None, {}
        if method == "PATCH":
            if not isinstance(body, dict):
                raise PostgrestError(400, "PGRST102", "PATCH body must be a JSON object")
            rows = self._run(role, *self._update_sql(table, columns, params, body))
            return (200, rows, {}) if representation else (204, None, {})
        if method == "DELETE":
            rows = self._run(role, *self._delete_sql(table, columns, params))
            return (200, rows, {}) if representation else (204, None, {})
        raise PostgrestError(405, "PGRST117", f"method {method} not served")

    # ----- SQL building ------------------------------------------------------------------

    def _table_columns(self, table: str) -> list[str]:
        with self._lock:
            cached = self._columns.get(table)
        if cached is not None:
            return cached
        with psycopg.connect(self.dsn) as conn:
            names = [
                r[0]
                for r in conn.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_schema = %s AND table_name = %s "
                    "ORDER BY ordinal_position",
                    (self.schema, table),
                )
            ]
        if not names:
            raise PostgrestError(
                404, "PGRST205", f"Could not find the table '{self.schema}.{table}' in the schema cache"
            )
        with self._lock:
            self._columns[table] = names
        return names

    def _column(self, name: str, columns: list[str]) -> sql.Identifier:
        if name not in columns:
            raise PostgrestError(400, "42703", f"column {name} does not exist")
        return sql.Identifier(name)

    def _table(self, table: str) -> sql.Composed:
        return sql.SQL("{}.{}").format(sql.Identifier(self.schema), sql.Identifier(table))

    def _where(self, params: list[tuple[str, str]], columns: list[str]) -> sql.Composable:
        clauses: list[sql.Composable] = []
        for key, raw in params:
            if key in RESERVED_PARAMS:
                continue
            if key in {"or", "and"}:
                raise PostgrestError(400, "PGRST100", f"'{key}' filters are not served by this test server")
            column = self._column(key, columns)
            negate, (op, _, value) = raw.startswith("not."), raw.removeprefix("not.").partition(".")
            if op in OPERATORS:
                clause = sql.SQL("{} {} %s").format(column, sql.SQL(OPERATORS[op]))
            elif op == "is":
                literal = {"null": "NULL", "true": "TRUE", "false": "FALSE"}.get(value.lower())
                if literal is None:
                    raise PostgrestError(400, "PGRST100", f"failed to parse filter (is.{value})")
                clause = sql.SQL("{} IS {}").format(column, sql.SQL(literal))
            elif op == "in":
                items = _parse_in(value)
                clause = (
                    sql.SQL("{} IN ({})").format(column, sql.SQL(", ").join(sql.Placeholder() * len(items)))
                    if items
                    else sql.SQL("FALSE")
                )
            else:
                raise PostgrestError(400, "PGRST100", f"failed to parse filter ({raw})")
            clauses.append(sql.SQL("NOT ({})").format(clause) if negate else clause)
        return sql.SQL(" WHERE ") + sql.SQL(" AND ").join(clauses) if clauses else sql.SQL("")

    def _filter_values(self, params: list[tuple[str, str]], columns: list[str]) -> list[Any]:
        values: list[Any] = []
        for key, raw in params:
            if key in RESERVED_PARAMS or key in {"or", "and"}:
                continue
            op, _, value = raw.removeprefix("not.").partition(".")
            if op in {"like", "ilike"}:
                values.append(value.replace("*", "%"))
            elif op in OPERATORS:
                values.append(value)
            elif op == "in":
                values.extend(_parse_in(value))
        return values

    def _select_sql(self, table: str, columns: list[str], params: list[tuple[str, str]]) -> sql.Composable:
        p = dict(params)
        wanted = p.get("select", "*")
        select = (
            sql.SQL("*")
            if wanted in ("", "*")
            else sql.SQL(", ").join(self._column(c.strip(), columns) for c in wanted.split(","))
        )
        query = sql.SQL("SELECT {} FROM {}").format(select, self._table(table)) + self._where(params, columns)
        if p.get("order"):
            terms = []
            for term in p["order"].split(","):
                name, *mods = term.split(".")
                direction = "DESC" if "desc" in mods else "ASC"
                nulls = " NULLS FIRST" if "nullsfirst" in mods else " NULLS LAST" if "nullslast" in mods else ""
                terms.append(sql.SQL("{} " + direction + nulls).format(self._column(name, columns)))
            query += sql.SQL(" ORDER BY ") + sql.SQL(", ").join(terms)
        for name in ("limit", "offset"):
            if p.get(name):
                if not p[name].isdigit():
                    raise PostgrestError(400, "PGRST100", f"{name} must be a whole number")
                query += sql.SQL(f" {name.upper()} {int(p[name])}")
        return query

    def _count(
        self, role: str, table: str, columns: list[str], params: list[tuple[str, str]], values: list[Any]
    ) -> int:
        query = sql.SQL("SELECT count(*) AS n FROM {}").format(self._table(table)) + self._where(params, columns)
        return int(self._run(role, query, values)[0]["n"])

    def _insert_sql(
        self, table: str, columns: list[str], body: Any, *, ignore_on: str | None = None
    ) -> tuple[sql.Composable, list[Any]]:
        rows = body if isinstance(body, list) else [body]
        if not rows or not all(isinstance(r, dict) for r in rows):
            raise PostgrestError(400, "PGRST102", "insert body must be an object or an array of objects")
        names = sorted({k for r in rows for k in r})
        cols = sql.SQL(", ").join(self._column(n, columns) for n in names)
        # As PostgREST does: let Postgres convert the JSON to the table's row type.
        query = sql.SQL("INSERT INTO {t} ({c}) SELECT {c} FROM json_populate_recordset(NULL::{t}, %s::json)").format(
            t=self._table(table), c=cols
        )
        if ignore_on is not None:
            # An upsert with Prefer: resolution=ignore-duplicates: rows that conflict are left as they are.
            keys = sql.SQL(", ").join(self._column(n.strip(), columns) for n in ignore_on.split(","))
            query += sql.SQL(" ON CONFLICT ({}) DO NOTHING").format(keys)
        return query + sql.SQL(" RETURNING *"), [json.dumps(rows)]

    def _update_sql(
        self, table: str, columns: list[str], params: list[tuple[str, str]], body: dict[str, Any]
    ) -> tuple[sql.Composable, list[Any]]:
        if not body:
            raise PostgrestError(400, "PGRST102", "empty PATCH body")
        names = sorted(body)
        cols = sql.SQL(", ").join(self._column(n, columns) for n in names)
        query = sql.SQL("UPDATE {t} SET ({c}) = (SELECT {c} FROM json_populate_record(NULL::{t}, %s::json))").format(
            t=self._table(table), c=cols
        )
        if len(names) == 1:
            query = sql.SQL("UPDATE {t} SET {c} = (SELECT {c} FROM json_populate_record(NULL::{t}, %s::json))").format(
                t=self._table(table), c=cols
            )
        query += self._where(params, columns) + sql.SQL(" RETURNING *")
        return query, [json.dumps(body), *self._filter_values(params, columns)]

    def _delete_sql(
        self, table: str, columns: list[str], params: list[tuple[str, str]]
    ) -> tuple[sql.Composable, list[Any]]:
        query = sql.SQL("DELETE FROM {}").format(self._table(table)) + self._where(params, columns)
        return query + sql.SQL(" RETURNING *"), self._filter_values(params, columns)

    def _rpc(self, function: str, args: dict[str, Any], role: str) -> Any:
        with psycopg.connect(self.dsn) as conn:
            found = conn.execute(
                "SELECT p.proargnames, p.proargtypes::regtype[]::text[], p.proretset FROM pg_proc p "
                "JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = %s AND p.proname = %s",
                (self.schema, function),
            ).fetchone()
        if found is None:
            raise PostgrestError(
                404, "PGRST202", f"Could not find the function {self.schema}.{function} in the schema cache"
            )
        names, types, _returns_set = found
        arg_types = dict(zip(names or [], types or []))
        if set(args) - set(arg_types) or set(arg_types) - set(args):
            raise PostgrestError(
                404,
                "PGRST202",
                f"Could not find the function {self.schema}.{function}({', '.join(sorted(args))}) in the schema cache",
            )
        call = sql.SQL(", ").join(
            sql.SQL("{} => %s::{}").format(sql.Identifier(n), sql.SQL(arg_types[n])) for n in sorted(args)
        )
        query = sql.SQL("SELECT * FROM {}.{}({})").format(sql.Identifier(self.schema), sql.Identifier(function), call)
        return self._run(
            role,
            query,
            [args[n] if not isinstance(args[n], (dict, list)) else json.dumps(args[n]) for n in sorted(args)],
        )

    def _run(self, role: str, query: sql.Composable, values: list[Any]) -> list[dict[str, Any]]:
        wrapped = sql.SQL(
            "WITH pgrst_source AS ({}) SELECT coalesce(json_agg(pgrst_source), '[]') FROM pgrst_source"
        ).format(query)
        try:
            with psycopg.connect(self.dsn) as conn, conn.transaction():
                conn.execute(sql.SQL("SET LOCAL ROLE {}").format(sql.Identifier(role)))
                return conn.execute(
                    wrapped, [str(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v for v in values]
                ).fetchone()[0]
        except psycopg.Error as exc:
            raise _pg_status(exc, role) from None


def _parse_in(value: str) -> list[str]:
    if not (value.startswith("(") and value.endswith(")")):
        raise PostgrestError(400, "PGRST100", f"failed to parse filter (in.{value})")
    items = re.findall(r'"((?:[^"\\]|\\.)*)"|([^,]+)', value[1:-1])
    return [quoted or bare for quoted, bare in items]


__all__ = ["PostgrestError", "PostgrestServer", "make_key"]

"""Health checks for the clients store: Supabase or SQL database reachable, schema and migrations in place."""

from __future__ import annotations

import re

import sqlalchemy as sa

from .schema import STATUSES, metadata

Check = tuple[str, bool, str]
MIGRATIONS_FIX = "apply supabase/migrations/*.sql in order (`supabase db push`, or psql -f each file)"


def check_store(
    *, database_url: str, supabase_url: str = "", service_role_key: str = "", anon_key: str = ""
) -> list[Check]:
    """(name, ok, message with the fix) for the configured clients store: Supabase when its URL is set, else SQL."""
    try:
        if supabase_url:
            return _check_supabase(supabase_url, service_role_key, anon_key)
        return _check_sql(database_url)
    except Exception as exc:  # noqa: BLE001 - the doctor reports and goes on to its other checks
        setting = "SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY" if supabase_url else "DEZNITY_DATABASE_URL"
        detail = redact(
            f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}",
            database_url,
            supabase_url,
            secrets=(service_role_key, anon_key),
        )
        return [("clients store", False, f"could not check the clients store ({detail}); check {setting}")]


def _url_problem(url: str) -> str | None:
    # Said without echoing the URL: in a string that does not parse, the password could be
    # anywhere before the last '@', so only what follows it (host, port) is ever quoted.
    scheme, sep, rest = url.partition("://")
    if not sep or not scheme:
        return "it has no scheme://"
    credentials, _, location = rest.rpartition("@")
    if "@" in credentials and not scheme.startswith("sqlite"):
        # SQLAlchemy splits at the first '@' and would take the rest of the password for the host.
        return "it holds more than one '@'"
    host_port = re.split(r"[/?]", location, maxsplit=1)[0]
    port = host_port.rpartition(":")[2] if ":" in host_port and not host_port.endswith("]") else ""
    if port and not port.isdigit():
        return f"its port {port[:20]!r} is not a number"
    return None


def redact(text: str, *urls: str, secrets: tuple[str, ...] = ()) -> str:
    """`text` with the passwords of `urls` and every one of `secrets` replaced by ***."""
    # A URL that does not parse cannot hide its own password: find it by hand (up to the first
    # or the last '@', whichever the password holds) and blank it out, with any other secret.
    found = set(secrets)
    for url in urls:
        for pattern in (r"://[^:/@]*:([^@]*)@", r"://[^:/@]*:(.*)@"):
            match = re.search(pattern, url)
            found.add(match.group(1) if match else "")
    for secret in sorted(found - {""}, key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


def _check_supabase(url: str, service_role_key: str, anon_key: str) -> list[Check]:
    from postgrest.exceptions import APIError

    from .supabase_rest import SupabaseClientStore, SupabaseStoreError, key_role

    results: list[Check] = []
    try:
        store = SupabaseClientStore.connect(url, service_role_key=service_role_key, anon_key=anon_key)
    except ValueError as exc:
        name = "supabase url" if str(exc).startswith("SUPABASE_URL is not") else "supabase key"
        return [(name, False, str(exc))]
    role_ok = store.role == "service_role"
    results.append(
        (
            "supabase key",
            role_ok,
            "SUPABASE_SERVICE_ROLE_KEY acts as service_role"
            if role_ok
            else f"the key acts as {store.role!r}; set SUPABASE_SERVICE_ROLE_KEY to the service_role key",
        )
    )
    columns = ",".join(c.name for c in metadata.tables["clients"].columns)
    try:
        store._run(store.client.table("clients").select(columns).limit(1), "read the clients table")
        results.append(("supabase clients table", True, f"{store.url}: clients table has every column"))
    except (SupabaseStoreError, APIError) as exc:
        results.append(("supabase clients table", False, f"{exc}; {MIGRATIONS_FIX}"))
    reviews = ",".join(c.name for c in metadata.tables["reviews"].columns)
    try:
        store._run(store.client.table("reviews").select(reviews).limit(1), "read the reviews table")
        results.append(("supabase reviews table", True, "reviews table has every column"))
    except (SupabaseStoreError, APIError) as exc:
        results.append(("supabase reviews table", False, f"{exc}; {MIGRATIONS_FIX}"))
    try:
        store._run(store.client.rpc("claim_pending_clients", {"max_count": 0}), "call claim_pending_clients")
        results.append(("supabase claim function", True, "claim_pending_clients is callable"))
    except (SupabaseStoreError, APIError) as exc:
        results.append(("supabase claim function", False, f"{exc}; {MIGRATIONS_FIX}"))
    if anon_key and key_role(anon_key) != "service_role":
        anon = SupabaseClientStore(url, anon_key)
        try:
            leaked = anon._run(anon.client.table("clients").select("id").limit(1), "read clients as anon")
        except (SupabaseStoreError, APIError):
            leaked = []
        results.append(
            (
                "supabase row level security",
                not leaked,
                "the anon key cannot read clients"
                if not leaked
                else "the anon key can read clients: enable RLS with 20250601000100_rls.sql",
            )
        )
    else:
        results.append(
            (
                "supabase row level security",
                True,
                "not verified: set SUPABASE_ANON_KEY to let doctor check that anon is denied",
            )
        )
    return results


def _check_sql(url: str) -> list[Check]:
    from .urls import normalize_database_url

    problem = _url_problem(url)
    try:
        if problem:
            raise ValueError(problem)
        safe = sa.engine.make_url(normalize_database_url(url)).render_as_string(hide_password=True)
    except Exception as exc:  # noqa: BLE001 - an unparsable URL is a configuration problem, reported with the fix
        return [
            (
                "database",
                False,
                f"DEZNITY_DATABASE_URL is not a database URL ({problem or type(exc).__name__}); set "
                "it to e.g. postgresql://user:password@host:5432/dbname or sqlite:///path/to/deznity.db, "
                "percent-encoding the password's @ : / as %40 %3A %2F",
            )
        ]
    try:
        engine = sa.create_engine(normalize_database_url(url))
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
            inspector = sa.inspect(conn)
            missing = []
            for table in metadata.sorted_tables:
                if not inspector.has_table(table.name):
                    missing.append(table.name)
                    continue
                have = {c["name"] for c in inspector.get_columns(table.name)}
                missing += [f"{table.name}.{c.name}" for c in table.columns if c.name not in have]
            checks = (
                {c["name"]: c["sqltext"] for c in inspector.get_check_constraints("clients")}
                if inspector.has_table("clients")
                else {}
            )
            has_slug_check = "clients_slug_check" in checks
            # A check made before the newest status (needs_review) refuses the move into it;
            # a table without the check takes any status.
            status_check = checks.get("clients_status_check")
            refused = [s for s in STATUSES if status_check is not None and f"'{s}'" not in status_check]
            has_claim = engine.dialect.name == "postgresql" and bool(
                conn.execute(sa.text("SELECT 1 FROM pg_proc WHERE proname = 'claim_pending_clients'")).first()
            )
        engine.dispose()
    except Exception as exc:  # noqa: BLE001 - any driver error means "unreachable", reported with the fix
        return [
            (
                "database",
                False,
                f"{safe} is unreachable ({type(exc).__name__}: {(str(exc).splitlines() or [''])[0]}); "
                "check DEZNITY_DATABASE_URL, that the server runs and accepts this user",
            )
        ]
    results: list[Check] = [("database", True, f"{safe} is reachable")]
    if missing:
        results.append(
            (
                "database schema",
                False,
                f"missing {', '.join(missing)}; run `deznity` once to create the tables, or {MIGRATIONS_FIX}",
            )
        )
    else:
        results.append(("database schema", True, "every table and column is present"))
    if "clients" not in missing:
        results.append(
            (
                "database slug check",
                True,
                "clients_slug_check refuses slugs that cannot be partition keys"
                if has_slug_check
                else "clients_slug_check absent (tables from before it): claims still fail rows with such slugs; "
                "on PostgreSQL apply supabase/migrations/20250601000300_clients_slug_check.sql to refuse them "
                "when typed",
            )
        )
    if "clients" not in missing:
        results.append(
            (
                "database status check",
                not refused,
                "clients_status_check allows every status"
                if not refused
                else f"clients_status_check refuses {', '.join(refused)} (tables from an older version); run "
                "`deznity` once to widen it, or apply supabase/migrations/20250601000500_reviews.sql",
            )
        )
    if engine.dialect.name == "postgresql":
        results.append(
            (
                "database claim function",
                True,
                "claim_pending_clients present (migrations applied)"
                if has_claim
                else "claim_pending_clients absent: fine for SQLAlchemy; for the Supabase REST backend "
                + MIGRATIONS_FIX,
            )
        )
    return results

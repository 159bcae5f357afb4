"""Rows typed straight into the clients table in odd shapes: refused at the door or failed with the field named.

Each row is inserted with raw SQL, bypassing add_client, on SQLite and on PostgreSQL. The
"hand-made" tables have no CHECK constraints, as in a database created before them.
"""

from __future__ import annotations

import random
import uuid
from pathlib import Path

import dagster as dg
import pytest
import sqlalchemy as sa
from upath import UPath

from deznity_assets.brief import REFERENCE_CLIENTS, slugify, unique_slug, validate_brief
from deznity_assets.control.plane import ClaimError
from deznity_assets.io_manager import UnsafePartitionKeyError, _JsonDeliverables
from deznity_assets.platform import Platform
from deznity_assets.resources import ClientStoreResource
from deznity_assets.store.schema import metadata
from deznity_assets.store.transitions import slug_problem

GOOD = {
    "business_name": "Good Row",
    "industry": "restaurant",
    "goal": "more bookings",
    "color": "#FF6A00",
    "copy_tone": "fun",
    "target_geo": "CDMX",
    "pages": "home, menu",
    "budget": "starter",
}
SLUG_FIX = "use a-z, 0-9 and '-' (at most 20), e.g. taco-loco"
BAD_SLUGS = [
    "../../../x",
    "..",
    "taco/../../deploy",
    "/etc/passwd",
    "TacoLoco",
    " tacoloco",
    "taco_loco",
    "taco loco",
    "a" * 21,
    "-taco",
    "taco-",
    "taco--loco",
    "café",
]


# ----- set-up -----------------------------------------------------------------------------------


def _without_checks(url: str) -> None:
    # The tables as a database made before the CHECK constraints (or by hand) has them.
    legacy = sa.MetaData()
    for table in metadata.sorted_tables:
        table.to_metadata(legacy)
    clients = legacy.tables["clients"]
    clients.constraints = {c for c in clients.constraints if not isinstance(c, sa.CheckConstraint)}
    engine = sa.create_engine(url)
    legacy.create_all(engine)
    engine.dispose()


def _platform_on(platform: Platform, backend: str, request: pytest.FixtureRequest) -> Platform:
    if backend == "sqlite":
        return platform
    return platform.with_resources(store=ClientStoreResource(database_url=request.getfixturevalue("postgres_url")))


@pytest.fixture(params=["sqlite", "postgres"])
def hand_made(request: pytest.FixtureRequest, platform: Platform) -> Platform:
    """The platform over a clients table without CHECK constraints, on SQLite and on PostgreSQL."""
    platform = _platform_on(platform, request.param, request)
    url = platform.resources["store"].connection()["database_url"]
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    _without_checks(url)
    return platform


@pytest.fixture(params=["sqlite", "postgres"])
def checked(request: pytest.FixtureRequest, platform: Platform) -> Platform:
    """The platform over the tables its store creates, CHECK constraints included."""
    return _platform_on(platform, request.param, request)


def _insert(platform: Platform, **values) -> str:
    """Insert one row as typed into the table (raw SQL, no validation); returns its id as typed."""
    store = platform.store
    sqlite = store.backend == "sqlite"
    values.setdefault("id", uuid.uuid4().hex if sqlite else str(uuid.uuid4()))
    names = ", ".join(values)
    # A literal, not a bound parameter, where the test needs the database to see a number.
    params = ", ".join(
        v.removeprefix("=") if isinstance(v, str) and v.startswith("=") else f":{k}" for k, v in values.items()
    )
    with store.engine.begin() as conn:
        conn.execute(sa.text(f"INSERT INTO clients ({names}) VALUES ({params})"), values)
    return str(values["id"])


def _tick(platform: Platform, instance: dg.DagsterInstance):
    sensor = platform.definitions.resolve_sensor_def("pending_clients_sensor")
    with dg.build_sensor_context(
        instance_ref=instance.get_ref(), definitions=platform.definitions, resources=platform.resources
    ) as context:
        return sensor.evaluate_tick(context)


def _by_name(platform: Platform) -> dict[str, object]:
    return {row.business_name: row for row in platform.store.list_clients()}


# ----- slugs ------------------------------------------------------------------------------------


def test_path_like_slugs_fail_at_claim_and_never_become_partitions(hand_made, instance):
    for i, slug in enumerate(BAD_SLUGS):
        _insert(hand_made, **{**GOOD, "business_name": f"Bad {i}", "slug": slug})
    _insert(hand_made, **{**GOOD, "business_name": "Empty", "slug": ""})
    _insert(hand_made, **{**GOOD, "business_name": "Bad Both", "slug": "../x", "color": "orange"})
    _insert(hand_made, **{**GOOD, "slug": "good-row"})
    # Refused rows use up a tick's claims, never more: the good one runs by the second tick.
    ticks = [_tick(hand_made, instance) for _ in range(2)]
    assert [r.partition_key for t in ticks for r in t.run_requests] == ["good-row"]
    assert [k for t in ticks for d in t.dynamic_partitions_requests for k in d.partition_keys] == ["good-row"]
    rows = _by_name(hand_made)
    assert rows["Good Row"].status == "in_progress"
    for i, slug in enumerate(BAD_SLUGS):
        row = rows[f"Bad {i}"]
        assert row.status == "failed", slug
        assert row.last_error == f"slug: {slug!r} is not a valid slug; {SLUG_FIX}"
    assert rows["Empty"].status == "failed" and rows["Empty"].last_error.startswith(f"slug: is empty; {SLUG_FIX}")
    # One reason names every field to fix.
    both = rows["Bad Both"].last_error
    assert both.startswith("slug: '../x' is not a valid slug") and "invalid brief: color:" in both


def test_claim_client_refuses_a_path_like_slug(hand_made):
    _insert(hand_made, **{**GOOD, "slug": "../../deploy"})
    with pytest.raises(ClaimError, match=r"slug: '\.\./\.\./deploy' is not a valid slug; use a-z"):
        hand_made.control.claim_client("../../deploy")
    row = hand_made.store.get("../../deploy")
    assert row.status == "failed" and row.last_error.startswith("slug: '../../deploy' is not a valid slug")


def test_rows_without_a_slug_are_named_when_claimed(checked):
    _insert(checked, **GOOD)
    _insert(checked, **{**GOOD, "business_name": None})
    claimed = checked.control.claim_pending(10)
    assert [r.slug for r in claimed.ready] == ["good-row"]
    [nameless] = claimed.rejected
    assert nameless.slug.startswith("client-")
    assert "business_name: is required" in checked.store.get(nameless.id).last_error


def test_the_checks_refuse_odd_slugs_and_statuses_at_the_door(checked):
    for slug in [*BAD_SLUGS, ""]:
        with pytest.raises(sa.exc.IntegrityError):
            _insert(checked, **{**GOOD, "slug": slug})
    for status in ("Pending", " pending", "PENDING", "done"):
        with pytest.raises(sa.exc.IntegrityError):
            _insert(checked, **{**GOOD, "slug": "ok", "status": status})
    assert checked.store.list_clients() == []


def test_slug_check_accepts_exactly_the_slugs_the_code_makes(checked):
    names = [b["business_name"] for b in REFERENCE_CLIENTS] + [
        "Café Niño & Hijos",
        "Ünïcödé Bäckerei Zürich GmbH und Söhne",
        "123 Pizza",
        "A" * 80,
        "Ñ",
        "--x--y--",
    ]
    made = {slugify(name) for name in names}
    for name in names:
        taken: set[str] = set()
        for _ in range(12):
            taken.add(unique_slug(name, taken))
        made |= taken
    made.add(slugify("!!!", fallback="client"))
    rng = random.Random(7)
    alphabet = "abz09-_A. /é\n"
    candidates = made | {"".join(rng.choice(alphabet) for _ in range(rng.randint(1, 22))) for _ in range(300)}
    engine = checked.store.engine
    accepted = set()
    for slug in sorted(candidates):
        try:
            with engine.begin() as conn:
                conn.execute(
                    sa.text("INSERT INTO clients (id, slug, status) VALUES (:id, :slug, 'failed')"),
                    {"id": uuid.uuid4().hex if checked.store.backend == "sqlite" else str(uuid.uuid4()), "slug": slug},
                )
            accepted.add(slug)
        except sa.exc.IntegrityError:
            pass
    assert made <= accepted
    assert {s for s in candidates if slug_problem(s) is None} == accepted


# ----- ids, statuses, lists ---------------------------------------------------------------------


def test_sqlite_ids_in_another_form_fail_and_never_break_reads(platform, instance):
    odd = {
        "Integer Id": "=42",
        "Text Id": "abc",
        "Dashed Id": str(uuid.uuid4()),
        "Upper Id": uuid.uuid4().hex.upper(),
    }
    for i, (name, raw_id) in enumerate(odd.items()):
        _insert(platform, **{**GOOD, "business_name": name, "slug": f"odd-{i}", "id": raw_id})
    _insert(platform, **{**GOOD, "slug": "good-row"})
    result = _tick(platform, instance)
    assert [r.partition_key for r in result.run_requests] == ["good-row"]
    rows = _by_name(platform)
    for name, raw_id in odd.items():
        row = rows[name]
        typed = raw_id.removeprefix("=")
        assert row.status == "failed" and row.last_error.startswith(f"id: {typed!r} is not an id this table can use")
        assert row.id == typed
        assert platform.store.get(row.id).id == typed and platform.store.usage_totals(row.id) == (0, 0.0)
    # The rows stay readable and can be retried (and are refused again, with the same reason).
    assert platform.control.retry(slugs=["odd-0"])[0].status == "pending"
    assert platform.control.claim_pending(5).rejected[0].slug == "odd-0"
    assert platform.store.delete_client("odd-1") and platform.store.get("odd-1") is None


def test_postgres_ids_must_be_uuids(postgres_url, platform):
    platform = platform.with_resources(store=ClientStoreResource(database_url=postgres_url))
    with pytest.raises(sa.exc.DataError):
        _insert(platform, **{**GOOD, "slug": "integer-id", "id": "42"})
    braced = "{A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11}"
    _insert(platform, **{**GOOD, "slug": "braced-id", "id": braced})
    [row] = platform.control.claim_pending(5).ready
    assert row.id == "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"
    assert platform.store.get("42") is None and platform.store.usage_totals("42") == (0, 0.0)


def test_statuses_in_another_spelling_fail_with_the_field_named(hand_made, instance):
    spellings = ["Pending", " pending", "PENDING", "done"]
    for i, status in enumerate(spellings):
        _insert(hand_made, **{**GOOD, "business_name": f"Status {i}", "slug": f"status-{i}", "status": status})
    _insert(hand_made, **{**GOOD, "slug": "good-row"})
    result = _tick(hand_made, instance)
    assert [r.partition_key for r in result.run_requests] == ["good-row"]
    rows = _by_name(hand_made)
    for i, status in enumerate(spellings):
        row = rows[f"Status {i}"]
        assert row.status == "failed"
        assert row.last_error.startswith(f"status: '{status}' is not a status; use one of pending, in_progress")
    assert _tick(hand_made, instance).run_requests == []


def test_text_where_a_list_is_expected(checked, instance):
    _insert(checked, **{**GOOD, "business_name": "Plain List", "slug": "plain-list", "pages": "home, menu"})
    _insert(checked, **{**GOOD, "business_name": "Json List", "slug": "json-list", "pages": '["home", "menu"]'})
    _insert(checked, **{**GOOD, "business_name": "No Pages", "slug": "no-pages", "pages": " , "})
    _insert(checked, **{**GOOD, "business_name": "Number Tone", "slug": "number-tone", "copy_tone": "=42"})
    if checked.store.backend == "sqlite":
        _insert(checked, **{**GOOD, "business_name": "Blob Tone", "slug": "blob-tone", "copy_tone": "=x'00ff'"})
    result = _tick(checked, instance)
    requested = {r.partition_key for r in result.run_requests}
    rows = _by_name(checked)
    assert "plain-list" in requested and rows["Plain List"].brief().pages == ["home", "menu"]
    assert rows["Json List"].status == "failed" and rows["Json List"].last_error.startswith("invalid brief: pages:")
    assert rows["No Pages"].status == "failed" and "pages: is empty" in rows["No Pages"].last_error
    # A number typed into a text column is text to the database: '42' is then judged as a tone.
    tone = rows["Number Tone"]
    assert tone.fields["copy_tone"] == "42"
    assert "number-tone" in requested and tone.status == "in_progress"
    if checked.store.backend == "sqlite":
        assert rows["Blob Tone"].status == "failed" and "copy_tone:" in rows["Blob Tone"].last_error
    assert not any(r.status == "in_progress" and r.slug not in requested for r in rows.values())


# ----- the IO manager ---------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["../../../x", "..", "a/../../b", "deploy/../../vercel", "Taco"])
def test_io_manager_never_builds_a_path_from_a_key_that_is_not_a_slug(tmp_path, key):
    base = tmp_path / "storage" / "deliverables"
    io = _JsonDeliverables(base_path=UPath(base))
    brief = validate_brief(REFERENCE_CLIENTS[4])
    partitions = dg.StaticPartitionsDefinition([key])
    out = dg.build_output_context(asset_key=dg.AssetKey(["brief"]), partition_key=key, asset_partitions_def=partitions)
    with pytest.raises(UnsafePartitionKeyError, match="is not a client slug"):
        io.handle_output(out, brief)
    into = dg.build_input_context(asset_key=dg.AssetKey(["brief"]), partition_key=key, asset_partitions_def=partitions)
    with pytest.raises(UnsafePartitionKeyError):
        io.load_input(into)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_io_manager_keeps_slug_partitions_under_its_base(tmp_path):
    io = _JsonDeliverables(base_path=UPath(tmp_path / "deliverables"))
    brief = validate_brief(REFERENCE_CLIENTS[4])
    partitions = dg.StaticPartitionsDefinition(["taco-loco"])
    io.handle_output(
        dg.build_output_context(
            asset_key=dg.AssetKey(["brief"]), partition_key="taco-loco", asset_partitions_def=partitions
        ),
        brief,
    )
    assert (tmp_path / "deliverables" / "brief" / "taco-loco.json").is_file()
    loaded = io.load_input(
        dg.build_input_context(
            asset_key=dg.AssetKey(["brief"]), partition_key="taco-loco", asset_partitions_def=partitions
        )
    )
    assert loaded == brief

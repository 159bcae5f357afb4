"""Exposures and conversions through the real site API: authenticated, counted once, no personal data at rest."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest

from deznity_assets.experiments.measure import exposure_token, read_cookie, visitor_hash
from deznity_assets.site_api.forms import goal_form
from deznity_assets.store.base import ClientStore
from tests.plugins.site_api import TACO, ApiServer, RunningApi, published_client, site_origin, utc_today

KEY = "k" * 48
VISITOR = "Zm9vYmFyLWJhei1xdXV4LT"
RESERVATION = {
    "name": "Ana",
    "email": "ana@example.com",
    "phone": "+52 55 1234 5678",
    "party_size": "4",
    "date": utc_today(),
    "time": "20:30",
    "website": "",
}
CONTACT = {"name": "Ana", "email": "ana@example.com", "message": "Hola", "website": ""}


def expose(api: RunningApi, slug: str, body: dict[str, Any], token: str | None = None) -> httpx.Response:
    """An exposure as a site's edge reports it."""
    token = exposure_token(KEY, slug) if token is None else token
    return httpx.post(
        f"{api.url}/sites/{slug}/api/experiments/exposure",
        json=body,
        headers={"authorization": f"Bearer {token}"},
        timeout=10,
    )


def submit(api: RunningApi, slug: str, form: str, fields: dict[str, str], cookie: str | None) -> httpx.Response:
    """A form sent by a visitor carrying the edge's cookie (the host proxies /api/ same-origin, so it arrives)."""
    with httpx.Client(headers={"Origin": site_origin(slug)}, timeout=10) as browser:
        if cookie:
            browser.cookies.set("dz_ab", cookie)
        assert browser.get(api.form_url(slug, "started")).status_code == 200
        time.sleep(api.settings.min_fill_seconds + 0.05)
        return browser.post(api.form_url(slug, form), data=fields, follow_redirects=False)


def counts(store: ClientStore, slug: str) -> dict[str, dict[str, int]]:
    [experiment] = store.experiments_of(slug)
    return store.experiment_counts([experiment["id"]])[experiment["id"]]


def test_exposures_are_authenticated_checked_and_counted_once(client_store: ClientStore) -> None:
    slug = published_client(client_store)
    other = published_client(client_store, {**TACO, "business_name": "Other Place"})
    with ApiServer(client_store, DEZNITY_EXPERIMENTS_KEY=KEY, DEZNITY_API_MIN_FILL_SECONDS="0.2") as api:
        body = {"variant": "b", "visitor": VISITOR, "page": "index"}
        assert expose(api, slug, body, token="nope").status_code == 401
        assert expose(api, slug, body, token=exposure_token(KEY, other)).status_code == 401  # another site's
        assert expose(api, slug, body, token=exposure_token("x" * 48, slug)).status_code == 401
        assert expose(api, "no-such-site", body).status_code == 404
        for bad in ({"variant": "c", "visitor": VISITOR}, {"variant": "a", "visitor": "short"}, ["a"]):
            assert expose(api, slug, bad).status_code in (400, 422), bad  # type: ignore[arg-type]
        assert client_store.experiments_of(slug) == []
        first = expose(api, slug, body)
        assert first.status_code == 202 and first.json() == {"ok": True, "counted": True}
        assert expose(api, slug, body).json() == {"ok": True, "counted": False}  # a retry, a second view
        assert expose(api, slug, {"variant": "a", "visitor": "A" * 22}).json()["counted"] is True
    assert counts(client_store, slug) == {
        "a": {"visitors": 1, "conversions": 0},
        "b": {"visitors": 1, "conversions": 0},
    }


def test_a_goal_lead_with_the_cookie_is_a_conversion_once(client_store: ClientStore) -> None:
    slug = published_client(client_store)  # TacoLoco: goal "increase reservations"
    assert goal_form(TACO["goal"], TACO["industry"]) == "reservation"
    with ApiServer(client_store, DEZNITY_EXPERIMENTS_KEY=KEY, DEZNITY_API_MIN_FILL_SECONDS="0.2") as api:
        assert expose(api, slug, {"variant": "b", "visitor": VISITOR}).status_code == 202
        assert submit(api, slug, "reservation", RESERVATION, f"b.{VISITOR}").status_code == 303
        assert submit(api, slug, "reservation", RESERVATION, f"b.{VISITOR}").status_code == 303  # once only
        # Not the goal's form, spam, no exposure, or no id: a lead, but no conversion.
        assert submit(api, slug, "contact", CONTACT, f"a.{'A' * 22}").status_code == 303
        expose(api, slug, {"variant": "a", "visitor": "B" * 22})
        assert submit(api, slug, "reservation", {**RESERVATION, "website": "x"}, f"a.{'B' * 22}").status_code == 303
        assert submit(api, slug, "reservation", RESERVATION, f"a.{'C' * 22}").status_code == 303
        assert submit(api, slug, "reservation", RESERVATION, "b").status_code == 303
        assert submit(api, slug, "reservation", RESERVATION, None).status_code == 303
    assert counts(client_store, slug) == {
        "a": {"visitors": 1, "conversions": 0},
        "b": {"visitors": 1, "conversions": 1},
    }
    leads = client_store.leads(slug=slug)
    assert sorted(str(lead["variant"]) for lead in leads) == ["None", "a", "a", "b", "b", "b"]
    assert [lead["variant"] for lead in client_store.leads(slug=slug, spam=True)] == ["a"]


def test_no_visitor_id_is_stored_only_a_keyed_hash(client_store: ClientStore, tmp_path: Any) -> None:
    from deznity_assets.store.sql import SqlClientStore

    store = SqlClientStore(f"sqlite:///{tmp_path / 'd.db'}")
    slug = published_client(store)
    with ApiServer(store, DEZNITY_EXPERIMENTS_KEY=KEY, DEZNITY_API_MIN_FILL_SECONDS="0.2") as api:
        expose(api, slug, {"variant": "b", "visitor": VISITOR})
        submit(api, slug, "reservation", RESERVATION, f"b.{VISITOR}")
    raw = (tmp_path / "d.db").read_bytes()
    assert VISITOR.encode() not in raw
    with store.engine.connect() as conn:
        import sqlalchemy as sa

        stored = {r[0] for r in conn.execute(sa.text("SELECT visitor FROM experiment_events"))}
    assert stored == {visitor_hash(KEY, slug, VISITOR)}
    store.dispose()


def test_a_client_switched_off_or_an_api_without_key_counts_nothing(tmp_path: Any) -> None:
    from deznity_assets.store.sql import SqlClientStore

    store = SqlClientStore(f"sqlite:///{tmp_path / 'd.db'}")
    off = published_client(store, {**TACO, "experiments": False})
    on = published_client(store, {**TACO, "business_name": "Loud Place"})
    with ApiServer(store, DEZNITY_EXPERIMENTS_KEY=KEY, DEZNITY_API_MIN_FILL_SECONDS="0.2") as api:
        answer = expose(api, off, {"variant": "b", "visitor": VISITOR})
        assert answer.status_code == 200 and answer.json()["counted"] is False
        assert submit(api, off, "reservation", RESERVATION, f"b.{VISITOR}").status_code == 303
    assert store.experiments_of(off) == [] and store.leads(slug=off)[0]["variant"] is None
    with ApiServer(store, DEZNITY_API_MIN_FILL_SECONDS="0.2") as api:
        answer = expose(api, on, {"variant": "b", "visitor": VISITOR})
        assert answer.status_code == 503 and "DEZNITY_EXPERIMENTS_KEY" in answer.json()["error"]
    store.dispose()


@pytest.mark.parametrize(
    ("goal", "industry", "form"),
    [
        ("increase reservations", "restaurant", "reservation"),
        ("increase online sales", "ecommerce", "cart"),
        ("increase lead generation", "consulting", "contact"),
        ("increase brand awareness", "restaurant", "reservation"),
        ("increase brand awareness", "shoe shop", "cart"),
        ("increase user engagement", "saas", "contact"),
    ],
)
def test_the_goal_form(goal: str, industry: str, form: str) -> None:
    assert goal_form(goal, industry) == form


def test_cookie_values() -> None:
    assert read_cookie(f"b.{VISITOR}") is not None and read_cookie(f"b.{VISITOR}").visitor_id == VISITOR  # type: ignore[union-attr]
    assert read_cookie("a") is not None and read_cookie("a").visitor_id is None  # type: ignore[union-attr]
    for junk in ("", "c", "B", "b.", "b.short", f"b.{VISITOR}x", f"a.{VISITOR[:-1]}!"):
        assert read_cookie(junk) is None, junk
    assert json.dumps(read_cookie(None)) == "null"


def test_the_brief_field_takes_true_or_false_and_names_itself_otherwise() -> None:
    from deznity_assets.brief import BriefError, validate_brief

    assert validate_brief({**TACO, "experiments": "false"}).experiments is False
    assert validate_brief({**TACO, "experiments": " Yes "}).experiments is True
    assert validate_brief({**TACO, "experiments": ""}).experiments is None
    with pytest.raises(BriefError, match="experiments.*'maybe' is not true or false"):
        validate_brief({**TACO, "experiments": "maybe"})

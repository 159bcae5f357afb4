"""The site API over real HTTP: what a visitor may send, what is stored, and every hostile case refused."""

from __future__ import annotations

import contextlib
import json
import socket
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from deznity_assets.site_api.app import FILL_COOKIE
from deznity_assets.store.base import ClientStore
from tests.plugins.site_api import ApiServer, RunningApi, published_client, site_origin, utc_today

CONTACT = {"name": "Ana Ruiz", "email": "ana@example.com", "message": "¿Tienen mesa para 4 el viernes?"}


@contextlib.contextmanager
def visitor(api: RunningApi, slug: str, *, wait: bool = True, **headers: str) -> Iterator[httpx.Client]:
    """A browser-like client of the site: its Origin, the fill mark loaded, the minimum fill time waited."""
    with httpx.Client(headers={"Origin": site_origin(slug), **headers}, timeout=10) as client:
        assert client.get(api.form_url(slug, "started")).status_code == 200
        if wait:
            time.sleep(api.settings.min_fill_seconds + 0.1)
        yield client


def post(client: httpx.Client, url: str, fields: dict[str, Any], **kwargs: Any) -> httpx.Response:
    """A form post as a browser sends it (urlencoded), redirects not followed."""
    return client.post(url, data=fields, follow_redirects=False, **kwargs)


def leads_of(store: ClientStore, slug: str, *, spam: bool = False) -> list[dict[str, Any]]:
    return store.leads(slug=slug, spam=spam)


def test_a_contact_form_becomes_a_lead_and_its_event(client_store: ClientStore) -> None:
    slug = published_client(client_store)
    with ApiServer(client_store) as api, visitor(api, slug) as browser:
        answer = post(browser, api.form_url(slug, "contact"), {**CONTACT, "website": ""})
    assert answer.status_code == 303 and answer.headers["location"] == "../../thanks"
    [lead] = leads_of(client_store, slug)
    assert lead["form"] == "contact" and json.loads(lead["fields"]) == CONTACT and not lead["spam"]
    # The visitor is a daily-rotating keyed hash, never the address.
    assert lead["visitor"] and "127.0.0.1" not in lead["visitor"]
    [event] = [e for e in client_store.events() if e["type"] == "lead.received"]
    payload = json.loads(event["payload"])
    assert payload["lead_id"] == lead["id"] and payload["fields"] == CONTACT and payload["slug"] == slug


@pytest.mark.parametrize(
    ("form", "fields"),
    [
        (
            "reservation",
            {
                "name": "Ana",
                "email": "ana@example.com",
                "phone": "+52 55 1234 5678",
                "party_size": "4",
                "date": utc_today(),
                "time": "20:30",
                "notes": "Cumpleaños\r\nmesa cerca de la ventana",
            },
        ),
        ("newsletter", {"email": "ana@example.com"}),
        (
            "cart",
            {"intent": "checkout", "product": "Taco al pastor", "name": "Ana", "email": "a@b.mx", "address": "X 1"},
        ),
    ],
)
def test_every_form_type_is_validated_and_stored(form: str, fields: dict[str, str], tmp_path: Any) -> None:
    from deznity_assets.store.sql import SqlClientStore

    store = SqlClientStore(f"sqlite:///{tmp_path / 'd.db'}")
    slug = published_client(store)
    with ApiServer(store) as api, visitor(api, slug) as browser:
        assert post(browser, api.form_url(slug, form), fields).status_code == 303
    [lead] = leads_of(store, slug)
    stored = json.loads(lead["fields"])
    # Line endings are made \n; everything else as typed.
    assert stored == {k: v.replace("\r\n", "\n") for k, v in fields.items()}


def test_a_json_client_is_told_which_fields_were_dropped(tmp_path: Any) -> None:
    from deznity_assets.store.sql import SqlClientStore

    store = SqlClientStore(f"sqlite:///{tmp_path / 'd.db'}")
    slug = published_client(store)
    with ApiServer(store) as api, visitor(api, slug, Accept="application/json") as browser:
        answer = browser.post(api.form_url(slug, "contact"), json={**CONTACT, "is_admin": "1", "price": 0})
    assert answer.status_code == 201
    assert answer.json()["dropped"] == ["is_admin", "price"] and answer.json()["id"]
    assert json.loads(leads_of(store, slug)[0]["fields"]) == CONTACT


def test_invalid_fields_come_back_in_the_sites_language_escaped_and_kept(tmp_path: Any) -> None:
    from deznity_assets.store.sql import SqlClientStore

    store = SqlClientStore(f"sqlite:///{tmp_path / 'd.db'}")
    slug = published_client(store)  # TacoLoco, CDMX: a Spanish site
    bad = {
        "name": "<script>alert(1)</script>",
        "email": "not-an-email",
        "phone": "call me",
        "party_size": "400",
        "date": "2001-01-01",
        "time": "25:00",
    }
    with ApiServer(store) as api, visitor(api, slug) as browser:
        page = post(browser, api.form_url(slug, "reservation"), bad)
        as_json = browser.post(api.form_url(slug, "reservation"), json=bad, headers={"Accept": "application/json"})
    assert page.status_code == 422 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert '<html lang="es">' in html and "Revisa el formulario" in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    for field in ("email", "phone", "party_size", "date", "time"):
        assert f'id="e-{field}"' in html, field
    assert as_json.status_code == 422
    assert set(as_json.json()["errors"]) == {"email", "phone", "party_size", "date", "time"}
    assert leads_of(store, slug) == [] and leads_of(store, slug, spam=True) == []


def test_the_cart_add_button_shows_the_checkout_with_the_product(tmp_path: Any) -> None:
    from deznity_assets.store.sql import SqlClientStore

    store = SqlClientStore(f"sqlite:///{tmp_path / 'd.db'}")
    slug = published_client(store)
    with ApiServer(store) as api, visitor(api, slug) as browser:
        page = post(browser, api.form_url(slug, "cart"), {"intent": "add", "product": "Taco <al> pastor"})
    assert page.status_code == 200 and "Taco &lt;al&gt; pastor" in page.text
    assert 'name="intent" value="checkout"' in page.text and leads_of(store, slug) == []


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("unknown site", 404),
        ("unknown form", 404),
        ("unpublished client", 404),
        ("declared body too large", 413),
        ("streamed body too large", 413),
        ("multipart", 415),
        ("not utf-8", 400),
        ("json not an object", 400),
        ("foreign origin", 403),
        ("no origin nor referer", 403),
        ("zero-width space", 422),
        ("bidi override", 422),
        ("control character", 422),
        ("GET on a form", 405),
    ],
)
def test_hostile_requests_are_refused_and_nothing_is_stored(case: str, expected: int, tmp_path: Any) -> None:
    from deznity_assets.store.sql import SqlClientStore

    store = SqlClientStore(f"sqlite:///{tmp_path / 'd.db'}")
    slug = published_client(store)
    pending = store.add_client({**_brief("Pending Tacos")}).slug
    assert pending
    with ApiServer(store) as api, visitor(api, slug) as browser:
        url = api.form_url(slug, "contact")
        if case == "unknown site":
            answer = post(browser, api.form_url("nobody", "contact"), CONTACT)
        elif case == "unknown form":
            answer = post(browser, api.form_url(slug, "admin"), CONTACT)
        elif case == "unpublished client":
            answer = post(browser, api.form_url(pending, "contact"), CONTACT, headers={"Origin": site_origin(pending)})
        elif case == "declared body too large":
            # The header alone decides: the server answers at once, never waiting for the gigabyte.
            answer = _declared_only(url, slug, content_length=10**9)
        elif case == "streamed body too large":

            def chunks():
                for _ in range(100):
                    yield b"message=" + b"x" * 1000

            answer = browser.post(url, content=chunks(), headers={"Content-Type": "application/x-www-form-urlencoded"})
        elif case == "multipart":
            answer = browser.post(url, files={"file": ("a.txt", b"hi")}, data=CONTACT)
        elif case == "not utf-8":
            answer = browser.post(
                url, content=b"name=\xff\xfe", headers={"Content-Type": "application/x-www-form-urlencoded"}
            )
        elif case == "json not an object":
            answer = browser.post(url, content=b"[1, 2]", headers={"Content-Type": "application/json"})
        elif case == "foreign origin":
            answer = post(browser, url, CONTACT, headers={"Origin": "https://evil.example"})
        elif case == "no origin nor referer":
            bare = httpx.Client(cookies=browser.cookies, timeout=10)
            answer = post(bare, url, CONTACT)
        elif case == "zero-width space":
            answer = post(browser, url, {**CONTACT, "name": "Ana\u200bRuiz"})
        elif case == "bidi override":
            answer = post(browser, url, {**CONTACT, "message": "pay \u202eevil\u202c now"})
        elif case == "control character":
            answer = post(browser, url, {**CONTACT, "name": "Ana\x07"})
        else:
            answer = browser.get(url)
    assert answer.status_code == expected, answer.text
    assert leads_of(store, slug) == [] and leads_of(store, slug, spam=True) == []
    assert [e for e in store.events() if e["type"] == "lead.received"] == []


def test_a_referer_of_the_site_stands_for_a_missing_origin(tmp_path: Any) -> None:
    from deznity_assets.store.sql import SqlClientStore

    store = SqlClientStore(f"sqlite:///{tmp_path / 'd.db'}")
    slug = published_client(store)
    with ApiServer(store) as api, visitor(api, slug) as browser:
        browser.headers.pop("Origin")
        answer = post(browser, api.form_url(slug, "contact"), CONTACT, headers={"Referer": site_origin(slug) + "/book"})
    assert answer.status_code == 303 and len(leads_of(store, slug)) == 1


@pytest.mark.parametrize("trap", ["honeypot", "no fill mark", "too fast", "forged fill mark"])
def test_spam_is_kept_apart_answered_like_a_person_and_never_announced(trap: str, tmp_path: Any) -> None:
    from deznity_assets.store.sql import SqlClientStore

    store = SqlClientStore(f"sqlite:///{tmp_path / 'd.db'}")
    slug = published_client(store)
    with ApiServer(store, DEZNITY_API_MIN_FILL_SECONDS="2") as api:
        fields = dict(CONTACT)
        with contextlib.ExitStack() as stack:
            if trap == "honeypot":
                browser = stack.enter_context(visitor(api, slug))
                fields["website"] = "https://spam.example"
            elif trap == "too fast":
                browser = stack.enter_context(visitor(api, slug, wait=False))
            else:
                browser = stack.enter_context(httpx.Client(headers={"Origin": site_origin(slug)}, timeout=10))
                if trap == "forged fill mark":
                    browser.cookies.set(FILL_COOKIE, f"{slug}.{int(time.time()) - 3600}.{'0' * 32}")
            answer = post(browser, api.form_url(slug, "contact"), fields)
    assert answer.status_code == 303
    assert leads_of(store, slug) == []
    [spam] = leads_of(store, slug, spam=True)
    reason = {"honeypot": "honeypot", "no fill mark": "no_fill_mark", "too fast": "too_fast"}.get(trap, "no_fill_mark")
    assert spam["spam_reason"] == reason
    assert [e for e in store.events() if e["type"] == "lead.received"] == []


def test_the_fill_mark_is_not_reset_by_a_second_focus(tmp_path: Any) -> None:
    from deznity_assets.store.sql import SqlClientStore

    store = SqlClientStore(f"sqlite:///{tmp_path / 'd.db'}")
    slug = published_client(store)
    with ApiServer(store) as api, visitor(api, slug) as browser:
        first = browser.cookies.get(FILL_COOKIE)
        again = browser.get(api.form_url(slug, "started"))
        assert again.headers["content-type"] == "image/gif" and "set-cookie" not in again.headers
        assert browser.cookies.get(FILL_COOKIE) == first
        assert post(browser, api.form_url(slug, "contact"), CONTACT).status_code == 303


def test_rate_limits_answer_429_with_retry_after_per_address_and_per_site(tmp_path: Any) -> None:
    from deznity_assets.store.sql import SqlClientStore

    store = SqlClientStore(f"sqlite:///{tmp_path / 'd.db'}")
    slug = published_client(store)
    other = published_client(store, _brief("Other Tacos"))
    limits = {"DEZNITY_API_RATE_LIMIT_IP": "3/minute", "DEZNITY_API_RATE_LIMIT_SITE": "5/minute"}
    with ApiServer(store, **limits) as api:
        with visitor(api, slug, **{"X-Forwarded-For": "203.0.113.7"}) as one:
            codes = [post(one, api.form_url(slug, "newsletter"), {"email": f"a{i}@x.com"}) for i in range(4)]
        assert [c.status_code for c in codes] == [303, 303, 303, 429]
        assert 1 <= int(codes[-1].headers["retry-after"]) <= 60
        # Other addresses share the site's limit of 5: two more pass, then the site is full.
        site_codes = []
        for i in range(3):
            with visitor(api, slug, **{"X-Forwarded-For": f"198.51.100.{i}"}) as person:
                site_codes.append(post(person, api.form_url(slug, "newsletter"), {"email": f"b{i}@x.com"}).status_code)
        assert site_codes == [303, 303, 429]
        # Another site is not held back by this one's flood.
        with visitor(api, other, **{"X-Forwarded-For": "198.51.100.50"}) as person:
            assert post(person, api.form_url(other, "newsletter"), {"email": "c@x.com"}).status_code == 303
    assert len(leads_of(store, slug)) == 5 and len(leads_of(store, other)) == 1


def test_an_address_refused_is_taken_again_once_its_window_frees(tmp_path: Any) -> None:
    """The 429 answered from memory lasts exactly until the limiter's window has a free slot."""
    from deznity_assets.store.sql import SqlClientStore

    store = SqlClientStore(f"sqlite:///{tmp_path / 'd.db'}")
    slug = published_client(store)
    limits = {"DEZNITY_API_RATE_LIMIT_IP": "2/2seconds", "DEZNITY_API_MIN_FILL_SECONDS": "0"}
    address = {"X-Forwarded-For": "203.0.113.9"}
    with ApiServer(store, **limits) as api, visitor(api, slug, wait=False, **address) as one:
        url = api.form_url(slug, "newsletter")
        first = [post(one, url, {"email": f"w{i}@x.com"}) for i in range(5)]
        assert [a.status_code for a in first] == [303, 303, 429, 429, 429]
        wait = int(first[-1].headers["retry-after"])
        assert 1 <= wait <= 2
        time.sleep(wait + 0.2)
        assert post(one, url, {"email": "later@x.com"}).status_code == 303
        assert post(one, url, {"email": "again@x.com"}).status_code in (303, 429)
    assert len(leads_of(store, slug)) >= 3


def test_rate_limits_hold_across_replicas_through_redis(tmp_path: Any, redis_server: Any) -> None:
    from deznity_assets.store.sql import SqlClientStore

    store = SqlClientStore(f"sqlite:///{tmp_path / 'd.db'}")
    slug = published_client(store)
    shared = {
        "DEZNITY_REDIS_URL": redis_server.url,
        "DEZNITY_API_RATE_LIMIT_IP": "4/minute",
        "DEZNITY_API_VISITOR_KEY": "replicas-share-this-key",
    }
    with ApiServer(store, **shared) as one, ApiServer(store, **shared) as two:
        address = {"X-Forwarded-For": "192.0.2.44"}
        codes = []
        for i in range(6):
            api = (one, two)[i % 2]
            with visitor(api, slug, **address) as person:
                codes.append(post(person, api.form_url(slug, "newsletter"), {"email": f"r{i}@x.com"}).status_code)
    # The fill-mark requests do not count; the fifth submission, whichever replica takes it, is refused.
    assert codes == [303, 303, 303, 303, 429, 429]


def _declared_only(url: str, slug: str, *, content_length: int) -> httpx.Response:
    """A POST that declares `content_length` bytes and sends three; the answer read as it comes."""
    parts = httpx.URL(url)
    head = (
        f"POST {parts.raw_path.decode()} HTTP/1.1\r\nHost: {parts.host}:{parts.port}\r\n"
        f"Origin: {site_origin(slug)}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {content_length}\r\n\r\nx=1"
    )
    with socket.create_connection((parts.host, parts.port), timeout=5) as sock:
        sock.sendall(head.encode())
        data = sock.recv(65536)
    status = int(data.split(b" ", 2)[1])
    return httpx.Response(status, content=data.split(b"\r\n\r\n", 1)[-1])


def _brief(name: str) -> dict[str, Any]:
    from tests.plugins.site_api import TACO

    return {**TACO, "business_name": name}


def test_a_lead_survives_its_pooled_connection_being_killed(postgres_url: str) -> None:
    """PostgreSQL ends the API's connections (a restart, a failover): the next leads are stored, each once."""
    import psycopg

    from deznity_assets.store.sql import SqlClientStore
    from tests.plugins.postgres import libpq_url

    store = SqlClientStore(postgres_url)
    slug = published_client(store)
    with ApiServer(store) as api:
        with visitor(api, slug) as browser:
            assert post(browser, api.form_url(slug, "contact"), CONTACT).status_code == 303
        # Every connection but this one's, the API's pooled ones among them, is ended by the server.
        with psycopg.connect(libpq_url(postgres_url), autocommit=True) as admin:
            ended = admin.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            ).fetchone()
        assert ended and ended[0] >= 1
        with visitor(api, slug) as browser:
            answers = [post(browser, api.form_url(slug, "contact"), {**CONTACT, "name": f"N{i}"}) for i in range(3)]
    assert [a.status_code for a in answers] == [303, 303, 303]
    names = sorted(json.loads(lead["fields"])["name"] for lead in leads_of(store, slug))
    assert names == ["Ana Ruiz", "N0", "N1", "N2"]
    store.dispose()


def test_the_in_process_rate_limits_forget_addresses_once_their_window_passes() -> None:
    """Every address is a key: swept a slice at a time, and dropped once empty, so memory stays bounded."""
    from limits import parse, strategies

    from deznity_assets.site_api.app import SweptMemoryStorage

    memory = SweptMemoryStorage()
    limiter = strategies.MovingWindowRateLimiter(memory)
    per_second = parse("3/second")
    assert [limiter.hit(per_second, "ip", "one") for _ in range(4)] == [True, True, True, False]
    for n in range(2500):
        assert limiter.hit(per_second, "ip", f"visitor-{n}")
    assert len(memory.events) == 2501
    time.sleep(1.2)  # every window has passed
    assert limiter.hit(per_second, "ip", "one")  # the limit holds again, and the sweep starts
    deadline = time.monotonic() + 5
    while len(memory.events) > 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(memory.events) == 1 and len(memory.locks) <= 1
    assert [limiter.hit(per_second, "ip", "one") for _ in range(3)] == [True, True, False]

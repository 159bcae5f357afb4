"""The site API as an operator runs it: `deznity api` and `deznity preview` in subprocesses, Chromium filling
in every form type, the signed webhook, and a SIGKILL in the middle of a burst losing nothing acknowledged."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from deznity_assets.brief import reference_client
from deznity_assets.store.sql import SqlClientStore
from tests.plugins.platform import env_for
from tests.plugins.site_api import SITE_BASE, free_port, published_client, site_origin
from tests.servers.webhook_receiver import WebhookReceiver

DEZNITY = str(Path(sys.executable).parent / "deznity")
SECRET = "whsec-site-api-test"
OFFER = {"name": "Oat & honey soap", "price": "$8", "description": "Handmade with oats from our farm."}


def cli_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The process environment of a `deznity` subprocess on a temporary project folder."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DEZNITY_", "OPENAI", "OPENROUTER", "SUPABASE", "PINECONE", "DAGSTER_HOME"))
    }
    return {**env, **env_for(tmp_path), **extra}


def start_api(env: dict[str, str], cwd: Path) -> subprocess.Popen[str]:
    """`deznity api` in a subprocess, once its /healthz answers."""
    proc = subprocess.Popen([DEZNITY, "api"], env=env, cwd=cwd, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{env['DEZNITY_API_PORT']}/healthz"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise AssertionError(f"deznity api did not start: {proc.stderr.read() if proc.stderr else ''}")
        time.sleep(0.2)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """Three reference clients processed with DEZNITY_API_PUBLIC_URL set, the API running, a webhook receiver."""
    receiver = WebhookReceiver(secret=SECRET).start()
    port = free_port()
    env = cli_env(
        tmp_path,
        DEZNITY_API_PORT=str(port),
        DEZNITY_API_PUBLIC_URL=f"http://127.0.0.1:{port}",
        DEZNITY_API_MIN_FILL_SECONDS="1",
        DEZNITY_WEBHOOK_URLS=receiver.url,
        DEZNITY_WEBHOOK_SECRET=SECRET,
    )
    # GreenGlow with its catalogue (facts.offers), so that its products have buttons.
    shop = {**reference_client("greenglow"), "facts": {"offers": [OFFER]}}
    (tmp_path / "greenglow.json").write_text(json.dumps(shop))
    for args in (
        ["simulate-client", "tacoloco"],
        ["simulate-client", "techstart"],
        ["add-client", "--file", "greenglow.json"],
        ["autonomous", "--once"],
    ):
        done = subprocess.run([DEZNITY, *args], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
    api = start_api(env, tmp_path)
    previews: dict[str, str] = {}
    procs = [api]
    try:
        for slug in ("tacoloco", "greenglow", "techstart"):
            proc = subprocess.Popen(
                [DEZNITY, "preview", slug],
                env=env,
                cwd=tmp_path,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            procs.append(proc)
            assert proc.stdout is not None
            previews[slug] = proc.stdout.readline().strip()
            assert previews[slug].startswith("http://127.0.0.1:"), proc.stderr.read() if proc.stderr else ""
        yield {"env": env, "previews": previews, "receiver": receiver, "tmp": tmp_path}
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        receiver.stop()


def _fill_and_send(page: Any, form: str, values: dict[str, str], *, wait: float = 1.3) -> None:
    """Type into each field of the form (as a person: focus first), wait past the fill time, press its button."""
    scope = page.locator(f"form[action$='{form}']").first
    for name, value in values.items():
        scope.locator(f"[name='{name}']").fill(value)
    page.wait_for_timeout(int(wait * 1000))
    scope.locator("button[type=submit]").click()


def test_chromium_sends_every_form_type_through_preview_and_the_leads_arrive(
    served: dict[str, Any], chromium_browser: Any
) -> None:
    previews = served["previews"]
    store = SqlClientStore(served["env"]["DEZNITY_DATABASE_URL"])
    page = chromium_browser.new_page()
    origins: set[str] = set()
    page.on("request", lambda r: origins.add("/".join(r.url.split("/")[:3])))

    # TacoLoco: a reservation on /book, answered by the Spanish thank-you page.
    page.goto(previews["tacoloco"] + "book")
    today = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 86400))
    _fill_and_send(
        page,
        "/api/forms/reservation",
        {
            "name": "Ana <b>Ruiz</b>",
            "email": "ana@example.com",
            "phone": "+52 55 1234 5678",
            "party_size": "4",
            "date": today,
            "time": "20:30",
            "notes": "Cumpleaños",
        },
    )
    page.wait_for_url("**/thanks")
    assert page.locator("h1").inner_text() == "Gracias" and page.locator("html").get_attribute("lang") == "es"

    # The newsletter in the footer of any page.
    page.goto(previews["tacoloco"])
    _fill_and_send(page, "/api/forms/newsletter", {"email": "fan@example.com"})
    page.wait_for_url("**/thanks")

    # TechStart: the contact form; an address the browser lets through but that has no domain comes back
    # with the error, the text kept.
    page.goto(previews["techstart"] + "contact")
    _fill_and_send(page, "/api/forms/contact", {"name": "Bo", "email": "bo@localhost", "message": "Need a quote"})
    page.wait_for_selector(".form-errors")
    assert page.locator("#f-message").input_value() == "Need a quote"
    page.locator("#f-email").fill("bo@example.com")
    page.wait_for_timeout(200)
    page.locator("button[type=submit]").click()
    page.wait_for_url("**/thanks")

    # GreenGlow: a product's button shows the checkout with it; the order is the lead.
    page.goto(previews["greenglow"] + "products")
    product = page.locator("form.product-buy input[name=product]").first.get_attribute("value")
    assert product == OFFER["name"]
    page.locator("form.product-buy button").first.click()
    page.wait_for_selector("form[action='cart'] [name=address]")
    _fill_and_send(page, "cart", {"name": "Cy", "email": "cy@example.com", "address": "Calle 1"})
    page.wait_for_url("**/thanks")
    page.close()

    # Every request went to the site's own origin: the API is reached through the host's route.
    assert origins == {"/".join(p.split("/")[:3]) for p in previews.values()}
    leads = {slug: store.leads(slug=slug) for slug in previews}
    assert sorted(lead["form"] for lead in leads["tacoloco"]) == ["newsletter", "reservation"]
    reservation = next(json.loads(lead["fields"]) for lead in leads["tacoloco"] if lead["form"] == "reservation")
    assert reservation["name"] == "Ana <b>Ruiz</b>" and reservation["party_size"] == "4"
    assert [json.loads(lead["fields"])["email"] for lead in leads["techstart"]] == ["bo@example.com"]
    [order] = leads["greenglow"]
    assert json.loads(order["fields"]) == {
        "intent": "checkout",
        "product": product,
        "name": "Cy",
        "email": "cy@example.com",
        "address": "Calle 1",
    }
    assert all(store.leads(slug=slug, spam=True) == [] for slug in previews)

    # The next delivery pass announces each lead, signed.
    subprocess.run(
        [DEZNITY, "autonomous", "--once"],
        env=served["env"],
        cwd=served["tmp"],
        capture_output=True,
        timeout=300,
        check=True,
    )
    received = [e for e in served["receiver"].accepted if e["type"] == "lead.received"]
    assert len(received) == 4 and not served["receiver"].rejected
    assert {e["data"]["slug"] for e in received} == set(previews)


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a_sigkill_in_a_burst_loses_no_acknowledged_lead(backend: str, tmp_path: Path, request: Any) -> None:
    url = request.getfixturevalue("postgres_url") if backend == "postgres" else None
    port = free_port()
    env = cli_env(
        tmp_path,
        DEZNITY_API_PORT=str(port),
        DEZNITY_API_MIN_FILL_SECONDS="0",
        DEZNITY_API_RATE_LIMIT_IP="100000/minute",
        DEZNITY_API_RATE_LIMIT_SITE="100000/minute",
        DEZNITY_SITE_BASE_URL=SITE_BASE,
        **({"DEZNITY_DATABASE_URL": url} if url else {}),
    )
    store = SqlClientStore(env["DEZNITY_DATABASE_URL"])
    slug = published_client(store)
    api = start_api(env, tmp_path)
    target = f"http://127.0.0.1:{port}/sites/{slug}/api/forms/contact"
    acknowledged: list[tuple[str, str]] = []
    refused: list[int] = []
    failed = 0
    lock = threading.Lock()
    stop = threading.Event()

    def send() -> None:
        nonlocal failed
        with httpx.Client(headers={"Origin": site_origin(slug), "Accept": "application/json"}, timeout=5) as client:
            while not stop.is_set():
                marker = uuid.uuid4().hex
                body = {"name": "Burst", "email": "b@example.com", "message": marker}
                try:
                    answer = client.post(target, json=body)
                except httpx.HTTPError:
                    with lock:
                        failed += 1
                    return
                if answer.status_code == 201:
                    with lock:
                        acknowledged.append((answer.json()["id"], marker))
                else:
                    refused.append(answer.status_code)

    threads = [threading.Thread(target=send) for _ in range(50)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 30
    while len(acknowledged) < 100 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(api.pid, signal.SIGKILL)
    api.wait(timeout=10)
    stop.set()
    for thread in threads:
        thread.join(timeout=10)
    assert refused == [] and len(acknowledged) >= 100 and failed > 0  # the kill cut requests in flight
    stored = store.leads(slug=slug)
    by_id = {lead["id"]: json.loads(lead["fields"])["message"] for lead in stored}
    assert len(by_id) == len(stored)  # once each
    for lead_id, marker in acknowledged:
        assert by_id.get(lead_id) == marker  # every 201 is a committed lead
    events = [json.loads(e["payload"])["lead_id"] for e in store.events() if e["type"] == "lead.received"]
    assert sorted(events) == sorted(by_id)  # and each stored lead has its one event

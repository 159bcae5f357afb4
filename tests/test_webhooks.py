"""Webhooks: the outbox each status change writes, signed delivery with retries to a real receiver, Slack, CLI."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

import dagster as dg
import pytest

from deznity_assets.brief import REFERENCE_CLIENTS
from deznity_assets.resources import WebhookResource
from deznity_assets.runner import process_pending
from deznity_assets.store import utcnow
from deznity_assets.webhooks import deliver_due, parse_endpoints, send_test, sign, verify_signature
from deznity_assets.webhooks.doctor import check_webhooks
from deznity_assets.webhooks.formats import slack_text
from deznity_assets.webhooks.signing import SignatureError
from tests.plugins.platform import env_for
from tests.servers.webhook_receiver import WebhookReceiver

SECRET = "whsec-canary-7f3a9c21d8e4b6"
TACO = REFERENCE_CLIENTS[4]
DEZNITY = str(Path(sys.executable).parent / "deznity")


def hooks(*urls: str, secret: str = SECRET, **limits) -> WebhookResource:
    """Settings for tests: short timeout, no backoff wait unless asked."""
    return WebhookResource(
        urls=",".join(urls), secret=secret, **{"timeout_seconds": 0.5, "backoff_seconds": 0, **limits}
    )


def drain(store, settings, output_dir, passes: int = 20):
    """Delivery passes until the outbox is empty (each a sensor tick's worth)."""
    for _ in range(passes):
        deliver_due(store, settings, output_dir)
        if not store.pending_events(1000):
            return
    raise AssertionError(f"events still pending after {passes} passes: {store.pending_events(1000)}")


def assert_exactly_once_in_order(receiver: WebhookReceiver, store) -> None:
    events = store.events()
    ids = [e["id"] for e in receiver.accepted]
    assert sorted(ids) == sorted(str(e["id"]) for e in events) and len(ids) == len(set(ids))
    seq = {str(e["id"]): e["seq"] for e in events}
    per_client = defaultdict(list)
    for event in receiver.accepted:
        per_client[event["data"]["client_id"]].append(seq[event["id"]])
    assert all(order == sorted(order) for order in per_client.values()), per_client


def assert_no_secret(store, *texts: str) -> None:
    dumped = json.dumps([store.events(), store.deliveries()], default=str)
    for text in (dumped, *texts):
        assert SECRET not in text
        assert "slacktoken" not in text


# ----- signing and endpoints -------------------------------------------------------------------


def test_signature_verifies_and_refuses_wrong_secret_tampering_and_replays():
    body = b'{"id":"e1"}'
    header = sign(SECRET, body)
    assert verify_signature(SECRET, body, header) > 0
    with pytest.raises(SignatureError, match="another secret"):
        verify_signature("not-the-secret", body, header)
    with pytest.raises(SignatureError, match="changed body"):
        verify_signature(SECRET, b'{"id":"e2"}', header)
    old = sign(SECRET, body, timestamp=int(utcnow().timestamp()) - 301)
    with pytest.raises(SignatureError, match="older than 300"):
        verify_signature(SECRET, body, old)
    with pytest.raises(SignatureError, match="t=<unix seconds>"):
        verify_signature(SECRET, body, "v1=abc")


def test_endpoint_names_carry_no_secret():
    endpoints, problems = parse_endpoints(
        [
            "https://user:pw@crm.example.com/hooks/deznity?token=abc",
            "slack+https://hooks.slack.com/services/T0/B0/slacktoken",
            "ftp://nope",
            "https://crm.example.com/plain",
        ]
    )
    labels = [e.label for e in endpoints]
    assert labels[0].startswith("https://crm.example.com/hooks/deznity#") and "pw" not in labels[0]
    assert "abc" not in labels[0]
    assert labels[1].startswith("slack+https://hooks.slack.com/…#") and "slacktoken" not in labels[1]
    assert labels[2] == "https://crm.example.com/plain"
    assert [e.slack for e in endpoints] == [False, True, False]
    assert len(problems) == 1 and "DEZNITY_WEBHOOK_URLS" in problems[0] and "ftp" not in problems[0]
    assert "slacktoken" not in repr(endpoints)


def test_slack_text_is_one_line():
    data = {
        "slug": "tacoloco",
        "business_name": "TacoLoco",
        "qa_score": 96.0,
        "links": {"site": "output/tacoloco/site/index.html"},
    }
    assert (
        slack_text("client.completed", data)
        == "TacoLoco (tacoloco): completed, QA 96 — output/tacoloco/site/index.html"
    )
    failed = slack_text("client.failed", {"slug": "x", "business_name": "X <b>", "reason": "color: bad\nsecond line"})
    assert failed == "X &lt;b&gt; (x): failed — color: bad second line"


# ----- the outbox on every backend ------------------------------------------------------------


def test_each_status_change_writes_one_event(client_store):
    row = client_store.add_client(TACO)
    assert client_store.events() == []
    client_store.claim_pending(5)
    client_store.start_project(row.slug, run_id="run-1", attempt=1)
    client_store.update_project("run-1", qa_score=96.0)
    client_store.mark_in_progress(row.slug, run_id="run-1")  # already in progress: no event
    client_store.mark_completed(row.slug, run_id="run-1")
    client_store.mark_completed(row.slug, run_id="run-1")  # no change: no event
    client_store.requeue(row.slug, reason="rework")
    client_store.claim_client(row.slug)
    client_store.mark_failed(row.slug, "color: not a colour")
    events = client_store.events()
    assert [e["type"] for e in events] == [
        "client.claimed",
        "client.completed",
        "client.retried",
        "client.claimed",
        "client.failed",
    ]
    payloads = [json.loads(e["payload"]) for e in events]
    assert payloads[1]["qa_score"] == 96.0 and payloads[1]["run_id"] == "run-1"
    assert payloads[1]["business_name"] == "TacoLoco" and payloads[1]["slug"] == "tacoloco"
    assert [p["attempt"] for p in payloads] == [1, 1, 2, 2, 2]
    assert payloads[2]["reason"] == "rework" and payloads[4]["reason"] == "color: not a colour"
    assert len({e["id"] for e in events}) == 5 and all(not e["done"] for e in events)


def test_retries_500_and_timeouts_then_delivers_each_event_once_in_order(client_store, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    first, second = client_store.add_client(TACO), client_store.add_client(REFERENCE_CLIENTS[0])
    client_store.claim_pending(5)
    client_store.mark_completed(first.slug, run_id=None)
    client_store.mark_failed(second.slug, "boom")
    with WebhookReceiver(SECRET, sleep_seconds=1.0) as receiver:
        # The first client's claim: 500, then a timeout, then accepted; its completion must wait.
        receiver.plan = ["500", "ok", "ok", "sleep"]
        settings = hooks(receiver.url, max_attempts=5)
        report = deliver_due(client_store, settings, tmp_path)
        # Pass 1: first's claim gets 500 and its completion waits behind it; second's two events go.
        assert (report.delivered, report.retrying) == (2, 1)
        assert [e["type"] for e in receiver.accepted] == ["client.claimed", "client.failed"]
        drain(client_store, settings, tmp_path)
    assert_exactly_once_in_order(receiver, client_store)
    attempts = client_store.deliveries()
    label = parse_endpoints([receiver.url])[0][0].label
    assert {a["endpoint"] for a in attempts} == {label}
    failed = [a for a in attempts if a["outcome"] == "retry"]
    assert [a["status_code"] for a in failed] == [500, None]
    assert "timeout" in failed[1]["error"] and failed[0]["next_attempt_at"] is not None
    assert [a["attempt"] for a in attempts if a["event_id"] == failed[0]["event_id"]] == [1, 2, 3]
    assert len([a for a in attempts if a["outcome"] == "delivered"]) == 4
    assert all(e["done"] for e in client_store.events())
    bodies = [r["body"] for r in receiver.requests]
    assert_no_secret(client_store, caplog.text, *bodies)


def test_backoff_waits_and_gives_up_after_max_attempts(store, tmp_path):
    row = store.add_client(TACO)
    store.claim_pending(1)
    with WebhookReceiver(SECRET) as receiver:
        receiver.plan = ["429", "500", "500"]
        settings = hooks(receiver.url, backoff_seconds=60, max_attempts=3)
        now = utcnow()
        deliver_due(store, settings, tmp_path, now=now)
        deliver_due(store, settings, tmp_path, now=now + timedelta(seconds=30))  # not due yet
        assert len(receiver.requests) == 1
        deliver_due(store, settings, tmp_path, now=now + timedelta(seconds=61))
        second = store.deliveries()[-1]
        assert second["attempt"] == 2
        # Exponential: 60 s after the first failure, 120 s after the second.
        assert (
            abs(
                (
                    second["next_attempt_at"].replace(tzinfo=None) - (now + timedelta(seconds=181)).replace(tzinfo=None)
                ).total_seconds()
            )
            < 1
        )
        deliver_due(store, settings, tmp_path, now=now + timedelta(seconds=200))
    assert [(d["status_code"], d["outcome"]) for d in store.deliveries()] == [
        (429, "retry"),
        (500, "retry"),
        (500, "gave_up"),
    ]
    assert store.pending_events(10) == [] and receiver.accepted == []
    assert row.slug


def test_wrong_secret_is_rejected_by_the_receiver_and_given_up_at_once(store, tmp_path):
    row = store.add_client(TACO)
    store.claim_pending(1)
    with WebhookReceiver("the-receivers-own-secret") as receiver:
        report = deliver_due(store, hooks(receiver.url), tmp_path)
    assert receiver.rejected == ["signature mismatch"] and receiver.accepted == []
    (attempt,) = store.deliveries()
    assert (attempt["status_code"], attempt["outcome"], report.gave_up) == (401, "gave_up", 1)
    assert "signature mismatch" in attempt["error"] and row.slug


def test_slack_endpoint_gets_one_line_with_client_status_qa_and_site(store, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    row = store.add_client(TACO)
    store.claim_pending(1)
    store.start_project(row.slug, run_id="r1", attempt=1)
    store.update_project("r1", qa_score=96.0)
    store.mark_completed(row.slug, run_id="r1")
    with WebhookReceiver(slack=True) as slack:
        # No secret needed: Slack verifies nothing.
        drain(store, hooks(f"slack+{slack.url}", secret=""), tmp_path / "output")
    site = tmp_path / "output" / "tacoloco" / "site" / "index.html"
    assert [m["text"] for m in slack.accepted] == [
        "TacoLoco (tacoloco): in progress (attempt 1)",
        f"TacoLoco (tacoloco): completed, QA 96 — {site}",
    ]
    assert "Deznity-Signature" not in slack.requests[0]["headers"]
    assert_no_secret(store, caplog.text)


def test_no_endpoint_means_no_backlog_and_a_missing_secret_keeps_events_waiting(store, tmp_path):
    store.add_client(TACO)
    store.claim_pending(1)
    report = deliver_due(store, WebhookResource(), tmp_path)
    assert report.finished_events == 1 and store.pending_events(10) == []
    store.requeue("tacoloco")
    with WebhookReceiver(SECRET) as receiver:
        waiting = deliver_due(store, hooks(receiver.url, secret=""), tmp_path)
        assert "DEZNITY_WEBHOOK_SECRET" in waiting.warnings[0] and receiver.requests == []
        assert len(store.pending_events(10)) == 1
        drain(store, hooks(receiver.url), tmp_path)
    assert [e["type"] for e in receiver.accepted] == ["client.retried"]


# ----- real clients, the sensor, the CLI ----------------------------------------------------------


def _sensor_tick(platform, instance):
    sensor = platform.definitions.resolve_sensor_def("webhook_delivery_sensor")
    with dg.build_sensor_context(
        instance_ref=instance.get_ref(), definitions=platform.definitions, resources=platform.resources
    ) as context:
        return sensor.evaluate_tick(context)


def test_real_clients_success_and_failure_reach_the_receiver_through_the_sensor(platform, store, instance, caplog):
    caplog.set_level(logging.DEBUG)
    good = store.add_client(TACO)
    bad = store.insert_raw({"business_name": "Bad Colour", "color": "not-a-colour", "industry": "retail"})
    dead = WebhookReceiver(SECRET).start()
    dead_url = dead.url
    dead.stop()  # nothing listens there any more: connection refused
    with WebhookReceiver(SECRET, sleep_seconds=1.0) as receiver:
        receiver.plan = ["500", "sleep"]
        platform = platform.with_resources(webhooks=hooks(receiver.url, dead_url, max_attempts=4))
        outcomes, rejected = process_pending(platform)  # ends with one delivery pass
        assert [o.status for o in outcomes] == ["completed"] and [r.id for r in rejected] == [bad.id]
        for _ in range(10):
            result = _sensor_tick(platform, instance)
            assert result.run_requests == [] and "webhooks:" in (result.skip_message or "")
            if not store.pending_events(100):
                break
    assert_exactly_once_in_order(receiver, store)
    by_client = defaultdict(list)
    for event in receiver.accepted:
        by_client[event["data"]["client_id"]].append(event["type"])
    # A row typed without a slug is named after its claim: client_id is the key that never changes.
    assert by_client[good.id] == ["client.claimed", "client.completed"]
    assert by_client[bad.id] == ["client.claimed", "client.failed"]
    completed = next(e for e in receiver.accepted if e["type"] == "client.completed")["data"]
    assert completed["qa_score"] is not None and completed["links"]["site"].endswith("tacoloco/site/index.html")
    failed = next(e for e in receiver.accepted if e["type"] == "client.failed")["data"]
    assert "color" in failed["reason"]
    dead_label = parse_endpoints([dead_url])[0][0].label
    refused = [d for d in store.deliveries() if d["endpoint"] == dead_label]
    assert refused and all(d["status_code"] is None and "ConnectError" in d["error"] for d in refused)
    assert {d["outcome"] for d in refused} == {"retry", "gave_up"}
    codes = [d["status_code"] for d in store.deliveries() if d["endpoint"] != dead_label]
    assert 500 in codes and None in codes
    assert_no_secret(store, caplog.text, *[r["body"] for r in receiver.requests])
    assert good.slug == "tacoloco"


def test_sensor_never_raises_on_a_broken_store(platform, instance, tmp_path):
    from deznity_assets.resources import ClientStoreResource

    broken = ClientStoreResource(database_url="postgresql+psycopg://nobody@127.0.0.1:1/none")
    platform = platform.with_resources(store=broken, webhooks=hooks("http://127.0.0.1:1/x"))
    result = _sensor_tick(platform, instance)
    assert result.skip_message.startswith("webhook delivery failed: ")


def test_cli_webhooks_test_and_the_endpoint_check_doctor_runs(tmp_path):
    env = {**env_for(tmp_path), "DEZNITY_WEBHOOK_SECRET": SECRET, "PATH": "/usr/bin:/bin"}
    import os

    env["PYTHONPATH"] = os.environ.get("PYTHONPATH", "")
    with (
        WebhookReceiver(SECRET) as good,
        WebhookReceiver("another-secret") as wrong,
        WebhookReceiver(slack=True) as slack,
    ):
        ok = subprocess.run(
            [DEZNITY, "webhooks", "test", good.url], env=env, capture_output=True, text=True, timeout=120
        )
        assert ok.returncode == 0, ok.stderr
        assert "HTTP 200" in ok.stdout and "received" in ok.stdout
        assert good.accepted[0]["type"] == "webhook.test"
        refused = subprocess.run(
            [DEZNITY, "webhooks", "test", wrong.url], env=env, capture_output=True, text=True, timeout=120
        )
        assert refused.returncode == 1 and "HTTP 401" in refused.stdout and "signature mismatch" in refused.stdout
        for proc in (ok, refused):
            assert SECRET not in proc.stdout + proc.stderr
        checks = check_webhooks(hooks(good.url, wrong.url, f"slack+{slack.url}"))
    assert [c[0] for c in checks] == [True, False, True]
    assert good.accepted[-1]["type"] == "webhook.ping" and slack.accepted == []
    assert "DEZNITY_WEBHOOK_SECRET" in checks[1][2]
    assert all(SECRET not in c[2] and "slacktoken" not in c[2] for c in checks)


def test_send_test_needs_a_secret_for_signed_endpoints():
    with pytest.raises(ValueError, match="DEZNITY_WEBHOOK_SECRET"):
        send_test("https://crm.example.com/hooks", "", timeout=1)
    with pytest.raises(ValueError, match="http"):
        send_test("crm.example.com", SECRET, timeout=1)


# ----- one endpoint down: the others do not wait ---------------------------------------------------


def status_changes(store, clients: int) -> list:
    """`clients` new clients, each claimed, completed and sent back to pending: 3 events apiece."""
    rows = [store.add_client({**TACO, "business_name": f"Shop {n}"}) for n in range(clients)]
    assert len(store.claim_pending(clients)) == clients
    for row in rows:
        store.mark_completed(row.slug, run_id=None)
    for row in rows:
        store.requeue(row.slug, reason="rework")
    assert len(store.events()) == 3 * clients
    return rows


def test_a_dead_endpoint_delays_only_itself(client_store, tmp_path):
    from deznity_assets.webhooks.backlog import endpoint_states
    from deznity_assets.webhooks.delivery import REQUESTS_PER_PASS, WINDOW

    status_changes(client_store, 100)  # 300 status changes
    with WebhookReceiver(SECRET) as healthy, WebhookReceiver(SECRET) as dead:
        dead.otherwise = "500"  # for the whole test
        settings = hooks(healthy.url, dead.url, backoff_seconds=60, max_attempts=8)
        dead_label = parse_endpoints([dead.url])[0][0].label
        passes, dead_requests = 0, []
        while len(healthy.accepted) < 300 and passes < 20:
            before = len(dead.requests)
            report = deliver_due(client_store, settings, tmp_path)
            passes += 1
            dead_requests.append(len(dead.requests) - before)
    # The healthy endpoint had every event, each once, in order per client, in as many passes as its
    # share of the requests needs: the dead one took at most two requests a pass, then sat out.
    assert_exactly_once_in_order(healthy, client_store)
    assert passes <= -(-300 // (REQUESTS_PER_PASS - 2)), passes
    assert all(n <= 2 for n in dead_requests) and sum(dead_requests) >= passes
    # The dead one: nothing delivered, nothing given up yet, all 300 owed and at most a window open.
    assert dead.accepted == [] and report.gave_up == 0
    assert client_store.webhook_backlog(dead_label) == (300, 0)
    assert len(client_store.owed_webhook_events(dead_label, 1000)) <= WINDOW
    assert f"{dead_label} failing since" in report.summary() and "300 waiting" in report.summary()
    states = {s["endpoint"]: s for s in endpoint_states(client_store, settings)}
    assert states[dead_label]["failing_since"] is not None and states[dead_label]["waiting"] == 300
    assert "failing since" in states[dead_label]["text"] and "HTTP 500" in states[dead_label]["text"]
    healthy_state = states[parse_endpoints([healthy.url])[0][0].label]
    assert healthy_state["ok"] and healthy_state["text"].endswith("up to date")
    # No event is done while the dead endpoint owes it.
    assert len(client_store.pending_events(1000)) == 300


def test_given_up_events_are_kept_and_sent_again(client_store, tmp_path):
    rows = status_changes(client_store, 4)  # 12 events
    with WebhookReceiver(SECRET) as crm:
        crm.otherwise = "500"
        settings = hooks(crm.url, max_attempts=2)
        label = parse_endpoints([crm.url])[0][0].label
        drain(client_store, settings, tmp_path, passes=40)
        assert crm.accepted == [] and client_store.webhook_backlog(label) == (0, 12)
        gave_up = [d for d in client_store.deliveries() if d["outcome"] == "gave_up"]
        assert len(gave_up) == 12 and {d["attempt"] for d in gave_up} == {2}
        # Only those given up since a time: none after now, all since before the test.
        assert client_store.redeliver_webhook_events(label, since=utcnow() + timedelta(minutes=1)) == 0
        crm.otherwise = "ok"  # the CRM is back
        assert client_store.redeliver_webhook_events(label, since=utcnow() - timedelta(hours=1)) == 12
        assert client_store.webhook_backlog(label) == (12, 0)
        drain(client_store, settings, tmp_path)
    assert_exactly_once_in_order(crm, client_store)
    assert {e["data"]["client_id"] for e in crm.accepted} == {r.id for r in rows}
    # The first round's attempts stay in the log; the new round counts from 1.
    log = client_store.deliveries()
    assert len([d for d in log if d["outcome"] == "gave_up"]) == 12
    assert len([d for d in log if d["outcome"] == "delivered" and d["attempt"] == 1]) == 12
    assert client_store.webhook_backlog(label) == (0, 0)
    (state,) = client_store.webhook_endpoints()
    assert state["failing_since"] is None and (state["waiting"], state["given_up"]) == (0, 0)


def test_an_endpoint_added_later_gets_the_events_still_open_not_the_past(store, tmp_path):
    status_changes(store, 2)  # 6 events, closed: no endpoint was configured
    deliver_due(store, WebhookResource(), tmp_path)
    assert store.pending_events(100) == []
    with WebhookReceiver(SECRET) as first, WebhookReceiver(SECRET) as later:
        store.claim_pending(1)
        drain(store, hooks(first.url), tmp_path)
        assert [e["type"] for e in first.accepted] == ["client.claimed"]
        store.mark_failed("shop-0", "boom")
        drain(store, hooks(first.url, later.url), tmp_path)
    assert [e["type"] for e in first.accepted] == ["client.claimed", "client.failed"]
    assert [e["type"] for e in later.accepted] == ["client.failed"]


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_cli_shows_a_failing_endpoint_and_redelivers(backend, tmp_path, request):
    import os

    from deznity_assets.portfolio import first_page
    from deznity_assets.store import SqlClientStore

    env = {**env_for(tmp_path), "DEZNITY_WEBHOOK_SECRET": SECRET, "PATH": "/usr/bin:/bin"}
    env["PYTHONPATH"] = os.environ.get("PYTHONPATH", "")
    if backend == "postgres":
        env["DEZNITY_DATABASE_URL"] = request.getfixturevalue("postgres_url")
    store = SqlClientStore(env["DEZNITY_DATABASE_URL"])

    def deznity(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([DEZNITY, *args], env=env, capture_output=True, text=True, timeout=120)

    try:
        status_changes(store, 2)
        with WebhookReceiver(SECRET) as healthy, WebhookReceiver(SECRET) as crm:
            crm.otherwise = "500"
            token_url = f"{crm.url}?token=crm-token-9f2"  # a URL with a secret in its query
            env["DEZNITY_WEBHOOK_URLS"] = f"{healthy.url},{token_url}"
            settings = hooks(healthy.url, token_url, max_attempts=2)
            label = parse_endpoints([token_url])[0][0].label
            drain(store, settings, tmp_path, passes=40)
            shown = deznity("webhooks", "deliveries", "--limit", "3")
            assert shown.returncode == 0, shown.stderr
            lines = shown.stdout.splitlines()
            assert lines[0] == f"ok       {parse_endpoints([healthy.url])[0][0].label}: up to date"
            assert lines[1].startswith(f"FAILING  {label}: failing since ")
            assert ", 0 waiting, 6 given up (send them again: deznity webhooks redeliver --endpoint" in lines[1]
            assert "HTTP 500" in lines[1] and len(lines) == 5
            ok, _, detail = check_webhooks(settings, store)[-1]
            assert not ok and detail == lines[1].removeprefix("FAILING  ")
            html = first_page(tmp_path, store, {})
            assert "Webhooks failing" in html and "failing since" in html and "6 given up" in html

            wrong = deznity("webhooks", "redeliver", "--endpoint", "https://example.com/?token=typo-secret")
            assert wrong.returncode == 1 and "--endpoint names no configured endpoint" in wrong.stderr
            assert "typo-secret" not in wrong.stderr and repr(label) in wrong.stderr
            bad_time = deznity("webhooks", "redeliver", "--endpoint", label, "--since", "yesterday")
            assert bad_time.returncode == 1 and "--since: 'yesterday' is not a time" in bad_time.stderr
            later = (utcnow() + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
            none = deznity("webhooks", "redeliver", "--endpoint", label, "--since", later)
            assert (
                none.returncode == 0
                and none.stdout.strip() == f"{label}: no events given up since {later.replace('T', ' ')} UTC"
            )
            crm.otherwise = "ok"
            # The URL itself names the endpoint too (and is not echoed).
            again = deznity("webhooks", "redeliver", "--endpoint", token_url)
            assert again.returncode == 0, again.stderr
            assert again.stdout.startswith(f"{label}: 6 events given up will be sent again by the next delivery pass")
            drain(store, settings, tmp_path)
            shown = deznity("webhooks", "deliveries")
        assert len(crm.accepted) == 6 and [e["type"] for e in healthy.accepted].count("webhook.ping") == 1
        assert len(healthy.accepted) == 7  # six events and the ping of the doctor's check
        assert f"ok       {label}: up to date" in shown.stdout.splitlines()
        html = first_page(tmp_path, store, {})
        assert "Webhooks failing" not in html
        for proc in (shown, wrong, bad_time, none, again):
            assert "crm-token-9f2" not in proc.stdout + proc.stderr and SECRET not in proc.stdout + proc.stderr
    finally:
        store.dispose()


def test_dashboard_lists_a_failing_endpoint_escaped_and_on_a_phone(store, tmp_path, chromium_browser):
    from deznity_assets.portfolio import first_page

    label = parse_endpoints(["https://crm.example.com/hooks/a-rather-long-path-for-a-phone-screen?token=t0k"])[0][0]
    store.start_webhook_endpoint(label.label)
    since = utcnow() - timedelta(hours=3)
    error = "HTTP 503: <script>alert(1)</script> maintenance"
    values = {"failing_since": since, "waiting": 57, "given_up": 3, "last_error": error}
    store.update_webhook_endpoint(label.label, values)
    page_file = tmp_path / "index.html"
    page_file.write_text(first_page(tmp_path, store, {}), "utf-8")
    html = page_file.read_text("utf-8")
    assert "<script" not in html and "&lt;script&gt;" in html and "t0k" not in html
    page = chromium_browser.new_page(viewport={"width": 375, "height": 800})
    try:
        page.goto(page_file.as_uri())
        shown = page.locator("ul.webhooks li").inner_text()
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 375
    finally:
        page.close()
    assert shown.startswith(f"{label.label}: failing since {since:%Y-%m-%d %H:%M} UTC, 57 waiting, 3 given up")
    assert "<script>alert(1)</script>" in shown  # shown as text, not run


def test_a_database_from_before_per_endpoint_state_sends_nothing_twice(client_store, tmp_path):
    status_changes(client_store, 1)  # claimed, completed, retried
    first, second, third = (str(e["id"]) for e in client_store.events())
    with WebhookReceiver(SECRET) as crm:
        label = parse_endpoints([crm.url])[0][0].label
        # What the attempt log of an older version holds: the first event delivered, the second
        # tried twice and due again, the third never tried. No endpoint state, no queue yet.
        attempt = {"endpoint": label, "status_code": 200, "error": None, "duration_ms": 3}
        now = utcnow()
        client_store.record_delivery(
            {**attempt, "event_id": first, "attempt": 1, "outcome": "delivered", "attempted_at": now}
        )
        for number in (1, 2):
            retry = {"attempt": number, "outcome": "retry", "status_code": 500, "next_attempt_at": now}
            client_store.record_delivery({**attempt, **retry, "event_id": second, "attempted_at": now})
        assert client_store.webhook_endpoints() == []
        drain(client_store, hooks(crm.url, max_attempts=5), tmp_path)
    assert [e["id"] for e in crm.accepted] == [second, third]
    numbers = [(d["event_id"], d["attempt"]) for d in client_store.deliveries() if d["outcome"] == "delivered"]
    assert sorted(numbers) == sorted([(first, 1), (second, 3), (third, 1)])


def test_the_latest_deliveries_are_read_without_reading_them_all(client_store, tmp_path):
    status_changes(client_store, 2)
    with WebhookReceiver(SECRET) as crm:
        drain(client_store, hooks(crm.url), tmp_path)
    everything = client_store.deliveries()
    assert len(everything) == 6
    assert [d["id"] for d in client_store.deliveries(latest=4)] == [d["id"] for d in everything[-4:]]

"""End to end: a traffic simulator with a cookie jar per visitor, through `deznity preview` and the site API.

Two published clients share the same rendered site: on one, B's visitors reserve at twice A's rate;
on the other, both variants convert alike. The preview splits as the edge does and reports each
enrolled view to the running site API with the site's token; reservations carry the edge's cookie.
A CLI pass then evaluates the experiments in Dagster: the first is decided for B, recorded and
announced by a signed `experiment.decided` webhook; the second is still undecided after the same traffic.
"""

from __future__ import annotations

import json
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import uvicorn

from deznity_assets.deliverables import RenderedSite
from deznity_assets.deploy import build_deploy_config
from deznity_assets.experiments import edge
from deznity_assets.resources import WebhookResource
from deznity_assets.runner import evaluate_experiments_now
from deznity_assets.site_api.preview import HostConfig, preview_app
from deznity_assets.webhooks import deliver_due
from tests.plugins.lead_rows import published_client
from tests.plugins.site_api import TACO, ApiServer, free_port, utc_today
from tests.servers.webhook_receiver import WebhookReceiver

KEY = "e2e-experiments-key-" + "x" * 32
SECRET = "whsec-experiments-e2e"
HUMAN = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
# 1,000 visitors a client; A reserves at 35 %, B at 70 % on the first client: the mSPRT interval of
# B - A (about ±0.23 at 500 a variant) clears 0 by about four standard errors.
VISITORS = 1000
RATES = {"a": 0.35, "b": 0.7}
RESERVATION = {
    "name": "Ana",
    "email": "ana@example.com",
    "phone": "+52 55 1234 5678",
    "party_size": "2",
    "date": utc_today(),
    "time": "20:30",
    "website": "",
}


class Served:
    """An ASGI app under uvicorn on a free port of 127.0.0.1, in a thread."""

    def __init__(self, app) -> None:
        self.port = free_port()
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", access_log=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            assert time.monotonic() < deadline, "the preview did not start"
            time.sleep(0.02)
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def preview_of(tmp: Path, site: RenderedSite, slug: str, api_url: str) -> Served:
    """`deznity preview` of a package whose bundle was made with experiments on and the site API's address."""
    config = build_deploy_config(
        slug=slug,
        site=site,
        base_url=f"https://{slug}.example",
        hero_variants=["a", "b"],
        api_public_url=api_url,
        experiments=True,
        experiments_key=KEY,
    )
    assert edge.read_exposure(config.files[edge.VERCEL_FILE]) is not None
    for folder, files in (("site", site.files), ("deploy", config.files)):
        for name, text in files.items():
            (tmp / slug / folder / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp / slug / folder / name).write_text(text)
    host = HostConfig.read(tmp / slug / "deploy" / "vercel.json", site=tmp / slug / "site")
    assert host.exposure_token and host.api_destination == f"{api_url}/sites/{slug}/api/"
    return Served(preview_app(tmp / slug / "site", host, api_destination=host.api_destination))


def visit(url: str, n: int, rates: dict[str, float], seed: int) -> tuple[str, bool]:
    """One visitor with a cookie jar: the home page (some twice), then a reservation at their variant's rate."""
    draw = random.Random(seed * 100_003 + n)
    with httpx.Client(base_url=url, headers={"user-agent": HUMAN}, timeout=20) as browser:
        first = browser.get("/")
        assert first.status_code == 200
        variant = browser.cookies["dz_ab"].split(".")[0]
        if n % 5 == 0:
            assert browser.get("/").status_code == 200  # a second view: the same visitor, not counted again
        converts = draw.random() < rates[variant]
        if converts:
            sent = browser.post("/api/forms/reservation", data=RESERVATION, headers={"origin": url})
            assert sent.status_code == 303, sent.text
    return variant, converts


def simulate(url: str, rates: dict[str, float], seed: int) -> dict[str, dict[str, int]]:
    """VISITORS visitors, eight at a time; what they did per variant."""
    out = {v: {"visitors": 0, "conversions": 0} for v in ("a", "b")}
    with ThreadPoolExecutor(8) as pool:
        for variant, converted in pool.map(lambda n: visit(url, n, rates, seed), range(VISITORS)):
            out[variant]["visitors"] += 1
            out[variant]["conversions"] += int(converted)
    return out


def test_b_at_twice_the_rate_is_decided_and_announced_alike_variants_stay_undecided(
    platform, store, instance, tacoloco_site: RenderedSite, tmp_path: Path
) -> None:
    from deznity_assets.defs.partitions import CLIENTS

    better = published_client(store, TACO)
    alike = published_client(store, {**TACO, "business_name": "Taco Twin"})
    instance.add_dynamic_partitions(CLIENTS, [better.slug, alike.slug])
    limits = {"DEZNITY_API_RATE_LIMIT_IP": "1000000/minute", "DEZNITY_API_RATE_LIMIT_SITE": "1000000/minute"}
    started = time.monotonic()
    with ApiServer(store, DEZNITY_EXPERIMENTS_KEY=KEY, DEZNITY_API_MIN_FILL_SECONDS="0", **limits) as api:
        with preview_of(tmp_path, tacoloco_site, better.slug, api.url) as url:
            did_better = simulate(url, RATES, seed=1)
        with preview_of(tmp_path, tacoloco_site, alike.slug, api.url) as url:
            did_alike = simulate(url, {"a": 0.35, "b": 0.35}, seed=2)
    seconds = time.monotonic() - started
    print(f"traffic: {2 * VISITORS} visitors in {seconds:.1f} s")

    # What the store counted is what the visitors did: one exposure each, one conversion per reservation.
    for client, did in ((better, did_better), (alike, did_alike)):
        [experiment] = store.experiments_of(client.slug)
        assert store.experiment_counts([experiment["id"]])[experiment["id"]] == did, client.slug
        variants = sorted(str(lead["variant"]) for lead in store.leads(slug=client.slug))
        assert variants == sorted(v for v in ("a", "b") for _ in range(did[v]["conversions"]))

    # A CLI pass evaluates both in Dagster (the experiment asset and its checks) and records one decision.
    assert evaluate_experiments_now(platform, instance) == sorted([better.slug, alike.slug])
    [decided] = store.experiments_of(better.slug)
    assert decided["status"] == "decided" and decided["winner"] == "b" and decided["decision"] == "b_better"
    assert decided["figures"]["interval"][0] > 0 and decided["figures"]["srm"] is False
    [running] = store.experiments_of(alike.slug)
    assert running["status"] == "running" and running["winner"] is None
    assert [e["id"] for e in store.pending_experiment_decisions()] == [decided["id"]]

    # The decision leaves through the signed outbox (the leads' own events are not this test's: set aside).
    store.finish_events([e["id"] for e in store.events() if e["type"] == "lead.received"])
    with WebhookReceiver(SECRET) as receiver:
        settings = WebhookResource(urls=receiver.url, secret=SECRET, timeout_seconds=5.0, backoff_seconds=0)
        deliver_due(store, settings, tmp_path / "output")
    [event] = [e for e in receiver.accepted if e["type"] == "experiment.decided"]
    assert receiver.rejected == []
    assert event["data"]["slug"] == better.slug and event["data"]["winner"] == "b"
    assert event["data"]["figures"]["b"]["visitors"] == did_better["b"]["visitors"]
    print(json.dumps({"seconds": round(seconds, 1), "better": did_better, "alike": did_alike}))

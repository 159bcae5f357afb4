"""Live deployment end to end: whole client runs (offline agents, SQLite) publishing to local servers that speak
Vercel's and Netlify's deploy APIs, their failures, and `deznity retry` resuming from the deployment step."""

from __future__ import annotations

import hashlib
import json

import dagster as dg
import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from deznity_assets.brief import REFERENCE_CLIENTS
from deznity_assets.cli import main as cli
from deznity_assets.control.resume import RESUME_TAG
from deznity_assets.control.review import decide
from deznity_assets.flow import FLOW, resume_assets
from deznity_assets.platform import Platform
from deznity_assets.portfolio import client_overview
from deznity_assets.resources import HostingResource
from deznity_assets.runner import process_pending, process_reviews
from deznity_assets.store.schema import clients
from deznity_assets.webhooks.formats import slack_text
from tests.plugins.platform import REGULATED_BRIEF as DENTAL
from tests.plugins.platform import on_vercel
from tests.servers.netlify_api import NetlifyApi
from tests.servers.vercel_api import VercelApi
from tests.test_secrets import _leaks

TOKEN = "vrcl-tok-5d0c7e2a9b41"  # searched for everywhere the platform writes
TACO = REFERENCE_CLIENTS[4]
SLUG = "tacoloco"
BEFORE_DEPLOYMENT = [a for step in FLOW[: [s.name for s in FLOW].index("deployment")] for a in step.assets]


@pytest.fixture
def instance(platform: Platform) -> dg.DagsterInstance:
    """The project's own Dagster instance: the one `process_pending` runs on."""
    return platform.instance()


@pytest.fixture
def vercel(monkeypatch: pytest.MonkeyPatch):
    """A Vercel API on 127.0.0.1 for a team, the token in VERCEL_TOKEN."""
    monkeypatch.setenv("VERCEL_TOKEN", TOKEN)
    with VercelApi(TOKEN, team_id="team_agency", builds=2) as server:
        yield server


@pytest.fixture
def netlify(monkeypatch: pytest.MonkeyPatch):
    """A Netlify API on 127.0.0.1, the token in NETLIFY_AUTH_TOKEN."""
    monkeypatch.setenv("NETLIFY_AUTH_TOKEN", TOKEN)
    with NetlifyApi(TOKEN, builds=2) as server:
        yield server


def _on_netlify(platform: Platform, server: NetlifyApi) -> Platform:
    hosting = HostingResource(
        netlify_token=dg.EnvVar("NETLIFY_AUTH_TOKEN"), netlify_api_url=server.base_url, poll_seconds=0.02
    )
    return platform.with_resources(hosting=hosting)


def _process(platform: Platform, expected: str = "completed"):
    outcomes, rejected = process_pending(platform)
    assert not rejected and [o.status for o in outcomes] == [expected], outcomes
    return outcomes[0]


def _count(instance: dg.DagsterInstance, asset: str, slug: str = SLUG) -> int:
    records = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=dg.AssetKey(asset), asset_partitions=[slug]), limit=100
    ).records
    return len(records)


def _counts(instance: dg.DagsterInstance, slug: str = SLUG) -> dict[str, int]:
    return {asset: _count(instance, asset, slug) for step in FLOW for asset in step.assets}


def _live_metadata(instance: dg.DagsterInstance, slug: str = SLUG) -> dict[str, dg.MetadataValue]:
    [record] = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=dg.AssetKey("live_site"), asset_partitions=[slug]), limit=1
    ).records
    return dict(record.asset_materialization.metadata)


def _sha1(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def _status_json(platform: Platform) -> dict[str, dict]:
    """`deznity status --json`, run in this process on the platform's environment."""
    result = CliRunner().invoke(cli, ["status", "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return {e["slug"]: e for e in json.loads(result.output)}


def _assert_token_nowhere(platform: Platform, instance: dg.DagsterInstance) -> None:
    """The token in no file of the state and output folders (SQLite unpacked), no run log, no store row."""
    state = platform.settings.state_path
    assert _leaks(state, platform.output_dir, needle=TOKEN) == []
    for run in instance.get_runs():
        assert TOKEN not in repr(instance.all_logs(run.run_id)), run.run_id
    store = platform.store
    rows = [store.events(), *(store.activities(r.id) for r in store.list_clients()), store.list_clients()]
    assert TOKEN not in repr(rows)


# ----- Vercel -----------------------------------------------------------------------------------


def test_vercel_publishes_production_and_hero_b_preview_and_the_url_is_recorded_everywhere(
    platform: Platform, instance: dg.DagsterInstance, vercel: VercelApi
) -> None:
    platform = on_vercel(platform, vercel.base_url)
    platform.control.add_client(TACO)
    _process(platform)

    production, preview = vercel.created()
    site = platform.output_dir / SLUG / "site"
    assert production["target"] == "production" and preview["target"] is None  # no target: a preview
    assert production["files"]["index.html"] == _sha1((site / "index.html").read_text("utf-8"))
    assert production["files"]["vercel.json"] == _sha1(
        (platform.output_dir / SLUG / "deploy" / "vercel.json").read_text()
    )
    # Variant B's hero is the preview's home page; the rest of the site is the same files.
    assert preview["files"]["index.html"] == _sha1((site / "index-b.html").read_text("utf-8"))
    assert {k: v for k, v in preview["files"].items() if k != "index.html"} == {
        k: v for k, v in production["files"].items() if k != "index.html"
    }
    # Every file was sent once, by digest, with the headers the API documents; the preview sent none.
    uploads = vercel.seen("POST", "/v2/files")
    assert sorted(vercel.uploads) == sorted(set(production["files"].values()))
    for request in uploads:
        assert request.headers["x-vercel-digest"] == hashlib.sha1(request.body).hexdigest()
        assert int(request.headers["content-length"]) == len(request.body)
    assert all(r.headers["authorization"] == f"Bearer {TOKEN}" for r in vercel.requests)
    assert all(r.query.get("teamId") == "team_agency" for r in vercel.requests)
    creations = vercel.seen("POST", "/v13/deployments")
    assert [r.status for r in creations] == [400, 200, 200]  # missing_files, then created; the preview at once
    polls = [r for r in vercel.seen("GET", "/v13/deployments/") if r.path.endswith(production["id"])]
    assert len(polls) == 3  # BUILDING, BUILDING, READY

    live_url, preview_url = "https://tacoloco.vercel.app", f"https://{preview['url']}"
    status = _status_json(platform)[SLUG]
    assert status["status"] == "completed"
    assert (status["live_url"], status["preview_url"]) == (live_url, preview_url)
    summary = (platform.output_dir / SLUG / "BOOTSTRAP_SUMMARY.md").read_text("utf-8")
    assert f"| Live site | <{live_url}> (Vercel); hero B preview: <{preview_url}> |" in summary
    assert f"Check the live site at {live_url}" in summary
    [entry] = client_overview(platform.output_dir, platform.store)
    assert (entry["live_url"], entry["preview_url"]) == (live_url, preview_url)
    assert f'<a href="{live_url}" rel="noopener">Live site</a>' in (platform.output_dir / "index.html").read_text(
        "utf-8"
    )
    metadata = _live_metadata(instance)
    assert metadata["live_url"] == dg.MetadataValue.url(live_url)
    assert metadata["preview_url"] == dg.MetadataValue.url(preview_url)
    row = platform.store.get(SLUG)
    project = platform.store.latest_live_project(row.id)
    assert (project["live_url"], project["preview_url"], project["run_id"]) == (live_url, preview_url, row.run_id)
    [event] = [e for e in platform.store.events() if e["type"] == "client.deployed"]
    payload = json.loads(event["payload"])
    assert (payload["live_url"], payload["preview_url"], payload["provider"]) == (live_url, preview_url, "vercel")
    types = [e["type"] for e in platform.store.events()]
    assert types.index("client.deployed") < types.index("client.completed")
    _assert_token_nowhere(platform, instance)


def test_redeploying_unchanged_content_uploads_nothing(
    platform: Platform, instance: dg.DagsterInstance, vercel: VercelApi
) -> None:
    platform = on_vercel(platform, vercel.base_url)
    platform.control.add_client(TACO)
    _process(platform)
    sent = len(vercel.uploads)
    # A completed client retried makes everything again: the same pages, the same digests.
    [row] = platform.control.retry(slugs=[SLUG], instance=instance)
    assert row.resume_from is None
    _process(platform)
    assert len(vercel.uploads) == sent  # Vercel had every file: not one byte sent again
    assert len(vercel.created()) == 4 and [r.status for r in vercel.seen("POST", "/v13/deployments")][-2:] == [200, 200]
    assert platform.store.get(SLUG).attempt == 2


def test_a_refused_token_fails_only_the_deployment_step_with_vercels_message(
    platform: Platform, instance: dg.DagsterInstance, vercel: VercelApi
) -> None:
    platform = on_vercel(platform, vercel.base_url)
    # As Vercel answers a revoked token; a careless server might even quote the header back.
    vercel.fail(401, {"error": {"code": "forbidden", "message": "The token is not valid ({auth})"}}, times=99)
    platform.control.add_client(TACO)
    outcome = _process(platform, expected="failed")

    assert outcome.error.startswith("deployment: Vercel refused the token (401) when asked to create the deployment")
    assert "forbidden: The token is not valid (Bearer ***)" in outcome.error and "check VERCEL_TOKEN" in outcome.error
    assert len(vercel.requests) == 1  # refused once, not retried, and the step was not re-run
    counts = _counts(instance)
    assert all(counts[a] == 1 for a in BEFORE_DEPLOYMENT), counts
    assert counts["live_site"] == counts["bootstrap_summary"] == counts["client_package"] == 0
    stats = {s.step_key: s.status.value for s in instance.get_run_step_stats(outcome.run_id)}
    assert stats.pop("deployment") == "FAILURE" and set(stats.values()) == {"SUCCESS"}, stats
    assert not (platform.output_dir / SLUG / "BOOTSTRAP_SUMMARY.md").exists()
    assert _status_json(platform)[SLUG]["live_url"] is None
    _assert_token_nowhere(platform, instance)


def test_429_is_retried_after_its_retry_after(platform: Platform, instance: dg.DagsterInstance, vercel: VercelApi):
    platform = on_vercel(platform, vercel.base_url)
    vercel.fail(
        429, {"error": {"code": "rate_limited", "message": "Too many requests"}}, path="/v2/files", retry_after="1"
    )
    platform.control.add_client(TACO)
    _process(platform)
    first, second = vercel.seen("POST", "/v2/files")[:2]
    assert (first.status, second.status) == (429, 200)
    assert first.headers["x-vercel-digest"] == second.headers["x-vercel-digest"]  # the same file, again
    assert second.at - first.at >= 0.95  # Retry-After: 1 was honoured
    assert _status_json(platform)[SLUG]["live_url"] == "https://tacoloco.vercel.app"


def test_a_deployment_ending_in_error_fails_the_step_and_retry_resumes_from_it(
    platform: Platform, instance: dg.DagsterInstance, vercel: VercelApi
) -> None:
    platform = on_vercel(platform, vercel.base_url)
    vercel.outcome = "ERROR"
    platform.control.add_client(TACO)
    failed = _process(platform, expected="failed")
    assert (
        failed.error
        == "deployment: Vercel deployment dpl_1 ended ERROR: Build failed: the static output could not be written"
    )
    before = _counts(instance)
    sent = len(vercel.uploads)

    result = CliRunner().invoke(cli, ["retry", SLUG], catch_exceptions=False)
    assert "pending  tacoloco (attempt 2, resumes from deployment)" in result.output, result.output
    assert platform.store.get(SLUG).resume_from == "deployment"
    vercel.outcome = "READY"
    resumed = _process(platform)

    after = _counts(instance)
    # Only the deployment step and what follows it ran again; the agents before it did not.
    assert {a: after[a] - before[a] for a in after} == {
        **dict.fromkeys(BEFORE_DEPLOYMENT, 0),
        "deploy_config": 1,
        "support_kit": 1,
        "live_site": 1,
        "bootstrap_summary": 1,
        "client_package": 1,
    }
    run = instance.get_run_by_id(resumed.run_id)
    assert run.tags[RESUME_TAG] == "deployment"
    assert {k.to_user_string() for k in run.asset_selection} == set(resume_assets("deployment"))
    row = platform.store.get(SLUG)
    assert (row.status, row.attempt, row.resume_from, row.run_id) == ("completed", 2, None, resumed.run_id)
    assert len(vercel.uploads) == sent  # the failed deployment had sent every file already
    assert (platform.output_dir / SLUG / "BOOTSTRAP_SUMMARY.md").exists()
    assert _status_json(platform)[SLUG]["live_url"] == "https://tacoloco.vercel.app"


def test_a_brief_changed_after_the_retry_runs_every_step(
    platform: Platform, instance: dg.DagsterInstance, vercel: VercelApi
) -> None:
    platform = on_vercel(platform, vercel.base_url)
    vercel.outcome = "ERROR"
    platform.control.add_client(TACO)
    _process(platform, expected="failed")
    [row] = platform.control.retry(slugs=[SLUG], instance=instance)
    assert row.resume_from == "deployment"
    # Someone fixes the brief in the table before the claim: the stored deliverables no longer fit.
    with platform.store.engine.begin() as conn:
        conn.execute(sa.update(clients).where(clients.c.slug == SLUG).values(goal="more weekend bookings"))
    vercel.outcome = "READY"
    outcome = _process(platform)
    assert RESUME_TAG not in instance.get_run_by_id(outcome.run_id).tags
    # Everything made twice, but what the failed deployment stopped the first time.
    once = {"live_site": 1, "bootstrap_summary": 1, "client_package": 1}
    assert _counts(instance) == {**dict.fromkeys(_counts(instance), 2), **once}


def test_a_regulated_client_is_deployed_only_after_approval(
    platform: Platform, instance: dg.DagsterInstance, vercel: VercelApi
) -> None:
    platform = on_vercel(platform, vercel.base_url)
    platform.control.add_client(DENTAL)
    _process(platform, expected="needs_review")
    assert vercel.requests == []  # held at the gate: nothing reached Vercel
    assert _count(instance, "live_site", "sonrisa-clara") == 0
    assert _status_json(platform)["sonrisa-clara"]["live_url"] is None

    decide(platform.control, "sonrisa-clara", decision="approved", reviewer="dr-ana", reason="claims checked")
    [outcome] = process_reviews(platform, instance)
    assert outcome.status == "completed", outcome.error
    assert [d["target"] for d in vercel.created()] == ["production", None]
    assert _status_json(platform)["sonrisa-clara"]["live_url"] == "https://sonrisa-clara.vercel.app"


def test_without_a_token_only_the_bundle_is_made(platform: Platform, instance: dg.DagsterInstance) -> None:
    platform.control.add_client(TACO)
    _process(platform)
    assert _live_metadata(instance)["live"].value.startswith("not deployed: set VERCEL_TOKEN or NETLIFY_AUTH_TOKEN")
    assert (platform.output_dir / SLUG / "deploy" / "vercel.json").exists()
    summary = (platform.output_dir / SLUG / "BOOTSTRAP_SUMMARY.md").read_text("utf-8")
    assert "| Live site | not deployed (no VERCEL_TOKEN or NETLIFY_AUTH_TOKEN) |" in summary
    assert _status_json(platform)[SLUG]["live_url"] is None
    assert not [e for e in platform.store.events() if e["type"] == "client.deployed"]


# ----- Netlify ----------------------------------------------------------------------------------


def test_netlify_uploads_only_required_files_and_drafts_hero_b(
    platform: Platform, instance: dg.DagsterInstance, netlify: NetlifyApi
) -> None:
    platform = _on_netlify(platform, netlify)
    platform.control.add_client(TACO)
    _process(platform)

    production, draft = netlify.created()
    [site] = netlify.sites.values()
    assert site["name"] == "deznity-tacoloco" and site["published_deploy"] == production["id"]
    assert (production["draft"], draft["draft"]) == (False, True)
    assert "/netlify.toml" in production["files"] and "/vercel.json" not in production["files"]
    pages = platform.output_dir / SLUG / "site"
    assert draft["files"]["/index.html"] == _sha1((pages / "index-b.html").read_text("utf-8"))
    # Only what Netlify required was sent, once per digest; the draft required nothing new.
    assert (
        sorted(netlify.uploads) == sorted({digest: path for path, digest in production["files"].items()}.values())
        and draft["required"] == []
    )
    for request in netlify.seen("PUT", "/api/v1/deploys/"):
        assert request.headers["content-type"] == "application/octet-stream"
    status = _status_json(platform)[SLUG]
    assert status["live_url"] == "https://deznity-tacoloco.netlify.app"
    assert status["preview_url"] == f"https://{draft['id']}--deznity-tacoloco.netlify.app"
    assert _live_metadata(instance)["live_url"] == dg.MetadataValue.url(status["live_url"])

    sent = len(netlify.uploads)
    platform.control.retry(slugs=[SLUG], instance=instance)
    _process(platform)
    assert len(netlify.uploads) == sent and netlify.created()[-2]["required"] == []  # nothing new to send
    assert [r.path for r in netlify.seen("POST")].count("/api/v1/sites") == 1  # found again, not made again
    _assert_token_nowhere(platform, instance)


def test_a_netlify_deploy_in_error_fails_the_deployment_step(
    platform: Platform, instance: dg.DagsterInstance, netlify: NetlifyApi
) -> None:
    platform = _on_netlify(platform, netlify)
    netlify.outcome = "error"
    platform.control.add_client(TACO)
    outcome = _process(platform, expected="failed")
    assert outcome.error == (
        "deployment: Netlify deploy d0001 ended in error: Deploy did not succeed: the files could not be processed"
    )
    assert _count(instance, "live_site") == 0 and _count(instance, "website") == 1


def test_a_deployment_is_one_slack_line_with_its_live_url() -> None:
    data = {"business_name": "TacoLoco", "slug": "tacoloco", "live_url": "https://tacoloco.vercel.app"}
    assert slack_text("client.deployed", data) == "TacoLoco (tacoloco): live — https://tacoloco.vercel.app"


def test_the_pending_sensor_requests_a_resumed_retry_for_its_steps_only(
    platform: Platform, instance: dg.DagsterInstance, vercel: VercelApi
) -> None:
    platform = on_vercel(platform, vercel.base_url)
    vercel.outcome = "ERROR"
    platform.control.add_client(TACO)
    _process(platform, expected="failed")
    platform.control.retry(slugs=[SLUG], instance=instance)
    sensor = platform.definitions.resolve_sensor_def("pending_clients_sensor")
    with dg.build_sensor_context(
        instance_ref=instance.get_ref(), definitions=platform.definitions, resources=platform.resources
    ) as context:
        [request] = sensor.evaluate_tick(context).run_requests
    assert request.partition_key == SLUG and request.tags[RESUME_TAG] == "deployment"
    assert request.run_key.startswith("tacoloco:attempt-2:claim-")
    assert [k.to_user_string() for k in request.asset_selection] == resume_assets("deployment")


def test_with_experiments_on_vercel_gets_the_edge_split_and_netlify_stays_on_a(
    platform: Platform, instance: dg.DagsterInstance, vercel: VercelApi, netlify: NetlifyApi
) -> None:
    current = platform.resources["output"]
    output = type(current)(**{**{k: getattr(current, k) for k in type(current).model_fields}, "experiments": True})
    published = on_vercel(platform, vercel.base_url).with_resources(output=output)
    published.control.add_client(TACO)
    _process(published)
    bundle = platform.output_dir / SLUG / "deploy"
    middleware = (bundle / "middleware.js").read_text("utf-8")
    assert (bundle / "netlify" / "edge-functions" / "ab-split.js").is_file()
    production, _preview = vercel.created()
    # The middleware sits at the deployment's root, sent by digest like every file.
    assert production["files"]["middleware.js"] == _sha1(middleware)
    assert _sha1(middleware) in vercel.uploads
    assert "x-middleware-rewrite" in middleware and '"/": "/index-b"' in middleware
    steps = (bundle / "DEPLOY.md").read_text("utf-8")
    assert "A/B split at the edge" in steps

    # The same client on Netlify: its file digest API cannot carry the edge function, so none is sent.
    on_netlify = _on_netlify(platform, netlify).with_resources(output=output)
    on_netlify.control.retry(slugs=[SLUG], instance=instance)
    _process(on_netlify)
    netlify_production = netlify.created()[0]
    assert not any("edge-functions" in path or path == "/middleware.js" for path in netlify_production["files"])

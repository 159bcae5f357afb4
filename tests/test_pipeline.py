"""The whole asset graph for real clients, in process on a real Dagster instance."""

from __future__ import annotations

import json

import dagster as dg
import pytest

from deznity_assets.brief import REFERENCE_CLIENTS, slugify
from deznity_assets.definitions import JOB_NAME
from deznity_assets.runner import run_client

PHASE_FILES = [
    "results/client_analysis/pm",
    "results/client_analysis/strat",
    "results/web_development/web",
    "results/web_development/ux",
    "results/content_creation/seo",
    "results/content_creation/mkt",
    "results/testing_validation/qa-functional",
    "results/testing_validation/qa-seo-performance",
    "results/deployment/web",
    "results/deployment/support",
]


def _process(store, platform, instance, brief):
    row = store.add_client(brief)
    claimed = store.claim_client(row.slug)
    return run_client(claimed, platform, instance)


@pytest.mark.parametrize("brief", REFERENCE_CLIENTS, ids=lambda b: b["business_name"])
def test_reference_client_completes_with_full_package(brief, platform, store, instance):
    outcome = _process(store, platform, instance, brief)
    assert outcome.status == "completed", outcome.error
    slug = slugify(brief["business_name"])
    folder = platform.output_dir / slug
    for stem in PHASE_FILES:
        assert (folder / f"{stem}.md").read_text().startswith("# ")
        json.loads((folder / f"{stem}.json").read_text())
    parsed = json.loads((folder / "brief.json").read_text())
    assert parsed["business_name"] == brief["business_name"]
    for page in parsed["pages"]:
        name = "index.html" if page == "home" else f"{page}.html"
        assert (folder / "site" / name).exists(), name
    for name in (
        "site/sitemap.xml",
        "site/robots.txt",
        "qa/QA_REPORT.md",
        "deploy/vercel.json",
        "deploy/netlify.toml",
        "deploy/manifest.json",
        "BOOTSTRAP_SUMMARY.md",
        "marketing/KIT.md",
    ):
        assert (folder / name).exists(), name
    report = json.loads((folder / "qa" / "report.json").read_text())
    assert report["score"] >= 90
    summary = (folder / "BOOTSTRAP_SUMMARY.md").read_text()
    assert "offline generator" in summary and "QA score" in summary and "client_analysis" in summary
    assert "- `project_plan`: SOP" in summary  # the house knowledge each agent was given
    assert not list(platform.output_dir.glob(".staging-*"))

    row = store.get(slug)
    assert row.run_id == outcome.run_id and row.last_error is None
    project = store.project_for_run(outcome.run_id)
    assert project["status"] == "completed" and project["qa_score"] == report["score"]
    agents = {a["agent"] for a in store.activities(slug)}
    assert {"pm", "strat", "web", "ux", "seo", "mkt", "qa", "support"} <= agents
    assert len(store.tasks_for_run(outcome.run_id)) == 10  # the ten agent tasks of the five phases

    event = instance.get_latest_materialization_event(dg.AssetKey("bootstrap_summary"))
    meta = event.asset_materialization.metadata
    assert meta["qa_score"].value == report["score"]
    assert meta["pages"].value >= len(parsed["pages"])  # plus the B variant, 404 and blog posts
    website = instance.get_latest_materialization_event(dg.AssetKey("website")).asset_materialization.metadata
    assert website["words"].value > 200
    plan = instance.get_latest_materialization_event(dg.AssetKey("project_plan")).asset_materialization.metadata
    assert plan["provider"].value == "offline" and "duration_s" in plan
    assert (platform.output_dir / "index.html").read_text().count(slug) >= 1


def test_rematerializing_replaces_the_package_whole(platform, store, instance):
    first = _process(store, platform, instance, REFERENCE_CLIENTS[4])
    folder = platform.output_dir / "tacoloco"
    (folder / "stale-from-an-old-run.txt").write_text("old")
    row = store.claim_client("tacoloco")
    second = run_client(row, platform, instance)
    assert second.status == "completed" and second.run_id != first.run_id
    assert not (folder / "stale-from-an-old-run.txt").exists()
    assert second.run_id in (folder / "BOOTSTRAP_SUMMARY.md").read_text()
    assert sorted(p.name for p in platform.output_dir.iterdir() if p.name.startswith(".")) == []


def test_blocking_qa_failure_fails_the_client_with_checks_named(platform, store, instance, monkeypatch):
    import deznity_assets.defs.assets.website as website_module

    real_render = website_module.render_site

    def broken_render(*args, **kwargs):
        site = real_render(*args, **kwargs)
        files = dict(site.files)
        files["index.html"] = files["index.html"].replace("</main>", '<a href="missing-page.html">x</a></main>')
        return site.model_copy(update={"files": files})

    monkeypatch.setattr(website_module, "render_site", broken_render)
    outcome = _process(store, platform, instance, REFERENCE_CLIENTS[2])
    assert outcome.status == "failed"
    assert "QA blocking checks failed" in outcome.error and "links_resolve" in outcome.error
    assert "missing-page.html" in outcome.error
    assert "failed" in (platform.output_dir / "index.html").read_text()  # the portfolio shows it
    assert not (platform.output_dir / "techstart").exists()  # nothing half-written
    project = store.project_for_run(outcome.run_id)
    assert project["status"] == "failed" and "links_resolve" in project["blockers"]


def test_manual_run_of_an_invalid_row_fails_with_the_field(platform, store, instance):
    store.insert_raw(
        {
            "business_name": "Bad Colour",
            "slug": "bad-colour",
            "industry": "saas",
            "goal": "g",
            "color": "not-a-colour",
            "copy_tone": "fun",
            "target_geo": "Global",
            "pages": "home",
            "budget": "starter",
        }
    )
    instance.add_dynamic_partitions("clients", ["bad-colour"])
    job = platform.definitions.resolve_job_def(JOB_NAME)
    result = job.execute_in_process(partition_key="bad-colour", instance=instance, raise_on_error=False)
    assert not result.success
    platform.control.write_back(instance, instance.get_run_by_id(result.run_id))  # what the failure sensor does
    row = store.get("bad-colour")
    assert row.status == "failed"
    assert row.last_error.startswith("client_brief: invalid brief: color:")
    assert "#RRGGBB" in row.last_error


def test_manual_run_of_a_pending_client_claims_and_completes_it(platform, store, instance):
    """A UI materialization or backfill (no Deznity tags) goes through the same lifecycle."""
    store.add_client(REFERENCE_CLIENTS[0])
    instance.add_dynamic_partitions("clients", ["fittrack"])
    job = platform.definitions.resolve_job_def(JOB_NAME)
    result = job.execute_in_process(partition_key="fittrack", instance=instance)
    assert store.get("fittrack").status == "in_progress"  # claimed by the run itself
    assert platform.control.write_back(instance, instance.get_run_by_id(result.run_id)) == "completed"
    assert platform.control.write_back(instance, instance.get_run_by_id(result.run_id)) is None  # idempotent
    assert store.get("fittrack").status == "completed"


def test_deliverables_are_kept_as_typed_json_and_reload_for_a_partial_run(platform, store, instance):
    from pathlib import Path

    _process(store, platform, instance, REFERENCE_CLIENTS[4])
    stored = Path(instance.storage_directory()) / "deliverables" / "seo_copy" / "tacoloco.json"
    payload = json.loads(stored.read_text())
    assert payload["model"] == "SeoCopy" and payload["data"]["schema_type"] == "Restaurant"
    # Re-render the site alone: its inputs load from the JSON the full run left.
    job = platform.definitions.resolve_job_def(JOB_NAME)
    result = job.execute_in_process(
        partition_key="tacoloco", instance=instance, asset_selection=[dg.AssetKey("website")]
    )
    assert result.success
    assert store.get("tacoloco").status == "completed"  # a partial run does not touch the lifecycle
    stored.write_text(json.dumps({"model": "os.system", "data": {}}))
    bad = job.execute_in_process(
        partition_key="tacoloco", instance=instance, raise_on_error=False, asset_selection=[dg.AssetKey("website")]
    )
    assert not bad.success  # an unknown stored type is refused, never imported

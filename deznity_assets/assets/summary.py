"""The bootstrap_summary asset: the executive summary, and the whole package written to output/<slug>/."""

import json
from datetime import datetime, timezone
from typing import Any

import dagster as dg
from pydantic import BaseModel

from .. import progress
from ..agents.roster import AGENTS
from ..brief import ClientBrief
from ..deliverables import (
    BootstrapSummary, DeployConfig, DesignSystem, MarketAnalysis, MarketingContent, ProjectPlan, QAReport,
    RenderedSite, SeoCopy, SiteStructure, SupportKit,
)
from ..deploy import manifest_json
from ..package import publish_package
from ..portfolio import rebuild_portfolio
from ..reports import deliverable_markdown, md_text, render_markdown
from ..resources import AgentProviderResource, ClientStoreResource, OutputResource
from .partitions import clients_partitions

# (phase, file stem, asset) for results/<phase>/<agent>.md and .json
RESULT_FILES = [
    ("client_analysis", "pm", "project_plan"),
    ("client_analysis", "strat", "market_analysis"),
    ("web_development", "web", "site_structure"),
    ("web_development", "ux", "design_system"),
    ("content_creation", "seo", "seo_copy"),
    ("content_creation", "mkt", "marketing_content"),
    ("testing_validation", "qa-functional", "functional_qa"),
    ("testing_validation", "qa-seo-performance", "seo_performance_qa"),
    ("deployment", "web", "deploy_config"),
    ("deployment", "support", "support_kit"),
]
# Steps of the graph, in order, with the agents that work in them (for time per phase).
STEPS = [
    ("intake", "client_brief", "-"),
    ("client_analysis", "client_analysis", "Gantt, Atlas"),
    ("web_development", "web_development", "Flow, Lense"),
    ("content_creation", "content_creation", "Quill, Buzz"),
    ("website", "website", "Flow"),
    ("testing_validation", "testing_validation", "Bugz"),
    ("deployment", "deployment", "Flow, Help"),
]
STEP_ASSET = {
    "client_brief": "client_brief", "client_analysis": "project_plan", "web_development": "site_structure",
    "content_creation": "seo_copy", "website": "website", "testing_validation": "functional_qa",
    "deployment": "deploy_config",
}


def _json(model: BaseModel | dict[str, Any]) -> str:
    data = model.model_dump(mode="json") if isinstance(model, BaseModel) else model
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _step_seconds(instance: dg.DagsterInstance, slug: str, step_key: str) -> float | None:
    """Wall time of the step that last materialized this step's asset for the client."""
    records = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=dg.AssetKey(STEP_ASSET[step_key]), asset_partitions=[slug]), limit=1,
    ).records
    if not records:
        return None
    for stats in instance.get_run_step_stats(records[0].run_id, step_keys=[step_key]):
        if stats.start_time and stats.end_time:
            return round(stats.end_time - stats.start_time, 3)
    return None


def _usage_totals(instance: dg.DagsterInstance, slug: str) -> dict[str, Any]:
    """Tokens, cost, cache hits and retries over the agent deliverables' latest materializations."""
    totals: dict[str, Any] = {"tokens": 0, "cost": 0.0, "calls": 0, "cached": 0, "retries": 0, "providers": set(),
                              "knowledge": {}}
    for key in ("project_plan", "market_analysis", "site_structure", "design_system", "seo_copy",
                "marketing_content", "support_kit"):
        records = instance.fetch_materializations(
            dg.AssetRecordsFilter(asset_key=dg.AssetKey(key), asset_partitions=[slug]), limit=1).records
        if not records:
            continue
        meta = records[0].asset_materialization.metadata  # type: ignore[union-attr]

        def value(name: str, default: Any = 0) -> Any:
            return meta[name].value if name in meta else default

        totals["tokens"] += int(value("tokens_in")) + int(value("tokens_out"))
        totals["cost"] += float(value("cost_usd", 0.0))
        totals["calls"] += 1
        totals["cached"] += 1 if value("cached", False) else 0
        totals["retries"] += int(value("retries"))
        if "provider" in meta:
            totals["providers"].add(f"{value('provider')} ({value('model', '?')})")
        if value("knowledge", "-") != "-":
            totals["knowledge"][key] = value("knowledge")
    return totals


def qa_markdown(brief: ClientBrief, reports: list[QAReport]) -> str:
    """The QA report as Markdown: score and every check with its result."""
    lines = [f"# QA report: {md_text(brief.business_name)}", ""]
    for report in reports:
        lines += [f"## {report.scope.replace('_', ' ').capitalize()}: {report.score} / 100", "", report.summary, "",
                  "| Check | Severity | Result | Message |", "|---|---|---|---|"]
        for c in report.checks:
            lines.append(f"| `{c.id}` | {c.severity} | {'pass' if c.passed else '**FAIL**'} | {md_text(c.message)} |")
        lines.append("")
    return "\n".join(lines)


@dg.asset(partitions_def=clients_partitions, group_name="deployment", kinds={"markdown"})
def bootstrap_summary(
    context: dg.AssetExecutionContext, client_brief: ClientBrief, project_plan: ProjectPlan,
    market_analysis: MarketAnalysis, site_structure: SiteStructure, design_system: DesignSystem,
    seo_copy: SeoCopy, marketing_content: MarketingContent, website: RenderedSite,
    functional_qa: QAReport, seo_performance_qa: QAReport, deploy_config: DeployConfig,
    support_kit: SupportKit, store: ClientStoreResource, output: OutputResource, agents: AgentProviderResource,
) -> dg.Output[BootstrapSummary]:
    """The executive summary; writes the client's whole package to output/<slug>/ in one swap."""
    slug = context.partition_key
    brief = client_brief
    deliverables = {
        "project_plan": project_plan, "market_analysis": market_analysis, "site_structure": site_structure,
        "design_system": design_system, "seo_copy": seo_copy, "marketing_content": marketing_content,
        "functional_qa": functional_qa, "seo_performance_qa": seo_performance_qa,
        "deploy_config": deploy_config, "support_kit": support_kit,
    }
    files: dict[str, str | bytes] = {"brief.json": _json(brief)}
    for phase, stem, key in RESULT_FILES:
        agent = AGENTS["qa" if stem.startswith("qa") else stem]
        title = f"{agent.role} ({agent.name}): {key.replace('_', ' ')}"
        files[f"results/{phase}/{stem}.md"] = deliverable_markdown(title, deliverables[key])
        files[f"results/{phase}/{stem}.json"] = _json(deliverables[key])
    site_bytes = {path: text.encode("utf-8") for path, text in website.files.items()}
    files.update({f"site/{path}": data for path, data in site_bytes.items()})
    reports = [functional_qa, seo_performance_qa]
    qa_score = round(sum(r.score for r in reports) / len(reports), 1)
    files["qa/report.json"] = _json({"score": qa_score, "reports": [r.model_dump(mode="json") for r in reports]})
    files["qa/QA_REPORT.md"] = qa_markdown(brief, reports)
    for name, content in deploy_config.files.items():
        files[f"deploy/{name}"] = content
    files["deploy/manifest.json"] = manifest_json(site_bytes)
    # Deploy steps are built by deploy.py from the slug and domain (safe characters), and carry
    # Markdown code spans of their own, so they are written as they are.
    steps = "\n".join(f"{i}. {step}" for i, step in enumerate(deploy_config.steps, 1))
    files["deploy/DEPLOY.md"] = f"# Deploy\n\n{steps}\n"
    files["marketing/KIT.md"] = render_markdown("MARKETING_KIT.md.j2", brief=brief, content=marketing_content,
                                                seo=seo_copy)
    if brief.needs_human_review:
        files["review/REVIEW_TICKET.md"] = render_markdown("REVIEW_TICKET.md.j2", brief=brief, slug=slug)

    instance = context.instance
    usage = _usage_totals(instance, slug)
    tokens, cost = usage["tokens"], usage["cost"]
    provider_label = ", ".join(sorted(usage["providers"])) or agents.get_provider().name
    if agents.get_provider().name == "offline":
        provider_label = "offline generator (deterministic, no LLM): " + provider_label
    phases = []
    for name, step_key, agent_names in STEPS:
        seconds = _step_seconds(instance, slug, step_key)
        phases.append({"name": name, "agents": agent_names, "seconds": "-" if seconds is None else seconds})
    status = "needs_review" if brief.needs_human_review else "completed"
    summary_files = sorted([*files, "BOOTSTRAP_SUMMARY.md"])
    markdown = render_markdown(
        "BOOTSTRAP_SUMMARY.md.j2", brief=brief, slug=slug, pages=len(website.pages), words=website.total_words,
        qa_score=qa_score, qa_checks=sum(len(r.checks) for r in reports),
        qa_problems=[c for r in reports for c in r.checks if not c.passed],
        status_label="awaiting human review" if status == "needs_review" else "completed",
        provider=provider_label, tokens=tokens, cost_usd=cost, run_id=context.run_id, usage=usage,
        generated_at=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), phases=phases,
        market=market_analysis, seo=seo_copy, plan=project_plan, files=summary_files,
        next_actions=(["A reviewer approves or rejects the content (review/REVIEW_TICKET.md)"] if brief.needs_human_review
                      else ["Deploy site/ with deploy/vercel.json or deploy/netlify.toml",
                            f"Point {md_text(deploy_config.domain)} at the deployment",
                            "Schedule the launch email and social posts (marketing/KIT.md)"]),
    )
    files["BOOTSTRAP_SUMMARY.md"] = markdown
    target = publish_package(output.path, slug, files)
    db = store.get_store()
    db.update_project(context.run_id, phase="deployment", qa_score=qa_score, tokens=tokens, cost_usd=cost)
    rebuild_portfolio(output.path, db)
    progress.report(slug, "summary", f"package written to {target}")
    summary = BootstrapSummary(
        slug=slug, business_name=brief.business_name, status=status, qa_score=qa_score,
        pages=len(website.pages), words=website.total_words, provider=provider_label, markdown=markdown,
    )
    return dg.Output(summary, metadata={
        "qa_score": qa_score, "pages": len(website.pages), "words": website.total_words, "files": len(files),
        "tokens": tokens, "cost_usd": round(cost, 6), "provider": provider_label,
        "output_dir": dg.MetadataValue.path(str(target)), "summary": dg.MetadataValue.md(markdown),
    })

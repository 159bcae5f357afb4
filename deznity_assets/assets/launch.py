"""The launch: the rendered website, the QA phase that gates it, and the deployment phase."""

from typing import Iterator

import dagster as dg

from .. import progress
from ..brief import ClientBrief
from ..deliverables import (
    DesignSystem, MarketingContent, QAReport, RenderedSite, SeoCopy, SiteStructure,
)
from ..deploy import build_deploy_config
from ..qa.checks import CHECKS, build_qa_report, run_checks
from ..resources import AgentProviderResource, ClientStoreResource, MemoryResource, OutputResource
from ..site.render import render_site
from .agent_steps import project_id_for, run_agent_tasks, usage_metadata
from ..store import utcnow
from .partitions import clients_partitions
from .phases import LLM_POOL

QA_ASSETS = {"functional": "functional_qa", "seo_performance": "seo_performance_qa"}


@dg.asset(partitions_def=clients_partitions, group_name="web_development", kinds={"html"})
def website(
    context: dg.AssetExecutionContext, client_brief: ClientBrief, site_structure: SiteStructure,
    design_system: DesignSystem, seo_copy: SeoCopy, marketing_content: MarketingContent,
    output: OutputResource,
) -> dg.Output[RenderedSite]:
    """The static multi-page site rendered from the typed content through autoescaping templates."""
    slug = context.partition_key
    site = render_site(
        client_brief, slug=slug, structure=site_structure, design=design_system, seo=seo_copy,
        content=marketing_content, base_url=output.site_url(slug),
        form_action=output.form_action,
    )
    progress.report(slug, "website", f"rendered {len(site.pages)} pages, {site.total_words} words")
    return dg.Output(site, metadata={
        "pages": len(site.pages), "words": site.total_words, "files": len(site.files),
        "bytes": sum(len(text.encode("utf-8")) for text in site.files.values()),
        "base_url": dg.MetadataValue.url(site.base_url),
    })


def _check_specs() -> list[dg.AssetCheckSpec]:
    # One check per QA rule, shown on the QA assets in the UI; errors block what follows.
    specs = []
    for check_id, (scope, severity, _fn) in CHECKS.items():
        specs.append(dg.AssetCheckSpec(
            name=check_id, asset=QA_ASSETS[scope], blocking=severity == "error",
            description=f"{severity}: {(_fn.__doc__ or check_id).strip().splitlines()[0]}",
        ))
    return specs


@dg.multi_asset(
    partitions_def=clients_partitions,
    group_name="testing_validation",
    outs={
        "functional_qa": dg.AssetOut(description="QA Agent (Bugz): functional validation of the site."),
        "seo_performance_qa": dg.AssetOut(description="QA Agent (Bugz): SEO and performance validation."),
    },
    check_specs=_check_specs(),
)
def testing_validation(
    context: dg.AssetExecutionContext, client_brief: ClientBrief, website: RenderedSite,
    design_system: DesignSystem, store: ClientStoreResource,
) -> Iterator[dg.Output | dg.AssetCheckResult]:
    """Phase 4: the QA agent runs every check on the rendered site; failing errors stop the client."""
    slug = context.partition_key
    started = utcnow()
    progress.report(slug, "testing_validation", "started: Bugz")
    escaped = [client_brief.business_name, client_brief.goal, client_brief.target_geo, *client_brief.copy_tone]
    results = run_checks(website, design_system, escaped_values=escaped)
    by_id = {r.id: r for r in results}
    reports: dict[str, QAReport] = {}
    for scope, asset_name in QA_ASSETS.items():
        scoped = [r for r in results if CHECKS[r.id][0] == scope]
        reports[scope] = build_qa_report(scoped, scope)
    for check_id, (scope, severity, _fn) in CHECKS.items():
        result = by_id.get(check_id)
        if result is None:
            continue
        yield dg.AssetCheckResult(
            check_name=check_id, asset_key=QA_ASSETS[scope], passed=result.passed,
            severity=dg.AssetCheckSeverity.ERROR if severity == "error" else dg.AssetCheckSeverity.WARN,
            metadata={"message": result.message, "locations": "\n".join(result.locations[:20])},
        )
    for scope, report in reports.items():
        yield dg.Output(report, QA_ASSETS[scope], metadata={
            "qa_score": report.score, "checks": len(report.checks),
            "failed": len([c for c in report.checks if not c.passed]),
        })
    blockers = [c for r in reports.values() for c in r.failing_blockers]
    db = store.get_store()
    row, project_id = db.get(slug), project_id_for(db, context)
    score = round(sum(r.score for r in reports.values()) / len(reports), 1)
    db.update_project(context.run_id, qa_score=score, phase="testing_validation")
    for scope, report in reports.items():
        failed = [c.id for c in report.failing_blockers]
        if project_id:
            db.log_task(project_id=project_id, phase="testing_validation", agent="qa",
                        task=f"{scope.replace('_', ' ')} validation of the site",
                        status="failed" if failed else "completed", started_at=started,
                        output_path=f"qa/report.json#{scope}")
        if row is not None:
            db.log_activity(client_id=row.id, project_id=project_id, agent="qa", action=f"{scope} checks",
                            phase="testing_validation", details={"score": report.score, "failed": failed})
    if blockers:
        progress.report(slug, "testing_validation", f"failed: {', '.join(c.id for c in blockers)}")
        raise dg.Failure(
            description="QA blocking checks failed: " + "; ".join(f"{c.id}: {c.message}" for c in blockers),
            metadata={"qa_score": score},
        )
    progress.report(slug, "testing_validation", f"done: QA score {score}")


@dg.multi_asset(
    partitions_def=clients_partitions,
    group_name="deployment",
    outs={
        "deploy_config": dg.AssetOut(description="Web Agent (Flow): domain and production deploy configuration."),
        "support_kit": dg.AssetOut(description="Support Agent (Help): analytics, tracking and the support FAQ."),
    },
    pool=LLM_POOL,
)
def deployment(
    context: dg.AssetExecutionContext, client_brief: ClientBrief, website: RenderedSite,
    site_structure: SiteStructure, seo_copy: SeoCopy, functional_qa: QAReport,
    seo_performance_qa: QAReport, agents: AgentProviderResource, store: ClientStoreResource,
    memory: MemoryResource,
    output: OutputResource,
) -> Iterator[dg.Output]:
    """Phase 5: the deploy configuration and the support and analytics kit."""
    slug = context.partition_key
    results = run_agent_tasks(
        context, keys=["support_kit"], brief=client_brief,
        upstream={"site_structure": site_structure, "seo_copy": seo_copy},
        provider=agents.get_provider(), store=store.get_store(), memory=memory.get_memory(),
    )
    variants = ["a", "b"] if "index-b.html" in website.files else ["a"]
    started = utcnow()
    config = build_deploy_config(slug=slug, site=website, base_url=output.site_url(slug), hero_variants=variants)
    db = store.get_store()
    row, project_id = db.get(slug), project_id_for(db, context)
    if project_id:
        db.log_task(project_id=project_id, phase="deployment", agent="web",
                    task="Domain and production deploy configuration", status="completed", started_at=started,
                    output_path="deploy/")
    if row is not None:
        db.log_activity(client_id=row.id, project_id=project_id, agent="web", action="deploy configuration",
                        phase="deployment", details={"domain": config.domain, "files": sorted(config.files)})
    yield dg.Output(config, "deploy_config", metadata={
        "domain": config.domain, "files": ", ".join(sorted(config.files)),
        "qa_score": round((functional_qa.score + seo_performance_qa.score) / 2, 1),
    })
    kit = results["support_kit"]
    yield dg.Output(kit.output, "support_kit", metadata=usage_metadata(
        kit, {"events": len(kit.output.analytics_events)}))  # type: ignore[attr-defined]

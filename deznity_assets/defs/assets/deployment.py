"""Phase 5, deployment: the deploy configuration (Web agent), the support and analytics kit (Support agent),
and the site published live on Vercel or Netlify when a token is configured."""

from collections.abc import Iterator
from typing import Any, cast

import dagster as dg

from ... import progress
from ...agents.work import AgentTasksFailed, run_agent_tasks, usage_metadata
from ...assembly import qa_score
from ...brief import ClientBrief
from ...config import secret_value
from ...control import ProjectLog
from ...deliverables import (
    DeployConfig,
    LiveDeployment,
    QAReport,
    RenderedSite,
    ReviewApproval,
    SeoCopy,
    SiteStructure,
    SupportKit,
)
from ...deploy import build_deploy_config
from ...flow import STEPS
from ...hosting import NO_TOKEN, DeployError, publish
from ...resources import (
    AgentProviderResource,
    ClientStoreResource,
    HostingResource,
    MemoryResource,
    OutputResource,
    control_plane,
)
from ...store import utcnow
from ..partitions import clients_partitions
from .phases import AGENT_RETRY_POLICY, LLM_POOL, agent_step_failure, step_provider

STEP = STEPS["deployment"]
# The agent that writes the deploy configuration and publishes the site (computed here, not asked of a model).
DEPLOY_AGENT = STEP.deliverables[0].agent_id or "web"


@dg.multi_asset(
    name=STEP.name,
    description=STEP.description,
    partitions_def=clients_partitions,
    group_name=STEP.group,
    outs={d.asset: dg.AssetOut(description=d.description) for d in STEP.deliverables},
    pool=LLM_POOL,
    retry_policy=AGENT_RETRY_POLICY,
)
def deployment(
    context: dg.AssetExecutionContext,
    client_brief: ClientBrief,
    website: RenderedSite,
    site_structure: SiteStructure,
    seo_copy: SeoCopy,
    functional_qa: QAReport,
    seo_performance_qa: QAReport,
    review_approval: ReviewApproval,
    agents: AgentProviderResource,
    store: ClientStoreResource,
    memory: MemoryResource,
    output: OutputResource,
    hosting: HostingResource,
) -> Iterator[dg.Output]:
    """Phase 5, once QA passed and the review gate cleared the client: deploy configuration, support kit, live site."""
    slug = context.partition_key
    plane = control_plane(store, output)
    # A retry resuming here (a provider error last time) starts the run: tie it to its client.
    plane.join_run(slug, run_id=context.run.run_id, instance=context.instance)
    log = plane.project_log(run_id=context.run.run_id, slug=slug)
    try:
        results = run_agent_tasks(
            keys=[d.task for d in STEP.deliverables if d.task],
            slug=slug,
            brief=client_brief,
            upstream={"site_structure": site_structure, "seo_copy": seo_copy},
            provider=step_provider(agents),
            memory=memory.get_memory(),
            log=log,
        )
    except AgentTasksFailed as exc:
        raise agent_step_failure(exc) from None
    variants = ["a", "b"] if "index-b.html" in website.files else ["a"]
    started = utcnow()
    config = build_deploy_config(
        slug=slug,
        site=website,
        base_url=output.site_url(slug),
        hero_variants=variants,
        api_public_url=output.api_public_url,
        experiments=output.experiments_for(client_brief.experiments),
        experiments_key=secret_value(output.experiments_key) or "",
    )
    log.task(
        phase=STEP.name,
        agent=DEPLOY_AGENT,
        task="Domain and production deploy configuration",
        status="completed",
        started_at=started,
        output_path="deploy/",
    )
    log.activity(
        agent=DEPLOY_AGENT,
        action="deploy configuration",
        phase=STEP.name,
        details={"domain": config.domain, "files": sorted(config.files)},
    )
    yield dg.Output(
        config,
        "deploy_config",
        metadata={
            "domain": config.domain,
            "files": ", ".join(sorted(config.files)),
            "forms": "routed to the site API"
            if config.forms_connected
            else "not connected (no DEZNITY_API_PUBLIC_URL)",
            "qa_score": qa_score([functional_qa, seo_performance_qa]),
            "review": f"approved by {review_approval.reviewer}" if review_approval.required else "not required",
        },
    )
    kit = results["support_kit"]
    events = len(cast(SupportKit, kit.output).analytics_events)
    yield dg.Output(kit.output, "support_kit", metadata=usage_metadata(kit, {"events": events}))
    live = _publish_live(context, hosting, log, slug=slug, website=website, config=config)
    yield dg.Output(live, "live_site", metadata=_live_metadata(live))


def _publish_live(
    context: dg.AssetExecutionContext,
    hosting: HostingResource,
    log: ProjectLog,
    *,
    slug: str,
    website: RenderedSite,
    config: DeployConfig,
) -> LiveDeployment:
    """The site published through the configured provider, or the reason it was not (no token)."""
    settings = hosting.settings()
    if settings is None:
        return LiveDeployment(note=NO_TOKEN)
    started = utcnow()
    try:
        live = publish(
            settings, slug=slug, site=website, config=config, report=lambda text: progress.report(slug, STEP.name, text)
        )
    except DeployError as exc:
        log.task(
            phase=STEP.name,
            agent=DEPLOY_AGENT,
            task=f"Live deployment ({settings.provider})",
            status="failed",
            started_at=started,
        )
        # Only this step fails, with the provider's words; `deznity retry` resumes from here. The
        # client already retried what was transient (DEZNITY_DEPLOY_MAX_RETRIES): no step retry.
        raise dg.Failure(description=str(exc), allow_retries=False) from None
    log.task(
        phase=STEP.name,
        agent=DEPLOY_AGENT,
        task=f"Live deployment ({live.provider})",
        status="completed",
        started_at=started,
        output_path=live.url,
    )
    log.activity(
        agent=DEPLOY_AGENT,
        action="live deployment",
        phase=STEP.name,
        details={"url": live.url, "preview_url": live.preview_url, "files": live.files, "uploaded": live.uploaded},
    )
    log.deployed(live)
    context.log.info(f"{slug}: live at {live.url} ({live.provider}, {live.uploaded} of {live.files} files sent)")
    return live


def _live_metadata(live: LiveDeployment) -> dict[str, Any]:
    """What the UI shows of the live site: links to production and the hero B preview."""
    if live.url is None:
        return {"live": live.note}
    metadata: dict[str, Any] = {
        "provider": live.provider,
        "live_url": dg.MetadataValue.url(live.url),
        "deployment_id": live.deployment_id or "",
        "files": live.files,
        "uploaded": live.uploaded,
    }
    if live.preview_url:
        metadata["preview_url"] = dg.MetadataValue.url(live.preview_url)
    return metadata

"""Phase 5, deployment: the deploy configuration (Web agent) and the support and analytics kit (Support agent)."""

from collections.abc import Iterator
from typing import cast

import dagster as dg

from ...agents.work import AgentTasksFailed, run_agent_tasks, usage_metadata
from ...assembly import qa_score
from ...brief import ClientBrief
from ...deliverables import QAReport, RenderedSite, ReviewApproval, SeoCopy, SiteStructure, SupportKit
from ...deploy import build_deploy_config
from ...flow import STEPS
from ...resources import AgentProviderResource, ClientStoreResource, MemoryResource, OutputResource, control_plane
from ...store import utcnow
from ..partitions import clients_partitions
from .phases import AGENT_RETRY_POLICY, LLM_POOL, agent_step_failure, step_provider

STEP = STEPS["deployment"]
# The agent that writes the deploy configuration (computed here, not asked of a model).
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
) -> Iterator[dg.Output]:
    """Phase 5: the deploy configuration and the support and analytics kit, once the review gate cleared them."""
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
    config = build_deploy_config(slug=slug, site=website, base_url=output.site_url(slug), hero_variants=variants)
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
            "qa_score": qa_score([functional_qa, seo_performance_qa]),
            "review": f"approved by {review_approval.reviewer}" if review_approval.required else "not required",
        },
    )
    kit = results["support_kit"]
    events = len(cast(SupportKit, kit.output).analytics_events)
    yield dg.Output(kit.output, "support_kit", metadata=usage_metadata(kit, {"events": events}))

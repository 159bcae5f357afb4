"""The agent phases: each a multi-asset whose two agents work concurrently."""


from typing import Iterator

import dagster as dg

from ..brief import ClientBrief
from ..deliverables import MarketAnalysis, ProjectPlan, SiteStructure
from ..resources import AgentProviderResource, ClientStoreResource, MemoryResource
from ..site.brand import build_design_system
from .agent_steps import run_agent_tasks, usage_metadata
from .partitions import clients_partitions

# Steps that call an agent provider take a slot of this pool (limit set in dagster.yaml),
# so a burst of runs cannot exceed an LLM provider's concurrency.
LLM_POOL = "llm"


def _out(description: str) -> dg.AssetOut:
    return dg.AssetOut(description=description, kinds={"python"})


@dg.multi_asset(
    partitions_def=clients_partitions,
    group_name="client_analysis",
    outs={
        "project_plan": _out("PM Agent (Gantt): the project plan."),
        "market_analysis": _out("Strategy Agent (Atlas): market, audience and competitors."),
    },
    pool=LLM_POOL,
)
def client_analysis(
    context: dg.AssetExecutionContext, client_brief: ClientBrief, agents: AgentProviderResource,
    store: ClientStoreResource, memory: MemoryResource,
) -> Iterator[dg.Output]:
    """Phase 1: the PM and Strategy agents analyse the client."""
    results = run_agent_tasks(
        context, keys=["project_plan", "market_analysis"], brief=client_brief, upstream={},
        provider=agents.get_provider(), store=store.get_store(), memory=memory.get_memory(),
    )
    plan = results["project_plan"]
    yield dg.Output(plan.output, "project_plan", metadata=usage_metadata(
        plan, {"milestones": len(plan.output.milestones)}))  # type: ignore[attr-defined]
    market = results["market_analysis"]
    yield dg.Output(market.output, "market_analysis", metadata=usage_metadata(
        market, {"keywords": len(market.output.keywords)}))  # type: ignore[attr-defined]


@dg.multi_asset(
    partitions_def=clients_partitions,
    group_name="web_development",
    outs={
        "site_structure": _out("Web Agent (Flow): pages, sections and navigation."),
        "design_system": _out("UX Agent (Lense): design tokens derived from the brand colour."),
    },
    pool=LLM_POOL,
)
def web_development(
    context: dg.AssetExecutionContext, client_brief: ClientBrief, project_plan: ProjectPlan,
    market_analysis: MarketAnalysis, agents: AgentProviderResource, store: ClientStoreResource,
    memory: MemoryResource,
) -> Iterator[dg.Output]:
    """Phase 2: the Web agent plans the site, the UX agent sets the design direction and tokens."""
    results = run_agent_tasks(
        context, keys=["site_structure", "design_direction"], brief=client_brief,
        upstream={"project_plan": project_plan, "market_analysis": market_analysis},
        provider=agents.get_provider(), store=store.get_store(), memory=memory.get_memory(),
    )
    structure = results["site_structure"]
    yield dg.Output(structure.output, "site_structure", metadata=usage_metadata(
        structure, {"pages": len(structure.output.pages)}))  # type: ignore[attr-defined]
    direction = results["design_direction"]
    design = build_design_system(client_brief, direction.output)  # type: ignore[arg-type]
    yield dg.Output(design, "design_system", metadata=usage_metadata(direction, {
        "primary": client_brief.color, "font_style": design.direction.font_style,
        "min_contrast": round(min(design.contrast.values()), 2) if design.contrast else 0.0,
    }))


@dg.multi_asset(
    partitions_def=clients_partitions,
    group_name="content_creation",
    outs={
        "seo_copy": _out("SEO Agent (Quill): landing copy, keywords, meta and schema.org."),
        "marketing_content": _out("Marketing Agent (Buzz): page content, social posts, ads, launch email."),
    },
    pool=LLM_POOL,
)
def content_creation(
    context: dg.AssetExecutionContext, client_brief: ClientBrief, market_analysis: MarketAnalysis,
    site_structure: SiteStructure, agents: AgentProviderResource, store: ClientStoreResource,
    memory: MemoryResource,
) -> Iterator[dg.Output]:
    """Phase 3: the SEO and Marketing agents write every page."""
    results = run_agent_tasks(
        context, keys=["seo_copy", "marketing_content"], brief=client_brief,
        upstream={"market_analysis": market_analysis, "site_structure": site_structure},
        provider=agents.get_provider(), store=store.get_store(), memory=memory.get_memory(),
    )
    seo = results["seo_copy"]
    yield dg.Output(seo.output, "seo_copy", metadata=usage_metadata(
        seo, {"keywords": ", ".join(seo.output.primary_keywords)}))  # type: ignore[attr-defined]
    mkt = results["marketing_content"]
    yield dg.Output(mkt.output, "marketing_content", metadata=usage_metadata(mkt, {
        "social_posts": len(mkt.output.social_posts), "ads": len(mkt.output.ads),  # type: ignore[attr-defined]
    }))

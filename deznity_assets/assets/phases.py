"""The agent phases: each a multi-asset whose two agents work concurrently."""

from dataclasses import dataclass
from typing import Any, Callable, Iterator

import dagster as dg
from pydantic import BaseModel

from ..brief import ClientBrief
from ..resources import AgentProviderResource, ClientStoreResource, MemoryResource
from ..site.brand import build_design_system
from .agent_steps import run_agent_tasks, usage_metadata
from .partitions import clients_partitions

# Steps that call an agent provider take a slot of this pool (limit set in dagster.yaml),
# so a burst of runs cannot exceed an LLM provider's concurrency.
LLM_POOL = "llm"


@dataclass(frozen=True)
class PhaseOutput:
    """One asset of a phase: the agent task that produces it and how it is shown in the UI."""

    asset: str
    task: str
    description: str
    metadata: Callable[[Any], dict[str, Any]] = lambda _: {}
    # Turns the agent's deliverable into the asset's value (e.g. direction -> design tokens).
    derive: Callable[[ClientBrief, Any], BaseModel] | None = None


def agent_phase(name: str, description: str, *, inputs: tuple[str, ...],
                outputs: tuple[PhaseOutput, ...]) -> dg.AssetsDefinition:
    """A multi-asset running the phase's agent tasks concurrently, one asset per deliverable."""

    @dg.multi_asset(
        name=name,
        description=description,
        partitions_def=clients_partitions,
        group_name=name,
        ins={key: dg.AssetIn() for key in ("client_brief", *inputs)},
        outs={o.asset: dg.AssetOut(description=o.description, kinds={"python"}) for o in outputs},
        pool=LLM_POOL,
    )
    def _phase(context: dg.AssetExecutionContext, agents: AgentProviderResource, store: ClientStoreResource,
               memory: MemoryResource, **upstream: Any) -> Iterator[dg.Output]:
        brief: ClientBrief = upstream.pop("client_brief")
        results = run_agent_tasks(
            context, keys=[o.task for o in outputs], brief=brief, upstream=upstream,
            provider=agents.get_provider(), store=store.get_store(), memory=memory.get_memory(),
        )
        for out in outputs:
            result = results[out.task]
            value = out.derive(brief, result.output) if out.derive else result.output
            yield dg.Output(value, out.asset, metadata=usage_metadata(result, out.metadata(value)))

    return _phase


def _design_metadata(design: Any) -> dict[str, Any]:
    return {"brand_colour": design.colors.get("accent", ""), "font_style": design.direction.font_style,
            "min_contrast": round(min(design.contrast.values()), 2) if design.contrast else 0.0}


client_analysis = agent_phase(
    "client_analysis", "Phase 1: the PM and Strategy agents analyse the client.", inputs=(),
    outputs=(
        PhaseOutput("project_plan", "project_plan", "PM Agent (Gantt): the project plan.",
                    lambda plan: {"milestones": len(plan.milestones)}),
        PhaseOutput("market_analysis", "market_analysis", "Strategy Agent (Atlas): market, audience and competitors.",
                    lambda market: {"keywords": len(market.keywords)}),
    ),
)

web_development = agent_phase(
    "web_development", "Phase 2: the Web agent plans the site, the UX agent sets the design direction and tokens.",
    inputs=("project_plan", "market_analysis"),
    outputs=(
        PhaseOutput("site_structure", "site_structure", "Web Agent (Flow): pages, sections and navigation.",
                    lambda structure: {"pages": len(structure.pages)}),
        PhaseOutput("design_system", "design_direction", "UX Agent (Lense): design tokens derived from the brand colour.",
                    _design_metadata, derive=build_design_system),
    ),
)

content_creation = agent_phase(
    "content_creation", "Phase 3: the SEO and Marketing agents write every page.",
    inputs=("market_analysis", "site_structure"),
    outputs=(
        PhaseOutput("seo_copy", "seo_copy", "SEO Agent (Quill): landing copy, keywords, meta and schema.org.",
                    lambda seo: {"keywords": ", ".join(seo.primary_keywords)}),
        PhaseOutput("marketing_content", "marketing_content",
                    "Marketing Agent (Buzz): page content, social posts, ads, launch email.",
                    lambda mkt: {"social_posts": len(mkt.social_posts), "ads": len(mkt.ads)}),
    ),
)

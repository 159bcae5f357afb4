"""The agent phases: each a multi-asset whose agents work concurrently, one asset per deliverable (see flow.py)."""

from collections.abc import Callable, Iterator
from typing import Any

import dagster as dg
from pydantic import BaseModel

from ...agents.work import AgentTasksFailed, run_agent_tasks, usage_metadata
from ...brief import ClientBrief
from ...flow import STEPS, Step
from ...resources import AgentProviderResource, ClientStoreResource, MemoryResource, OutputResource, control_plane
from ...site.brand import build_design_system
from ..partitions import clients_partitions

# Steps that call an agent provider take a slot of this pool (limit set in dagster.yaml),
# so a burst of runs cannot exceed an LLM provider's concurrency.
LLM_POOL = "llm"


def _design_metadata(design: Any) -> dict[str, Any]:
    return {
        "brand_colour": design.colors.get("accent", ""),
        "font_style": design.direction.font_style,
        "min_contrast": round(min(design.contrast.values()), 2) if design.contrast else 0.0,
    }


# What the UI shows of each deliverable, beyond its usage.
METADATA: dict[str, Callable[[Any], dict[str, Any]]] = {
    "project_plan": lambda plan: {"milestones": len(plan.milestones)},
    "market_analysis": lambda market: {"keywords": len(market.keywords)},
    "site_structure": lambda structure: {"pages": len(structure.pages)},
    "design_system": _design_metadata,
    "seo_copy": lambda seo: {"keywords": ", ".join(seo.primary_keywords)},
    "marketing_content": lambda mkt: {"social_posts": len(mkt.social_posts), "ads": len(mkt.ads)},
}
# Deliverables whose asset value is derived from the agent's answer (direction -> design tokens).
DERIVE: dict[str, Callable[[ClientBrief, Any], BaseModel]] = {"design_system": build_design_system}


def agent_phase(step: Step, *, inputs: tuple[str, ...]) -> dg.AssetsDefinition:
    """A multi-asset running the step's agent tasks concurrently, one asset per deliverable."""

    @dg.multi_asset(
        name=step.name,
        description=step.description,
        partitions_def=clients_partitions,
        group_name=step.group,
        ins={key: dg.AssetIn() for key in ("client_brief", *inputs)},
        outs={d.asset: dg.AssetOut(description=d.description, kinds={"python"}) for d in step.deliverables},
        pool=LLM_POOL,
    )
    def _phase(
        context: dg.AssetExecutionContext,
        agents: AgentProviderResource,
        store: ClientStoreResource,
        memory: MemoryResource,
        output: OutputResource,
        **upstream: Any,
    ) -> Iterator[dg.Output]:
        brief: ClientBrief = upstream.pop("client_brief")
        slug = context.partition_key
        try:
            results = run_agent_tasks(
                keys=[d.task for d in step.deliverables if d.task],
                slug=slug,
                brief=brief,
                upstream=upstream,
                provider=agents.get_provider(),
                memory=memory.get_memory(),
                log=control_plane(store, output).project_log(run_id=context.run.run_id, slug=slug),
            )
        except AgentTasksFailed as exc:
            raise dg.Failure(description=str(exc)) from None
        for d in step.deliverables:
            result = results[d.task or ""]
            value = DERIVE[d.asset](brief, result.output) if d.asset in DERIVE else result.output
            yield dg.Output(value, d.asset, metadata=usage_metadata(result, METADATA[d.asset](value)))

    return _phase


client_analysis = agent_phase(STEPS["client_analysis"], inputs=())
web_development = agent_phase(STEPS["web_development"], inputs=("project_plan", "market_analysis"))
content_creation = agent_phase(STEPS["content_creation"], inputs=("market_analysis", "site_structure"))

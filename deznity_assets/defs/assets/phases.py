"""The agent phases: each a multi-asset whose agents work concurrently, one asset per deliverable (see flow.py)."""

from collections.abc import Callable, Iterator
from typing import Any

import dagster as dg
from pydantic import BaseModel

from ...agents.provider import AgentProvider, AgentResult
from ...agents.work import AgentTasksFailed, run_agent_tasks, usage_metadata
from ...brief import ClientBrief
from ...control.review import review_feedback
from ...corrections import CONTENT_TASKS, correct_content
from ...flow import STEPS, Step
from ...resources import AgentProviderResource, ClientStoreResource, MemoryResource, OutputResource, control_plane
from ...site.brand import build_design_system
from ..partitions import clients_partitions

# Steps that call an agent provider take a slot of this pool. dagster.yaml sets no limit (the
# rate limit, DEZNITY_LLM_RPM, throttles the calls); an operator whose provider caps concurrent
# requests sets one (`dagster instance concurrency set llm N`).
LLM_POOL = "llm"
# An agent step whose provider faults outlived the provider's own retries (DEZNITY_LLM_MAX_RETRIES per
# request, with backoff and the server's Retry-After) is tried twice more, after about 5 s and then
# 15 s (each +-5 s). agent_step_failure and step_provider keep failures that need a fix first (a
# refused key, a bad setting) from being retried; any other error takes the policy, as in Dagster.
AGENT_RETRY_POLICY = dg.RetryPolicy(max_retries=2, delay=5, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS)


def agent_step_failure(exc: AgentTasksFailed) -> dg.Failure:
    """The step's Failure: the retry policy applies only when every failed task hit a transient fault."""
    return dg.Failure(description=str(exc), allow_retries=exc.transient)


def step_provider(agents: AgentProviderResource) -> AgentProvider:
    """The configured provider; a setting to fix fails the step at once (no retry can help)."""
    try:
        return agents.get_provider()
    except ValueError as exc:
        raise dg.Failure(description=str(exc), allow_retries=False) from None


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


def agent_phase(
    step: Step, *, inputs: tuple[str, ...], retry_policy: dg.RetryPolicy = AGENT_RETRY_POLICY
) -> dg.AssetsDefinition:
    """A multi-asset running the step's agent tasks concurrently, one asset per deliverable."""

    @dg.multi_asset(
        name=step.name,
        description=step.description,
        partitions_def=clients_partitions,
        group_name=step.group,
        ins={key: dg.AssetIn() for key in ("client_brief", *inputs)},
        outs={d.asset: dg.AssetOut(description=d.description, kinds={"python"}) for d in step.deliverables},
        pool=LLM_POOL,
        retry_policy=retry_policy,
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
        plane = control_plane(store, output)
        # A rework after a rejected review starts here, not at the brief: tie the run to its client.
        plane.join_run(slug, run_id=context.run.run_id, instance=context.instance)
        feedback = review_feedback(plane, slug) if brief.needs_human_review else []
        provider = step_provider(agents)
        work = dict(
            slug=slug,
            brief=brief,
            upstream=upstream,
            provider=provider,
            memory=memory.get_memory(),
            log=plane.project_log(run_id=context.run.run_id, slug=slug),
            review_feedback=feedback,
        )
        keys = [d.task for d in step.deliverables if d.task]
        extra: dict[str, Any] = {}
        try:
            results = run_agent_tasks(keys=keys, **work)
            # The offline copy passes these checks by construction (the suite checks it): no self-check.
            if set(CONTENT_TASKS) <= set(keys) and provider.name != "offline":

                def rerun(findings: dict[str, list[str]], round_no: int) -> dict[str, AgentResult]:
                    return run_agent_tasks(keys=list(findings), qa_findings=findings, round_no=round_no, **work)

                correction = correct_content(
                    results,
                    brief=brief,
                    slug=slug,
                    upstream=upstream,
                    rounds=agents.correction_rounds,
                    rerun=rerun,
                    base_url=output.site_url(slug),
                    form_action=output.form_action,
                )
                extra = {
                    "qa_rounds": correction.rounds,
                    "qa_remaining": "\n".join(correction.remaining) or "-",
                }
        except AgentTasksFailed as exc:
            raise agent_step_failure(exc) from None
        for d in step.deliverables:
            result = results[d.task or ""]
            value = DERIVE[d.asset](brief, result.output) if d.asset in DERIVE else result.output
            yield dg.Output(value, d.asset, metadata=usage_metadata(result, {**METADATA[d.asset](value), **extra}))

    return _phase


client_analysis = agent_phase(STEPS["client_analysis"], inputs=())
web_development = agent_phase(STEPS["web_development"], inputs=("project_plan", "market_analysis"))
# design_system too: the step renders the site from its answers to check and correct them (corrections.py).
content_creation = agent_phase(STEPS["content_creation"], inputs=("market_analysis", "site_structure", "design_system"))

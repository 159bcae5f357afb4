"""Running agent tasks inside a phase asset: concurrently, logged to the store, reported as progress."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import dagster as dg
from pydantic import BaseModel

from .. import progress
from ..agents.provider import AgentContext, AgentError, AgentProvider, AgentResult
from ..agents.roster import TASKS
from ..brief import ClientBrief
from ..memory import VectorMemory
from ..memory.knowledge import remember_decision, retrieve_for_task
from ..store import utcnow
from ..store.base import ClientStore


def project_id_for(store: ClientStore, context: dg.AssetExecutionContext) -> str | None:
    """The projects row of this run (created by client_brief), if any."""
    project = store.project_for_run(context.run_id)
    return str(project["id"]) if project else None


def run_agent_tasks(
    context: dg.AssetExecutionContext,
    *,
    keys: list[str],
    brief: ClientBrief,
    upstream: dict[str, BaseModel],
    provider: AgentProvider,
    store: ClientStore,
    memory: VectorMemory,
) -> dict[str, AgentResult]:
    """Run the agent tasks `keys` concurrently: retrieve house knowledge, log the work, remember the decision."""
    slug = context.partition_key
    row = store.get(slug)
    project_id = project_id_for(store, context)
    phase = TASKS[keys[0]].phase
    progress.report(slug, phase, "started: " + ", ".join(TASKS[k].agent.name for k in keys))
    if project_id:
        store.update_project(context.run_id, phase=phase)

    def one(key: str) -> AgentResult:
        task = TASKS[key]
        ctx = AgentContext(brief=brief, slug=slug, upstream={k: upstream[k] for k in task.inputs if k in upstream},
                           knowledge=retrieve_for_task(memory, task.description, brief))
        started = utcnow()
        t0 = time.perf_counter()
        try:
            result = provider.run(task, ctx)
        except AgentError as exc:
            _log(store, row, project_id, task.key, phase, "failed", started, None, {"error": str(exc)})
            raise
        result.usage.duration_ms = result.usage.duration_ms or int((time.perf_counter() - t0) * 1000)
        _log(store, row, project_id, task.key, phase, "completed", started, result, None)
        remember_decision(memory, slug, task.agent_id, task.key, result.output.model_dump_json())
        result.knowledge = [p.title for p in ctx.knowledge]
        return result

    with ThreadPoolExecutor(max_workers=len(keys), thread_name_prefix=f"agents-{phase}") as pool:
        futures = {key: pool.submit(one, key) for key in keys}
        errors = []
        results: dict[str, AgentResult] = {}
        for key, future in futures.items():
            try:
                results[key] = future.result()
            except AgentError as exc:
                errors.append(f"{key}: {exc}")
    if errors:
        progress.report(slug, phase, "failed")
        raise dg.Failure(description="; ".join(errors))
    progress.report(slug, phase, "done")
    return results


def _log(store: ClientStore, row: Any, project_id: str | None, key: str, phase: str, status: str,
         started: Any, result: AgentResult | None, details: dict[str, Any] | None) -> None:
    task = TASKS[key]
    if project_id:
        store.log_task(project_id=project_id, phase=phase, agent=task.agent_id, task=task.description,
                       status=status, started_at=started, output_path=f"results/{phase}/{key}.json")
    if row is None:
        return
    usage = result.usage if result else None
    store.log_activity(
        client_id=row.id, project_id=project_id, agent=task.agent_id, action=f"{key} {status}", phase=phase,
        duration_ms=usage.duration_ms if usage else None, provider=usage.provider if usage else None,
        model=usage.model if usage else None, tokens_in=usage.tokens_in if usage else None,
        tokens_out=usage.tokens_out if usage else None, cost_usd=usage.cost_usd if usage else None,
        details=details or (usage.as_metadata() if usage else None),
    )


def usage_metadata(result: AgentResult, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """Asset metadata for one agent deliverable."""
    meta: dict[str, Any] = dict(result.usage.as_metadata())
    meta["duration_s"] = round(result.usage.duration_ms / 1000, 3)
    meta["knowledge"] = "; ".join(result.knowledge) or "-"
    meta.update(extra or {})
    return meta

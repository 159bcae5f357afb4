"""Running a step's agent tasks: concurrently, with house knowledge, logged to the project, reported as progress."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from pydantic import BaseModel

from .. import progress
from ..brief import ClientBrief
from ..control.projectlog import ProjectLog
from ..memory import VectorMemory
from ..memory.knowledge import remember_decision, retrieve_for_task
from ..store import utcnow
from .provider import AgentContext, AgentError, AgentProvider, AgentResult
from .roster import TASKS


class AgentTasksFailed(RuntimeError):
    """One or more agent tasks of a step failed; the message names each with its reason.

    `transient` is True when every failure was transient (a later try of the step may pass);
    one failure that needs a fix first (a refused key, say) makes a retry pointless.
    """

    def __init__(self, message: str, *, transient: bool = False):
        super().__init__(message)
        self.transient = transient


def run_agent_tasks(
    *,
    keys: list[str],
    slug: str,
    brief: ClientBrief,
    upstream: dict[str, BaseModel],
    provider: AgentProvider,
    log: ProjectLog,
    memory: VectorMemory,
    review_feedback: list[str] | None = None,
) -> dict[str, AgentResult]:
    """Run the agent tasks `keys` concurrently: retrieve house knowledge, log the work, remember the decision.

    `review_feedback`: a reviewer's reasons for rejecting the last version, given to every agent and
    recorded on the deliverables that carry it.
    """
    phase = TASKS[keys[0]].phase
    progress.report(slug, phase, "started: " + ", ".join(TASKS[k].agent.name for k in keys))
    if log.project_id:
        log.update(phase=phase)

    def one(key: str) -> AgentResult:
        task = TASKS[key]
        ctx = AgentContext(
            brief=brief,
            slug=slug,
            upstream={k: upstream[k] for k in task.inputs if k in upstream},
            knowledge=retrieve_for_task(memory, task.description, brief),
            review_feedback=list(review_feedback or []),
        )
        started = utcnow()
        t0 = time.perf_counter()
        output_path = f"results/{phase}/{key}.json"
        try:
            result = provider.run(task, ctx)
        except AgentError as exc:
            log.task(
                phase=phase,
                agent=task.agent_id,
                task=task.description,
                status="failed",
                started_at=started,
                output_path=output_path,
            )
            log.activity(agent=task.agent_id, action=f"{key} failed", phase=phase, details={"error": str(exc)})
            raise
        result.usage.duration_ms = result.usage.duration_ms or int((time.perf_counter() - t0) * 1000)
        if review_feedback and "reviewer_feedback" in type(result.output).model_fields:
            # Recorded by the platform, not by the agent: the deliverable says which reasons it answers.
            result.output = result.output.model_copy(update={"reviewer_feedback": list(review_feedback)})
        log.task(
            phase=phase,
            agent=task.agent_id,
            task=task.description,
            status="completed",
            started_at=started,
            output_path=output_path,
        )
        log.activity(agent=task.agent_id, action=f"{key} completed", phase=phase, usage=result.usage)
        remember_decision(memory, slug, task.agent_id, task.key, result.output.model_dump_json())
        result.knowledge = [p.title for p in ctx.knowledge]
        return result

    with ThreadPoolExecutor(max_workers=len(keys), thread_name_prefix=f"agents-{phase}") as pool:
        futures = {key: pool.submit(one, key) for key in keys}
        errors: list[tuple[str, AgentError]] = []
        results: dict[str, AgentResult] = {}
        for key, future in futures.items():
            try:
                results[key] = future.result()
            except AgentError as exc:
                errors.append((key, exc))
    if errors:
        progress.report(slug, phase, "failed")
        raise AgentTasksFailed(
            # Provider errors already begin with their task's name; say it once.
            "; ".join(str(exc) if str(exc).startswith(f"{key}:") else f"{key}: {exc}" for key, exc in errors),
            transient=all(exc.transient for _, exc in errors),
        )
    progress.report(slug, phase, "done")
    return results


def usage_metadata(result: AgentResult, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """Asset metadata for one agent deliverable."""
    meta: dict[str, Any] = dict(result.usage.as_metadata())
    meta["duration_s"] = round(result.usage.duration_ms / 1000, 3)
    meta["knowledge"] = "; ".join(result.knowledge) or "-"
    meta.update(extra or {})
    return meta

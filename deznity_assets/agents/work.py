"""Running a step's agent tasks: concurrently, with house knowledge, logged to the project, reported as progress."""

from __future__ import annotations

import dataclasses
import logging
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
from .provider import AgentContext, AgentError, AgentProvider, AgentResult, Usage
from .roster import TASKS, AgentTask
from .rules import check_deliverable, fill_from_offline

_log = logging.getLogger(__name__)


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
    qa_findings: dict[str, list[str]] | None = None,
    round_no: int = 0,
) -> dict[str, AgentResult]:
    """Run the agent tasks `keys` concurrently: retrieve house knowledge, log the work, remember the decision.

    `review_feedback`: a reviewer's reasons for rejecting the last version, given to every agent and
    recorded on the deliverables that carry it. `qa_findings`: per task, what the QA checks found on
    the pages built from its last version (a correction round, `round_no` from 1).
    An answer that still breaks the brief's rules after the provider's repair has those parts
    filled from the offline generator's copy (recorded in `AgentResult.filled`); what even that
    cannot mend fails the task with the rules it breaks.
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
            qa_findings=list((qa_findings or {}).get(key, [])),
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
        if result.violations:
            try:
                result = fill_broken_parts(task, ctx, result)
            except AgentError as exc:
                log.activity(agent=task.agent_id, action=f"{key} failed", phase=phase, details={"error": str(exc)})
                raise
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
        for action, usage in activity_usages(key, result.usage, round_no):
            log.activity(agent=task.agent_id, action=action, phase=phase, usage=usage)
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


CORRECTED = "corrected"  # in the action of every agent_activities row that records a correction's cost


def activity_usages(key: str, usage: Usage, round_no: int) -> list[tuple[str, Usage]]:
    """The agent_activities rows of one result: the answer (a QA round's is a correction), and its repair apart.

    The rows of corrections carry only their own tokens and cost, so the store's figures can tell
    what corrections cost from the sum of the rows that name them, and the totals stay the same.
    """
    label = f"{key} {CORRECTED} (QA round {round_no})" if round_no else f"{key} completed"
    if not usage.correction_tokens and not usage.correction_cost_usd:
        return [(label, usage)]
    repair_out = usage.correction_tokens_out
    repair = dataclasses.replace(
        usage,
        tokens_in=usage.correction_tokens - repair_out,
        tokens_out=repair_out,
        cost_usd=usage.correction_cost_usd,
        duration_ms=0,
    )
    first = dataclasses.replace(
        usage,
        tokens_in=usage.tokens_in - repair.tokens_in,
        tokens_out=usage.tokens_out - repair_out,
        cost_usd=max(0.0, usage.cost_usd - usage.correction_cost_usd),
    )
    return [(label, first), (f"{key} {CORRECTED} (repair)", repair)]


def fill_broken_parts(task: AgentTask, ctx: AgentContext, result: AgentResult) -> AgentResult:
    """`result` with the parts that break the brief's rules filled from the offline copy; AgentError if that fails."""
    output, filled = fill_from_offline(task, result.output, ctx, result.violations)
    still = check_deliverable(task, output, ctx)
    if still:
        raise AgentError(
            f"{task.key}: the model's answer breaks the brief's rules after one repair, and the offline copy"
            " cannot stand in for the parts: " + "; ".join(str(v) for v in still[:8])
        )
    _log.warning("%s: filled from the offline generator's copy: %s", task.key, ", ".join(filled))
    result.output, result.filled, result.violations = output, [*result.filled, *filled], []
    return result


def usage_metadata(result: AgentResult, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """Asset metadata for one agent deliverable."""
    meta: dict[str, Any] = dict(result.usage.as_metadata())
    meta["duration_s"] = round(result.usage.duration_ms / 1000, 3)
    meta["knowledge"] = "; ".join(result.knowledge) or "-"
    # Said wherever the deliverable is read: these parts are the house copy, not the model's answer.
    meta["filled"] = "; ".join(result.filled) or "-"
    meta.update(extra or {})
    return meta

"""Acting on an experiment's decision: promote or retire B, write the next challenger, re-render and redeploy.

`apply_experiment_decision` is the one entry point of the decision path: given a decided
experiment of a published client it records the outcome in the client's hero state
(`experiments/hero.json` in its package) and in the memory of its industry, picks the next
challenger, claims the client and returns the run that re-renders the site from the `website`
step onwards (QA, the review gate, the deployment, the summary, the package), a partial
re-materialization as a review decision's run is. The caller launches it: the sensor as a run
request (`RunPlan.run_key` keeps it to one run), the CLI and the tests through
`runner.run_planned`.

A health, legal or finance client's challenger waits for a person (`decide_challenger`) before any
visitor sees it: until then the site has no B page and no split. The run that puts A (copy a
reviewer already approved) live carries the client's last approval, so the gate lets it through;
the run that puts an approved challenger live carries that approval, recorded as a `reviews` row.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import dagster as dg

from ..agents.challenger import challenger_writer
from ..agents.provider import AgentProvider
from ..brief import BriefError, ClientBrief
from ..deliverables import SeoCopy
from ..flow import resume_assets
from ..herocopy import (
    ChallengerWriter,
    ExperimentError,
    HeroEntry,
    HeroState,
    angle_scores,
    check_winner,
    decide,
    industry_namespace,
    initial_state,
    load_state,
    offline_challenger,
    outcome_record,
    preferred_angles,
    reject_challenger,
    save_state,
    with_challenger,
)
from ..memory.base import VectorMemory
from ..package import client_dir
from ..store import ClientRow
from .plane import ClaimError, ControlPlane
from .resume import RESUME_TAG, REVIEW_TAG, RunPlan, resume_problem

# The run's tag naming the experiment whose decision it carries out.
EXPERIMENT_TAG = "deznity/experiment"
# The step an experiment's run starts at: the site is rendered again from the stored content.
RERENDER_STEP = "website"
# The content step's SEO copy in the package: where the first hero pair is read from.
SEO_FILE = "results/content_creation/seo.json"


@dataclass
class ExperimentAction:
    """What one applied decision did and runs: the new state, its challenger, and the run (None: nothing to run)."""

    slug: str
    experiment_id: str
    winner: str
    state: HeroState
    plan: RunPlan | None

    @property
    def challenger(self) -> HeroEntry | None:
        """The next challenger B (held for review, for a regulated client), or None when no untried copy is left."""
        return self.state.b

    @property
    def held_for_review(self) -> bool:
        """True when the challenger waits for a person before any visitor sees it."""
        return self.state.b is not None and self.state.b.status == "pending_review"


def _current_state(plane: ControlPlane, slug: str, brief: ClientBrief) -> HeroState:
    state = load_state(plane.output_dir, slug)
    if state is not None:
        return state
    seo_path = client_dir(plane.output_dir, slug) / SEO_FILE
    if not seo_path.is_file():
        raise ExperimentError(
            f"slug: {slug} has no published content ({SEO_FILE} is missing); process the client before deciding "
            "its experiments"
        )
    return initial_state(SeoCopy.model_validate(json.loads(seo_path.read_text("utf-8"))), brief)


def _published(plane: ControlPlane, slug: str) -> tuple[ClientRow, ClientBrief]:
    row = plane.store.get(slug)
    if row is None:
        raise ExperimentError(f"slug: no client {slug!r}; `deznity status` lists them")
    if row.status != "completed":
        raise ExperimentError(
            f"slug: client {slug} is {row.status}; a decision is applied to a published (completed) client, "
            "after its current run"
        )
    try:
        return row, row.brief()
    except BriefError as exc:
        raise ExperimentError(f"slug: client {slug} has an invalid brief ({exc}); fix it first") from None


def industry_preferences(memory: VectorMemory | None, brief: ClientBrief, slug: str) -> list[str]:
    """The angles that won more than they lost for other clients of the client's industry, best first."""
    if memory is None:
        return []
    ids = memory.list_ids(industry_namespace(brief), prefix="angle:")
    return preferred_angles(angle_scores(ids, exclude_slug=slug))


def _remember(memory: VectorMemory | None, brief: ClientBrief, slug: str, experiment_id: str, state: HeroState) -> None:
    """Record the decided B's angle and outcome under the industry: the angle only, never the client's words."""
    if memory is None:
        return
    last = [t for t in state.history if t.experiment_id == experiment_id and t.role == "b"]
    records = [outcome_record(slug, experiment_id, t.angle, t.outcome) for t in last]
    if records:
        memory.upsert(industry_namespace(brief), records)


def _next_challenger(
    brief: ClientBrief, state: HeroState, preferred: Sequence[str], writer: ChallengerWriter | None
) -> HeroEntry | None:
    """A model's challenger when a writer is given and it answers with untried copy; else the offline generator's."""
    challenger = None
    if writer is not None:
        challenger = writer(brief, state, preferred)
        if challenger is not None and state.tried(challenger.copy_.headline):
            challenger = None  # a model repeating tried copy: the offline generator's instead
    if challenger is None:
        challenger = offline_challenger(brief, state, preferred=preferred)
    if challenger is not None and brief.needs_human_review:
        challenger = challenger.model_copy(update={"status": "pending_review"})
    return challenger


def _last_approval(plane: ControlPlane, slug: str) -> str | None:
    approvals = [r for r in plane.store.reviews_for(slug) if r["decision"] == "approved" and r.get("applied_at")]
    return str(approvals[-1]["id"]) if approvals else None


def _claim(plane: ControlPlane, slug: str) -> ClientRow:
    """Claim the published client for its re-render (a new attempt); ExperimentError when another run has it."""
    try:
        return plane.claim_client(slug)
    except ClaimError as exc:
        raise ExperimentError(f"slug: {exc}") from None


def _rerun(
    instance: dg.DagsterInstance,
    row: ClientRow,
    experiment_id: str,
    brief: ClientBrief,
    approval: str | None,
) -> RunPlan:
    """The claimed client's re-render: the `website` step onwards, or the whole graph when its stored
    deliverables no longer fit (a brief edited since)."""
    key = "experiment-" + re.sub(r"[^A-Za-z0-9_.-]+", "-", experiment_id)[:60]
    tags = {EXPERIMENT_TAG: experiment_id[:200]}
    if resume_problem(instance, row, RERENDER_STEP) is not None:
        # A whole run writes the content again: a regulated client's goes to a reviewer again.
        return RunPlan(row, tags=tags, key=key)
    # A run from the website step, as a resumed retry's: a crash of it resumes from there again
    # (control/resume.py crash_plan), not from the brief.
    tags[RESUME_TAG] = RERENDER_STEP
    if brief.needs_human_review and approval:
        # The gate passes only copy a person approved: A (shown before, approved) and no unapproved B.
        tags[REVIEW_TAG] = approval
    return RunPlan(row, assets=resume_assets(RERENDER_STEP), tags=tags, key=key)


def apply_experiment_decision(
    plane: ControlPlane,
    instance: dg.DagsterInstance,
    slug: str,
    experiment_id: str,
    winner: str,
    *,
    memory: VectorMemory | None = None,
    writer: ChallengerWriter | None = None,
    figures: Mapping[str, float | int | str] | None = None,
) -> ExperimentAction:
    """Act on a decided experiment of a published client; returns the new state and the run to launch.

    `winner`: "b" (B won: its copy becomes A), "a" (B lost: retired) or "none" (no difference within
    the decision's bound: retired). Either way a new challenger becomes B: the content agent's
    (`writer`, given this client's history and the angles that won for its industry in `memory`),
    else the offline generator's, never a headline this client tried. A health, legal or finance
    client's challenger is held for review (`decide_challenger`); until then its site has no B page.
    `figures` (visitors, conversions, the interval, as the decision path has them) are kept with the
    history's entries. The client is claimed (in_progress) and the returned plan re-renders and redeploys it from the
    `website` step; launch it as the review sensor launches a decision's run. ExperimentError names
    the field at fault; nothing is changed then.
    """
    check_winner(winner)
    row, brief = _published(plane, slug)
    state = decide(_current_state(plane, slug, brief), experiment_id=experiment_id, winner=winner, figures=figures)
    preferred = industry_preferences(memory, brief, slug)
    state = with_challenger(state, _next_challenger(brief, state, preferred, writer))
    approval = _last_approval(plane, slug) if brief.needs_human_review else None
    plan = _rerun(instance, _claim(plane, slug), experiment_id, brief, approval)
    save_state(plane.output_dir, slug, state)
    _remember(memory, brief, slug, experiment_id, state)
    challenger = state.b
    plane.store.log_activity(
        client_id=row.id,
        agent="experiments",
        action=f"experiment {experiment_id} decided: B {state.history[-1].outcome}",
        phase="experiments",
        details={
            "experiment_id": experiment_id,
            "winner": winner,
            "challenger_angle": challenger.angle if challenger else "none",
            "challenger_status": challenger.status if challenger else "none",
        },
    )
    return ExperimentAction(slug=slug, experiment_id=experiment_id, winner=winner, state=state, plan=plan)


def decide_challenger(
    plane: ControlPlane,
    instance: dg.DagsterInstance,
    slug: str,
    *,
    decision: str,
    reviewer: str,
    reason: str = "",
    memory: VectorMemory | None = None,
    writer: ChallengerWriter | None = None,
) -> ExperimentAction:
    """A person's decision on a regulated client's waiting challenger.

    Approved: recorded as a `reviews` row, the challenger goes live and the returned plan re-renders
    the site with its B page (the split). Rejected (a reason is required): recorded in the history,
    another challenger is written and waits in turn; nothing runs (the site keeps serving A only).
    """
    row, brief = _published(plane, slug)
    if decision not in ("approved", "rejected"):
        raise ExperimentError(f"decision: {decision!r} is not a decision; use approved or rejected")
    if not reviewer.strip():
        raise ExperimentError("reviewer: say who decides (--reviewer NAME)")
    if decision == "rejected" and not reason.strip():
        raise ExperimentError("reason: a rejection needs a reason saying what the next challenger must change")
    state = load_state(plane.output_dir, slug)
    waiting = state.b if state is not None else None
    if state is None or waiting is None or waiting.status != "pending_review":
        raise ExperimentError(f"slug: client {slug} has no challenger waiting for review")
    experiment_id = state.decisions[-1] if state.decisions else ""
    if decision == "rejected":
        state = reject_challenger(state, reason=reason.strip())
        preferred = industry_preferences(memory, brief, slug)
        state = with_challenger(state, _next_challenger(brief, state, preferred, writer))
        save_state(plane.output_dir, slug, state)
        plane.store.log_activity(
            client_id=row.id,
            agent="review",
            action="challenger rejected",
            phase="experiments",
            details={"reviewer": reviewer.strip(), "reason": reason.strip()},
        )
        return ExperimentAction(slug=slug, experiment_id=experiment_id, winner="", state=state, plan=None)
    claimed = _claim(plane, slug)
    review = plane.store.add_review(
        row.id,
        attempt=row.attempt,
        decision="approved",
        reviewer=reviewer.strip(),
        reason=reason.strip() or "hero challenger approved",
        rework=None,
    )
    # Applied at once: the review sensor acts only on decisions about a client waiting in needs_review.
    plane.store.apply_review(str(review["id"]), outcome="approved: hero challenger live")
    live = waiting.model_copy(update={"status": "live"})
    state = with_challenger(state, live)
    plan = _rerun(instance, claimed, experiment_id or "challenger", brief, str(review["id"]))
    save_state(plane.output_dir, slug, state)
    return ExperimentAction(slug=slug, experiment_id=experiment_id, winner="", state=state, plan=plan)


@dataclass
class PendingOutcome:
    """What one pass over the decided experiments did: the actions to launch and a note per experiment."""

    actions: list[ExperimentAction]
    notes: list[str]


def _flat_figures(figures: Mapping[str, object] | None) -> dict[str, float | int | str]:
    """The recorded figures of a decision as the history keeps them: visitors, conversions, the interval."""
    flat: dict[str, float | int | str] = {}
    if not isinstance(figures, Mapping):
        return flat
    variants = figures.get("variants")
    if isinstance(variants, Mapping):
        for variant, counts in variants.items():
            if isinstance(counts, Mapping):
                for name in ("visitors", "conversions", "rate"):
                    value = counts.get(name)
                    if isinstance(value, (int, float)) and not isinstance(value, bool):
                        flat[f"{variant}_{name}"] = value
    interval = figures.get("interval")
    if isinstance(interval, Sequence) and not isinstance(interval, str) and len(interval) == 2:
        low, high = interval
        if isinstance(low, (int, float)) and isinstance(high, (int, float)):
            flat["interval_low"], flat["interval_high"] = low, high
    difference = figures.get("difference")
    if isinstance(difference, (int, float)) and not isinstance(difference, bool):
        flat["difference"] = difference
    return flat


def apply_pending_decisions(
    plane: ControlPlane,
    instance: dg.DagsterInstance,
    *,
    memory: Callable[[], VectorMemory | None] | None = None,
    provider: Callable[[], AgentProvider | None] | None = None,
    limit: int = 100,
) -> PendingOutcome:
    """Act on the decided experiments not yet acted upon (oldest first), each once.

    `memory` and `provider` make the vector memory and the LLM provider; they are called only when a
    decision is there to act on, so a pass (a sensor tick) with none costs one query.

    A client in a run keeps its decision waiting for a later pass; a decision that cannot be applied
    (the client gone or unpublished for good, its content missing, the id applied already) is marked
    acted upon with the reason, so it is not tried for ever. The caller launches each action's plan.
    """
    actions: list[ExperimentAction] = []
    notes: list[str] = []
    pending = plane.store.pending_experiment_decisions(limit)
    vectors = memory() if memory is not None and pending else None
    agents = provider() if provider is not None and pending else None
    for decided in pending:
        experiment_id, slug = str(decided["id"]), str(decided.get("slug") or "")
        winner = decided.get("winner") or "none"
        row = plane.store.get(slug) if slug else None
        if row is not None and row.status in ("pending", "in_progress", "needs_review"):
            notes.append(f"{slug}: experiment {experiment_id} waits until the client's current work ends")
            continue
        try:
            action = apply_experiment_decision(
                plane,
                instance,
                slug,
                experiment_id,
                str(winner),
                memory=vectors,
                writer=challenger_writer(agents, slug) if agents is not None else None,
                figures=_flat_figures(decided.get("figures")),
            )
        except ExperimentError as exc:
            plane.store.mark_experiment_acted(experiment_id, outcome=f"not applied: {exc}"[:500])
            notes.append(f"{slug}: experiment {experiment_id} not applied: {exc}")
            continue
        challenger = action.state.b
        outcome = f"B {action.state.history[-1].outcome}; next challenger " + (
            f"{challenger.status}" if challenger else "none (every angle tried)"
        )
        plane.store.mark_experiment_acted(experiment_id, outcome=outcome)
        notes.append(f"{slug}: experiment {experiment_id}: {outcome}")
        actions.append(action)
    return PendingOutcome(actions=actions, notes=notes)

"""What a claimed client's run materializes: everything, or, for a retry that resumes, the failed step onwards.

`deznity retry` records on the client the step its last run failed at (`resume_step`); the claim
that follows turns the row into a `RunPlan` (`claim_plan`) whose asset selection is that step and
every later one, the earlier deliverables read from the IO manager's storage. A review decision
is a plan too (control/review.py), and a crashed run's retry keeps the crashed run's plan
(`crash_plan`): a resumed run resumes again, and an approval or rework run runs its own steps
again with the decision that started it (`resume_review`), so the same work is not reviewed
twice. A brief edited since it was read, a failure in the brief or in QA, or deliverables no
longer stored: the plan is the whole graph, as before.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import dagster as dg

from ..brief import PRIVATE_BRIEF_FIELDS, BriefError, ClientBrief
from ..flow import FLOW, RESUMABLE_STEPS, REVIEW_STEP, REWORK_STEPS, decision_assets, resume_assets
from ..store import ClientRow
from .runs import crashed, find_run, run_key, run_tags

# The run's tag naming the step a resumed retry starts at.
RESUME_TAG = "deznity/resume-from"
# The run's tag naming the reviews row whose decision it carries out (an approval, a rejection).
REVIEW_TAG = "deznity/review"
# The steps a review decision's run starts at: the gate (an approval), a rework step (a rejection).
DECISION_STEPS = (REVIEW_STEP, *REWORK_STEPS)
# client_brief's metadata entry holding the digest of the brief it read.
BRIEF_DIGEST = "brief_sha256"


@dataclass
class RunPlan:
    """One run for a claimed client: the whole graph (`assets` None) or the assets named, and why (tags)."""

    row: ClientRow
    assets: list[str] | None = None
    tags: dict[str, str] = field(default_factory=dict)
    key: str = ""  # told apart from other runs of the same claim (a review decision's id)

    @property
    def run_key(self) -> str:
        """The sensor's run key: one run per claim, and per decision acted on within it."""
        return f"{run_key(self.row)}:{self.key}" if self.key else run_key(self.row)

    @property
    def run_tags(self) -> dict[str, str]:
        """The client, attempt and claim tags, and the plan's own."""
        return {**run_tags(self.row), **self.tags}


def brief_digest(brief: ClientBrief) -> str:
    """A fingerprint of a validated brief: equal digests, equal briefs."""
    # The private fields (where leads are e-mailed) change no deliverable: editing them resumes as before.
    return hashlib.sha256(brief.model_dump_json(exclude=PRIVATE_BRIEF_FIELDS).encode("utf-8")).hexdigest()


def failed_step(instance: dg.DagsterInstance, run: dg.DagsterRun) -> str | None:
    """The earliest step of the flow that failed in `run`, if a step failed."""
    failed = set()
    for record in instance.all_logs(run.run_id, of_type=dg.DagsterEventType.STEP_FAILURE):
        if record.dagster_event is not None and record.dagster_event.step_key:
            failed.add(record.dagster_event.step_key)
    return next((step.name for step in FLOW if step.name in failed), None)


def _latest_metadata(instance: dg.DagsterInstance, asset: str, slug: str) -> dict[str, object] | None:
    records = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=dg.AssetKey(asset), asset_partitions=[slug]), limit=1
    ).records
    if not records or records[0].asset_materialization is None:
        return None
    return {k: v.value for k, v in records[0].asset_materialization.metadata.items()}


def resume_problem(instance: dg.DagsterInstance, row: ClientRow, step: str) -> str | None:
    """Why a run of `row` cannot start at `step` with its stored deliverables, or None when it can."""
    if step not in RESUMABLE_STEPS:
        return f"{step!r} is not a step to resume from"
    slug = str(row.slug)
    try:
        brief = row.brief()
    except BriefError:
        return "its brief is not valid"
    made = _latest_metadata(instance, "client_brief", slug)
    if made is None or made.get(BRIEF_DIGEST) != brief_digest(brief):
        return "its brief changed since the last run read it"
    for earlier in FLOW[: [s.name for s in FLOW].index(step)]:
        for asset in earlier.assets:
            if _latest_metadata(instance, asset, slug) is None:
                return f"{asset} was never made"
    return None


def resume_step(instance: dg.DagsterInstance, row: ClientRow) -> str | None:
    """The step a retry of this failed client resumes from (its last run's failed step), or None: a full run."""
    if row.status != "failed" or not row.slug:
        return None
    run = find_run(instance, row)
    if run is None or run.status != dg.DagsterRunStatus.FAILURE or crashed(run):
        return None
    step = failed_step(instance, run)
    if step is None or resume_problem(instance, row, step) is not None:
        return None
    return step


def first_step(run: dg.DagsterRun) -> str | None:
    """The earliest step of the flow that `run` materializes (None: the whole graph or none of the flow)."""
    selected = {key.to_user_string() for key in run.asset_selection or ()}
    return next((step.name for step in FLOW if selected.intersection(step.assets)), None)


def crash_plan(run: dg.DagsterRun) -> tuple[str | None, str | None]:
    """What the retry of a crashed run carries out: (the step it resumes from, the review decision it acts on).

    A resumed run resumes from the same step again; a run a review decision started (its
    `deznity/review` tag) runs its own steps again, from its first, with that decision. (None, None):
    the whole graph, a new attempt at everything.
    """
    resumed, review = run.tags.get(RESUME_TAG), run.tags.get(REVIEW_TAG)
    step = resumed or (first_step(run) if review else None)
    if review and step in DECISION_STEPS:
        return step, review
    # No decision to carry (a run launched by hand with the tag starts elsewhere): as any other run.
    return resumed, None


def claim_plan(instance: dg.DagsterInstance, row: ClientRow) -> RunPlan:
    """The run a claimed client gets: from the step its retry recorded while that still holds, else everything.

    With a review decision recorded too (a crashed approval or rework run), the decision's own
    steps and its tag, which the review gate reads.
    """
    step = row.resume_from
    if step and resume_problem(instance, row, step) is None:
        if row.resume_review and step in DECISION_STEPS:
            tags = {RESUME_TAG: step, REVIEW_TAG: row.resume_review}
            return RunPlan(row, assets=decision_assets(step), tags=tags)
        return RunPlan(row, assets=resume_assets(step), tags={RESUME_TAG: step})
    return RunPlan(row)

"""The jobs of the code location: every deliverable of one client, and a reviewer's decision from the UI."""

from typing import Literal

import dagster as dg
from pydantic import Field

from ..control import RunPlan
from ..flow import DEFAULT_REWORK, FLOW, REWORK_STEPS
from ..resources import ClientStoreResource, OutputResource, control_plane

JOB_NAME = "client_package_job"

client_package_job = dg.define_asset_job(
    JOB_NAME,
    selection=dg.AssetSelection.assets(*(asset for step in FLOW for asset in step.assets)),
    description="Every deliverable of one client, from brief to published package.",
)


class ReviewDecisionConfig(dg.Config):
    """A reviewer's decision on a client waiting for review, typed in the UI's launchpad."""

    slug: str = Field(description="The client's slug (its partition).")
    decision: Literal["approved", "rejected"] = Field(description="approved publishes; rejected sends it back.")
    reviewer: str = Field(description="Who decides; kept with the decision.")
    reason: str = Field(default="", description="Why; required for a rejection (given to the agents).")
    rework: str | None = Field(
        default=None,
        description=f"Rejections only: the step to re-run up to the review ({', '.join(REWORK_STEPS)}); "
        f"default {DEFAULT_REWORK}.",
    )


@dg.op(description="Records the decision as a reviews row; the review sensor acts on it within a minute.")
def record_review_decision(
    context: dg.OpExecutionContext, config: ReviewDecisionConfig, store: ClientStoreResource, output: OutputResource
) -> None:
    """Record one review decision from the UI (the same checks as `deznity review`)."""
    from ..control.review import ReviewError, decide

    try:
        review = decide(
            control_plane(store, output),
            config.slug,
            decision=config.decision,
            reviewer=config.reviewer,
            reason=config.reason,
            rework=config.rework,
        )
    except ReviewError as exc:
        raise dg.Failure(description=str(exc)) from None
    context.log.info(f"{config.slug}: {review['decision']} by {review['reviewer']} recorded (review {review['id']})")


@dg.job(description="A reviewer's approval or rejection of a health, legal or finance client, from the launchpad.")
def review_decision_job() -> None:
    """Record one review decision typed in the Dagster UI."""
    record_review_decision()


def run_request(plan: RunPlan) -> dg.RunRequest:
    """The run of one claimed client: its partition, a run key per claim, the tags that tie them, and the
    assets its plan names (a resumed retry's, a review decision's; the whole graph otherwise)."""
    return dg.RunRequest(
        partition_key=str(plan.row.slug),
        run_key=plan.run_key,
        tags=plan.run_tags,
        asset_selection=[dg.AssetKey(asset) for asset in plan.assets] if plan.assets is not None else None,
    )

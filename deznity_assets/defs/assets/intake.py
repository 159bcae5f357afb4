"""The client_brief asset: the validated brief of one client, and the run's claim on it."""

import dagster as dg

from ... import progress
from ...brief import BriefError, ClientBrief
from ...control import ClaimError
from ...control.resume import BRIEF_DIGEST, brief_digest
from ...flow import STEPS
from ...resources import ClientStoreResource, OutputResource, control_plane
from ..partitions import clients_partitions


@dg.asset(
    partitions_def=clients_partitions,
    group_name=STEPS["client_brief"].group,
    kinds={"python"},
    description=STEPS["client_brief"].description,
)
def client_brief(
    context: dg.AssetExecutionContext, store: ClientStoreResource, output: OutputResource
) -> dg.Output[ClientBrief]:
    """The client's validated brief, read from the clients table; claims the row for this run."""
    slug = context.partition_key
    try:
        row = control_plane(store, output).claim_for_run(slug, run_id=context.run.run_id, instance=context.instance)
    except ClaimError as exc:
        raise dg.Failure(description=str(exc)) from None
    try:
        brief = row.brief()
    except BriefError as exc:
        raise dg.Failure(description=f"invalid brief: {exc}") from None
    progress.report(slug, "intake", f"brief valid ({brief.industry}, {len(brief.pages)} pages, {brief.language})")
    return dg.Output(
        brief,
        metadata={
            "business_name": brief.business_name,
            "industry": brief.industry,
            "language": brief.language,
            "pages": len(brief.pages),
            "attempt": row.attempt,
            "needs_human_review": brief.needs_human_review,
            # A retry resumes after the brief only while the row still holds this brief.
            BRIEF_DIGEST: brief_digest(brief),
        },
    )

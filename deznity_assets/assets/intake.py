"""The client_brief asset: the validated brief of one client, and the run's claim on it."""

import dagster as dg

from .. import progress
from ..brief import BriefError, ClientBrief
from ..lifecycle import FINISHED
from ..resources import ClientStoreResource
from .partitions import clients_partitions


@dg.asset(partitions_def=clients_partitions, group_name="intake", kinds={"python"})
def client_brief(context: dg.AssetExecutionContext, store: ClientStoreResource) -> dg.Output[ClientBrief]:
    """The client's validated brief, read from the clients table; claims the row for this run."""
    slug = context.partition_key
    db = store.get_store()
    row = db.get(slug)
    if row is None:
        raise dg.Failure(description=f"no client with slug {slug!r} in the clients table; add it with `deznity add-client`")
    # A run launched by hand (UI, backfill) on a client another run is processing would
    # process it twice: refuse instead.
    if row.status == "in_progress" and row.run_id and row.run_id != context.run_id:
        other = context.instance.get_run_by_id(row.run_id)
        if other is not None and other.status not in FINISHED:
            raise dg.Failure(description=f"client {slug} is already being processed by run {row.run_id}")
    row = db.mark_in_progress(slug, run_id=context.run_id)
    db.start_project(slug, run_id=context.run_id, attempt=row.attempt)
    try:
        brief = row.brief()
    except BriefError as exc:
        raise dg.Failure(description=f"invalid brief: {exc}") from None
    progress.report(slug, "intake", f"brief valid ({brief.industry}, {len(brief.pages)} pages, {brief.language})")
    return dg.Output(brief, metadata={
        "business_name": brief.business_name, "industry": brief.industry, "language": brief.language,
        "pages": len(brief.pages), "attempt": row.attempt, "needs_human_review": brief.needs_human_review,
    })

"""The review_approval asset: the gate where a health, legal or finance client's content waits for a reviewer."""

from collections.abc import Iterator
from typing import Any

import dagster as dg

from ... import progress
from ...assembly import package_files
from ...brief import ClientBrief
from ...control.review import approval_for_run
from ...control.runs import HELD_TAG
from ...deliverables import ReviewApproval
from ...flow import REVIEW_ASSET, REVIEW_INPUTS, REVIEW_STEP, STEPS
from ...package import mirror_package, publish_package
from ...resources import ClientStoreResource, OutputResource, StorageResource, control_plane
from ..partitions import clients_partitions

STEP = STEPS[REVIEW_STEP]


@dg.asset(
    name=REVIEW_ASSET,
    partitions_def=clients_partitions,
    group_name=STEP.group,
    kinds={"python"},
    description=STEP.description,
    ins={key: dg.AssetIn() for key in REVIEW_INPUTS},
    # Held for review, the gate yields nothing: the deployment and every step after it are
    # skipped, and the run ends successfully with the client in needs_review.
    output_required=False,
)
def review_approval(
    context: dg.AssetExecutionContext,
    store: ClientStoreResource,
    output: OutputResource,
    storage: StorageResource,
    **deliverables: Any,
) -> Iterator[dg.Output[ReviewApproval]]:
    """Clearance to publish: at once when no regulated sector applies, else only with a reviewer's approval."""
    slug = context.partition_key
    brief: ClientBrief = deliverables["client_brief"]
    plane = control_plane(store, output)
    plane.join_run(slug, run_id=context.run.run_id, instance=context.instance)
    findings = brief.review_findings
    if not findings:
        yield dg.Output(ReviewApproval(required=False), metadata={"review": "not required"})
        return
    sectors = list(dict.fromkeys(f.sector for f in findings))
    reasons = [f.reason for f in findings]
    approval = approval_for_run(plane, slug, context.run.tags)
    if approval is not None:
        progress.report(slug, STEP.name, f"approved by {approval['reviewer']}")
        yield dg.Output(
            ReviewApproval(
                required=True,
                sectors=sectors,
                reasons=reasons,
                review_id=str(approval["id"]),
                reviewer=approval["reviewer"],
                note=approval.get("reason") or "",
                decided_at=approval.get("decided_at"),
            ),
            metadata={"review": "approved", "reviewer": approval["reviewer"], "sectors": ", ".join(sectors)},
        )
        return
    # Held: the reviewer reads the draft package (everything but the deploy bundle) in output/<slug>/.
    files = package_files(slug, brief, deliverables, reviews=plane.store.reviews_for(slug))
    target = publish_package(output.path, slug, dict(files))
    if storage.packages_url:
        mirror_package(storage.path(storage.packages_url), slug, dict(files))
    context.instance.add_run_tags(context.run.run_id, {HELD_TAG: "; ".join(reasons)[:500]})
    context.log_event(
        dg.AssetObservation(
            asset_key=REVIEW_ASSET,
            partition=slug,
            metadata={
                "review": "needs_review",
                "sectors": ", ".join(sectors),
                "reasons": "\n".join(reasons),
                "ticket": dg.MetadataValue.path(str(target / "review" / "REVIEW_TICKET.md")),
            },
        )
    )
    progress.report(slug, STEP.name, "waiting for a reviewer: " + "; ".join(reasons))

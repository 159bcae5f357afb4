"""The client_package asset: the assembled package, published to output/<slug>/ in one swap."""

import dagster as dg

from ... import progress
from ...deliverables import BootstrapSummary, PublishedPackage
from ...flow import STEPS
from ...package import mirror_package, publish_package
from ...resources import ClientStoreResource, OutputResource, StorageResource, control_plane
from ..partitions import clients_partitions

STEP = STEPS["client_package"]


@dg.asset(
    name=STEP.name,
    partitions_def=clients_partitions,
    group_name=STEP.group,
    kinds={"file"},
    description=STEP.description,
)
def client_package(
    context: dg.AssetExecutionContext,
    bootstrap_summary: BootstrapSummary,
    output: OutputResource,
    storage: StorageResource,
    store: ClientStoreResource,
) -> dg.Output[PublishedPackage]:
    """The package written to output/<slug>/: staged, then swapped in whole, never mixing two runs."""
    slug = context.partition_key
    # A retry resuming here starts the run: tie it to its client.
    control_plane(store, output).join_run(slug, run_id=context.run.run_id, instance=context.instance)
    target = publish_package(output.path, slug, dict(bootstrap_summary.files))
    metadata = {}
    if storage.packages_url:
        # A run pod's disk disappears with it: the copy in shared storage is the one that stays.
        copy = mirror_package(storage.path(storage.packages_url), slug, dict(bootstrap_summary.files))
        metadata["package_url"] = dg.MetadataValue.path(str(copy))
    size = sum(len(text.encode("utf-8")) for text in bootstrap_summary.files.values())
    progress.report(slug, "package", f"package written to {target}")
    return dg.Output(
        PublishedPackage(slug=slug, path=str(target), files=len(bootstrap_summary.files), bytes=size),
        metadata={
            "files": len(bootstrap_summary.files),
            "bytes": size,
            "output_dir": dg.MetadataValue.path(str(target)),
            **metadata,
        },
    )

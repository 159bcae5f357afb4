"""The job of the code location: every deliverable of one client, from brief to published package."""

import dagster as dg

from ..flow import FLOW

JOB_NAME = "client_package_job"

client_package_job = dg.define_asset_job(
    JOB_NAME,
    selection=dg.AssetSelection.assets(*(asset for step in FLOW for asset in step.assets)),
    description="Every deliverable of one client, from brief to published package.",
)

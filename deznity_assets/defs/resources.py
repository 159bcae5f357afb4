"""The code location's resources, filled from the environment, and its executor."""

import dagster as dg

from ..resources import resources_from_env


@dg.definitions
def resources() -> dg.Definitions:
    """Resources from the environment (definitions.py loads `.env`); secrets as environment variable names only."""
    return dg.Definitions(
        resources=resources_from_env(),
        # In-process: a client's steps are small and sequential, and a subprocess per step
        # costs seconds each on 2 cores (design.md); concurrency comes from runs, not steps.
        executor=dg.in_process_executor,
    )

"""The code location's resources, filled from the environment, and its executor."""

from typing import Any

import dagster as dg

from ..resources import resources_from_env

# In-process: a client's steps are small and sequential, and a subprocess per step
# costs seconds each on 2 cores (design.md); concurrency comes from runs, not steps.
EXECUTOR = dg.in_process_executor


def resources() -> dict[str, Any]:
    """Resources from the environment (definitions.py loads `.env` first); secrets as variable names only."""
    return resources_from_env()

"""The Dagster code location: every object under defs/ (workspace.yaml and `dagster dev` load `defs`)."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import dagster as dg

from .config import load_dotenv_file
from .defs.jobs import JOB_NAME


@lru_cache(maxsize=1)
def _from_defs_folder() -> dg.Definitions:
    # `.env` first: the resources and the sensors' poll interval are read while defs/ loads.
    load_dotenv_file()
    return dg.load_from_defs_folder(path_within_project=Path(__file__).parent)


def build_definitions(resources: Mapping[str, Any] | None = None) -> dg.Definitions:
    """The code location's definitions; `resources` replace those configured from the environment."""
    defs = _from_defs_folder()
    if not resources:
        return defs
    return dg.Definitions(
        assets=defs.assets,
        asset_checks=defs.asset_checks,
        jobs=defs.jobs,
        schedules=defs.schedules,
        sensors=defs.sensors,
        executor=defs.executor,
        loggers=defs.loggers,
        metadata=defs.metadata,
        resources={**(defs.resources or {}), **resources},
    )


@dg.definitions
def defs() -> dg.Definitions:
    """The code location: partitions, assets, checks, the job, sensors and resources from defs/."""
    return build_definitions()


__all__ = ["JOB_NAME", "build_definitions", "defs"]

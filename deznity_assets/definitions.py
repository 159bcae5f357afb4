"""The Dagster code location: every object under defs/ (workspace.yaml and `dagster dev` load `defs`)."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import dagster as dg

from . import defs as defs_folder
from .config import load_dotenv_file
from .defs import resources as defs_resources
from .defs.jobs import JOB_NAME


@lru_cache(maxsize=1)
def _from_defs_folder() -> dg.Definitions:
    # `.env` first: the resources and the sensors' poll interval are read while defs/ loads.
    load_dotenv_file()
    # Every module under defs/ is scanned for its assets, checks, jobs and sensors. Not through
    # `dg.load_from_defs_folder`: that also reads pyproject.toml and describes every installed
    # component type for the UI's component browser (none is ours), which every run worker, a fresh
    # interpreter per run, paid again: a quarter of a second of a client's run on this machine.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dg.PreviewWarning)  # the loader is "preview" in Dagster 1.13
        return dg.load_definitions_from_package_module(
            defs_folder, resources=defs_resources.resources(), executor=defs_resources.EXECUTOR
        )


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

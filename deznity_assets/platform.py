"""The platform as the command line and tests use it: settings, resources, store, control plane, Dagster instance."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import dagster as dg

from .config import PlatformSettings, platform_settings
from .control import ControlPlane
from .resources import resources_from_env
from .store.base import ClientStore


@dataclass
class Platform:
    """One configuration of the platform: the same resources the code location builds from the environment."""

    settings: PlatformSettings
    resources: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Platform:
        """The platform configured by `env` (default: the process environment and `.env`); ConfigError names
        the variable to fix."""
        settings = platform_settings(env)
        return cls(settings=settings, resources=resources_from_env(env, settings))

    def with_resources(self, **resources: Any) -> Platform:
        """The same platform with some resources replaced (another store, provider, limits...)."""
        return Platform(settings=self.settings, resources={**self.resources, **resources})

    @property
    def output_dir(self) -> Path:
        """Where packages and the portfolio are written."""
        return self.resources["output"].path

    @cached_property
    def store(self) -> ClientStore:
        """The clients store (shared within the process)."""
        return self.resources["store"].get_store()

    @cached_property
    def control(self) -> ControlPlane:
        """The control plane over this store and output folder."""
        return ControlPlane(self.store, self.output_dir)

    @cached_property
    def definitions(self) -> dg.Definitions:
        """The code location's definitions with these resources."""
        from .definitions import build_definitions

        return build_definitions(self.resources)

    def instance(self) -> dg.DagsterInstance:
        """The project's Dagster instance (the one the webserver and daemon use)."""
        self.settings.ensure_dagster_home()
        return dg.DagsterInstance.get()

    def create_instance_storage(self) -> dg.DagsterInstance:
        """The instance with its run, event-log and schedule tables created, before any other process opens it."""
        instance = self.instance()
        create_instance_tables(instance)
        return instance


def create_instance_tables(instance: dg.DagsterInstance) -> None:
    """Create the run, event-log and schedule tables of `instance` (Dagster makes each on first use)."""
    # Two processes opening a new SQLite instance together race to create the same tables:
    # "table alembic_version already exists", or two stamped heads ("more than one head").
    instance.get_runs(limit=1)
    instance.event_log_storage.get_asset_records()
    instance.schedule_storage  # noqa: B018 - creating it creates its tables

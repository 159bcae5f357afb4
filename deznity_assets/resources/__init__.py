"""Dagster resources: the configuration of every backend, filled from the environment (see config.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..config import PlatformSettings, from_env, platform_settings
from .agents import AgentProviderResource
from .hosting import HostingResource
from .lifecycle import LifecycleResource
from .memory import MemoryResource
from .openai_account import OpenAIResource
from .output import OutputResource
from .storage import StorageResource
from .store import ClientStoreResource
from .webhooks import WebhookResource

if TYPE_CHECKING:
    from ..control import ControlPlane

# Every resource class whose fields are settings, in the order `deznity env` lists them.
RESOURCE_CLASSES = (
    LifecycleResource,
    OutputResource,
    ClientStoreResource,
    AgentProviderResource,
    OpenAIResource,
    MemoryResource,
    WebhookResource,
    StorageResource,
    HostingResource,
)


def resources_from_env(
    env: Mapping[str, str] | None = None, settings: PlatformSettings | None = None
) -> dict[str, Any]:
    """The resource set every entry point uses, filled from `env` (default: the process environment)."""
    from ..io_manager import DeliverableIOManager

    settings = settings or platform_settings(env)
    state = settings.state_path
    openai = from_env(OpenAIResource, env)
    storage = from_env(StorageResource, env)
    return {
        "lifecycle": from_env(LifecycleResource, env),
        "output": from_env(OutputResource, env),
        "store": from_env(ClientStoreResource, env, database_url=f"sqlite:///{state / 'deznity.db'}"),
        "openai": openai,
        "agents": from_env(
            AgentProviderResource, env, openai=openai, storage=storage, cache_dir=str(state / "llm-cache")
        ),
        "memory": from_env(MemoryResource, env, openai=openai, memory_dir=str(state / "memory")),
        "webhooks": from_env(WebhookResource, env),
        "storage": storage,
        "io_manager": DeliverableIOManager(storage=storage),
        "hosting": from_env(HostingResource, env),
    }


def control_plane(store: ClientStoreResource, output: OutputResource) -> ControlPlane:
    """The control plane over the configured store and output folder."""
    from ..control import ControlPlane

    return ControlPlane(store.get_store(), output.path)


__all__ = [
    "RESOURCE_CLASSES",
    "AgentProviderResource",
    "ClientStoreResource",
    "HostingResource",
    "LifecycleResource",
    "MemoryResource",
    "OpenAIResource",
    "OutputResource",
    "StorageResource",
    "WebhookResource",
    "control_plane",
    "resources_from_env",
]

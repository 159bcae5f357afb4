"""Choose the agent provider from the environment: offline, OpenAI, OpenRouter or a compatible server."""

from __future__ import annotations

import os
from typing import Mapping

from ..agents.provider import AgentProvider
from ..settings import Settings
from .config import LLMConfig

PROVIDER_VARIABLE = "DEZNITY_LLM_PROVIDER"
PROVIDER_CHOICES = ("offline", "openai", "openrouter", "compatible")
# Without DEZNITY_LLM_PROVIDER the first of these that is set picks the provider.
AUTO_SELECTION = (
    ("OPENAI_API_KEY", "openai"), ("OPENROUTER_API_KEY", "openrouter"), ("DEZNITY_LLM_BASE_URL", "compatible"),
)


def provider_name_from_env(env: Mapping[str, str]) -> str:
    """The provider the environment asks for (see PROVIDER_CHOICES); ValueError for a bad value."""
    raw = (env.get(PROVIDER_VARIABLE) or "").strip().lower()
    if raw:
        if raw not in PROVIDER_CHOICES:
            raise ValueError(
                f"{PROVIDER_VARIABLE}={raw!r} is not allowed; use one of {', '.join(PROVIDER_CHOICES)}"
            )
        return raw
    for variable, name in AUTO_SELECTION:
        if (env.get(variable) or "").strip():
            return name
    return "offline"


def provider_from_env(env: Mapping[str, str] | None = None) -> AgentProvider:
    """The agent provider the environment selects; the offline generator when no LLM is configured."""
    if env is None:
        Settings.from_env()  # loads .env into the process environment, as every entry point does
        env = dict(os.environ)
    name = provider_name_from_env(env)
    if name == "offline":
        from ..agents.offline import OfflineGenerator

        return OfflineGenerator()
    from .provider import OpenAICompatibleProvider

    state_dir = Settings.from_env(dict(env)).state_dir
    return OpenAICompatibleProvider(LLMConfig.from_env(name, env, state_dir=state_dir))  # type: ignore[arg-type]

"""LLM provider settings: endpoint, key, models per agent, limits (filled by AgentProviderResource)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from ..agents.roster import AGENTS

ProviderName = Literal["openai", "openrouter", "compatible"]
StructuredMode = Literal["json_schema", "json_object"]

OPENAI_BASE_URL = "https://api.openai.com/v1"
OPENROUTER_BASE_URL = "https://openrouter.ai/api/v1"
# Sent when an OpenAI-compatible server wants no key: the SDK refuses an empty one.
PLACEHOLDER_API_KEY = "not-needed"

# Roster models (OpenRouter ids) that OpenAI does not serve, and the OpenAI model used instead:
# Claude 3.5 Sonnet (strategy, UX writing) -> gpt-4o, the same quality tier;
# the Gemini Flash models (SEO, marketing: long, cheap copy) -> gpt-4o-mini, the same price tier.
OPENAI_SUBSTITUTES: dict[str, str] = {
    "anthropic/claude-3.5-sonnet": "gpt-4o",
    "google/gemini-2.5-flash": "gpt-4o-mini",
    "google/gemini-flash-1.5": "gpt-4o-mini",
}
OPENAI_FALLBACK_MODEL = "gpt-4o-mini"

# The variable holding each provider's key, named in error messages (never the key itself).
KEY_VARIABLE: dict[str, str] = {
    "openai": "OPENAI_API_KEY",
    "openrouter": "OPENROUTER_API_KEY",
    "compatible": "DEZNITY_LLM_API_KEY",
}


@dataclass(frozen=True)
class LLMConfig:
    """Everything an OpenAI-compatible provider needs, resolved once."""

    name: ProviderName
    base_url: str
    api_key: str = field(repr=False)
    models: dict[str, str]
    timeout: float = 120.0
    max_retries: int = 4
    rpm: int = 60
    max_tokens: int = 8000
    structured: StructuredMode = "json_schema"
    cache_dir: Path | None = None
    prices_path: Path | None = None
    # Backoff: base seconds of the exponential wait and the cap of any single wait.
    backoff_base: float = 0.5
    backoff_cap: float = 30.0
    retry_after_cap: float = 60.0

    @property
    def key_variable(self) -> str:
        """The environment variable to fix when the key is refused."""
        return KEY_VARIABLE[self.name]


def models_for(name: ProviderName, *, default: str, overrides: Mapping[str, str]) -> dict[str, str]:
    """Model per agent: DEZNITY_MODEL_<AGENT>, else DEZNITY_LLM_MODEL, else the roster's (mapped for OpenAI)."""
    unknown = sorted(set(overrides) - set(AGENTS))
    if unknown:
        raise ValueError(
            f"DEZNITY_MODEL_{unknown[0].upper()} names no agent; use one of "
            + ", ".join(f"DEZNITY_MODEL_{a.upper()}" for a in AGENTS)
        )
    models: dict[str, str] = {}
    missing: list[str] = []
    for agent_id, agent in AGENTS.items():
        model = (overrides.get(agent_id) or "").strip() or default.strip()
        if not model:
            if name == "compatible":
                missing.append(agent_id)
                continue
            model = agent.model
        models[agent_id] = openai_model(model) if name == "openai" else model
    if missing:
        raise ValueError(
            "DEZNITY_LLM_MODEL is not set: an OpenAI-compatible server needs the name of a model it serves"
            f" (GET /v1/models lists them); set DEZNITY_LLM_MODEL, or DEZNITY_MODEL_<AGENT> for {', '.join(missing)}"
        )
    return models


def openai_model(model: str) -> str:
    """The OpenAI model for a roster/OpenRouter id: strip 'openai/', substitute other vendors' models."""
    if model in OPENAI_SUBSTITUTES:
        return OPENAI_SUBSTITUTES[model]
    vendor, _, bare = model.partition("/")
    if not bare:
        return model
    return bare if vendor == "openai" else OPENAI_FALLBACK_MODEL

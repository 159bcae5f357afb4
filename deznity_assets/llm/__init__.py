"""Real LLM agents behind the AgentProvider interface (OpenAI, OpenRouter, OpenAI-compatible servers)."""

from __future__ import annotations

from .config import ENV_DOCS, LLMConfig
from .provider import OpenAICompatibleProvider
from .select import provider_from_env

__all__ = ["ENV_DOCS", "LLMConfig", "OpenAICompatibleProvider", "provider_from_env"]

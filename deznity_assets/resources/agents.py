"""The agent provider resource: the offline generator, or an LLM through OpenAI, OpenRouter or a compatible server."""

from __future__ import annotations

import dataclasses
import threading
from functools import lru_cache
from pathlib import Path

import dagster as dg

from ..agents.provider import AgentProvider
from ..config import secret_value, setting
from ..llm.config import (
    OPENAI_BASE_URL,
    OPENROUTER_BASE_URL,
    PLACEHOLDER_API_KEY,
    URL_VARIABLE,
    LLMConfig,
    ProviderName,
    check_base_url,
    models_for,
)
from .openai_account import OpenAIResource
from .storage import StorageResource, is_remote

PROVIDER_CHOICES = ("auto", "offline", "openai", "openrouter", "compatible")
_lock = threading.Lock()


class AgentProviderResource(dg.ConfigurableResource):
    """Which provider runs the agents, with which models and limits; 'auto' picks from the keys that are set."""

    provider: str = setting(
        "DEZNITY_LLM_PROVIDER",
        "auto",
        "offline, openai, openrouter or compatible; auto: the "
        "first of OPENAI_API_KEY, OPENROUTER_API_KEY, DEZNITY_LLM_BASE_URL that is set, else "
        "offline",
        choices=PROVIDER_CHOICES,
    )
    openrouter_api_key: str | None = setting(
        "OPENROUTER_API_KEY", None, "OpenRouter key (provider openrouter)", secret="always"
    )
    base_url: str | None = setting(
        "DEZNITY_LLM_BASE_URL",
        None,
        "base URL of an OpenAI-compatible server (Ollama, vLLM, LM Studio), e.g. http://127.0.0.1:11434/v1",
        secret="credentials",
    )
    api_key: str | None = setting("DEZNITY_LLM_API_KEY", None, "key for that server (optional)", secret="always")
    model: str = setting(
        "DEZNITY_LLM_MODEL", "", "model for every agent (required for compatible; overrides the roster elsewhere)"
    )
    models: dict[str, str] = setting("DEZNITY_MODEL_<AGENT>", {}, "model for one agent, e.g. DEZNITY_MODEL_SEO")
    structured: str = setting(
        "DEZNITY_LLM_STRUCTURED",
        "json_schema",
        "structured output: json_schema or json_object",
        choices=("json_schema", "json_object"),
    )
    timeout: float = setting("DEZNITY_LLM_TIMEOUT", 120.0, "seconds per request", minimum=0.001)
    max_retries: int = setting(
        "DEZNITY_LLM_MAX_RETRIES",
        4,
        "retries per request of 429/5xx/timeouts/dropped connections and of empty, cut-off or non-JSON answers",
        minimum=0,
    )
    rpm: int = setting(
        "DEZNITY_LLM_RPM",
        60,
        "requests per minute to one server with one key, shared by every run process of this machine (0 = no limit)",
        minimum=0,
    )
    max_tokens: int = setting("DEZNITY_LLM_MAX_TOKENS", 8000, "most output tokens per answer", minimum=16)
    cache: str = setting("DEZNITY_LLM_CACHE", "on", "response cache: on or off", choices=("on", "off"))
    cache_dir: str = setting(
        "DEZNITY_LLM_CACHE_DIR",
        "",
        "response cache folder, or s3://bucket/prefix shared by every run",
        shown_default="<state>/llm-cache",
    )
    prices: str | None = setting(
        "DEZNITY_LLM_PRICES",
        None,
        "JSON file: model -> {input_per_mtok, output_per_mtok} (USD), overriding built-in prices",
    )
    correction_rounds: int = setting(
        "DEZNITY_QA_CORRECTION_ROUNDS",
        2,
        "rounds in which content creation rewrites what the QA checks found on its pages (language, invented"
        " claims, titles, descriptions) before the offline copy fills what still fails (0 = fill at once)",
        minimum=0,
    )
    openai: OpenAIResource
    # The bucket's endpoint and keys when DEZNITY_LLM_CACHE_DIR is an s3:// URL.
    storage: StorageResource | None = None

    def provider_name(self) -> str:
        """The provider these settings select: an explicit choice, else the first configured service."""
        choice = (self.provider or "auto").strip().lower()
        if choice not in PROVIDER_CHOICES:
            raise ValueError(
                f"DEZNITY_LLM_PROVIDER={choice!r} is not allowed; use one of {', '.join(PROVIDER_CHOICES)}"
            )
        if choice != "auto":
            return choice
        if self.openai.key():
            return "openai"
        if secret_value(self.openrouter_api_key):
            return "openrouter"
        if secret_value(self.base_url):
            return "compatible"
        return "offline"

    def llm_config(self) -> LLMConfig:
        """The LLM settings of the selected provider; ValueError names the variable to fix."""
        name = self.provider_name()
        if name == "openai":
            base_url = self.openai.url() or OPENAI_BASE_URL
            api_key = _required(self.openai.key(), "OPENAI_API_KEY", "your OpenAI API key")
        elif name == "openrouter":
            base_url = OPENROUTER_BASE_URL
            api_key = _required(secret_value(self.openrouter_api_key), "OPENROUTER_API_KEY", "your OpenRouter API key")
        elif name == "compatible":
            base_url = _required(
                secret_value(self.base_url),
                "DEZNITY_LLM_BASE_URL",
                "the server's base URL, e.g. http://127.0.0.1:8000/v1",
            )
            api_key = secret_value(self.api_key) or PLACEHOLDER_API_KEY
        else:
            raise ValueError(f"provider {name!r} calls no LLM")
        if self.structured not in ("json_schema", "json_object"):
            raise ValueError(
                f"DEZNITY_LLM_STRUCTURED={self.structured!r} is not allowed; use json_schema or json_object"
            )
        check_base_url(base_url, URL_VARIABLE[name])
        # The rate limit's buckets live beside the cache (<state>/ratelimit), shared by the instance's processes.
        cache_dir = Path(self.cache_dir).expanduser() if self.cache_dir and not is_remote(self.cache_dir) else None
        shared_cache = self.storage.path(self.cache_dir) if is_remote(self.cache_dir) and self.storage else None
        return LLMConfig(
            name=name,  # type: ignore[arg-type]
            base_url=base_url.rstrip("/"),
            api_key=api_key,
            models=models_for(name, default=self.model, overrides=self.models),  # type: ignore[arg-type]
            timeout=self.timeout,
            max_retries=self.max_retries,
            rpm=self.rpm,
            max_tokens=self.max_tokens,
            structured=self.structured,  # type: ignore[arg-type]
            cache_dir=(shared_cache or cache_dir) if self.cache == "on" else None,
            ratelimit_dir=cache_dir.parent / "ratelimit" if cache_dir else None,
            prices_path=Path(self.prices).expanduser() if self.prices else None,
        )

    def get_provider(self) -> AgentProvider:
        """The provider instance, shared within the process (it holds the counters and the rate limiter)."""
        name = self.provider_name()
        if name == "offline":
            return _offline()
        return _llm_provider(self.llm_config())


def _required(value: str | None, variable: str, what: str) -> str:
    if not (value or "").strip():
        raise ValueError(f"{variable} is not set; set it to {what}")
    return (value or "").strip()


@lru_cache(maxsize=1)
def _offline() -> AgentProvider:
    from ..agents.offline import OfflineGenerator

    return OfflineGenerator()


_providers: dict[tuple[object, ...], AgentProvider] = {}


def _llm_provider(config: LLMConfig) -> AgentProvider:
    # One provider per distinct configuration per process: it holds the counters and the rate limiter.
    key = tuple(tuple(sorted(v.items())) if isinstance(v, dict) else v for v in dataclasses.astuple(config))
    with _lock:
        if key not in _providers:
            from ..llm.provider import OpenAICompatibleProvider

            _providers[key] = OpenAICompatibleProvider(config)
        return _providers[key]


__all__ = ["PROVIDER_CHOICES", "AgentProviderResource", "ProviderName"]

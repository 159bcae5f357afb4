"""LLM provider settings read from the environment: endpoint, key, models per agent, limits."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Mapping

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

ENV_DOCS: dict[str, str] = {
    "DEZNITY_LLM_PROVIDER": "offline | openai | openrouter | compatible; default: the first of OPENAI_API_KEY, "
                            "OPENROUTER_API_KEY, DEZNITY_LLM_BASE_URL that is set, else offline",
    "OPENAI_API_KEY": "OpenAI key (provider openai)",
    "OPENROUTER_API_KEY": "OpenRouter key (provider openrouter)",
    "DEZNITY_LLM_BASE_URL": "base URL of an OpenAI-compatible server, e.g. http://127.0.0.1:11434/v1",
    "DEZNITY_LLM_API_KEY": "key for that server (optional)",
    "DEZNITY_LLM_MODEL": "model for every agent (required for compatible; overrides the roster elsewhere)",
    "DEZNITY_MODEL_<AGENT>": "model for one agent, e.g. DEZNITY_MODEL_SEO",
    "DEZNITY_LLM_STRUCTURED": "json_schema (default) | json_object",
    "DEZNITY_LLM_TIMEOUT": "seconds per request; default 120",
    "DEZNITY_LLM_MAX_RETRIES": "retries of 429/5xx/timeouts/dropped connections; default 4",
    "DEZNITY_LLM_RPM": "requests per minute, per process (0 = no limit); default 60",
    "DEZNITY_LLM_MAX_TOKENS": "most output tokens per answer; default 8000",
    "DEZNITY_LLM_CACHE": "on | off; default on",
    "DEZNITY_LLM_CACHE_DIR": "response cache folder; default <state dir>/llm-cache",
    "DEZNITY_LLM_PRICES": "JSON file: model -> {input_per_mtok, output_per_mtok} (USD), overriding built-in prices",
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

    @classmethod
    def from_env(cls, name: ProviderName, env: Mapping[str, str], *, state_dir: Path) -> "LLMConfig":
        """Build the settings of provider `name` from `env`; ValueError names the variable to fix."""
        if name == "openai":
            base_url = env.get("OPENAI_BASE_URL") or OPENAI_BASE_URL
            api_key = _required(env, "OPENAI_API_KEY", "your OpenAI API key")
        elif name == "openrouter":
            base_url = OPENROUTER_BASE_URL
            api_key = _required(env, "OPENROUTER_API_KEY", "your OpenRouter API key")
        elif name == "compatible":
            base_url = _required(env, "DEZNITY_LLM_BASE_URL", "the server's base URL, e.g. http://127.0.0.1:8000/v1")
            api_key = env.get("DEZNITY_LLM_API_KEY") or PLACEHOLDER_API_KEY
        else:
            raise ValueError(f"unknown LLM provider {name!r}; use openai, openrouter or compatible")
        structured = (env.get("DEZNITY_LLM_STRUCTURED") or "json_schema").strip().lower()
        if structured not in ("json_schema", "json_object"):
            raise ValueError(f"DEZNITY_LLM_STRUCTURED={structured!r} is not allowed; use json_schema or json_object")
        cache = (env.get("DEZNITY_LLM_CACHE") or "on").strip().lower()
        if cache not in ("on", "off"):
            raise ValueError(f"DEZNITY_LLM_CACHE={cache!r} is not allowed; use on or off")
        cache_dir = None
        if cache == "on":
            raw_dir = env.get("DEZNITY_LLM_CACHE_DIR")
            cache_dir = Path(raw_dir).expanduser() if raw_dir else state_dir / "llm-cache"
        prices = env.get("DEZNITY_LLM_PRICES")
        return cls(
            name=name,
            base_url=base_url.rstrip("/"),
            api_key=api_key,
            models=models_from_env(name, env),
            timeout=_number(env, "DEZNITY_LLM_TIMEOUT", 120.0, minimum=0.001),
            max_retries=int(_number(env, "DEZNITY_LLM_MAX_RETRIES", 4, minimum=0, whole=True)),
            rpm=int(_number(env, "DEZNITY_LLM_RPM", 60, minimum=0, whole=True)),
            max_tokens=int(_number(env, "DEZNITY_LLM_MAX_TOKENS", 8000, minimum=16, whole=True)),
            structured=structured,  # type: ignore[arg-type]
            cache_dir=cache_dir,
            prices_path=Path(prices).expanduser() if prices else None,
        )


def models_from_env(name: ProviderName, env: Mapping[str, str]) -> dict[str, str]:
    """Model per agent: DEZNITY_MODEL_<AGENT>, else DEZNITY_LLM_MODEL, else the roster's (mapped for OpenAI)."""
    default = (env.get("DEZNITY_LLM_MODEL") or "").strip()
    models: dict[str, str] = {}
    missing: list[str] = []
    for agent_id, agent in AGENTS.items():
        override = (env.get(f"DEZNITY_MODEL_{agent_id.upper()}") or "").strip()
        model = override or default
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


def _required(env: Mapping[str, str], name: str, what: str) -> str:
    value = (env.get(name) or "").strip()
    if not value:
        raise ValueError(f"{name} is not set; set it to {what}")
    return value


def _number(env: Mapping[str, str], name: str, default: float, *, minimum: float, whole: bool = False) -> float:
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = int(raw) if whole else float(raw)
    except ValueError:
        kind = "a whole number" if whole else "a number"
        raise ValueError(f"{name}={raw!r} is not {kind}; set it to e.g. {default:g}") from None
    if value < minimum:
        raise ValueError(f"{name}={raw!r} must be at least {minimum:g}; set it to e.g. {default:g}")
    return value

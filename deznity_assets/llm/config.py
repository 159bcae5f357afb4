"""LLM provider settings: endpoint, key, models per agent, limits (filled by AgentProviderResource)."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal
from urllib.parse import unquote, urlsplit, urlunsplit

from ..agents.roster import AGENTS
from .errors import display_host, url_secrets

if TYPE_CHECKING:
    from upath import UPath

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
# The variable holding each provider's base URL (OpenRouter's is fixed).
URL_VARIABLE: dict[str, str] = {
    "openai": "OPENAI_BASE_URL",
    "openrouter": "the OpenRouter base URL",
    "compatible": "DEZNITY_LLM_BASE_URL",
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
    cache_dir: Path | UPath | None = None  # a folder, or an s3:// prefix shared by every run
    # Where the rate limit's shared token buckets live (None: a bucket per process).
    ratelimit_dir: Path | None = None
    prices_path: Path | None = None
    # Backoff: base seconds of the exponential wait and the cap of any single wait.
    backoff_base: float = 0.5
    backoff_cap: float = 30.0
    retry_after_cap: float = 60.0

    @property
    def key_variable(self) -> str:
        """The environment variable to fix when the key is refused."""
        return KEY_VARIABLE[self.name]

    @property
    def host(self) -> str:
        """host[:port] of the base URL, the only part of it ever shown (it may carry user:password@)."""
        return display_host(self.base_url)

    @property
    def secrets(self) -> tuple[str, ...]:
        """The API key, the base URL's password and its Basic auth token, as `redact` takes them."""
        basic = split_userinfo(self.base_url)[1]
        return (self.api_key, *url_secrets(self.base_url), *([basic.split()[-1]] if basic else []))


def split_userinfo(url: str) -> tuple[str, str | None]:
    """`url` without user:password@, and the HTTP Basic Authorization header they make (None without them)."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url, None
    userinfo, _, hostport = parts.netloc.rpartition("@")
    user, _, password = userinfo.partition(":")
    token = base64.b64encode(f"{unquote(user)}:{unquote(password)}".encode()).decode("ascii")
    return urlunsplit(parts._replace(netloc=hostport)), f"Basic {token}"


def check_base_url(url: str, variable: str) -> str:
    """`url` when it is an absolute http(s) URL; a ValueError naming `variable` (never the URL) otherwise."""
    try:
        parts = urlsplit(url)
        # An @ past the authority is a user:password with an unencoded / ? or # (its tail would be shown).
        stray_at = "@" in url.split("://", 1)[-1] and "@" not in parts.netloc
        ok = parts.scheme in ("http", "https") and bool(parts.hostname) and not stray_at
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        ok = False
    if not ok:
        raise ValueError(
            f"{variable} is not a usable http(s) URL; set it like http://127.0.0.1:8000/v1, and percent-encode"
            " any of : / ? # @ in a user name or password (e.g. / as %2F)"
        )
    return url


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

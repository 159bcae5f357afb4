"""The agents resource from the environment: which provider, which model per agent, clear errors for bad settings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from deznity_assets.agents.roster import AGENTS, TASKS
from deznity_assets.deliverables import ProjectPlan
from deznity_assets.llm.config import LLMConfig, openai_model
from deznity_assets.llm.provider import OpenAICompatibleProvider
from deznity_assets.resources import resources_from_env
from tests.plugins.llm import context_for


def provider_from_env(env: dict[str, str]):
    return resources_from_env(env)["agents"].get_provider()


def provider_name_from_env(env: dict[str, str]) -> str:
    return resources_from_env(env)["agents"].provider_name()


def base_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {"DEZNITY_STATE_DIR": str(tmp_path / "state"), **extra}


@pytest.mark.parametrize(
    "env, expected",
    [
        ({}, "offline"),
        ({"OPENAI_API_KEY": "sk-a", "OPENROUTER_API_KEY": "sk-or-b", "DEZNITY_LLM_BASE_URL": "http://x/v1"}, "openai"),
        ({"OPENROUTER_API_KEY": "sk-or-b", "DEZNITY_LLM_BASE_URL": "http://x/v1"}, "openrouter"),
        ({"DEZNITY_LLM_BASE_URL": "http://x/v1"}, "compatible"),
        ({"OPENAI_API_KEY": "  "}, "offline"),
        ({"DEZNITY_LLM_PROVIDER": "offline", "OPENAI_API_KEY": "sk-a"}, "offline"),
        ({"DEZNITY_LLM_PROVIDER": " OpenRouter ", "OPENAI_API_KEY": "sk-a"}, "openrouter"),
    ],
)
def test_selection_rules(env, expected):
    assert provider_name_from_env(env) == expected


def test_bad_provider_value_names_the_variable_and_choices():
    with pytest.raises(
        ValueError,
        match=r"DEZNITY_LLM_PROVIDER='anthropic' is not allowed; use one of auto, "
        r"offline, openai, openrouter, compatible",
    ):
        provider_from_env({"DEZNITY_LLM_PROVIDER": "anthropic"})


def test_openai_provider_maps_roster_models(tmp_path):
    provider = provider_from_env(base_env(tmp_path, OPENAI_API_KEY="sk-test"))
    assert isinstance(provider, OpenAICompatibleProvider) and provider.name == "openai"
    assert provider.config.base_url == "https://api.openai.com/v1"
    assert provider.describe() == {
        "pm": "gpt-4.1",
        "strat": "gpt-4o",
        "web": "gpt-4o",
        "ux": "gpt-4o",
        "seo": "gpt-4o-mini",
        "mkt": "gpt-4o-mini",
        "qa": "gpt-5-mini",
        "support": "gpt-4o",
    }
    assert provider.config.cache_dir == tmp_path / "state" / "llm-cache"
    assert openai_model("meta-llama/llama-3-70b") == "gpt-4o-mini" and openai_model("gpt-4o") == "gpt-4o"


def test_openrouter_uses_roster_ids_and_per_agent_override(tmp_path):
    provider = provider_from_env(
        base_env(tmp_path, OPENROUTER_API_KEY="sk-or-test", DEZNITY_MODEL_SEO="google/gemini-2.5-pro")
    )
    assert provider.name == "openrouter" and provider.config.base_url == "https://openrouter.ai/api/v1"
    assert provider.model_for("seo") == "google/gemini-2.5-pro"
    assert {a: provider.model_for(a) for a in AGENTS if a != "seo"} == {
        a: agent.model for a, agent in AGENTS.items() if a != "seo"
    }


def test_compatible_needs_a_model_and_names_the_variable(tmp_path):
    with pytest.raises(ValueError, match=r"DEZNITY_LLM_MODEL is not set.*GET /v1/models"):
        provider_from_env(base_env(tmp_path, DEZNITY_LLM_BASE_URL="http://127.0.0.1:9/v1"))


def test_compatible_model_default_override_and_placeholder_key(tmp_path):
    provider = provider_from_env(
        base_env(
            tmp_path,
            DEZNITY_LLM_BASE_URL="http://127.0.0.1:9/v1/",
            DEZNITY_LLM_MODEL="llama3.1",
            DEZNITY_MODEL_UX="qwen2.5",
        )
    )
    assert provider.name == "compatible" and provider.config.base_url == "http://127.0.0.1:9/v1"
    assert provider.model_for("ux") == "qwen2.5" and provider.model_for("pm") == "llama3.1"
    assert provider.config.api_key == "not-needed"


@pytest.mark.parametrize(
    "variable, value, message",
    [
        ("DEZNITY_LLM_TIMEOUT", "soon", "DEZNITY_LLM_TIMEOUT='soon' is not a number"),
        ("DEZNITY_LLM_MAX_RETRIES", "-1", "DEZNITY_LLM_MAX_RETRIES='-1' must be at least 0"),
        ("DEZNITY_LLM_RPM", "1.5", "DEZNITY_LLM_RPM='1.5' is not a whole number"),
        ("DEZNITY_LLM_CACHE", "maybe", "DEZNITY_LLM_CACHE='maybe' is not allowed; use one of on, off"),
        ("DEZNITY_LLM_STRUCTURED", "xml", "DEZNITY_LLM_STRUCTURED='xml' is not allowed"),
    ],
)
def test_bad_settings_name_the_variable(tmp_path, variable, value, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(".", r"\.")):
        provider_from_env(base_env(tmp_path, OPENAI_API_KEY="sk-test", **{variable: value}))


def test_settings_are_read(tmp_path):
    prices = tmp_path / "prices.json"
    prices.write_text(json.dumps({"gpt-4.1": {"input_per_mtok": 1, "output_per_mtok": 2}}))
    provider = provider_from_env(
        base_env(
            tmp_path,
            OPENAI_API_KEY="sk-test",
            DEZNITY_LLM_TIMEOUT="7.5",
            DEZNITY_LLM_MAX_RETRIES="0",
            DEZNITY_LLM_RPM="30",
            DEZNITY_LLM_CACHE="off",
            DEZNITY_LLM_STRUCTURED="json_object",
            DEZNITY_LLM_PRICES=str(prices),
        )
    )
    config = provider.config
    assert (config.timeout, config.max_retries, config.rpm, config.cache_dir, config.structured) == (
        7.5,
        0,
        30,
        None,
        "json_object",
    )
    assert provider._prices.cost("gpt-4.1", 1_000_000, 1_000_000) == 3


def test_bad_price_file_is_a_clear_error(tmp_path):
    prices = tmp_path / "prices.json"
    prices.write_text(json.dumps({"gpt-4.1": {"input": 1}}))
    with pytest.raises(ValueError, match="entry 'gpt-4.1' needs numbers input_per_mtok and output_per_mtok"):
        provider_from_env(base_env(tmp_path, OPENAI_API_KEY="sk-test", DEZNITY_LLM_PRICES=str(prices)))


def test_env_selected_provider_talks_to_the_server(tmp_path, llm_server):
    """End to end from environment variables: the compatible provider reaches the local server."""
    env = base_env(
        tmp_path,
        DEZNITY_LLM_BASE_URL=llm_server.base_url,
        DEZNITY_LLM_MODEL="test-model",
        DEZNITY_MODEL_PM="planner-model",
        DEZNITY_LLM_API_KEY="sk-local-key",
    )
    provider = provider_from_env(env)
    result = provider.run(TASKS["project_plan"], context_for(1))
    assert isinstance(result.output, ProjectPlan) and result.usage.model == "planner-model"
    (request,) = [r for r in llm_server.requests if r["method"] == "POST"]
    assert request["body"]["model"] == "planner-model"
    assert request["headers"]["authorization"] == "Bearer sk-local-key"
    assert list((tmp_path / "state" / "llm-cache").rglob("*.json"))


def test_config_repr_hides_the_key():
    config = LLMConfig(
        name="openai",
        base_url="https://api.openai.com/v1",
        api_key="sk-secret-value",
        models={a: "gpt-4o" for a in AGENTS},
    )
    assert "sk-secret-value" not in repr(config)

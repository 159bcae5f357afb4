"""Fixtures for the LLM provider: a scripted OpenAI-compatible server and providers pointed at it."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from deznity_assets.agents.provider import AgentContext, KnowledgePassage
from deznity_assets.agents.roster import AGENTS
from deznity_assets.brief import REFERENCE_CLIENTS, slugify, validate_brief
from deznity_assets.llm.config import LLMConfig
from deznity_assets.llm.provider import OpenAICompatibleProvider
from tests.servers.openai_compatible import OpenAICompatibleServer

TEST_API_KEY = "sk-test-DO-NOT-LEAK-0123456789abcdef"


@pytest.fixture
def llm_server() -> Iterator[OpenAICompatibleServer]:
    """A running OpenAI-compatible server on 127.0.0.1 (valid structured answers unless scripted)."""
    with OpenAICompatibleServer(models=("test-model",)) as server:
        yield server


@pytest.fixture
def recorded_sleeps() -> list[float]:
    """Every backoff/rate-limit wait the provider asked for, in seconds."""
    return []


@pytest.fixture
def make_provider(
    llm_server: OpenAICompatibleServer,
    tmp_path: Path,
    recorded_sleeps: list[float],
) -> Callable[..., OpenAICompatibleProvider]:
    """Build a provider on the test server: fast backoff, short timeout, cache in tmp; override any LLMConfig field."""

    def sleep(seconds: float) -> None:
        recorded_sleeps.append(seconds)
        time.sleep(min(seconds, 0.05))

    def build(**overrides: Any) -> OpenAICompatibleProvider:
        config = LLMConfig(
            name="compatible",
            base_url=llm_server.base_url,
            api_key=TEST_API_KEY,
            models={agent_id: "test-model" for agent_id in AGENTS},
            timeout=2.0,
            max_retries=3,
            rpm=0,
            cache_dir=tmp_path / "llm-cache",
            backoff_base=0.001,
            backoff_cap=0.01,
            retry_after_cap=0.05,
        )
        return OpenAICompatibleProvider(dataclasses.replace(config, **overrides), sleep=sleep)

    return build


def context_for(index: int = 4, **changes: Any) -> AgentContext:
    """An AgentContext for reference client `index` (4 = TacoLoco), with brief fields changed as given."""
    brief = validate_brief({**REFERENCE_CLIENTS[index], **changes})
    knowledge = [
        KnowledgePassage(
            title="Landing page template",
            text="Hero, Social proof, Features, FAQ.",
            source="templates/landing.md",
            score=0.9,
        )
    ]
    return AgentContext(brief=brief, slug=slugify(brief.business_name), knowledge=knowledge)


@pytest.fixture
def taco_context() -> AgentContext:
    """TacoLoco's context (Spanish market) with one knowledge passage."""
    return context_for(4)

"""The whole pipeline on an LLM provider: a local OpenAI-compatible server answering through faults, then the cache."""

from __future__ import annotations

import json

import pytest

from deznity_assets.brief import REFERENCE_CLIENTS
from deznity_assets.platform import Platform
from deznity_assets.runner import run_client
from tests.plugins.platform import env_for
from tests.servers import openai_compatible as srv
from tests.servers.offline_answers import offline_answer


@pytest.fixture
def llm_env(platform, tmp_path):
    prices = tmp_path / "prices.json"
    prices.write_text(json.dumps({"test-model": {"input_per_mtok": 2.0, "output_per_mtok": 8.0}}))
    with srv.OpenAICompatibleServer(models=("test-model",)) as server:
        env = env_for(
            tmp_path,
            DEZNITY_LLM_PROVIDER="compatible",
            DEZNITY_LLM_BASE_URL=server.base_url,
            DEZNITY_LLM_MODEL="test-model",
            DEZNITY_LLM_PRICES=str(prices),
            DEZNITY_LLM_TIMEOUT="5",
        )
        # The agents resource configured for the server; everything else as the platform fixture's.
        llm = Platform.from_env(env)
        yield server, platform.with_resources(agents=llm.resources["agents"])


def test_clients_complete_through_faults_and_rerun_from_the_cache(llm_env, store, instance):
    server, platform = llm_env
    faults = [srv.rate_limited(), srv.server_error(503), srv.invalid_json(), srv.schema_violation()]
    # Every third request fails in one of the ways real providers fail; the rest answer well.
    server.script(*[faults[(i // 3) % 4] if i % 3 == 0 else srv.content(offline_answer) for i in range(60)])
    slugs = []
    for brief in (REFERENCE_CLIENTS[4], REFERENCE_CLIENTS[0]):
        row = store.add_client(brief)
        outcome = run_client(store.claim_client(row.slug), platform, instance)
        assert outcome.status == "completed", outcome.error
        slugs.append(row.slug)
    first_requests = len(server.completions)
    assert first_requests > 14  # 7 agent calls per client, plus retries and repairs
    summary = (platform.output_dir / "tacoloco" / "BOOTSTRAP_SUMMARY.md").read_text()
    assert "compatible (test-model)" in summary
    assert "Reserva tu mesa" in (platform.output_dir / "tacoloco" / "site" / "index.html").read_text()
    tokens, cost = store.usage_totals(store.get("tacoloco").id)
    assert tokens > 1000 and cost > 0

    for slug in slugs:  # a second run over the same briefs pays nothing
        outcome = run_client(store.claim_client(slug), platform, instance)
        assert outcome.status == "completed", outcome.error
    assert len(server.completions) == first_requests
    assert "| 7 / 7 / 0 |" in (platform.output_dir / "fittrack" / "BOOTSTRAP_SUMMARY.md").read_text()


def test_a_client_fails_cleanly_when_the_model_keeps_answering_badly(llm_env, store, instance):
    server, platform = llm_env
    server.script(*[srv.schema_violation() for _ in range(30)])
    row = store.add_client(REFERENCE_CLIENTS[2])
    outcome = run_client(store.claim_client(row.slug), platform, instance)
    assert outcome.status == "failed"
    assert "client_analysis" in outcome.error and "schema" in outcome.error
    assert not (platform.output_dir / row.slug).exists()  # no half-written package

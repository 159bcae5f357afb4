"""An imperfect model does not fail a client: answers checked against the brief, repaired, corrected after QA,
and what stays broken filled from the offline copy (said so) or failed with a reason that names it."""

from __future__ import annotations

import json

import pytest

from deznity_assets.brief import REFERENCE_CLIENTS
from deznity_assets.platform import Platform
from deznity_assets.runner import run_client
from tests.plugins.platform import env_for
from tests.servers import openai_compatible as srv
from tests.servers.weak_model import MISTAKES, WeakModel


@pytest.fixture
def weak_env(platform, tmp_path):
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
            DEZNITY_LLM_RPM="0",
        )
        yield server, platform.with_resources(agents=Platform.from_env(env).resources["agents"])


def _qa(platform, slug):
    return json.loads((platform.output_dir / slug / "qa" / "report.json").read_text())


@pytest.mark.parametrize("fixes", ["next", "never"])
def test_a_sloppy_model_completes_the_spanish_client(weak_env, store, instance, fixes):
    server, platform = weak_env
    model = WeakModel(MISTAKES, fixes=fixes)
    server.otherwise = srv.content(model)
    row = store.add_client(REFERENCE_CLIENTS[4])
    outcome = run_client(store.claim_client(row.slug), platform, instance)
    assert outcome.status == "completed", outcome.error
    summary = (platform.output_dir / row.slug / "BOOTSTRAP_SUMMARY.md").read_text()
    print(summary[:2500])
    print(model.made, model.corrections)

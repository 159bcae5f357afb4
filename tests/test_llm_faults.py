"""Provider faults through Dagster: transient ones outliving the provider's retries are retried by the step's
RetryPolicy, permanent ones fail the step at once with a clear reason; clients complete at 40 % injected faults."""

from __future__ import annotations

import itertools
import threading
from typing import Any

import dagster as dg
import pytest

from deznity_assets.brief import REFERENCE_CLIENTS
from deznity_assets.control.runs import run_failure_reason
from deznity_assets.defs.assets import phases
from deznity_assets.defs.assets.intake import client_brief
from deznity_assets.defs.partitions import CLIENTS
from deznity_assets.flow import STEPS
from deznity_assets.platform import Platform
from deznity_assets.runner import run_client
from tests.plugins.platform import env_for
from tests.servers import openai_compatible as srv
from tests.servers.offline_answers import offline_answer

# The step retry policy of the tests: the real one's shape, without its seconds of waiting.
FAST_RETRIES = dg.RetryPolicy(max_retries=2, delay=0.01, backoff=dg.Backoff.EXPONENTIAL)


@pytest.fixture
def llm_platform(platform, tmp_path):
    """The platform with its agents on a local OpenAI-compatible server (1 retry per request, fast backoff)."""
    with srv.OpenAICompatibleServer(models=("test-model",)) as server:
        env = env_for(
            tmp_path,
            DEZNITY_LLM_PROVIDER="compatible",
            DEZNITY_LLM_BASE_URL=server.base_url,
            DEZNITY_LLM_MODEL="test-model",
            DEZNITY_LLM_MAX_RETRIES="1",
            DEZNITY_LLM_TIMEOUT="5",
            DEZNITY_LLM_RPM="0",
        )
        yield server, platform.with_resources(agents=Platform.from_env(env).resources["agents"])


def _run_client_analysis(platform, store, instance, retry_policy=FAST_RETRIES):
    """Materialize the brief and the client_analysis step (with `retry_policy`) for TacoLoco."""
    row = store.add_client(REFERENCE_CLIENTS[4])
    store.claim_client(row.slug)
    instance.add_dynamic_partitions(CLIENTS, [row.slug])
    step = phases.agent_phase(STEPS["client_analysis"], inputs=(), retry_policy=retry_policy)
    result = dg.materialize(
        [client_brief, step],
        partition_key=row.slug,
        instance=instance,
        resources=platform.resources,
        raise_on_error=False,
    )
    retries = [e for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_UP_FOR_RETRY]
    return result, retries


def test_agent_phases_carry_a_bounded_retry_policy_with_backoff():
    for asset in (phases.client_analysis, phases.web_development, phases.content_creation):
        policy = asset.op.retry_policy
        assert policy is phases.AGENT_RETRY_POLICY, asset.op.name
    policy = phases.AGENT_RETRY_POLICY
    assert 1 <= policy.max_retries <= 3 and policy.delay and policy.delay >= 1
    assert policy.backoff == dg.Backoff.EXPONENTIAL and policy.jitter is not None


def test_a_transient_fault_outliving_the_provider_retries_is_retried_by_the_step(llm_platform, store, instance):
    server, platform = llm_platform
    # Both tasks' two attempts (1 + DEZNITY_LLM_MAX_RETRIES) get a 503; the step's second try gets answers.
    server.script(*[srv.server_error(503)] * 4)
    result, retries = _run_client_analysis(platform, store, instance)
    assert result.success
    assert len(retries) == 1 and len(server.completions) == 4 + 2


def test_transient_faults_past_the_step_retries_fail_with_the_providers_reason(llm_platform, store, instance):
    server, platform = llm_platform
    server.otherwise = srv.server_error(503)
    result, retries = _run_client_analysis(platform, store, instance)
    assert not result.success
    assert len(retries) == 2 and len(server.completions) == 3 * 2 * 2  # step tries x tasks x attempts
    reason = run_failure_reason(instance, instance.get_run_by_id(result.run_id))
    assert reason.startswith("client_analysis: project_plan: ") and "project_plan: project_plan" not in reason
    assert "failed with a server error (503: The server had an error" in reason and "after 1 retry" in reason


@pytest.mark.parametrize(
    "fault, expected",
    [
        (srv.error(401, "Incorrect API key provided", code="invalid_api_key"), "refused the API key (401"),
        (srv.error(429, "You exceeded your current quota", code="insufficient_quota"), "quota is used up"),
        (srv.error(400, "messages: too long"), "refused the request (400: messages: too long)"),
    ],
    ids=["bad-key", "no-quota", "bad-request"],
)
def test_a_permanent_fault_fails_the_step_at_once(llm_platform, store, instance, fault, expected):
    server, platform = llm_platform
    server.otherwise = fault
    result, retries = _run_client_analysis(platform, store, instance)
    assert not result.success
    assert retries == [] and len(server.completions) == 2  # one request per task, no retry of any kind
    reason = run_failure_reason(instance, instance.get_run_by_id(result.run_id))
    assert reason.startswith("client_analysis: project_plan: ") and expected in reason


def test_a_setting_to_fix_fails_the_step_at_once(platform, store, instance, tmp_path):
    env = env_for(
        tmp_path,
        DEZNITY_LLM_PROVIDER="compatible",
        DEZNITY_LLM_BASE_URL="http://proxy-user:pa/ss@127.0.0.1:1/v1",  # a / the password should encode
        DEZNITY_LLM_MODEL="test-model",
    )
    platform = platform.with_resources(agents=Platform.from_env(env).resources["agents"])
    result, retries = _run_client_analysis(platform, store, instance, retry_policy=phases.AGENT_RETRY_POLICY)
    assert not result.success and retries == []
    reason = run_failure_reason(instance, instance.get_run_by_id(result.run_id))
    assert reason.startswith("client_analysis: DEZNITY_LLM_BASE_URL is not a usable http(s) URL;")
    assert "pa/ss" not in reason and "proxy-user" not in reason


def test_a_client_completes_at_forty_percent_faults_with_cut_off_repairs(platform, store, instance, tmp_path):
    opening: set[tuple[str, bool]] = set()
    lock = threading.Lock()

    def first_ask_off_schema_first_repair_cut_off(body: dict[str, Any]) -> srv.Behaviour | None:
        # Every task's first answer breaks the schema and the answer to its repair is cut off: the case
        # that failed a client. Routed by task, so it holds whatever order the concurrent tasks ask in.
        name = body["response_format"]["json_schema"]["name"]
        repair = any("<validation_errors>" in m["content"] for m in body["messages"] if m["role"] == "user")
        with lock:
            if (name, repair) in opening:
                return None
            opening.add((name, repair))
        return srv.truncated(value=offline_answer) if repair else srv.schema_violation()

    # Then 2 of every 5 requests fail: a 429, a 503, a cut-off answer or invalid JSON (schema violations
    # come from the opening: one more after a repair would be the step retry's to cure, tested above).
    kinds = itertools.cycle(
        [srv.rate_limited(), srv.server_error(503), srv.truncated(value=offline_answer), srv.invalid_json()]
    )
    is_fault = [i % 5 in (0, 2) for i in range(200)]
    pattern = [next(kinds) if fault else srv.content(offline_answer) for fault in is_fault]
    with srv.OpenAICompatibleServer(models=("test-model",)) as server:
        server.route = first_ask_off_schema_first_repair_cut_off
        server.script(*pattern)
        env = env_for(
            tmp_path,
            DEZNITY_LLM_PROVIDER="compatible",
            DEZNITY_LLM_BASE_URL=server.base_url,
            DEZNITY_LLM_MODEL="test-model",
            DEZNITY_LLM_TIMEOUT="5",
            DEZNITY_LLM_RPM="0",
        )
        platform = platform.with_resources(agents=Platform.from_env(env).resources["agents"])
        row = store.add_client(REFERENCE_CLIENTS[4])
        outcome = run_client(store.claim_client(row.slug), platform, instance)
        served = len(server.completions)
    assert outcome.status == "completed", outcome.error
    assert len(opening) == 2 * 7  # every task's first ask and first repair
    scripted = served - len(opening)  # the routed opening answers, then the script in order
    assert scripted <= len(pattern), "the client needed more answers than were scripted"
    faults = len(opening) + sum(is_fault[:scripted])
    assert faults / served >= 0.4, (faults, served)

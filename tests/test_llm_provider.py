"""The OpenAI-compatible provider against a real local Chat Completions server, through the openai SDK."""

from __future__ import annotations

import json
import logging

import pytest

from deznity_assets.agents.provider import AgentError
from deznity_assets.agents.roster import TASKS
from deznity_assets.deliverables import MarketAnalysis, ProjectPlan, SeoCopy
from deznity_assets.llm.pricing import Price, PriceTable
from tests.plugins.llm import TEST_API_KEY
from tests.servers import openai_compatible as srv

PLAN = TASKS["project_plan"]


def test_structured_output_request_and_typed_result(make_provider, llm_server, taco_context):
    provider = make_provider()
    result = provider.run(PLAN, taco_context)
    assert isinstance(result.output, ProjectPlan)
    (body,) = llm_server.completions
    fmt = body["response_format"]
    assert fmt["type"] == "json_schema" and fmt["json_schema"]["strict"] is True
    assert fmt["json_schema"]["name"] == "ProjectPlan"
    schema = fmt["json_schema"]["schema"]
    # OpenAI strict mode: no extra keys anywhere and every property required, even defaulted ones.
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == set(ProjectPlan.model_fields)
    assert body["model"] == "test-model" and body["max_tokens"] == provider.config.max_tokens
    usage = result.usage
    assert (usage.provider, usage.model, usage.cached, usage.retries, usage.repaired) == (
        "compatible",
        "test-model",
        False,
        0,
        False,
    )
    assert usage.tokens_in > 0 and usage.tokens_out > 0


def test_transient_failures_are_retried_and_counted(make_provider, llm_server, taco_context, recorded_sleeps):
    llm_server.script(srv.rate_limited(retry_after="0.02"), srv.server_error(503), srv.dropped_connection())
    provider = make_provider()
    result = provider.run(PLAN, taco_context)
    assert isinstance(result.output, ProjectPlan)
    assert result.usage.retries == 3
    assert len(llm_server.completions) == 4
    assert recorded_sleeps[0] == pytest.approx(0.02)  # Retry-After honoured
    assert all(s <= 0.05 for s in recorded_sleeps)
    assert provider.stats()["retries"] == 3 and provider.stats()["requests"] == 4


def test_retry_after_ms_is_honoured_and_capped(make_provider, llm_server, taco_context, recorded_sleeps):
    llm_server.script(srv.rate_limited(retry_after=None, retry_after_ms="30"), srv.rate_limited(retry_after="3600"))
    make_provider().run(PLAN, taco_context)
    assert recorded_sleeps == [pytest.approx(0.03), pytest.approx(0.05)]


def test_gives_up_after_max_retries_with_reason(make_provider, llm_server, taco_context):
    llm_server.script(*[srv.server_error(500)] * 3)
    provider = make_provider(max_retries=2)
    with pytest.raises(AgentError, match=r"project_plan: .*server error \(500.*after 2 retries"):
        provider.run(PLAN, taco_context)
    assert len(llm_server.completions) == 3
    assert provider.stats()["errors"] == 1


def test_timeout_becomes_agent_error_after_retries(make_provider, llm_server, taco_context):
    llm_server.script(srv.slow(2.0), srv.slow(2.0))
    provider = make_provider(timeout=0.2, max_retries=1)
    with pytest.raises(AgentError, match=r"did not answer within 0.2s after 1 retry; raise DEZNITY_LLM_TIMEOUT"):
        provider.run(PLAN, taco_context)


def test_timeout_then_success(make_provider, llm_server, taco_context):
    llm_server.script(srv.slow(2.0))
    result = make_provider(timeout=0.2).run(PLAN, taco_context)
    assert result.usage.retries == 1 and isinstance(result.output, ProjectPlan)


@pytest.mark.parametrize(
    "status, expected",
    [
        (401, "refused the API key (401 Unauthorized); check DEZNITY_LLM_API_KEY"),
        (403, "denied access to model test-model (403"),
        (404, "does not serve model test-model (404 Not Found"),
        (400, "refused the request (400: bad things)"),
    ],
)
def test_client_errors_are_not_retried(make_provider, llm_server, taco_context, status, expected):
    llm_server.script(srv.error(status, "bad things"))
    with pytest.raises(AgentError) as caught:
        make_provider().run(PLAN, taco_context)
    assert expected in str(caught.value)
    assert len(llm_server.completions) == 1


def test_insufficient_quota_is_not_retried(make_provider, llm_server, taco_context):
    llm_server.script(srv.error(429, "You exceeded your current quota", code="insufficient_quota"))
    with pytest.raises(AgentError, match="quota is used up"):
        make_provider().run(PLAN, taco_context)
    assert len(llm_server.completions) == 1


@pytest.mark.parametrize(
    "bad, quoted", [(srv.schema_violation, "summary: Field required"), (srv.invalid_json, "Invalid JSON")]
)
def test_one_repair_fixes_a_bad_answer(make_provider, llm_server, taco_context, bad, quoted):
    llm_server.script(bad())
    result = make_provider().run(PLAN, taco_context)
    assert result.usage.repaired is True and isinstance(result.output, ProjectPlan)
    first, repair = llm_server.completions
    assert repair["messages"][:2] == first["messages"]
    assistant, follow_up = repair["messages"][2:]
    assert assistant["role"] == "assistant" and assistant["content"] == first_answer(bad)
    assert follow_up["role"] == "user" and "<validation_errors>" in follow_up["content"]
    assert quoted in follow_up["content"]  # the validation error is quoted


def first_answer(bad) -> str:
    return bad().content


def test_second_bad_answer_fails_with_the_errors(make_provider, llm_server, taco_context):
    llm_server.script(srv.schema_violation(), srv.schema_violation())
    with pytest.raises(AgentError) as caught:
        make_provider().run(PLAN, taco_context)
    message = str(caught.value)
    assert message.startswith("project_plan: the model's answer did not match the schema after one repair: ")
    assert "summary: Field required" in message
    assert len(llm_server.completions) == 2


def test_refusal_and_empty_answer_are_agent_errors(make_provider, llm_server, taco_context):
    llm_server.script(srv.refusal("I cannot do marketing for tacos."), srv.empty_answer())
    provider = make_provider()
    with pytest.raises(AgentError, match="the model refused the task: I cannot do marketing for tacos"):
        provider.run(PLAN, taco_context)
    with pytest.raises(AgentError, match=r"empty answer \(finish_reason=length\)"):
        provider.run(PLAN, taco_context)


def test_cache_hit_sends_no_request_and_costs_nothing(make_provider, llm_server, taco_context, tmp_path):
    first = make_provider().run(PLAN, taco_context)
    assert len(llm_server.completions) == 1
    fresh = make_provider()  # a new process-like provider reading the same cache folder
    second = fresh.run(PLAN, taco_context)
    assert len(llm_server.completions) == 1
    assert second.output == first.output
    assert second.usage.cached is True and second.usage.cost_usd == 0 and second.usage.tokens_in == 0
    stats = fresh.stats()
    assert (stats["cache_hits"], stats["cache_misses"], stats["requests"]) == (1, 0, 0)
    entries = list((tmp_path / "llm-cache").rglob("*.json"))
    assert len(entries) == 1 and not list((tmp_path / "llm-cache").rglob(".tmp-*"))
    assert json.loads(entries[0].read_text())["content"] == first.output.model_dump_json()


def test_cache_key_changes_with_the_brief_and_the_model(make_provider, llm_server, taco_context):
    from tests.plugins.llm import context_for

    provider = make_provider()
    provider.run(PLAN, taco_context)
    provider.run(PLAN, context_for(4, goal="more catering orders"))
    other_model = make_provider(models={**provider.config.models, "pm": "other-model"})
    other_model.run(PLAN, taco_context)
    assert len(llm_server.completions) == 3


def test_cache_off_always_asks(make_provider, llm_server, taco_context, tmp_path):
    provider = make_provider(cache_dir=None)
    provider.run(PLAN, taco_context)
    provider.run(PLAN, taco_context)
    assert len(llm_server.completions) == 2
    assert not (tmp_path / "llm-cache").exists()
    assert provider.stats()["cache_enabled"] is False


def test_costs_are_summed_from_the_price_table(make_provider, llm_server, taco_context):
    provider = make_provider(cache_dir=None)
    provider._prices = PriceTable({"test-model": Price(input_per_mtok=1_000_000, output_per_mtok=2_000_000)})
    llm_server.script(srv.schema_violation())  # the repair's tokens are paid too
    one = provider.run(PLAN, taco_context)
    two = provider.run(TASKS["market_analysis"], taco_context)
    assert isinstance(two.output, MarketAnalysis)
    requests = llm_server.completions
    assert len(requests) == 3
    assert one.usage.cost_usd == pytest.approx(one.usage.tokens_in * 1 + one.usage.tokens_out * 2)
    stats = provider.stats()
    assert stats["cost_usd"] == pytest.approx(one.usage.cost_usd + two.usage.cost_usd)
    assert stats["tokens_in"] == one.usage.tokens_in + two.usage.tokens_in
    assert stats["unpriced_models"] == []


def test_unknown_model_costs_zero_with_a_note(make_provider, taco_context, caplog):
    caplog.set_level(logging.WARNING)
    provider = make_provider(cache_dir=None)
    result = provider.run(PLAN, taco_context)
    assert result.usage.cost_usd == 0 and result.usage.tokens_in > 0
    assert provider.stats()["unpriced_models"] == ["test-model"]
    assert "no price known for model test-model" in caplog.text


def test_json_object_mode_puts_the_schema_in_the_prompt(make_provider, llm_server, taco_context):
    llm_server.default_schema = SeoCopy.model_json_schema()
    result = make_provider(structured="json_object").run(TASKS["seo_copy"], taco_context)
    assert isinstance(result.output, SeoCopy)
    (body,) = llm_server.completions
    assert body["response_format"] == {"type": "json_object"}
    assert "<output_schema>" in body["messages"][0]["content"] and "hero_a" in body["messages"][0]["content"]


def test_falls_back_to_json_mode_once_when_json_schema_is_unsupported(make_provider, llm_server, taco_context):
    llm_server.default_schema = ProjectPlan.model_json_schema()
    llm_server.script(
        srv.error(400, "response_format of type 'json_schema' is not supported by this model", param="response_format")
    )
    provider = make_provider()
    result = provider.run(PLAN, taco_context)
    assert isinstance(result.output, ProjectPlan)
    first, second = llm_server.completions
    assert first["response_format"]["type"] == "json_schema"
    assert second["response_format"] == {"type": "json_object"}
    llm_server.default_schema = MarketAnalysis.model_json_schema()
    provider.run(TASKS["market_analysis"], taco_context)  # the model stays in JSON mode
    assert llm_server.completions[-1]["response_format"] == {"type": "json_object"}
    assert provider.stats()["fallbacks"] == 1


def test_code_fenced_json_is_accepted(make_provider, llm_server, taco_context):
    plan = srv.instance_of(PLAN.output_model.model_json_schema())
    llm_server.script(srv.content("```json\n" + json.dumps(plan) + "\n```"))
    result = make_provider().run(PLAN, taco_context)
    assert result.usage.repaired is False and result.output.summary == plan["summary"]


def test_concurrent_runs_are_thread_safe(make_provider, llm_server, taco_context):
    from concurrent.futures import ThreadPoolExecutor

    provider = make_provider(cache_dir=None)
    tasks = [TASKS["project_plan"], TASKS["market_analysis"]] * 4
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda t: provider.run(t, taco_context), tasks))
    assert [type(r.output).__name__ for r in results] == [t.output_model.__name__ for t in tasks]
    stats = provider.stats()
    assert stats["runs"] == stats["requests"] == len(llm_server.completions) == 8
    assert stats["tokens_in"] == sum(r.usage.tokens_in for r in results)


def test_ping_returns_the_answer(make_provider, llm_server):
    llm_server.script(srv.content("pong"))
    assert make_provider().ping() == "pong"
    (body,) = llm_server.completions
    assert body["max_tokens"] == 16 and "response_format" not in body


def test_ping_explains_a_bad_key(make_provider, llm_server):
    llm_server.api_key = "sk-the-right-key-000000"
    with pytest.raises(AgentError, match="ping: compatible refused the API key .*check DEZNITY_LLM_API_KEY") as caught:
        make_provider().ping()
    assert TEST_API_KEY not in str(caught.value)


def test_api_key_never_leaks(make_provider, llm_server, taco_context, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    provider = make_provider()
    provider.run(PLAN, taco_context)
    llm_server.script(srv.error(500, f"upstream said: key {TEST_API_KEY} broke"), srv.server_error())
    with pytest.raises(AgentError) as caught:
        make_provider(max_retries=1, cache_dir=None).run(PLAN, taco_context)
    llm_server.api_key = "sk-the-right-key-000000"  # its 401 quotes the key it received, as OpenAI's does
    with pytest.raises(AgentError) as unauthorized:
        make_provider(cache_dir=None).run(PLAN, taco_context)
    assert llm_server.requests[0]["headers"]["authorization"] == f"Bearer {TEST_API_KEY}"  # it was sent
    texts = [
        str(caught.value),
        repr(caught.value),
        str(unauthorized.value),
        caplog.text,
        repr(provider.config),
        json.dumps(provider.stats()),
        json.dumps(provider.run(PLAN, taco_context).usage.as_metadata()),
    ]
    texts += [p.read_text() for p in (tmp_path / "llm-cache").rglob("*.json")]
    texts += [json.dumps(body) for body in llm_server.completions]  # the prompts
    for text in texts:
        assert TEST_API_KEY not in text
        assert "DO-NOT-LEAK" not in text


def test_openai_flavour_sends_max_completion_tokens_and_names_its_key(make_provider, llm_server, taco_context):
    provider = make_provider(name="openai")
    provider.run(PLAN, taco_context)
    body = llm_server.completions[-1]
    assert body["max_completion_tokens"] == provider.config.max_tokens and "max_tokens" not in body
    llm_server.script(srv.error(401, "Incorrect API key provided", code="invalid_api_key"))
    with pytest.raises(AgentError, match="openai refused the API key .*check OPENAI_API_KEY"):
        make_provider(name="openai", cache_dir=None).run(PLAN, taco_context)

"""The OpenAI-compatible provider against a real local Chat Completions server, through the openai SDK."""

from __future__ import annotations

import base64
import json
import logging

import pytest

from deznity_assets.agents.provider import AgentError
from deznity_assets.agents.roster import TASKS
from deznity_assets.deliverables import MarketAnalysis, ProjectPlan, SeoCopy
from deznity_assets.llm.errors import display_host
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
    with pytest.raises(AgentError, match=r"project_plan: .*server error \(500.*after 2 retries") as caught:
        provider.run(PLAN, taco_context)
    assert caught.value.transient is True  # a later try of the step may pass
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
    assert caught.value.transient is False  # a retry of the step would fail the same way
    assert len(llm_server.completions) == 1


def test_insufficient_quota_is_not_retried(make_provider, llm_server, taco_context):
    llm_server.script(srv.error(429, "You exceeded your current quota", code="insufficient_quota"))
    with pytest.raises(AgentError, match="quota is used up") as caught:
        make_provider().run(PLAN, taco_context)
    assert caught.value.transient is False
    assert len(llm_server.completions) == 1


def test_one_repair_fixes_an_answer_that_breaks_the_schema(make_provider, llm_server, taco_context):
    llm_server.script(srv.schema_violation())
    result = make_provider().run(PLAN, taco_context)
    assert result.usage.repaired is True and result.usage.retries == 0 and isinstance(result.output, ProjectPlan)
    first, repair = llm_server.completions
    assert repair["messages"][:2] == first["messages"]
    assistant, follow_up = repair["messages"][2:]
    assert assistant["role"] == "assistant" and assistant["content"] == srv.schema_violation().content
    assert follow_up["role"] == "user" and "<validation_errors>" in follow_up["content"]
    assert "summary: Field required" in follow_up["content"]  # the validation error is quoted


@pytest.mark.parametrize(
    "unusable",
    [srv.invalid_json(), srv.truncated(), srv.empty_answer(), srv.content("")],
    ids=["invalid-json", "cut-off", "empty-at-token-limit", "empty"],
)
def test_unusable_answers_are_retried_not_repaired(make_provider, llm_server, taco_context, recorded_sleeps, unusable):
    llm_server.script(unusable)
    provider = make_provider()
    result = provider.run(PLAN, taco_context)
    assert isinstance(result.output, ProjectPlan)
    assert (result.usage.retries, result.usage.repaired) == (1, False)
    first, second = llm_server.completions
    assert second["messages"] == first["messages"]  # the same request again, not a repair
    assert len(recorded_sleeps) == 1 and recorded_sleeps[0] <= 0.05  # the transport faults' backoff
    assert (provider.stats()["retries"], provider.stats()["repairs"]) == (1, 0)


def test_a_cut_off_answer_to_the_repair_request_is_retried(make_provider, llm_server, taco_context):
    llm_server.script(srv.schema_violation(), srv.truncated(), srv.server_error(503))
    result = make_provider().run(PLAN, taco_context)
    assert isinstance(result.output, ProjectPlan)
    assert (result.usage.retries, result.usage.repaired) == (2, True)
    ask, repair, *repeats = llm_server.completions
    assert len(repeats) == 2 and all(r["messages"] == repair["messages"] for r in repeats)
    assert len(repair["messages"]) == len(ask["messages"]) + 2


def test_attempts_are_bounded_per_request(make_provider, llm_server, taco_context):
    llm_server.otherwise = srv.invalid_json()
    with pytest.raises(AgentError) as caught:
        make_provider(max_retries=2).run(PLAN, taco_context)
    assert str(caught.value) == (
        "project_plan: the answer was not valid JSON (model test-model) after 2 retries;"
        " try again later or choose another model with DEZNITY_MODEL_PM"
    )
    assert caught.value.transient is True
    assert len(llm_server.completions) == 3  # 1 + max_retries
    llm_server.script(srv.schema_violation())
    with pytest.raises(AgentError, match=r"^project_plan \(repair\): the answer was not valid JSON .*after 2 retries"):
        make_provider(max_retries=2, cache_dir=None).run(PLAN, taco_context)
    assert len(llm_server.completions) == 3 + 1 + 3  # the ask, then 1 + max_retries for the repair


def test_answers_always_cut_off_name_the_token_limit_and_are_not_transient(make_provider, llm_server, taco_context):
    llm_server.otherwise = srv.truncated()
    with pytest.raises(AgentError) as caught:
        make_provider(max_retries=1, max_tokens=64).run(PLAN, taco_context)
    assert str(caught.value) == (
        "project_plan: every answer of model test-model was cut off at the token limit (64) after 1 retry;"
        " raise DEZNITY_LLM_MAX_TOKENS or choose a model that answers more briefly"
    )
    assert caught.value.transient is False  # a later try would be cut off too
    assert len(llm_server.completions) == 2


def test_second_bad_answer_fails_with_the_errors(make_provider, llm_server, taco_context):
    llm_server.script(srv.schema_violation(), srv.schema_violation())
    with pytest.raises(AgentError) as caught:
        make_provider().run(PLAN, taco_context)
    message = str(caught.value)
    assert message.startswith("project_plan: the model's answer did not match the schema after one repair: ")
    assert "summary: Field required" in message
    assert caught.value.transient is True  # answers are samples: a later try may fit
    assert len(llm_server.completions) == 2


def test_a_refusal_is_a_permanent_agent_error(make_provider, llm_server, taco_context):
    llm_server.script(srv.refusal("I cannot do marketing for tacos."))
    provider = make_provider()
    with pytest.raises(AgentError, match="the model refused the task: I cannot do marketing for tacos") as caught:
        provider.run(PLAN, taco_context)
    assert caught.value.transient is False
    assert len(llm_server.completions) == 1


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
    # The sample answer breaks the brief's rules (its page names): a repair follows, in JSON mode too.
    body, repair = llm_server.completions
    assert body["response_format"] == repair["response_format"] == {"type": "json_object"}
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


def test_credentials_in_the_base_url_are_sent_but_never_shown(make_provider, llm_server, taco_context, caplog):
    caplog.set_level(logging.DEBUG)  # httpx logs every request's URL at INFO
    user, password = "proxy-user", "url-pass/DO-NOT-LEAK"  # a / the URL must percent-encode
    basic = base64.b64encode(f"{user}:{password}".encode()).decode()
    port = llm_server.base_url.split(":")[-1].split("/")[0]
    base_url = f"http://{user}:{password.replace('/', '%2F')}@127.0.0.1:{port}/v1"
    provider = make_provider(base_url=base_url)
    assert provider.host == f"127.0.0.1:{port}" and provider.stats()["host"] == provider.host
    result = provider.run(PLAN, taco_context)
    assert isinstance(result.output, ProjectPlan)
    assert llm_server.requests[-1]["headers"]["authorization"] == f"Basic {basic}"  # as httpx sends userinfo
    # A proxy that echoes the request, credentials and all, in its error message.
    echo = f"proxy denied POST {base_url}/chat/completions (authorization: Basic {basic}; password {password})"
    llm_server.script(srv.error(403, echo), srv.error(502, echo), srv.error(502, echo))
    errors = []
    for _ in range(2):
        with pytest.raises(AgentError) as caught:
            make_provider(base_url=base_url, cache_dir=None, max_retries=1).run(PLAN, taco_context)
        errors.append(caught.value)
    assert "proxy denied POST http://[redacted]@127.0.0.1" in str(errors[0])
    llm_server.api_key = "sk-the-right-key-000000"
    with pytest.raises(AgentError, match="refused the user name and password of the base URL") as unauthorized:
        make_provider(base_url=base_url, cache_dir=None).run(PLAN, taco_context)
    errors.append(unauthorized.value)
    with pytest.raises(AgentError, match=r"could not connect to 127\.0\.0\.1:1 ") as unreachable:
        make_provider(base_url=base_url.replace(f":{port}/", ":1/"), cache_dir=None, max_retries=0).ping()
    errors.append(unreachable.value)
    texts = [str(e) for e in errors] + [repr(e) for e in errors] + [caplog.text, json.dumps(provider.stats())]
    for needle in (password, password.replace("/", "%2F"), "DO-NOT-LEAK", basic, user):
        assert [text for text in texts if needle in text] == [], needle


@pytest.mark.parametrize(
    "url, host",
    [
        ("http://user:pass@127.0.0.1:8000/v1", "127.0.0.1:8000"),
        ("https://api.openai.com/v1", "api.openai.com"),
        ("http://user:p%40ss@[::1]:11434/v1", "[::1]:11434"),
        ("http://Proxy.Example.com/v1", "proxy.example.com"),
        ("http://user:pa/ss@host:8000/v1", "the server"),  # unparsable: nothing of it is shown
    ],
)
def test_display_host_shows_host_and_port_only(url, host):
    assert display_host(url) == host


def test_a_base_url_with_an_unencoded_password_is_refused_without_quoting_it(make_provider):
    with pytest.raises(ValueError) as caught:
        make_provider(base_url="http://proxy-user:pa/DO-NOT-LEAK@127.0.0.1:8000/v1")
    assert str(caught.value).startswith("DEZNITY_LLM_BASE_URL is not a usable http(s) URL;")
    assert "DO-NOT-LEAK" not in str(caught.value) and "proxy-user" not in str(caught.value)

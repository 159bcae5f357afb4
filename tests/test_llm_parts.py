"""The provider's parts on their own: rate limiter, price table, Retry-After parsing, redaction, test server."""

from __future__ import annotations

import json
import threading
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import httpx2 as httpx
import openai
import pytest

from deznity_assets.agents.roster import TASKS
from deznity_assets.llm.cache import ResponseCache, cache_key
from deznity_assets.llm.errors import redact, retry_after_seconds, url_secrets
from deznity_assets.llm.pricing import PriceTable
from deznity_assets.llm.ratelimit import RateLimiter


class FakeClock:
    """A clock that only moves when the limiter sleeps."""

    def __init__(self):
        self.now = 0.0
        self.lock = threading.Lock()

    def time(self) -> float:
        with self.lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self.lock:
            self.now += seconds


def test_rate_limiter_spaces_requests_after_the_burst():
    clock = FakeClock()
    limiter = RateLimiter(60, burst=2, clock=clock.time, sleep=clock.sleep)
    waits = [limiter.acquire() for _ in range(5)]
    assert waits[:2] == [0.0, 0.0]
    assert waits[2] == pytest.approx(1.0)  # 60 rpm = one a second once the burst is spent
    assert clock.now == pytest.approx(3.0)


def test_rate_limiter_is_thread_safe():
    limiter = RateLimiter(120, burst=1, clock=lambda: 0.0, sleep=lambda s: None)
    threads = [threading.Thread(target=limiter.acquire) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # 20 reservations at a frozen clock: the last one waits 19 half-second slots.
    assert limiter.waited_seconds == pytest.approx(sum(0.5 * i for i in range(20)))
    assert RateLimiter(0).acquire() == 0.0


def test_price_lookup_variants():
    table = PriceTable()
    assert table.cost("gpt-4o", 1_000_000, 1_000_000) == pytest.approx(12.5)
    assert table.cost("gpt-4o-2024-08-06", 1_000_000, 0) == pytest.approx(2.5)
    assert table.cost("openai/gpt-4.1", 0, 1_000_000) == pytest.approx(8.0)
    assert table.cost("anthropic/claude-3.5-sonnet", 1000, 1000) == pytest.approx(0.018)
    assert table.cost("mystery-model", 10, 10) is None


def status_error(status: int, headers: dict[str, str]) -> openai.APIStatusError:
    request = httpx.Request("POST", "http://127.0.0.1/v1/chat/completions")
    response = httpx.Response(status, headers=headers, request=request, json={"error": {"message": "x"}})
    return openai.APIStatusError("x", response=response, body={"error": {"message": "x"}})


def test_retry_after_forms():
    assert retry_after_seconds(status_error(429, {"retry-after": "2"})) == 2.0
    assert retry_after_seconds(status_error(429, {"retry-after-ms": "250", "retry-after": "9"})) == 0.25
    later = datetime.now(timezone.utc) + timedelta(seconds=30)
    assert 25 < retry_after_seconds(status_error(429, {"retry-after": format_datetime(later, usegmt=True)})) <= 30
    assert retry_after_seconds(status_error(429, {})) is None
    assert retry_after_seconds(ValueError("no response")) is None


def test_redact_hides_the_key_and_key_shapes():
    text = redact("key sk-live-abcdef123456 and Bearer abc.def-123456 and mysecret", "mysecret")
    assert "abcdef123456" not in text and "abc.def" not in text and "mysecret" not in text


def test_redact_hides_url_userinfo_and_basic_credentials():
    url = "http://proxy-user:pa%2Fss@127.0.0.1:8000/v1"
    assert url_secrets(url) == ("pa%2Fss", "pa/ss") and url_secrets("https://api.openai.com/v1") == ()
    text = redact(f"POST {url}/chat failed (authorization: Basic cHJveHk6cGFzcw==; pa/ss)", *url_secrets(url))
    assert text == "POST http://[redacted]@127.0.0.1:8000/v1/chat failed (authorization: [redacted]; [redacted])"
    assert redact("user@example.com wrote https://a@b:c@host/x") == "user@example.com wrote https://[redacted]@host/x"
    assert redact("Basic support only") == "Basic support only"  # words stay; base64 tokens go


def test_cache_round_trip_and_counts(tmp_path):
    cache = ResponseCache(tmp_path)
    key = cache_key(model="m", messages=[{"role": "user", "content": "hi"}])
    assert key != cache_key(model="m", messages=[{"role": "user", "content": "hi!"}])
    assert cache.get(key) is None
    cache.put(key, {"content": "{}", "usage": {}})
    assert cache.get(key) == {"content": "{}", "usage": {}}
    cache.path_for(key).write_text("{broken")
    assert cache.get(key) is None
    assert (cache.hits, cache.misses) == (1, 2)


def test_server_builds_valid_instances_for_every_task():
    from deznity_assets.llm.provider import strict_json_schema
    from tests.servers.openai_compatible import instance_of

    for task in TASKS.values():
        schema = strict_json_schema(task.output_model)
        task.output_model.model_validate_json(json.dumps(instance_of(schema)))


def test_server_lists_models(llm_server):
    client = openai.OpenAI(base_url=llm_server.base_url, api_key="sk-x", max_retries=0)
    assert [m.id for m in client.models.list()] == ["test-model"]

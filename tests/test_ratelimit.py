"""DEZNITY_LLM_RPM across processes: run processes of one instance share one token bucket in the state folder."""

from __future__ import annotations

import json
import multiprocessing
import time
from pathlib import Path
from typing import Any

import pytest

# Only the limiter at the top: spawned processes import this module, and they should start fast.
from deznity_assets.llm.ratelimit import RateLimiter, bucket_file

PROCESSES, REQUESTS, RPM, BURST = 3, 10, 600, 2
API_KEY = "sk-test-DO-NOT-LEAK-0123456789abcdef"


def _acquire_many(state_file: str | None, ready: Any, go: Any, results: Any) -> None:
    """A run process: once all are ready, send REQUESTS requests through its own limiter."""
    limiter = RateLimiter(RPM, burst=BURST, state_file=Path(state_file) if state_file else None)
    ready.put(True)
    go.wait(timeout=60)
    began = time.time()
    for _ in range(REQUESTS):
        limiter.acquire()
    results.put((began, time.time()))


def _wall_time(state_file: Path | None) -> float:
    """Seconds from the first process's start to the last one's end, spawn time excluded."""
    ctx = multiprocessing.get_context("spawn")
    ready, go, results = ctx.Queue(), ctx.Event(), ctx.Queue()
    arg = str(state_file) if state_file else None
    procs = [ctx.Process(target=_acquire_many, args=(arg, ready, go, results)) for _ in range(PROCESSES)]
    for proc in procs:
        proc.start()
    for _ in procs:
        ready.get(timeout=60)
    go.set()
    spans = [results.get(timeout=30) for _ in procs]
    for proc in procs:
        proc.join(timeout=10)
        assert proc.exitcode == 0
    return max(end for _, end in spans) - min(began for began, _ in spans)


def test_processes_share_one_bucket(tmp_path):
    shared = _wall_time(bucket_file(tmp_path / "ratelimit", "http://127.0.0.1:1/v1", API_KEY))
    separate = _wall_time(None)
    # 30 requests at 10 a second, 2 at once: 28 wait for a token, 2.8 s; alone, each process needs 0.8 s.
    expected = (PROCESSES * REQUESTS - BURST) / (RPM / 60)
    assert shared >= expected - 0.15, f"3 processes sent 30 requests in {shared:.2f}s, faster than {RPM} rpm allows"
    assert shared < expected + 2.0
    assert separate < shared / 2, f"per-process buckets took {separate:.2f}s, shared {shared:.2f}s"


def test_bucket_state_survives_and_recovers(tmp_path):
    now = [1000.0]
    state = tmp_path / "bucket.json"

    def limiter() -> RateLimiter:
        return RateLimiter(60, burst=2, clock=lambda: now[0], sleep=lambda s: None, state_file=state)

    assert [limiter().acquire() for _ in range(3)] == [0.0, 0.0, pytest.approx(1.0)]  # one bucket, three users
    saved = json.loads(state.read_text())
    assert saved["tokens"] == pytest.approx(-1.0) and saved["updated"] == 1000.0
    now[0] = 1010.0  # refilled (to the burst, no more) while nobody asked
    assert [limiter().acquire() for _ in range(3)] == [0.0, 0.0, pytest.approx(1.0)]
    state.write_text("{broken")  # an unreadable bucket starts full rather than failing the run
    assert limiter().acquire() == 0.0
    now[0] = 900.0  # the clock stepped back: no refill, no error
    assert limiter().acquire() == 0.0 and limiter().acquire() == pytest.approx(1.0)


def test_the_bucket_is_named_by_a_hash_beside_the_cache(tmp_path):
    from deznity_assets.llm.provider import OpenAICompatibleProvider
    from deznity_assets.platform import Platform
    from tests.plugins.platform import env_for

    url = "http://proxy-user:url-secret@127.0.0.1:8000/v1"
    env = env_for(
        tmp_path,
        DEZNITY_LLM_PROVIDER="compatible",
        DEZNITY_LLM_BASE_URL=url,
        DEZNITY_LLM_API_KEY=API_KEY,
        DEZNITY_LLM_MODEL="test-model",
        DEZNITY_LLM_RPM="120",
    )
    config = Platform.from_env(env).resources["agents"].llm_config()
    state = tmp_path / "state"
    assert config.cache_dir == state / "llm-cache" and config.ratelimit_dir == state / "ratelimit"
    path = bucket_file(config.ratelimit_dir, config.base_url, config.api_key)
    assert path.parent == state / "ratelimit" and len(path.stem) == 32
    assert bucket_file(config.ratelimit_dir, config.base_url, "another-key") != path  # one bucket per account
    provider = OpenAICompatibleProvider(config)
    assert provider._limiter.state_file == path and provider._limiter.rpm == 120
    provider._limiter.acquire()
    text = path.read_text()
    for secret in (API_KEY, "url-secret", "proxy-user", "127.0.0.1"):
        assert secret not in text and secret not in path.name

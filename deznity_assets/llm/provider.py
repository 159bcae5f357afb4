"""Real LLM agents behind AgentProvider: OpenAI, OpenRouter or any OpenAI-compatible server."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

import openai
from pydantic import BaseModel, ValidationError
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt, wait_random_exponential

from ..agents.provider import AgentContext, AgentError, AgentProvider, AgentResult, Usage
from ..agents.roster import AGENTS, AgentTask
from .cache import ResponseCache, cache_key
from .config import LLMConfig
from .errors import failure_reason, is_transient, redact, retry_after_seconds, structured_output_unsupported
from .pricing import PriceTable
from .prompts import build_messages, repair_messages, validation_summary
from .ratelimit import RateLimiter

log = logging.getLogger(__name__)
_CODE_FENCE = re.compile(r"^\s*```(?:json)?\s*\n(.*)\n\s*```\s*$", re.DOTALL)


@dataclass
class _Tally:
    """What one run() spent, across retries and the repair request."""

    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float = 0.0
    retries: int = 0
    repaired: bool = False


def strict_json_schema(output_model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON schema in OpenAI's strict form, as the SDK's public `pydantic_function_tool` builds it."""
    return dict(openai.pydantic_function_tool(output_model)["function"]["parameters"])


class _StructuredOutputUnsupported(Exception):
    """The server answered 400 to response_format json_schema."""


class OpenAICompatibleProvider(AgentProvider):
    """Agent deliverables from a Chat Completions server: structured output, retries, cache, costs, rate limit."""

    def __init__(
        self,
        config: LLMConfig,
        *,
        sleep: Callable[[float], None] = time.sleep,
        limiter: RateLimiter | None = None,
        prices: PriceTable | None = None,
    ):
        self.name = config.name
        self.config = config
        # Host and port only: a base URL may carry credentials (user:password@), never shown.
        parts = urlsplit(config.base_url)
        self.host = f"{parts.hostname}:{parts.port}" if parts.port else (parts.hostname or "the server")
        headers = {"X-Title": "Deznity"} if config.name == "openrouter" else None
        # SDK retries off: ours are counted, logged and bounded (see _request).
        self._client = openai.OpenAI(
            base_url=config.base_url,
            api_key=config.api_key,
            timeout=config.timeout,
            max_retries=0,
            default_headers=headers,
        )
        self._sleep = sleep
        self._limiter = limiter or RateLimiter(config.rpm, sleep=sleep)
        self._prices = prices or PriceTable.load(config.prices_path)
        self._cache = ResponseCache(config.cache_dir)
        self._lock = threading.Lock()
        self._json_object_models: set[str] = set()
        self._unpriced: set[str] = set()
        self._counts = {
            "runs": 0,
            "requests": 0,
            "retries": 0,
            "repairs": 0,
            "fallbacks": 0,
            "errors": 0,
            "tokens_in": 0,
            "tokens_out": 0,
        }
        self._cost = 0.0

    # ----- AgentProvider -----------------------------------------------------------------

    def model_for(self, agent_id: str) -> str:
        """The model that serves `agent_id` (roster default, DEZNITY_LLM_MODEL or DEZNITY_MODEL_<AGENT>)."""
        return self.config.models[agent_id]

    def run(self, task: AgentTask, ctx: AgentContext) -> AgentResult:
        """Ask the agent's model for `task.output_model`, validated; one repair; AgentError on failure."""
        started = time.monotonic()
        model = self.model_for(task.agent_id)
        schema = strict_json_schema(task.output_model)
        self._bump("runs")
        tally = _Tally()
        try:
            while True:
                mode = "json_object" if model in self._json_object_models else self.config.structured
                messages = build_messages(task, ctx, schema=schema, mode=mode)
                response_format = self._response_format(task.output_model, mode)
                key = cache_key(
                    provider=self.name,
                    host=self.host,
                    model=model,
                    messages=messages,
                    schema=schema,
                    response_format=response_format,
                    params=self._token_param(self.config.max_tokens),
                )
                cached = self._from_cache(key, task.output_model)
                if cached is not None:
                    usage = Usage(provider=self.name, model=model, cached=True, duration_ms=_ms_since(started))
                    return AgentResult(output=cached, usage=usage)
                try:
                    output = self._generate(task, model, messages, response_format, tally)
                except _StructuredOutputUnsupported:
                    if mode == "json_object":
                        raise AgentError(f"{task.key}: {self.host} refused JSON mode for model {model}") from None
                    log.warning(
                        "%s: %s does not support json_schema output for %s; using JSON mode", task.key, self.host, model
                    )
                    with self._lock:
                        self._json_object_models.add(model)
                        self._counts["fallbacks"] += 1
                    continue
                break
        except AgentError:
            self._bump("errors")
            raise
        self._cache.put(
            key,
            {
                "task": task.key,
                "model": model,
                "content": output.model_dump_json(),
                "usage": {"tokens_in": tally.tokens_in, "tokens_out": tally.tokens_out, "cost_usd": tally.cost_usd},
                "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            },
        )
        usage = Usage(
            provider=self.name,
            model=model,
            tokens_in=tally.tokens_in,
            tokens_out=tally.tokens_out,
            cost_usd=tally.cost_usd,
            retries=tally.retries,
            repaired=tally.repaired,
            duration_ms=_ms_since(started),
        )
        return AgentResult(output=output, usage=usage)

    # ----- CLI helpers -------------------------------------------------------------------

    def stats(self) -> dict[str, Any]:
        """Counters since start: runs, requests, cache hits/misses, retries, repairs, tokens and cost."""
        with self._lock:
            counts = dict(self._counts)
            cost = self._cost
            unpriced = sorted(self._unpriced)
        return {
            "provider": self.name,
            "host": self.host,
            **counts,
            "cache_enabled": self._cache.enabled,
            "cache_hits": self._cache.hits,
            "cache_misses": self._cache.misses,
            "cost_usd": round(cost, 6),
            "unpriced_models": unpriced,
        }

    def ping(self, agent_id: str = "pm", max_tokens: int = 16) -> str:
        """One tiny live call with the agent's model; the model's answer, or AgentError saying what to fix."""
        model = self.model_for(agent_id)
        messages = [{"role": "user", "content": "Reply with the single word: pong"}]
        completion = self._request(
            "ping", agent_id, model, messages, None, _Tally(), max_tokens=max_tokens, allow_empty=True
        )
        text = (completion.choices[0].message.content or "").strip() if completion.choices else ""
        return text or f"{model} answered with no text within {max_tokens} tokens (reachable)"

    # ----- internals ---------------------------------------------------------------------

    def _generate(
        self,
        task: AgentTask,
        model: str,
        messages: list[dict[str, str]],
        response_format: dict[str, Any],
        tally: _Tally,
    ) -> BaseModel:
        answer = self._answer(task.key, task.agent_id, model, messages, response_format, tally)
        try:
            return task.output_model.model_validate_json(answer)
        except ValidationError as first:
            log.warning(
                "%s: answer from %s did not match the schema (%d errors); asking for a repair",
                task.key,
                model,
                first.error_count(),
            )
            tally.repaired = True
            self._bump("repairs")
            repair = repair_messages(messages, answer, first)
            second_answer = self._answer(task.key, task.agent_id, model, repair, response_format, tally)
            try:
                return task.output_model.model_validate_json(second_answer)
            except ValidationError as second:
                errors = "; ".join(validation_summary(second, limit=8))
                raise AgentError(
                    f"{task.key}: the model's answer did not match the schema after one repair: {errors}"
                ) from None

    def _answer(
        self,
        label: str,
        agent_id: str,
        model: str,
        messages: list[dict[str, str]],
        response_format: dict[str, Any],
        tally: _Tally,
    ) -> str:
        completion = self._request(label, agent_id, model, messages, response_format, tally)
        content = completion.choices[0].message.content or ""
        fenced = _CODE_FENCE.match(content)
        return fenced.group(1) if fenced else content

    def _request(
        self,
        label: str,
        agent_id: str,
        model: str,
        messages: list[dict[str, str]],
        response_format: dict[str, Any] | None,
        tally: _Tally,
        *,
        max_tokens: int | None = None,
        allow_empty: bool = False,
    ) -> Any:
        params: dict[str, Any] = {
            "model": model,
            "messages": messages,
            **self._token_param(max_tokens or self.config.max_tokens),
        }
        if response_format is not None:
            params["response_format"] = response_format

        def send() -> Any:
            self._limiter.acquire()
            self._bump("requests")
            return self._client.chat.completions.create(**params)

        def before_sleep(state: RetryCallState) -> None:
            tally.retries += 1
            self._bump("retries")
            exc = state.outcome.exception() if state.outcome else None
            wait = state.next_action.sleep if state.next_action else 0.0
            log.warning(
                "%s: %s (%s); retry %d of %d in %.2fs",
                label,
                type(exc).__name__,
                self.host,
                tally.retries,
                self.config.max_retries,
                wait,
            )

        retrying = Retrying(
            stop=stop_after_attempt(self.config.max_retries + 1),
            wait=self._wait,
            retry=retry_if_exception(is_transient),
            before_sleep=before_sleep,
            sleep=self._sleep,
            reraise=True,
        )
        try:
            completion = retrying(send)
        except openai.OpenAIError as exc:
            if structured_output_unsupported(exc) and response_format and response_format["type"] == "json_schema":
                raise _StructuredOutputUnsupported() from None
            reason = failure_reason(
                exc,
                provider=self.name,
                host=self.host,
                model=model,
                key_variable=self.config.key_variable,
                secret=self.config.api_key,
                timeout=self.config.timeout,
                retries=tally.retries,
                model_variable=_model_variable(agent_id),
            )
            raise AgentError(f"{label}: {reason}") from None
        self._account(model, completion, tally)
        if not completion.choices:
            raise AgentError(f"{label}: {self.host} returned no choices for model {model}")
        choice = completion.choices[0]
        refusal = getattr(choice.message, "refusal", None)
        if refusal:
            raise AgentError(f"{label}: the model refused the task: {redact(str(refusal), self.config.api_key)[:300]}")
        if not (choice.message.content or "").strip() and not allow_empty:
            raise AgentError(
                f"{label}: the model returned an empty answer (finish_reason={choice.finish_reason});"
                " try again or choose another model"
            )
        return completion

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        asked = retry_after_seconds(exc) if exc is not None else None
        if asked is not None:
            return min(asked, self.config.retry_after_cap)
        backoff = wait_random_exponential(multiplier=self.config.backoff_base, max=self.config.backoff_cap)
        return backoff(state)

    def _account(self, model: str, completion: Any, tally: _Tally) -> None:
        usage = getattr(completion, "usage", None)
        tokens_in = int(getattr(usage, "prompt_tokens", 0) or 0)
        tokens_out = int(getattr(usage, "completion_tokens", 0) or 0)
        cost = self._prices.cost(model, tokens_in, tokens_out)
        tally.tokens_in += tokens_in
        tally.tokens_out += tokens_out
        with self._lock:
            if cost is None:
                if model not in self._unpriced:
                    log.warning(
                        "no price known for model %s: its cost is counted as 0; add it to DEZNITY_LLM_PRICES", model
                    )
                self._unpriced.add(model)
                cost = 0.0
            self._counts["tokens_in"] += tokens_in
            self._counts["tokens_out"] += tokens_out
            self._cost += cost
        tally.cost_usd += cost

    def _from_cache(self, key: str, output_model: type[BaseModel]) -> BaseModel | None:
        entry = self._cache.get(key)
        if entry is None:
            return None
        try:
            return output_model.model_validate_json(entry["content"])
        except ValidationError:
            self._cache.forget_hit()  # the deliverable's model changed since the entry was written
            return None

    def _response_format(self, output_model: type[BaseModel], mode: str) -> dict[str, Any]:
        if mode == "json_object":
            return {"type": "json_object"}
        return {
            "type": "json_schema",
            "json_schema": {"name": output_model.__name__, "schema": strict_json_schema(output_model), "strict": True},
        }

    def _token_param(self, max_tokens: int) -> dict[str, int]:
        # OpenAI's newer models accept only max_completion_tokens; other servers know max_tokens.
        return {"max_completion_tokens": max_tokens} if self.name == "openai" else {"max_tokens": max_tokens}

    def _bump(self, counter: str) -> None:
        with self._lock:
            self._counts[counter] += 1


def _model_variable(agent_id: str) -> str:
    return f"DEZNITY_MODEL_{agent_id.upper()}" if agent_id in AGENTS else "DEZNITY_MODEL_<AGENT>"


def _ms_since(started: float) -> int:
    return int((time.monotonic() - started) * 1000)

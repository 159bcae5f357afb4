"""Real LLM agents behind AgentProvider: OpenAI, OpenRouter or any OpenAI-compatible server."""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import openai
from pydantic import BaseModel, ValidationError
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt, wait_random_exponential

from ..agents.provider import AgentContext, AgentError, AgentProvider, AgentResult, Usage
from ..agents.roster import AGENTS, AgentTask
from ..agents.rules import Violation, check_deliverable, page_names
from ..brief import ClientBrief
from .cache import ResponseCache, cache_key
from .config import URL_VARIABLE, LLMConfig, check_base_url, split_userinfo
from .errors import (
    UnusableAnswer,
    failure_reason,
    has_userinfo,
    is_transient,
    redact,
    retried,
    retry_after_seconds,
    structured_output_unsupported,
)
from .pricing import PriceTable
from .prompts import build_messages, repair_messages, validation_summary
from .ratelimit import RateLimiter, bucket_file

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
    # What the repair request (a correction of the model's own answer) cost, within the totals above.
    corrections: int = 0
    correction_tokens: int = 0
    correction_tokens_out: int = 0
    correction_cost_usd: float = 0.0


def strict_json_schema(output_model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON schema in OpenAI's strict form, as the SDK's public `pydantic_function_tool` builds it."""
    return dict(openai.pydantic_function_tool(output_model)["function"]["parameters"])


def client_schema(task: AgentTask, brief: ClientBrief) -> dict[str, Any]:
    """The task's strict schema made for one client: every page name an enum of the brief's pages.

    Strict structured output then cannot name a page the brief does not have; a server that ignores
    the schema (JSON mode, a weak local model) is caught by the brief's rules instead.
    """
    schema = strict_json_schema(task.output_model)
    names = page_names(brief)
    for definition in schema.get("$defs", {}).values():
        page = definition.get("properties", {}).get("page")
        if page is not None and page.get("type") == "string":
            page["enum"] = names
    navigation = schema.get("properties", {}).get("navigation")
    if navigation is not None and isinstance(navigation.get("items"), dict):
        navigation["items"]["enum"] = names
    return schema


class _StructuredOutputUnsupported(Exception):
    """The server answered 400 to response_format json_schema."""


class OpenAICompatibleProvider(AgentProvider):
    """Agent deliverables from a Chat Completions server: structured output, retries, cache, costs, rate limit.

    Attempts are bounded per request: the ask, and the one repair request sent for an answer that
    is JSON but breaks the schema or the brief's rules (agents/rules.py), each get 1 + max_retries
    attempts. Transport faults (429 but
    not insufficient_quota, 408, 409, 5xx, timeouts, dropped connections) and unusable answers
    (empty, cut off at the token limit, not JSON) are retried within that budget with the same
    backoff; anything else fails at once. A run thus sends at most 2 x (1 + max_retries)
    requests in each output mode it tries (json_schema, then JSON mode if the server refuses it).
    """

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
        check_base_url(config.base_url, URL_VARIABLE[config.name])
        # Host and port only: a base URL may carry credentials (user:password@), never shown.
        self.host = config.host
        self._secrets = config.secrets
        headers = {"X-Title": "Deznity"} if config.name == "openrouter" else {}
        # user:password@ in the base URL becomes the Basic auth header httpx would make of it (in place
        # of the key), so the URL the SDK and httpx log and quote in errors carries no credentials.
        base_url, basic_auth = split_userinfo(config.base_url)
        if basic_auth:
            headers["Authorization"] = basic_auth
        # SDK retries off: ours are counted, logged and bounded (see _request).
        self._client = openai.OpenAI(
            base_url=base_url,
            api_key=config.api_key,
            timeout=config.timeout,
            max_retries=0,
            default_headers=headers or None,
        )
        self._sleep = sleep
        bucket = bucket_file(config.ratelimit_dir, config.base_url, config.api_key) if config.ratelimit_dir else None
        self._limiter = limiter or RateLimiter(config.rpm, sleep=sleep, state_file=bucket)
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
        schema = client_schema(task, ctx.brief)
        self._bump("runs")
        tally = _Tally()
        try:
            while True:
                mode = "json_object" if model in self._json_object_models else self.config.structured
                messages = build_messages(task, ctx, schema=schema, mode=mode)
                response_format = self._response_format(task.output_model.__name__, schema, mode)
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
                    # Judged again: what broke the brief's rules when it was answered is filled again.
                    return AgentResult(output=cached, usage=usage, violations=check_deliverable(task, cached, ctx))
                try:
                    output, violations = self._generate(task, ctx, model, messages, response_format, tally)
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
            corrections=tally.corrections,
            correction_tokens=tally.correction_tokens,
            correction_tokens_out=tally.correction_tokens_out,
            correction_cost_usd=tally.correction_cost_usd,
        )
        return AgentResult(output=output, usage=usage, violations=violations)

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
        text = self._request("ping", agent_id, model, messages, None, _Tally(), max_tokens=max_tokens).strip()
        return text or f"{model} answered with no text within {max_tokens} tokens (reachable)"

    # ----- internals ---------------------------------------------------------------------

    def _generate(
        self,
        task: AgentTask,
        ctx: AgentContext,
        model: str,
        messages: list[dict[str, str]],
        response_format: dict[str, Any],
        tally: _Tally,
    ) -> tuple[BaseModel, list[Violation]]:
        """The deliverable and the brief's rules it still breaks after at most one repair request."""
        answer = self._request(task.key, task.agent_id, model, messages, response_format, tally, expect_json=True)
        output, problems, violations = self._judge(task, ctx, answer)
        if not problems and output is not None:
            return output, []
        log.warning(
            "%s: answer from %s %s (%d problems); asking for a repair",
            task.key,
            model,
            "did not match the schema" if output is None else "broke the brief's rules",
            len(problems),
        )
        tally.repaired = True
        self._bump("repairs")
        repair = repair_messages(messages, answer, problems)
        label = f"{task.key} (repair)"
        spent = (tally.tokens_in + tally.tokens_out, tally.cost_usd, tally.tokens_out)
        try:
            second_answer = self._request(label, task.agent_id, model, repair, response_format, tally, expect_json=True)
        except AgentError:
            if output is None:
                raise
            # The first answer had the right shape: its broken parts are filled rather than the step failed.
            log.warning("%s: the repair request failed; keeping the first answer to fill its broken parts", task.key)
            return output, violations
        finally:
            tally.corrections += 1
            tally.correction_tokens += tally.tokens_in + tally.tokens_out - spent[0]
            tally.correction_cost_usd += tally.cost_usd - spent[1]
            tally.correction_tokens_out += tally.tokens_out - spent[2]
        second, second_problems, second_violations = self._judge(task, ctx, second_answer)
        if second is None:
            if output is not None:
                return output, violations
            errors = "; ".join(second_problems[:8])
            # Answers are samples: a later try of the step may get one that fits.
            raise AgentError(
                f"{task.key}: the model's answer did not match the schema after one repair: {errors}",
                transient=True,
            )
        if second_violations:
            log.warning(
                "%s: the repaired answer still breaks %d of the brief's rules: %s",
                task.key,
                len(second_violations),
                "; ".join(str(v) for v in second_violations[:5]),
            )
        return second, second_violations

    @staticmethod
    def _judge(task: AgentTask, ctx: AgentContext, answer: str) -> tuple[BaseModel | None, list[str], list[Violation]]:
        """The answer as the deliverable (None when it breaks the schema), its problems as lines, its violations."""
        try:
            output = task.output_model.model_validate_json(answer)
        except ValidationError as exc:
            return None, validation_summary(exc), []
        violations = check_deliverable(task, output, ctx)
        lines = [str(v) for v in violations]
        if len(lines) > 20:
            lines = [*lines[:20], f"... and {len(lines) - 20} more"]
        return output, lines, violations

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
        expect_json: bool = False,
    ) -> str:
        """One request with its retries: the answer's text (JSON text when `expect_json`), or AgentError."""
        max_tokens = max_tokens or self.config.max_tokens
        params: dict[str, Any] = {"model": model, "messages": messages, **self._token_param(max_tokens)}
        if response_format is not None:
            params["response_format"] = response_format
        attempts = {"sent": 0, "retries": 0, "cut_off": 0}

        def send() -> str:
            self._limiter.acquire()
            self._bump("requests")
            attempts["sent"] += 1
            completion = self._client.chat.completions.create(**params)
            self._account(model, completion, tally)  # a cut-off answer is paid for too
            try:
                return self._answer_text(label, model, completion, expect_json)
            except UnusableAnswer as exc:
                attempts["cut_off"] += exc.finish_reason == "length"
                raise

        def before_sleep(state: RetryCallState) -> None:
            attempts["retries"] += 1
            tally.retries += 1
            self._bump("retries")
            exc = state.outcome.exception() if state.outcome else None
            wait = state.next_action.sleep if state.next_action else 0.0
            log.warning(
                "%s: %s (%s, %s); retry %d of %d in %.2fs",
                label,
                _fault(exc),
                model,
                self.host,
                attempts["retries"],
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
            return retrying(send)
        except UnusableAnswer as exc:
            after = retried(attempts["retries"])
            if attempts["cut_off"] == attempts["sent"]:
                # Cut off every time: the limit, not chance, is the cause; another try would be cut off too.
                raise AgentError(
                    f"{label}: every answer of model {model} was cut off at the token limit ({max_tokens}){after};"
                    " raise DEZNITY_LLM_MAX_TOKENS or choose a model that answers more briefly"
                ) from None
            raise AgentError(
                f"{label}: {exc.reason} (model {model}){after}; try again later or choose another model with"
                f" {_model_variable(agent_id)}",
                transient=True,
            ) from None
        except openai.OpenAIError as exc:
            if structured_output_unsupported(exc) and response_format and response_format["type"] == "json_schema":
                raise _StructuredOutputUnsupported() from None
            reason = failure_reason(
                exc,
                provider=self.name,
                host=self.host,
                model=model,
                key_variable=self.config.key_variable,
                secrets=self._secrets,
                timeout=self.config.timeout,
                retries=attempts["retries"],
                model_variable=_model_variable(agent_id),
                url_credentials=has_userinfo(self.config.base_url),
            )
            raise AgentError(f"{label}: {reason}", transient=is_transient(exc)) from None

    def _answer_text(self, label: str, model: str, completion: Any, expect_json: bool) -> str:
        """The answer's text; UnusableAnswer (a retry may cure it) if missing, cut off, or not JSON when JSON is due."""
        if not completion.choices:
            raise UnusableAnswer(f"{self.host} returned no choices")
        choice = completion.choices[0]
        refusal = getattr(choice.message, "refusal", None)
        if refusal:
            raise AgentError(f"{label}: the model refused the task: {redact(str(refusal), *self._secrets)[:300]}")
        content = choice.message.content or ""
        if not expect_json:
            return content
        if choice.finish_reason == "length":
            raise UnusableAnswer("the answer was cut off at the token limit", finish_reason="length")
        if not content.strip():
            raise UnusableAnswer(f"the answer was empty (finish_reason={choice.finish_reason})")
        fenced = _CODE_FENCE.match(content)
        text = fenced.group(1) if fenced else content
        try:
            json.loads(text)
        except ValueError:
            raise UnusableAnswer("the answer was not valid JSON") from None
        return text

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

    def _response_format(self, name: str, schema: dict[str, Any], mode: str) -> dict[str, Any]:
        if mode == "json_object":
            return {"type": "json_object"}
        return {"type": "json_schema", "json_schema": {"name": name, "schema": schema, "strict": True}}

    def _token_param(self, max_tokens: int) -> dict[str, int]:
        # OpenAI's newer models accept only max_completion_tokens; other servers know max_tokens.
        return {"max_completion_tokens": max_tokens} if self.name == "openai" else {"max_tokens": max_tokens}

    def _bump(self, counter: str) -> None:
        with self._lock:
            self._counts[counter] += 1


def _fault(exc: BaseException | None) -> str:
    """What went wrong with one attempt, for the retry's log line."""
    if isinstance(exc, UnusableAnswer):
        return exc.reason
    if isinstance(exc, openai.APIStatusError):
        return f"{type(exc).__name__} {exc.status_code}"
    return type(exc).__name__


def _model_variable(agent_id: str) -> str:
    return f"DEZNITY_MODEL_{agent_id.upper()}" if agent_id in AGENTS else "DEZNITY_MODEL_<AGENT>"


def _ms_since(started: float) -> int:
    return int((time.monotonic() - started) * 1000)

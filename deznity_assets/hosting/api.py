"""One provider's REST API over httpx: bearer token, bounded retries, and errors in the provider's words."""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

# A Retry-After further away than this is capped: a run should fail and be retried later rather
# than hold its slot for an hour.
MAX_RETRY_AFTER = 60.0
# Backoff for 5xx, timeouts and dropped connections: 1 s, 2 s, 4 s ... at most 30 s (+ up to 25 %).
BACKOFF_SECONDS = 1.0
MAX_BACKOFF = 30.0
REQUEST_TIMEOUT = 60.0
MESSAGE_MAX = 300


class DeployError(RuntimeError):
    """A provider refused or failed a deployment; the message is the provider's, never the token."""


@dataclass
class ProviderApi:
    """Requests to one provider's API with a bearer token; `sleep` is replaceable so tests need not wait."""

    provider: str  # "Vercel" or "Netlify", as messages name it
    token_variable: str  # the setting that holds the token, named in a refusal
    base_url: str
    token: str = field(repr=False)
    max_retries: int = 4
    sleep: Callable[[float], None] = time.sleep
    requests: int = 0  # requests sent (retries included)
    _client: httpx.Client | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self._client = httpx.Client(
            base_url=self.base_url.rstrip("/"),
            headers={"Authorization": f"Bearer {self.token}", "User-Agent": "deznity-deploy/1"},
            timeout=REQUEST_TIMEOUT,
            follow_redirects=False,
        )

    def close(self) -> None:
        """Close the connection pool."""
        if self._client is not None:
            self._client.close()

    def __enter__(self) -> ProviderApi:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        what: str,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """Send one request, retrying 429 (after Retry-After), 5xx, timeouts and dropped connections.

        401 and 403 raise DeployError at once (a refused token is not transient); any other answer,
        2xx or not, is returned for the caller to read.
        """
        assert self._client is not None
        for attempt in range(self.max_retries + 1):
            last = attempt == self.max_retries
            self.requests += 1
            try:
                response = self._client.request(
                    method, path, params=params, json=json, content=content, headers=headers
                )
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                if last:
                    raise DeployError(
                        f"{self.provider}: could not {what}: {type(exc).__name__} after {attempt + 1} attempts "
                        f"({self.redact(str(exc)) or 'no answer'})"
                    ) from None
                self.sleep(_backoff(attempt))
                continue
            if response.status_code in (401, 403):
                raise DeployError(
                    f"{self.provider} refused the token ({response.status_code}) when asked to {what}: "
                    f"{self.message(response)}; check {self.token_variable}"
                )
            if response.status_code == 429 or response.status_code >= 500:
                if last:
                    raise DeployError(
                        f"{self.provider}: could not {what}: {response.status_code} after {attempt + 1} attempts: "
                        f"{self.message(response)}"
                    )
                wait = _retry_after(response) if response.status_code == 429 else None
                self.sleep(wait if wait is not None else _backoff(attempt))
                continue
            return response
        raise AssertionError("unreachable")  # the loop returns or raises

    def ok(self, response: httpx.Response, what: str) -> Any:
        """The JSON of a 2xx answer ({} when empty); DeployError with the provider's message otherwise."""
        if not 200 <= response.status_code < 300:
            raise DeployError(f"{self.provider}: could not {what}: {response.status_code}: {self.message(response)}")
        if not response.content:
            return {}
        try:
            return response.json()
        except ValueError:
            raise DeployError(f"{self.provider}: could not {what}: the answer is not JSON") from None

    def message(self, response: httpx.Response) -> str:
        """The provider's own explanation in an answer: Vercel's error.message, Netlify's message, or the text."""
        text = ""
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict):
            error = body.get("error")
            if isinstance(error, dict):
                text = ": ".join(str(error[k]) for k in ("code", "message") if error.get(k))
            elif isinstance(error, str):
                text = error
            if not text:
                text = str(body.get("message") or body.get("errorMessage") or "")
        if not text:
            text = response.text
        return self.redact(" ".join(text.split())[:MESSAGE_MAX]) or "(no message)"

    def redact(self, text: str) -> str:
        """`text` with the token cut out, should a provider or a library quote it back."""
        return text.replace(self.token, "***") if self.token else text


def _backoff(attempt: int) -> float:
    delay = min(MAX_BACKOFF, BACKOFF_SECONDS * 2**attempt)
    return delay + random.uniform(0, delay / 4)


def _retry_after(response: httpx.Response) -> float | None:
    """Seconds the answer asks to wait (Retry-After as seconds or an HTTP date), capped; None when absent."""
    header = response.headers.get("Retry-After")
    if not header:
        return None
    try:
        seconds = float(header)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(header)
        except (TypeError, ValueError):
            return None
        seconds = when.timestamp() - time.time()
    return min(MAX_RETRY_AFTER, max(0.0, seconds))

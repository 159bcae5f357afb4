"""Classify OpenAI SDK exceptions: which are worth a retry, and a clear reason for the rest."""

from __future__ import annotations

import email.utils
import re
import time
from typing import Any

import openai

# Status codes worth another try: timeout, conflict, rate limit; every 5xx is added below.
TRANSIENT_STATUS = frozenset({408, 409, 429})
_SECRET_PATTERNS = (
    re.compile(r"\bsk-[A-Za-z0-9_*\-]{6,}"),
    re.compile(r"(?i)\bbearer\s+[A-Za-z0-9._~+/=\-]{6,}"),
)


def redact(text: str, secret: str | None) -> str:
    """`text` with the API key, and anything shaped like an API key or bearer token, blanked out."""
    if secret and len(secret) >= 4:
        text = text.replace(secret, "[redacted]")
    for pattern in _SECRET_PATTERNS:
        text = pattern.sub("[redacted]", text)
    return text


def is_transient(exc: BaseException) -> bool:
    """True for failures a retry may cure: timeouts, dropped connections, 408/409/429 and 5xx."""
    if isinstance(exc, openai.APIConnectionError):  # includes APITimeoutError
        return True
    if isinstance(exc, openai.APIStatusError):
        if exc.status_code == 429 and _error_code(exc) == "insufficient_quota":
            return False  # an empty account does not refill by waiting
        return exc.status_code in TRANSIENT_STATUS or exc.status_code >= 500
    return False


def server_message(exc: openai.APIStatusError, secret: str | None, limit: int = 300) -> str:
    """The server's own error message, redacted and shortened."""
    body: Any = exc.body
    message = None
    if isinstance(body, dict):
        inner = body.get("error", body)
        message = inner.get("message") if isinstance(inner, dict) else inner
    if not message:
        message = exc.message
    text = redact(" ".join(str(message).split()), secret)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def structured_output_unsupported(exc: BaseException) -> bool:
    """True when a 400 says the server cannot do response_format json_schema."""
    if not isinstance(exc, openai.BadRequestError):
        return False
    text = f"{exc.message} {exc.body}".lower()
    names_it = "response_format" in text or "json_schema" in text or "structured output" in text
    refuses = any(
        word in text for word in ("support", "unknown", "unrecognized", "invalid", "not allowed", "not available")
    )
    return names_it and refuses


def retry_after_seconds(exc: BaseException, *, now: float | None = None) -> float | None:
    """Seconds the server asked us to wait (retry-after-ms or retry-after: seconds or an HTTP date)."""
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if headers is None:
        return None
    raw_ms = headers.get("retry-after-ms")
    if raw_ms:
        try:
            return max(0.0, float(raw_ms) / 1000)
        except ValueError:
            pass
    raw = headers.get("retry-after")
    if not raw:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def failure_reason(
    exc: BaseException,
    *,
    provider: str,
    host: str,
    model: str,
    key_variable: str,
    secret: str | None,
    timeout: float,
    retries: int,
    model_variable: str,
) -> str:
    """A one-line reason for a failed request that names the fix (never the key)."""
    after = f" after {retries} retr{'y' if retries == 1 else 'ies'}" if retries else ""
    if isinstance(exc, openai.APITimeoutError):
        return f"{host} did not answer within {timeout:g}s{after}; raise DEZNITY_LLM_TIMEOUT or try again later"
    if isinstance(exc, openai.APIConnectionError):
        return f"could not connect to {host} (connection failed or dropped){after}; check the network and the base URL"
    if not isinstance(exc, openai.APIStatusError):
        return redact(f"{type(exc).__name__}: {exc}", secret)
    status, message = exc.status_code, server_message(exc, secret)
    if status == 401:
        return f"{provider} refused the API key (401 Unauthorized); check {key_variable}"
    if status == 403:
        return (
            f"{provider} denied access to model {model} (403 Forbidden: {message}); check that the key in"
            f" {key_variable} may use it, or choose another model with {model_variable}"
        )
    if status == 404:
        return (
            f"{host} does not serve model {model} (404 Not Found: {message}); set {model_variable}"
            " or DEZNITY_LLM_MODEL to a model it serves"
        )
    if status == 429:
        if _error_code(exc) == "insufficient_quota":
            return f"{provider} quota is used up (429 insufficient_quota); add credit to the account of {key_variable}"
        return f"{host} kept rate-limiting the requests (429){after}; lower DEZNITY_LLM_RPM or try again later"
    if status >= 500:
        return f"{host} failed with a server error ({status}: {message}){after}; try again later"
    return f"{host} refused the request ({status}: {message})"


def _error_code(exc: openai.APIStatusError) -> str | None:
    code = getattr(exc, "code", None)
    if code:
        return str(code)
    body = exc.body
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and inner.get("code"):
            return str(inner["code"])
    return None

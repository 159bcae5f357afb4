"""Classify OpenAI SDK exceptions: which are worth a retry, and a clear reason for the rest."""

from __future__ import annotations

import email.utils
import re
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

if TYPE_CHECKING:
    import openai

# Status codes worth another try: timeout, conflict, rate limit; every 5xx is added below.
TRANSIENT_STATUS = frozenset({408, 409, 429})
_SECRET_PATTERNS = (
    re.compile(r"\bsk-[A-Za-z0-9_*\-]{6,}"),
    re.compile(r"(?i)\bbearer\s+[A-Za-z0-9._~+/=\-]{6,}"),
    # Basic auth's user:password in base64 (a token with a capital, digit or symbol: not "basic support").
    re.compile(r"\bBasic\s+(?=[A-Za-z0-9+/]*[A-Z0-9+/=])[A-Za-z0-9+/]{8,}={0,2}"),
)
# The userinfo of any URL in a text (greedy up to the last @ of the authority).
_URL_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://)[^\s/?#]*@")


class UnusableAnswer(Exception):
    """A 200 whose answer cannot be used: empty, cut off at the token limit, or not JSON; worth another try."""

    def __init__(self, reason: str, *, finish_reason: str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.finish_reason = finish_reason


def display_host(url: str) -> str:
    """host[:port] of `url`, never its scheme, user name or password; 'the server' when it does not parse."""
    try:
        parts = urlsplit(url.strip())
        host, port = parts.hostname, parts.port
    except ValueError:
        return "the server"
    if not host:
        return "the server"
    host = f"[{host}]" if ":" in host else host
    return f"{host}:{port}" if port else host


def has_userinfo(url: str) -> bool:
    """True when `url` carries user[:password]@, which is sent as HTTP Basic auth."""
    return "@" in _authority(url)


def url_secrets(url: str) -> tuple[str, ...]:
    """The password of `url`'s userinfo, as written and decoded, for `redact` (none when it has none)."""
    # Up to the last @ of the whole URL: a password with an unencoded / ? or # is still found.
    userinfo = url.strip().split("://", 1)[-1].rpartition("@")[0]
    password = userinfo.partition(":")[2]
    return tuple(dict.fromkeys(p for p in (password, unquote(password)) if p))


def redact(text: str, *secrets: str | None) -> str:
    """`text` with the given secrets, URL userinfo, and anything shaped like an API key or token blanked out."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "[redacted]")
    text = _URL_USERINFO.sub(r"\1[redacted]@", text)
    for pattern in _SECRET_PATTERNS:
        text = pattern.sub("[redacted]", text)
    return text


def is_transient(exc: BaseException) -> bool:
    """True for failures a retry may cure: timeouts, dropped connections, 408/409/429, 5xx, unusable answers."""
    # Imported where it is used: the URL helpers above serve every run, the offline ones too, and
    # the openai package costs a process about 25 MB and a second of CPU.
    import openai

    if isinstance(exc, (openai.APIConnectionError, UnusableAnswer)):  # APIConnectionError includes timeouts
        return True
    if isinstance(exc, openai.APIStatusError):
        if exc.status_code == 429 and _error_code(exc) == "insufficient_quota":
            return False  # an empty account does not refill by waiting
        return exc.status_code in TRANSIENT_STATUS or exc.status_code >= 500
    return False


def server_message(exc: openai.APIStatusError, *secrets: str | None, limit: int = 300) -> str:
    """The server's own error message, redacted and shortened."""
    body: Any = exc.body
    message = None
    if isinstance(body, dict):
        inner = body.get("error", body)
        message = inner.get("message") if isinstance(inner, dict) else inner
    if not message:
        message = exc.message
    text = redact(" ".join(str(message).split()), *secrets)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def structured_output_unsupported(exc: BaseException) -> bool:
    """True when a 400 says the server cannot do response_format json_schema."""
    import openai

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
    secrets: tuple[str | None, ...],
    timeout: float,
    retries: int,
    model_variable: str,
    url_credentials: bool = False,
) -> str:
    """A one-line reason for a failed request that names the fix (never the key, the URL's password or the URL)."""
    import openai

    after = retried(retries)
    if isinstance(exc, openai.APITimeoutError):
        return f"{host} did not answer within {timeout:g}s{after}; raise DEZNITY_LLM_TIMEOUT or try again later"
    if isinstance(exc, openai.APIConnectionError):
        return f"could not connect to {host} (connection failed or dropped){after}; check the network and the base URL"
    if not isinstance(exc, openai.APIStatusError):
        return redact(f"{type(exc).__name__}: {exc}", *secrets)
    status, message = exc.status_code, server_message(exc, *secrets)
    if status == 401 and url_credentials:
        # A URL's user:password goes as HTTP Basic auth, in place of the API key (as httpx would send it).
        return (
            f"{host} refused the user name and password of the base URL (401 Unauthorized), which are sent"
            f" instead of the API key; check them, or remove them from the URL to send {key_variable}"
        )
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


def retried(retries: int) -> str:
    """' after N retries' for a reason, or '' when the first attempt was the last."""
    return f" after {retries} retr{'y' if retries == 1 else 'ies'}" if retries else ""


def _authority(url: str) -> str:
    # Split by hand: urlsplit raises on the malformed URLs whose secrets matter most.
    return url.strip().split("://", 1)[-1].split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]


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

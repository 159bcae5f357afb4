"""Signing webhook bodies as Stripe and GitHub do: HMAC-SHA256 over the timestamp and the body."""

from __future__ import annotations

import hashlib
import hmac
import time

SIGNATURE_HEADER = "Deznity-Signature"
EVENT_ID_HEADER = "Deznity-Event-Id"
EVENT_TYPE_HEADER = "Deznity-Event-Type"
# Receivers should refuse a signature older than this: a captured request cannot be replayed later.
TOLERANCE_SECONDS = 300


class SignatureError(ValueError):
    """A webhook request whose signature does not verify; the message says why."""


def _digest(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    """The Deznity-Signature header for `body`: `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "t.body")>`."""
    t = int(time.time()) if timestamp is None else int(timestamp)
    return f"t={t},v1={_digest(secret, t, body)}"


def verify_signature(
    secret: str, body: bytes, header: str, *, now: float | None = None, tolerance: int = TOLERANCE_SECONDS
) -> int:
    """Check a Deznity-Signature header against the raw body; returns its timestamp, raises SignatureError."""
    parts: dict[str, list[str]] = {}
    for item in (header or "").split(","):
        key, _, value = item.strip().partition("=")
        parts.setdefault(key, []).append(value)
    try:
        timestamp = int(parts["t"][0])
    except (KeyError, ValueError):
        raise SignatureError(f"{SIGNATURE_HEADER} has no t=<unix seconds>") from None
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        raise SignatureError(f"{SIGNATURE_HEADER} is older than {tolerance} s (a replay, or a clock that is off)")
    expected = _digest(secret, timestamp, body)
    # compare_digest: the time taken must not tell an attacker how much of a guess was right.
    if not any(hmac.compare_digest(expected, v) for v in parts.get("v1", [])):
        raise SignatureError(f"{SIGNATURE_HEADER} does not match: another secret, or a changed body")
    return timestamp

"""A thread-safe token bucket that keeps requests under a per-minute limit."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class RateLimiter:
    """Token bucket: `rpm` requests per minute on average, at most `burst` at once; rpm 0 means no limit."""

    def __init__(
        self,
        rpm: int,
        *,
        burst: int = 2,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        if rpm < 0:
            raise ValueError("rpm must be 0 (no limit) or a positive number of requests per minute")
        self.rpm = rpm
        self.capacity = float(max(1, min(burst, rpm or 1)))
        self._rate = rpm / 60.0
        self._tokens = self.capacity
        self._clock = clock
        self._sleep = sleep
        self._updated = clock()
        self._lock = threading.Lock()
        self.waited_seconds = 0.0

    def acquire(self) -> float:
        """Block until a request may be sent; return the seconds waited."""
        if self.rpm == 0:
            return 0.0
        # Reserve a token under the lock (the balance may go negative), then sleep outside
        # it, so concurrent callers queue up in order without holding the lock while waiting.
        with self._lock:
            now = self._clock()
            self._tokens = min(self.capacity, self._tokens + (now - self._updated) * self._rate)
            self._updated = now
            self._tokens -= 1.0
            wait = 0.0 if self._tokens >= 0 else -self._tokens / self._rate
            self.waited_seconds += wait
        if wait > 0:
            self._sleep(wait)
        return wait

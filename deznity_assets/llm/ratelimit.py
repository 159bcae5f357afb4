"""A token bucket that keeps requests under a per-minute limit, shared by the threads and processes of a machine."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

try:
    import fcntl
except ImportError:  # Windows: no flock; each process keeps its own bucket
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)


def bucket_file(directory: Path, base_url: str, api_key: str) -> Path:
    """The shared bucket of one account on one server: a file named by a hash (never the key or URL itself)."""
    digest = hashlib.sha256(f"{base_url.rstrip('/')}\n{api_key}".encode()).hexdigest()[:32]
    return Path(directory) / f"{digest}.json"


class RateLimiter:
    """Token bucket: `rpm` requests per minute on average, at most `burst` at once; rpm 0 means no limit.

    With `state_file`, the bucket's balance lives in that file and is updated under an exclusive
    OS file lock (flock), so every process that uses the same file (every run process of a
    Dagster instance, through <state>/ratelimit) shares one limit: the limit is per machine, and a
    shared volume whose file locks work across machines extends it to them. Without a file, or
    where flock is missing (Windows), the bucket belongs to this process. Either way, threads of
    the process share it.
    """

    def __init__(
        self,
        rpm: int,
        *,
        burst: int = 2,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        state_file: Path | None = None,
    ):
        if rpm < 0:
            raise ValueError("rpm must be 0 (no limit) or a positive number of requests per minute")
        self.rpm = rpm
        self.capacity = float(max(1, min(burst, rpm or 1)))
        self._rate = rpm / 60.0
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self.waited_seconds = 0.0
        self.state_file = Path(state_file) if state_file is not None and fcntl is not None else None
        if state_file is not None and self.state_file is None:
            log.warning("no file locks on this system: DEZNITY_LLM_RPM applies to each process on its own")
        if self.state_file is not None:
            self.state_file.parent.mkdir(parents=True, exist_ok=True)  # once, not on every request
        # The in-process balance, used without a state file (the wall clock: shared by processes).
        self._tokens = self.capacity
        self._updated = clock()

    def acquire(self) -> float:
        """Block until a request may be sent; return the seconds waited."""
        if self.rpm == 0:
            return 0.0
        # Reserve a token under the locks (the balance may go negative), then sleep outside
        # them, so callers of every thread and process queue up in order without holding a lock
        # while they wait.
        with self._lock:
            if self.state_file is None:
                self._tokens, self._updated, wait = self._reserve(self._tokens, self._updated)
            else:
                with self._locked_state() as handle:
                    tokens, updated = self._read(handle)
                    tokens, updated, wait = self._reserve(tokens, updated)
                    self._write(handle, tokens, updated)
            self.waited_seconds += wait
        if wait > 0:
            self._sleep(wait)
        return wait

    def _reserve(self, tokens: float, updated: float) -> tuple[float, float, float]:
        now = self._clock()
        # A clock that stepped back refills nothing (and the next call counts from `now`).
        tokens = min(self.capacity, tokens + max(0.0, now - updated) * self._rate)
        tokens -= 1.0
        wait = 0.0 if tokens >= 0 else -tokens / self._rate
        return tokens, now, wait

    @contextmanager
    def _locked_state(self) -> Iterator[IO[str]]:
        assert self.state_file is not None and fcntl is not None
        # Opened without truncating and never deleted: every process locks the same inode.
        fd = os.open(self.state_file, os.O_RDWR | os.O_CREAT, 0o600)
        with os.fdopen(fd, "r+", encoding="utf-8") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield handle
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def _read(self, handle: IO[str]) -> tuple[float, float]:
        try:
            state = json.loads(handle.read() or "{}")
            return float(state["tokens"]), float(state["updated"])
        except (ValueError, KeyError, TypeError):
            return self.capacity, self._clock()  # new or unreadable: a full bucket

    def _write(self, handle: IO[str], tokens: float, updated: float) -> None:
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps({"tokens": tokens, "updated": updated, "rpm": self.rpm}))
        handle.flush()

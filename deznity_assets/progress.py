"""Progress of long work: assets report phases here; the command line prints them."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable

_listeners: list[Callable[[str, str, str], None]] = []
_START = time.perf_counter()
_lock = threading.Lock()


def subscribe(listener: Callable[[str, str, str], None]) -> None:
    """Call `listener(slug, step, message)` for every progress report in this process."""
    with _lock:
        _listeners.append(listener)


def report(slug: str, step: str, message: str) -> None:
    """Report that `step` of client `slug` reached `message`."""
    with _lock:
        listeners = list(_listeners)
    for listener in listeners:
        listener(slug, step, message)


def print_progress(slug: str, step: str, message: str) -> None:
    """Print one progress line to stderr: elapsed time, client, step, message."""
    print(f"  {time.perf_counter() - _START:7.1f}s  {slug:<20} {step:<19} {message}", file=sys.stderr, flush=True)

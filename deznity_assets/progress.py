"""Progress of long work: assets report phases here; the command line shows them as bars or plain lines."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .flow import FLOW

if TYPE_CHECKING:
    from rich.console import Console

_listeners: list[Callable[[str, str, str], None]] = []
_START = time.perf_counter()
_lock = threading.Lock()

# The steps as the assets report them, in the order a run goes through them.
_REPORTED_AS = {"client_brief": "intake", "bootstrap_summary": "summary", "client_package": "package"}
STEPS: tuple[str, ...] = tuple(_REPORTED_AS.get(step.name, step.name) for step in FLOW)
# Reported by the runner once a client's run was written back: the message is its outcome.
FINISHED = "finished"


def subscribe(listener: Callable[[str, str, str], None]) -> None:
    """Call `listener(slug, step, message)` for every progress report in this process."""
    with _lock:
        _listeners.append(listener)


def unsubscribe(listener: Callable[[str, str, str], None]) -> None:
    """Stop calling `listener` (no error when it was not subscribed)."""
    with _lock:
        if listener in _listeners:
            _listeners.remove(listener)


def report(slug: str, step: str, message: str) -> None:
    """Report that `step` of client `slug` reached `message`."""
    with _lock:
        listeners = list(_listeners)
    for listener in listeners:
        listener(slug, step, message)


def print_progress(slug: str, step: str, message: str) -> None:
    """Print one progress line to stderr: elapsed time, client, step, message."""
    print(f"  {time.perf_counter() - _START:7.1f}s  {slug:<20} {step:<19} {message}", file=sys.stderr, flush=True)


def steps_done(step: str, message: str) -> int:
    """How many of STEPS a client has finished when `step` reports `message` (unknown steps: 0)."""
    if step == FINISHED:
        # Only a completed client fills its bar; a failed or held one stays where it stopped.
        return len(STEPS) if message.startswith("completed") else 0
    if step not in STEPS:
        return 0
    # A step reports "started" (and "failed") before it is done, and its result once it is.
    before = STEPS.index(step)
    return before if message.startswith(("started", "failed")) else before + 1


class ProgressBars:
    """One live bar per client, advancing step by step, with the current phase and its message (rich)."""

    def __init__(self, console: Console | None = None):
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self._progress = Progress(
            # Messages carry client text (an industry, say): shown as it is, never read as rich markup.
            TextColumn("{task.fields[slug]:<20}", markup=False),
            BarColumn(bar_width=24),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.fields[step]:<19}", markup=False),
            TextColumn("{task.description}", markup=False),
            console=console,
            # Other output keeps its way to the streams (and to Dagster's compute logs).
            redirect_stdout=False,
            redirect_stderr=False,
        )
        self._tasks: dict[str, Any] = {}
        self._done: dict[str, int] = {}
        self._lock = threading.Lock()

    def __enter__(self) -> ProgressBars:
        self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()

    def __call__(self, slug: str, step: str, message: str) -> None:
        """Move `slug`'s bar to `step` (a progress listener: reports come from agent threads too)."""
        with self._lock:
            if slug not in self._tasks:
                self._tasks[slug] = self._progress.add_task(message, total=len(STEPS), slug=slug, step=step)
                self._done[slug] = 0
            # Reports of concurrent agents may arrive out of order: a bar never moves back.
            self._done[slug] = max(self._done[slug], steps_done(step, message))
            self._progress.update(self._tasks[slug], completed=self._done[slug], step=step, description=message)
            if step == FINISHED:
                self._progress.stop_task(self._tasks[slug])

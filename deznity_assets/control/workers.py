"""Which process executes a run, and whether it is still alive: a killed run is found in seconds, not at a timeout."""

from __future__ import annotations

import json
import os
import socket
from dataclasses import dataclass

import dagster as dg
import psutil

WORKER_TAG = "deznity/worker"
GRPC_INFO_TAG = ".dagster/grpc_info"
# The run worker's first words (dagster/_grpc/impl.py): "Started process for run (pid: N)."
_STARTED_PROCESS = "Started process for run"
# A pid whose process began later than this after the run recorded it is another process.
_CLOCK_SLACK_SECONDS = 2.0
_LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0"}


@dataclass(frozen=True)
class Worker:
    """A run worker process: its host, pid and (when known) the time it started."""

    host: str
    pid: int
    started: float

    def describe(self) -> str:
        """'pid N on host H', for messages."""
        return f"pid {self.pid} on host {self.host}"


def this_worker() -> Worker:
    """The current process as a run worker."""
    return Worker(socket.gethostname(), os.getpid(), psutil.Process().create_time())


def worker_tags() -> dict[str, str]:
    """The tag that records this process as the worker of a run it executes in-process."""
    worker = this_worker()
    return {WORKER_TAG: json.dumps({"host": worker.host, "pid": worker.pid, "started": worker.started})}


def run_worker(instance: dg.DagsterInstance, run: dg.DagsterRun) -> Worker | None:
    """The process executing `run`, when it can be known from this host; None otherwise."""
    raw = run.tags.get(WORKER_TAG)
    if raw:
        try:
            data = json.loads(raw)
            return Worker(str(data["host"]), int(data["pid"]), float(data["started"]))
        except (ValueError, KeyError, TypeError):
            return None
    # Runs launched through a code server (the daemon, the UI) run in a subprocess of it, which
    # announces its pid in an engine event. Only a code server on this host gives a pid we can
    # check; runs on other machines (a Kubernetes pod) are the run launcher's to monitor.
    if not _grpc_server_is_local(run):
        return None
    records = instance.all_logs(run.run_id, of_type=dg.DagsterEventType.ENGINE_EVENT)
    for record in reversed(records):
        event = record.dagster_event
        if event is None or not (event.message or "").startswith(_STARTED_PROCESS):
            continue
        pid = event.engine_event_data.metadata.get("pid")
        if pid is not None and str(pid.value).isdigit():
            return Worker(socket.gethostname(), int(str(pid.value)), record.timestamp)
    return None


def _grpc_server_is_local(run: dg.DagsterRun) -> bool:
    raw = run.tags.get(GRPC_INFO_TAG)
    if not raw:
        return False
    try:
        info = json.loads(raw)
    except ValueError:
        return False
    if info.get("socket"):
        return True
    host = str(info.get("host") or "")
    return host in _LOCAL_HOSTS or host == socket.gethostname()


def worker_is_gone(worker: Worker) -> bool | None:
    """True when the worker process no longer exists; None when that cannot be told from here."""
    if worker.host != socket.gethostname():
        return None
    try:
        process = psutil.Process(worker.pid)
        if process.status() == psutil.STATUS_ZOMBIE:
            return True
        # The pid was reused by a process that started after the run's worker did.
        return process.create_time() > worker.started + _CLOCK_SLACK_SECONDS
    except psutil.NoSuchProcess:
        return True
    except psutil.Error:
        return None


def orphan_reason(instance: dg.DagsterInstance, run: dg.DagsterRun) -> str | None:
    """Why an unfinished run can never finish (its worker process is gone), or None."""
    worker = run_worker(instance, run)
    if worker is None or not worker_is_gone(worker):
        return None
    return f"run worker ({worker.describe()}) is gone: the process was killed or crashed"

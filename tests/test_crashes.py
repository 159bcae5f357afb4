"""Crashes: a killed run worker, a publish cut between its renames, and the continuous mode killed and restarted."""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import dagster as dg
import psutil
import pytest

from deznity_assets.brief import REFERENCE_CLIENTS
from deznity_assets.control import run_tags
from deznity_assets.control.runs import crashed
from deznity_assets.control.workers import WORKER_TAG, orphan_reason
from deznity_assets.definitions import JOB_NAME
from deznity_assets.package import publish_package, recover_package
from deznity_assets.runner import process_pending
from tests.plugins.platform import PROJECT_ROOT, env_for

BIN = Path(sys.executable).parent


def _claimed(store, instance, brief=REFERENCE_CLIENTS[0]):
    row = store.add_client(brief)
    instance.add_dynamic_partitions("clients", [row.slug])
    return store.claim_pending(1)[0]


def _dead_worker_tag() -> str:
    """The identity of a real process that has exited."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    started = psutil.Process(proc.pid).create_time()
    proc.wait()
    return json.dumps({"host": os.uname().nodename, "pid": proc.pid, "started": started})


def _orphaned_run(platform, instance, row, worker: str) -> dg.DagsterRun:
    """A started run of the client's claim whose worker is `worker`."""
    job = platform.definitions.resolve_job_def(JOB_NAME)
    run = instance.create_run_for_job(
        job_def=job, tags={**run_tags(row), "dagster/partition": row.slug, WORKER_TAG: worker}
    )
    instance.handle_run_event(
        run.run_id, dg.DagsterEvent(event_type_value=dg.DagsterEventType.RUN_START.value, job_name=run.job_name)
    )
    return run


def test_a_run_whose_worker_died_is_a_crash_and_its_client_is_retried(platform, store, instance):
    row = _claimed(store, instance)
    run = _orphaned_run(platform, instance, row, _dead_worker_tag())
    assert "is gone" in orphan_reason(instance, run)
    assert platform.control.reconcile(instance, claim_timeout_seconds=600) == {row.slug: "retried"}
    assert crashed(instance.get_run_by_id(run.run_id))
    again = store.get(row.slug)
    assert (again.status, again.attempt) == ("pending", 2)
    assert "retrying after a crash (1 of at most 3)" in again.last_error and "is gone" in again.last_error
    # The failure sensor leaves crashes to reconciliation: the client is not failed behind its back.
    assert platform.control.write_back(instance, instance.get_run_by_id(run.run_id)) is None
    assert store.get(row.slug).status == "pending"


def test_a_live_worker_is_left_alone(platform, store, instance):
    row = _claimed(store, instance)
    me = psutil.Process()
    alive = json.dumps({"host": os.uname().nodename, "pid": me.pid, "started": me.create_time()})
    run = _orphaned_run(platform, instance, row, alive)
    assert orphan_reason(instance, run) is None
    assert platform.control.reconcile(instance, claim_timeout_seconds=0) == {}
    assert store.get(row.slug).status == "in_progress"


def test_a_reused_pid_is_not_taken_for_the_worker(platform, store, instance):
    row = _claimed(store, instance)
    me = psutil.Process()
    # Our pid, but recorded as started long before this process began: another process's pid.
    reused = json.dumps({"host": os.uname().nodename, "pid": me.pid, "started": me.create_time() - 3600})
    run = _orphaned_run(platform, instance, row, reused)
    assert "is gone" in orphan_reason(instance, run)


def test_a_worker_on_another_host_is_left_to_the_run_timeout(platform, store, instance):
    row = _claimed(store, instance)
    elsewhere = json.dumps({"host": "some-other-machine", "pid": 1, "started": 0})
    run = _orphaned_run(platform, instance, row, elsewhere)
    assert orphan_reason(instance, run) is None
    assert platform.control.reconcile(instance, claim_timeout_seconds=0) == {}


def test_crashing_again_and_again_fails_the_client_with_the_reason(platform, store, instance):
    for attempt in (1, 2):
        row = _claimed(store, instance) if attempt == 1 else store.claim_pending(1)[0]
        _orphaned_run(platform, instance, row, _dead_worker_tag())
        actions = platform.control.reconcile(instance, claim_timeout_seconds=600, crash_retries=1)
        assert actions == {row.slug: "retried" if attempt == 1 else "failed"}
    failed = store.get(row.slug)
    assert failed.status == "failed"
    assert "crashed 2 times in a row" in failed.last_error


def test_a_killed_command_line_run_is_retried_and_completes(platform, store, tmp_path):
    """kill -9 of `deznity autonomous --once` while a run executes; the next pass completes the client."""
    instance = platform.instance()
    store.add_client(REFERENCE_CLIENTS[4])
    env = {**os.environ, **env_for(tmp_path)}
    proc = subprocess.Popen(
        [str(BIN / "deznity"), "autonomous", "--once"],
        env=env,
        cwd=PROJECT_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 120
    while time.time() < deadline and not instance.get_runs(dg.RunsFilter(statuses=[dg.DagsterRunStatus.STARTED])):
        assert proc.poll() is None, "the pass ended before its run could be killed"
        time.sleep(0.05)
    time.sleep(0.5)  # some steps in
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    [orphan] = instance.get_runs()
    assert orphan.status == dg.DagsterRunStatus.STARTED  # nobody said it ended

    outcomes, _ = process_pending(platform)
    assert [(o.slug, o.status) for o in outcomes] == [("tacoloco", "completed")]
    assert crashed(instance.get_run_by_id(orphan.run_id))
    assert store.get("tacoloco").attempt == 2
    assert (platform.output_dir / "tacoloco" / "site" / "index.html").exists()


_CRASHING_PUBLISH = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path
    from deznity_assets import package

    output, moment = Path(sys.argv[1]), sys.argv[2]
    if moment == "between-renames":
        real_rename = os.rename
        def rename_then_die(src, dst):
            real_rename(src, dst)
            os._exit(9)  # the first rename happened, the second never will
        package.os.rename = rename_then_die
    else:
        real_write = Path.write_bytes
        calls = []
        def write_then_die(self, data):
            calls.append(1)
            if len(calls) == 2:
                os._exit(9)
            return real_write(self, data)
        Path.write_bytes = write_then_die
    package.publish_package(output, "acme", {"index.html": "v2", "about.html": "v2", "site/x.css": "v2"})
    """
)


@pytest.mark.parametrize("moment", ["between-renames", "while-staging"])
def test_publishing_survives_a_crash(tmp_path, moment):
    output = tmp_path / "output"
    publish_package(output, "acme", {"index.html": "v1", "about.html": "v1"})
    publish_package(output, "acme-b", {"index.html": "other"})
    crash = subprocess.run([sys.executable, "-c", _CRASHING_PUBLISH, str(output), moment], cwd=PROJECT_ROOT)
    assert crash.returncode == 9
    leftovers = sorted(p.name.split("-")[0] for p in output.iterdir() if p.name.startswith("."))
    if moment == "between-renames":
        assert not (output / "acme").exists()  # the moment the issue is about: no package at all
        assert leftovers == [".old", ".staging"]
    else:
        assert leftovers == [".staging"]

    recovered = recover_package(output, "acme")
    expected = "v2" if moment == "between-renames" else "v1"  # a finished staging folder is the newer package
    assert recovered is not None and (recovered / "index.html").read_text() == expected
    assert not [p for p in output.iterdir() if p.name.startswith(".")]
    assert (output / "acme-b" / "index.html").read_text() == "other"  # another client's folder is untouched

    publish_package(output, "acme", {"index.html": "v3"})
    assert sorted(p.name for p in output.iterdir()) == ["acme", "acme-b"]
    assert (output / "acme" / "index.html").read_text() == "v3"


def _crash_benchmark():
    spec = importlib.util.spec_from_file_location("crash_recovery", PROJECT_ROOT / "benchmarks" / "crash_recovery.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up while being defined
    spec.loader.exec_module(module)
    return module


def test_continuous_mode_killed_and_restarted_completes_every_client(tmp_path):
    """The benchmark, short: kill -9 of the whole tree of `deznity autonomous` mid-work, restart, all complete."""
    bench = _crash_benchmark()
    report = bench.run(
        tmp_path, clients=3, kills=2, seed=3, max_gap=90, settle_seconds=300, poll_seconds=3, mid_run=True
    )
    log = (tmp_path / "autonomous.log").read_text()[-4000:]
    assert report.ok, "\n".join(report.lines()) + "\n" + log
    assert report.crashed_runs >= 1, "no kill landed on a run in flight:\n" + "\n".join(report.lines())
    assert report.recovery_seconds is not None and report.recovery_seconds < 300


def test_a_killed_run_gives_back_its_pool_slots(platform, store, instance):
    row = _claimed(store, instance)
    run = _orphaned_run(platform, instance, row, _dead_worker_tag())
    storage = instance.event_log_storage
    storage.set_concurrency_slots("llm", 4)
    storage.claim_concurrency_slot("llm", run.run_id, "client_analysis")
    assert storage.get_concurrency_info("llm").active_slot_count == 1
    assert platform.control.reconcile(instance, claim_timeout_seconds=600) == {row.slug: "retried"}
    assert storage.get_concurrency_info("llm").active_slot_count == 0


def test_a_run_that_never_started_is_a_crash_too(platform, store, instance):
    """Dagster's run monitoring fails a run whose launch died (START_TIMEOUT): retried, not failed."""
    from dagster._core.events import JobFailureData, RunFailureReason

    row = _claimed(store, instance)
    job = platform.definitions.resolve_job_def(JOB_NAME)
    run = instance.create_run_for_job(job_def=job, tags={**run_tags(row), "dagster/partition": row.slug})
    instance.report_run_failed(
        run,
        message="run timed out after 60 seconds to start",
        job_failure_data=JobFailureData(error=None, failure_reason=RunFailureReason.START_TIMEOUT),
    )
    assert platform.control.reconcile(instance, claim_timeout_seconds=600) == {row.slug: "retried"}
    assert store.get(row.slug).status == "pending"

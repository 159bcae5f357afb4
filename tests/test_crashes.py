"""Crashes: a killed run worker, a publish cut between its renames, the continuous mode killed and restarted, and
a killed run that was carrying out a reviewer's approval or rejection."""

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
from dagster._grpc.server import DagsterApiServer

from deznity_assets.brief import REFERENCE_CLIENTS
from deznity_assets.control import claim_plan, run_tags
from deznity_assets.control.resume import RESUME_TAG, REVIEW_TAG
from deznity_assets.control.review import apply_decisions, decide
from deznity_assets.control.runs import crashed
from deznity_assets.control.workers import WORKER_TAG, orphan_reason, run_worker
from deznity_assets.definitions import JOB_NAME
from deznity_assets.flow import DEFAULT_REWORK, REVIEW_STEP, decision_assets
from deznity_assets.package import publish_package, recover_package
from deznity_assets.runner import process_pending
from tests.plugins.platform import PROJECT_ROOT, REGULATED_BRIEF, env_for
from tests.servers import openai_compatible as srv
from tests.servers.offline_answers import offline_answer

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


# ----- a crash while a review decision is carried out -------------------------------------------

REVIEWED = "sonrisa-clara"


def _held_for_review(platform) -> None:
    """The regulated client processed from pending: it waits at the review gate."""
    platform.control.add_client(REGULATED_BRIEF)
    outcomes, _ = process_pending(platform)
    assert [(o.slug, o.status) for o in outcomes] == [(REVIEWED, "needs_review")], outcomes


def _decide(platform, decision: str) -> dict:
    reason = 'do not promise "treatment without pain"' if decision == "rejected" else ""
    return decide(platform.control, REVIEWED, decision=decision, reviewer="Dr. Ana Ruiz", reason=reason)


def _hanging_model_env(tmp_path: Path, server: srv.OpenAICompatibleServer) -> dict[str, str]:
    """The project's environment with its agents on `server`, whose answers never come in time."""
    prices = tmp_path / "prices.json"
    prices.write_text(json.dumps({"test-model": {"input_per_mtok": 2.0, "output_per_mtok": 8.0}}))
    settings = {
        "DEZNITY_LLM_PROVIDER": "compatible",
        "DEZNITY_LLM_BASE_URL": server.base_url,
        "DEZNITY_LLM_MODEL": "test-model",
        "DEZNITY_LLM_PRICES": str(prices),
        "DEZNITY_LLM_TIMEOUT": "600",
    }
    return {**os.environ, **env_for(tmp_path, **settings)}


def _wait_for(what: str, condition, proc: subprocess.Popen | None = None, timeout: float = 180) -> None:
    deadline = time.time() + timeout
    while not condition():
        assert proc is None or proc.poll() is None, f"the process ended before {what}"
        assert time.time() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def _review_runs(instance, review: dict) -> list[dg.DagsterRun]:
    """The runs carrying out `review`, oldest first."""
    return sorted(
        (r for r in instance.get_runs() if r.tags.get(REVIEW_TAG) == str(review["id"])),
        key=lambda r: instance.get_run_record_by_id(r.run_id).create_timestamp,
    )


def _selection(run: dg.DagsterRun) -> set[str]:
    return {key.to_user_string() for key in run.asset_selection or ()}


def _needs_review_events(platform) -> int:
    return sum(1 for e in platform.store.events() if e["type"] == "client.needs_review" and e["slug"] == REVIEWED)


def test_a_crashed_decision_run_keeps_its_decision_within_the_crash_limit(platform, store, instance):
    """The plan a crash leaves on the client, the claim's fallback when the work it needs is not stored, the limit."""
    row = _claimed(store, instance, REGULATED_BRIEF)
    job = platform.definitions.resolve_job_def(JOB_NAME)
    decision = "0b7c3f0e-5a41-4c8e-9d1c-2f6a7b8c9d0e"
    for crash in (1, 2):
        run = instance.create_run_for_job(
            job_def=job,
            tags={**run_tags(row), "dagster/partition": row.slug, WORKER_TAG: _dead_worker_tag(), REVIEW_TAG: decision},
            asset_selection=frozenset(dg.AssetKey(a) for a in decision_assets("content_creation")),
        )
        instance.handle_run_event(
            run.run_id, dg.DagsterEvent(event_type_value=dg.DagsterEventType.RUN_START.value, job_name=run.job_name)
        )
        actions = platform.control.reconcile(instance, claim_timeout_seconds=600, crash_retries=1)
        if crash == 2:
            break
        assert actions == {row.slug: "retried"}
        pending = store.get(row.slug)
        assert (pending.status, pending.resume_from, pending.resume_review) == ("pending", "content_creation", decision)
        row = store.claim_client(row.slug)
        assert row.resume_review == decision  # the claim hands the decision to whoever builds the run
        # Nothing of this client is stored (no run made its brief): not the decision's steps, but every step,
        # which stops at the gate for a new review.
        plan = claim_plan(instance, row)
        assert plan.assets is None and REVIEW_TAG not in plan.tags
    assert actions == {row.slug: "failed"}
    failed = store.get(row.slug)
    assert "crashed 2 times in a row" in failed.last_error
    assert (failed.resume_from, failed.resume_review) == (None, None)


@pytest.mark.parametrize("decision", ["approved", "rejected"])
def test_a_killed_approval_or_rework_run_resumes_with_its_decision(platform, store, tmp_path, decision):
    """kill -9 of `deznity autonomous --once` inside the run a decision started: the next pass runs that run's
    own steps again with the same decision. An approval publishes; a rework comes back once, for its new content."""
    instance = platform.instance()
    _held_for_review(platform)
    review = _decide(platform, decision)
    steps = decision_assets(REVIEW_STEP if decision == "approved" else DEFAULT_REWORK)
    with srv.OpenAICompatibleServer(models=("test-model",)) as llm:
        # Every agent call of this pass hangs (support_kit for an approval, the copywriters for a
        # rework): the kill lands inside a step of the decision's run, after the steps before it.
        llm.otherwise = srv.slow(600)
        proc = subprocess.Popen(
            [str(BIN / "deznity"), "autonomous", "--once"],
            env=_hanging_model_env(tmp_path, llm),
            cwd=PROJECT_ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait_for("an agent of the decision's run to ask the model", lambda: bool(llm.completions), proc)
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
    [killed] = _review_runs(instance, review)
    assert killed.status == dg.DagsterRunStatus.STARTED  # nobody said it ended
    assert _selection(killed) == set(steps)
    assert store.get(REVIEWED).status == "in_progress"

    outcomes, _ = process_pending(platform)  # offline agents: the retry finishes
    assert [(o.slug, o.status) for o in outcomes] == [
        (REVIEWED, "completed" if decision == "approved" else "needs_review")
    ], outcomes
    assert crashed(instance.get_run_by_id(killed.run_id))
    [_, retry] = _review_runs(instance, review)
    # The crashed run's own steps, with the same decision, as a resumed retry.
    assert _selection(retry) == set(steps)
    assert retry.tags[RESUME_TAG] == (REVIEW_STEP if decision == "approved" else DEFAULT_REWORK)
    row = store.get(REVIEWED)
    assert (row.attempt, row.resume_from, row.resume_review) == (2, None, None)
    assert [r["id"] for r in store.reviews_for(REVIEWED)] == [review["id"]]  # nobody decided again
    folder = platform.output_dir / REVIEWED
    if decision == "approved":
        assert _needs_review_events(platform) == 1  # the first hold only: the approved work was not reviewed again
        summary = (folder / "BOOTSTRAP_SUMMARY.md").read_text("utf-8")
        assert "Dr. Ana Ruiz" in summary
        assert (folder / "site" / "index.html").exists() and (folder / "deploy").is_dir()
    else:
        assert _needs_review_events(platform) == 2  # the first hold, then the rework's new content, once
        seo = json.loads((folder / "results" / "content_creation" / "seo.json").read_text("utf-8"))
        assert seo["reviewer_feedback"] == [review["reason"]]  # the rejection reached the retry's agents
        assert "treatment without pain" not in (folder / "site" / "index.html").read_text("utf-8").lower()
        # The new content waits for a decision of its own: the old rejection is not applied twice.
        assert apply_decisions(platform.control) == ([], [])


LAW_FIRM = {**REGULATED_BRIEF, "business_name": "Bufete Lamas", "industry": "law firm", "goal": "more consultations"}


def _asked_about(llm: srv.OpenAICompatibleServer, slug: str) -> bool:
    return any(slug in json.dumps(body) for body in llm.completions)  # the brief in the prompt names it


def test_the_daemon_resumes_killed_approval_and_rework_runs_with_their_decisions(platform, store, tmp_path):
    """The continuous mode (daemon, sensors, runs in their own processes): SIGKILL of the worker of an approval's
    run and of a rework's run. The reconciliation sensor relaunches each with its decision: the approved client is
    published, the rejected one comes back to needs_review once, for its reworked content."""
    bench = _crash_benchmark()
    instance = platform.instance()
    lawyers = "bufete-lamas"
    for brief in (LAW_FIRM, REGULATED_BRIEF):
        platform.control.add_client(brief)
    outcomes, _ = process_pending(platform)
    assert sorted((o.slug, o.status) for o in outcomes) == [(lawyers, "needs_review"), (REVIEWED, "needs_review")]
    approval = decide(platform.control, lawyers, decision="approved", reviewer="Lic. Lamas")
    rejection = _decide(platform, "rejected")
    with srv.OpenAICompatibleServer(models=("test-model",)) as llm:
        llm.otherwise = srv.slow(600)  # the decisions' runs hang in their first agent call
        env = {**_hanging_model_env(tmp_path, llm), "DEZNITY_POLL_SECONDS": "3"}
        proc = bench.start(env, tmp_path / "autonomous.log")
        try:
            for slug in (lawyers, REVIEWED):
                asked = lambda s=slug: _asked_about(llm, s)  # noqa: E731
                _wait_for(f"the run of {slug}'s decision to ask the model", asked, proc, timeout=300)
            killed = {}
            llm.otherwise = srv.content(offline_answer)  # the relaunched runs get good answers
            for review in (approval, rejection):
                [run] = _review_runs(instance, review)
                worker = run_worker(instance, run)
                assert run.status == dg.DagsterRunStatus.STARTED and worker is not None, run
                assert worker.pid != proc.pid  # the run's own process, not the daemon's
                os.kill(worker.pid, signal.SIGKILL)
                killed[str(review["id"])] = run
            _wait_for(
                "the relaunched runs to finish",
                lambda: (
                    store.get(lawyers).status == "completed"
                    and (store.get(REVIEWED).status, store.get(REVIEWED).attempt) == ("needs_review", 2)
                ),
                proc,
                timeout=300,
            )
        finally:
            bench.stop(proc)
    log = (tmp_path / "autonomous.log").read_text()[-4000:]
    for review in (approval, rejection):
        first = killed[str(review["id"])]
        runs = _review_runs(instance, review)
        assert [r.run_id for r in runs][:1] == [first.run_id] and len(runs) == 2, log
        assert crashed(instance.get_run_by_id(first.run_id)), log
        assert runs[1].status == dg.DagsterRunStatus.SUCCESS and _selection(runs[1]) == _selection(first)
    assert [r["id"] for r in store.reviews_for(lawyers)] == [approval["id"]]
    assert [r["id"] for r in store.reviews_for(REVIEWED)] == [rejection["id"]]
    published = platform.output_dir / lawyers
    assert "Lic. Lamas" in (published / "BOOTSTRAP_SUMMARY.md").read_text("utf-8")
    assert (published / "deploy").is_dir()
    assert _needs_review_events(platform) == 2  # the dental clinic: its first hold, then its reworked content
    held = [e for e in store.events() if e["type"] == "client.needs_review" and e["slug"] == lawyers]
    assert len(held) == 1  # the law firm: the approved work was never sent back to a reviewer


def test_a_run_the_code_server_failed_after_its_process_died_is_a_crash(platform, store, instance):
    """A daemon-launched run whose process was killed: its code server fails it with no reason; still a crash."""
    row = _claimed(store, instance)
    job = platform.definitions.resolve_job_def(JOB_NAME)
    run = instance.create_run_for_job(job_def=job, tags={**run_tags(row), "dagster/partition": row.slug})
    # What dagster/_grpc/server.py writes when it finds its run process dead.
    instance.report_engine_event(
        f"Run execution process for {run.run_id} was terminated by signal 9 (SIGKILL).", run, cls=DagsterApiServer
    )
    instance.report_run_failed(run)
    failed = instance.get_run_by_id(run.run_id)
    assert not crashed(failed)  # as Dagster leaves it
    assert platform.control.write_back(instance, failed) is None  # the failure sensor leaves it to reconciliation
    assert crashed(instance.get_run_by_id(run.run_id))
    assert platform.control.reconcile(instance, claim_timeout_seconds=600) == {row.slug: "retried"}

    # A run failed from outside for another reason (canceled by hand, say) stays the client's failure.
    row = store.claim_pending(1)[0]
    other = instance.create_run_for_job(job_def=job, tags={**run_tags(row), "dagster/partition": row.slug})
    instance.report_run_failed(other)
    assert platform.control.write_back(instance, instance.get_run_by_id(other.run_id)) == "failed"

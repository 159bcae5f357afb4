"""Processing clients now, in this process (CLI): the same job, the same instance, the same write-back."""

from __future__ import annotations

import logging
import multiprocessing
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

import dagster as dg

from . import progress
from .agents.challenger import challenger_writer
from .control import RunPlan, claim_plan, run_tags
from .control.experiment_actions import apply_experiment_decision, apply_pending_decisions, decide_challenger
from .control.workers import worker_tags
from .defs.experiments import evaluate_experiments
from .defs.jobs import JOB_NAME
from .defs.partitions import CLIENTS
from .platform import Platform
from .store import ClientRow

# Runs started here log warnings and errors only; progress comes from deznity_assets.progress.
QUIET_RUN_CONFIG = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


@dataclass
class Outcome:
    """How one client's processing ended."""

    slug: str
    status: str
    error: str | None
    run_id: str | None
    seconds: float


def run_client(
    row: ClientRow,
    platform: Platform,
    instance: dg.DagsterInstance | None = None,
    *,
    assets: list[str] | None = None,
    tags: dict[str, str] | None = None,
) -> Outcome:
    """Materialize a claimed client's graph (or only `assets` of it) in this process and write the outcome back."""
    instance = instance or platform.instance()
    slug = str(row.slug)
    started = time.perf_counter()
    if not instance.has_dynamic_partition(CLIENTS, slug):
        instance.add_dynamic_partitions(CLIENTS, [slug])
    job = platform.definitions.resolve_job_def(JOB_NAME)
    result = job.execute_in_process(
        partition_key=slug,
        instance=instance,
        # Recording this process lets `reconcile` tell at once when it was killed mid-run.
        tags={**run_tags(row), **worker_tags(), **(tags or {})},
        asset_selection=[dg.AssetKey(asset) for asset in assets] if assets else None,
        raise_on_error=False,
        run_config=QUIET_RUN_CONFIG,
    )
    # Runs executed in-process are not seen by the status sensors: write back here.
    run = instance.get_run_by_id(result.run_id)
    if run is not None:
        platform.control.write_back(instance, run)
    final = platform.store.get(row.id)
    outcome = Outcome(
        slug=slug,
        status=final.status if final else "missing",
        error=final.last_error if final else None,
        run_id=result.run_id,
        seconds=round(time.perf_counter() - started, 2),
    )
    progress.report(slug, progress.FINISHED, f"{outcome.status} in {outcome.seconds}s")
    return outcome


def _forward_progress(events: Any) -> None:
    # In a worker process: every progress report goes to the parent, which shows all clients together.
    progress.subscribe(lambda slug, step, message: events.put((slug, step, message)))


def _show_forwarded(events: Any) -> None:
    for event in iter(events.get, None):
        progress.report(*event)


def run_planned(plan: RunPlan, platform: Platform, instance: dg.DagsterInstance | None = None) -> Outcome:
    """Carry out a run plan (a claimed client's, a review decision's) in this process and write it back."""
    return run_client(plan.row, platform, instance, assets=plan.assets, tags=plan.tags)


def _run_in_worker(plan: RunPlan) -> Outcome:
    return run_planned(plan, Platform.from_env())


def process_pending(
    platform: Platform, *, workers: int = 1, limit: int | None = None
) -> tuple[list[Outcome], list[ClientRow]]:
    """Claim every pending client (or `limit` of them) and process them now; returns outcomes and rejects."""
    instance = platform.instance()
    lifecycle = platform.resources["lifecycle"]
    platform.control.reconcile(
        instance,
        claim_timeout_seconds=lifecycle.claim_timeout_seconds,
        max_run_seconds=lifecycle.max_run_seconds,
        crash_retries=lifecycle.crash_retries,
    )
    # Decisions a reviewer made since the last pass run first: a person has been waiting on them.
    reviewed = process_reviews(platform, instance)
    outcomes: list[Outcome] = []
    rejected: list[ClientRow] = []
    pool = None
    if workers > 1:
        platform.resources["memory"].get_memory()  # seeds the house knowledge once, before the workers start
        # Separate processes (Dagster runs are not meant to share one process's state), kept
        # for the whole pass so each pays the import and start-up once.
        context = multiprocessing.get_context("spawn")
        events = context.Queue()
        forwarder = threading.Thread(target=_show_forwarded, args=(events,), name="progress", daemon=True)
        forwarder.start()
        pool = ProcessPoolExecutor(
            max_workers=workers, mp_context=context, initializer=_forward_progress, initargs=(events,)
        )
    try:
        while limit is None or len(outcomes) + len(rejected) < limit:
            want = workers if limit is None else min(workers, limit - len(outcomes) - len(rejected))
            batch = platform.control.claim_pending(want)
            rejected += batch.rejected
            if not batch.ready and not batch.rejected:
                break
            plans = [claim_plan(instance, row) for row in batch.ready]
            if pool is None:
                outcomes += [run_planned(plan, platform, instance) for plan in plans]
            else:
                outcomes += list(pool.map(_run_in_worker, plans))
    finally:
        if pool is not None:
            pool.shutdown()
            # The workers have exited, their reports are all queued: the end marker comes last.
            events.put(None)
            forwarder.join(timeout=10)
    # The daemon's webhook sensor does not run for a CLI pass: deliver its events now.
    # Experiments are looked at before the webhooks go out, so a decision's event leaves in this pass.
    evaluate_experiments_now(platform, instance)
    outcomes += act_on_experiments(platform, instance)
    flush_webhooks(platform)
    flush_lead_mail(platform)
    report_new_leads(platform, instance)
    return reviewed + outcomes, rejected


def process_reviews(platform: Platform, instance: dg.DagsterInstance | None = None) -> list[Outcome]:
    """Act on new review decisions now (what the review sensor does each tick): publish or rework each client."""
    from .control.review import apply_decisions, notify_overdue

    instance = instance or platform.instance()
    actions, _notes = apply_decisions(platform.control)
    outcomes = [run_planned(action.plan, platform, instance) for action in actions]
    notify_overdue(platform.control)
    return outcomes


def process_experiment_decision(
    platform: Platform,
    slug: str,
    experiment_id: str,
    winner: str,
    instance: dg.DagsterInstance | None = None,
    *,
    figures: dict[str, float | int | str] | None = None,
) -> tuple[Any, Outcome | None]:
    """Apply a decided experiment (control/experiment_actions.py) and run its re-render now: (action, outcome)."""
    instance = instance or platform.instance()
    action = apply_experiment_decision(
        platform.control,
        instance,
        slug,
        experiment_id,
        winner,
        memory=platform.resources["memory"].get_memory(),
        writer=challenger_writer(platform.resources["agents"].get_provider(), slug),
        figures=figures,
    )
    return action, run_planned(action.plan, platform, instance) if action.plan is not None else None


def process_challenger_decision(
    platform: Platform,
    slug: str,
    *,
    decision: str,
    reviewer: str,
    reason: str = "",
    instance: dg.DagsterInstance | None = None,
) -> tuple[Any, Outcome | None]:
    """Record a person's decision on a waiting hero challenger and run its re-render now: (action, outcome)."""
    instance = instance or platform.instance()
    action = decide_challenger(
        platform.control,
        instance,
        slug,
        decision=decision,
        reviewer=reviewer,
        reason=reason,
        memory=platform.resources["memory"].get_memory(),
        writer=challenger_writer(platform.resources["agents"].get_provider(), slug),
    )
    return action, run_planned(action.plan, platform, instance) if action.plan is not None else None


def act_on_experiments(platform: Platform, instance: dg.DagsterInstance) -> list[Outcome]:
    """Act on the decided experiments now (what experiment_actions_sensor does each tick): re-render each site."""
    log = logging.getLogger("deznity.experiments")
    try:
        done = apply_pending_decisions(
            platform.control,
            instance,
            memory=platform.resources["memory"].get_memory,
            provider=platform.resources["agents"].get_provider,
        )
    except Exception as exc:  # noqa: BLE001 - acting on experiments must never break a CLI pass
        log.warning(f"could not act on decided experiments: {type(exc).__name__}")
        return []
    for note in done.notes:
        log.info(note)
    return [run_planned(action.plan, platform, instance) for action in done.actions if action.plan is not None]


def flush_webhooks(platform: Platform) -> str:
    """Deliver the webhook events that are due now (what the webhook sensor does each tick)."""
    from .webhooks import delivery_pass

    res = platform.resources
    return delivery_pass(res["store"], res["output"], res["webhooks"], logging.getLogger("deznity.webhooks"))


def flush_lead_mail(platform: Platform) -> str:
    """E-mail the leads that are due now (what the lead mail sensor does each tick)."""
    from .site_api.mail import lead_mail_pass

    res = platform.resources
    store, output = res["store"], res["output"]
    connection = store.connection()
    return lead_mail_pass(
        store.get_store,
        site_url=output.site_url,
        log=logging.getLogger("deznity.leads"),
        urls=(connection["database_url"], connection["supabase_url"]),
        secrets=(connection["service_role_key"], connection["anon_key"]),
    )


def evaluate_experiments_now(platform: Platform, instance: dg.DagsterInstance) -> list[str]:
    """Materialize the `experiment` asset of clients with new events or a running experiment (experiment_sensor)."""
    try:
        return evaluate_experiments(instance, platform.definitions, platform.store)
    except Exception as exc:  # noqa: BLE001 - looking at experiments must never break a CLI pass
        logging.getLogger("deznity.experiments").warning(f"could not evaluate experiments: {type(exc).__name__}")
        return []


def report_new_leads(platform: Platform, instance: dg.DagsterInstance) -> int:
    """Materialize the `leads` asset of the clients with new leads (what leads_sensor does each tick)."""
    from .defs.leads import report_leads

    try:
        reported = report_leads(instance, platform.resources["store"])
        if reported:
            platform.control.refresh_portfolio()  # the dashboard's leads section, as leads_sensor redraws it
        return reported
    except Exception as exc:  # noqa: BLE001 - reporting leads must never break a CLI pass
        logging.getLogger("deznity.leads").warning(f"could not report leads to Dagster: {type(exc).__name__}")
        return 0

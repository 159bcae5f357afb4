"""Processing clients now, in this process (CLI): the same job, the same instance, the same write-back."""

from __future__ import annotations

import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import dagster as dg

from .portfolio import rebuild_portfolio
from .lifecycle import claim_clients, reconcile, run_tags, write_back
from .resources import MemoryResource
from .settings import Settings
from .store import ClientRow
from .store.base import ClientStore
from .store.select import store_from_settings

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


def instance_for(settings: Settings) -> dg.DagsterInstance:
    """The project's Dagster instance (the one the webserver and daemon use)."""
    settings.ensure_dagster_home()
    return dg.DagsterInstance.get()


def run_client(row: ClientRow, settings: Settings, instance: dg.DagsterInstance | None = None) -> Outcome:
    """Materialize a claimed client's whole graph in this process and write the outcome back."""
    from .definitions import JOB_NAME, build_definitions

    instance = instance or instance_for(settings)
    slug = str(row.slug)
    started = time.perf_counter()
    if not instance.has_dynamic_partition("clients", slug):
        instance.add_dynamic_partitions("clients", [slug])
    job = build_definitions(settings).resolve_job_def(JOB_NAME)
    result = job.execute_in_process(
        partition_key=slug, instance=instance, tags=run_tags(row), raise_on_error=False,
        run_config=QUIET_RUN_CONFIG,
    )
    store = store_from_settings(settings)
    try:
        run = instance.get_run_by_id(result.run_id)
        if run is not None and write_back(store, instance, run) == "failed":
            rebuild_portfolio(settings.output_dir, store)  # a success already rebuilt it
        final = store.get(row.id)
    finally:
        store.dispose()
    return Outcome(slug=slug, status=final.status if final else "missing", error=final.last_error if final else None,
                   run_id=result.run_id, seconds=round(time.perf_counter() - started, 2))


def _run_in_worker(row: ClientRow) -> Outcome:
    from . import progress

    progress.subscribe(progress.print_progress)
    return run_client(row, Settings.from_env())


def process_pending(settings: Settings, store: ClientStore, *, workers: int = 1,
                    limit: int | None = None) -> tuple[list[Outcome], list[ClientRow]]:
    """Claim every pending client (or `limit` of them) and process them now; returns outcomes and rejects."""
    instance = instance_for(settings)
    reconcile(store, instance, claim_timeout_seconds=settings.claim_timeout_seconds,
              max_run_seconds=settings.max_run_seconds)
    outcomes: list[Outcome] = []
    rejected: list[ClientRow] = []
    pool = None
    if workers > 1:
        MemoryResource().get_memory()  # seeds the house knowledge once, before the workers start
        # Separate processes (Dagster runs are not meant to share one process's state), kept
        # for the whole pass so each pays the import and start-up once.
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))
    try:
        while limit is None or len(outcomes) + len(rejected) < limit:
            want = workers if limit is None else min(workers, limit - len(outcomes) - len(rejected))
            batch = claim_clients(store, want)
            rejected += batch.rejected
            if not batch.ready and not batch.rejected:
                break
            if pool is None:
                outcomes += [run_client(row, settings, instance) for row in batch.ready]
            else:
                outcomes += list(pool.map(_run_in_worker, batch.ready))
    finally:
        if pool is not None:
            pool.shutdown()
    return outcomes, rejected

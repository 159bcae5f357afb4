"""The lifecycle resource: how often clients are claimed, how many at once, and when a claim or run is given up."""

from __future__ import annotations

import dagster as dg

from ..config import setting


class LifecycleResource(dg.ConfigurableResource):
    """Limits of the control plane: the sensor's poll, claims per tick, and the reconciliation timeouts."""

    poll_seconds: int = setting(
        "DEZNITY_POLL_SECONDS", 300, "how often the sensor looks for pending clients", minimum=1
    )
    max_runs_per_tick: int = setting(
        "DEZNITY_MAX_RUNS_PER_TICK",
        # The run queue and max_concurrent_runs (dagster.yaml) are the throttle: 200 waiting runs
        # outlast a 5-minute poll at the engine's ~1,700-2,000 clients/h (up to ~170 a poll), and a
        # tick of 200 with 100,000 pending rows evaluates in 0.2 s (the sensor's limit is 60 s) and
        # creates its runs in 38 s on SQLite, 108 s on PostgreSQL (docs/PERFORMANCE.md).
        200,
        "most runs waiting in Dagster's run queue: each sensor tick claims up to this many pending clients, less "
        "the runs already queued; the rest wait for the next tick",
        minimum=1,
    )
    claim_timeout_seconds: int = setting(
        "DEZNITY_CLAIM_TIMEOUT_SECONDS",
        # A claim's run is created in the same sensor tick, within seconds; one that has none after
        # two minutes was lost with a killed tick and must not wait long to be processed.
        120,
        "a claim whose run never appeared (its sensor tick was killed) is returned to pending after this",
        minimum=1,
    )
    max_run_seconds: int = setting(
        "DEZNITY_MAX_RUN_SECONDS",
        3600,
        "a run still unfinished after this long, whose worker cannot be checked from here, is failed",
        minimum=1,
    )
    crash_retries: int = setting(
        "DEZNITY_CRASH_RETRIES",
        3,
        "a client whose run crashed (its process killed) is retried at once, up to this many crashes in a row",
        minimum=0,
    )


def configured_poll_seconds() -> int:
    """DEZNITY_POLL_SECONDS as configured now: the sensor's interval is fixed when the code location loads."""
    from ..config import from_env

    return from_env(LifecycleResource).poll_seconds

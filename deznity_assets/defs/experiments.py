"""A/B experiments in Dagster: an `experiment` asset per client partition, its checks, and the sensor that runs it.

The site API counts exposures and conversions into the store; `experiment_sensor` requests a run of
`experiment_job` for each client partition whose experiment counted new events since its cursor, and
`deznity autonomous --once` does the same in-process. Each materialization evaluates the client's
running experiment (experiments.decide), records an actionable decision once with its
`experiment.decided` webhook event, and carries numeric metadata (visitors, conversions and rate per
variant, the interval of B - A, the decision code) so the asset's page plots the experiment over time.
Its two checks run with it: the split's sample-ratio test and the minimum sample per variant.
"""

import math
from typing import Any

import dagster as dg

from ..brief import BriefError
from ..control.experiment_actions import apply_pending_decisions
from ..control.experiment_decisions import Evaluation, evaluate_client
from ..experiments.decide import evaluate
from ..experiments.stats import DECISION_CODES
from ..resources import AgentProviderResource, ClientStoreResource, MemoryResource, OutputResource, control_plane
from .jobs import client_package_job, run_request
from .partitions import CLIENTS, clients_partitions

EXPERIMENT_ASSET = dg.AssetKey("experiment")
EXPERIMENT_JOB = "experiment_job"
SRM_CHECK = "sample_ratio"
MIN_SAMPLE_CHECK = "minimum_sample"
EXPERIMENT_SECONDS = 60
# Where `deznity autonomous --once` keeps its own cursor (Dagster's key-value storage of the instance).
CLI_CURSOR_KEY = "deznity/experiment_cursor"
DECISION_LEGEND = ", ".join(f"{i} {d.value}" for i, d in enumerate(DECISION_CODES))


def experiment_metadata(evaluation: Evaluation) -> dict[str, Any]:
    """The numbers a materialization carries (plotted by the UI), and the experiment's id and status."""
    experiment = evaluation.experiment or {}
    meta: dict[str, Any] = {
        "experiment_id": dg.MetadataValue.text(str(experiment.get("id", "none"))),
        "status": dg.MetadataValue.text(str(experiment.get("status", "none"))),
    }
    state = evaluation.state
    if state is None:
        return meta
    figures = state.figures()
    for variant in ("a", "b"):
        for name in ("visitors", "conversions"):
            meta[f"{variant}_{name}"] = dg.MetadataValue.int(int(figures[variant][name]))
        meta[f"{variant}_rate"] = dg.MetadataValue.float(float(figures[variant]["rate"]))
    meta["difference"] = dg.MetadataValue.float(float(figures["difference"]))
    low, high = state.look.low, state.look.high
    if math.isfinite(low) and math.isfinite(high):
        meta["interval_low"] = dg.MetadataValue.float(low)
        meta["interval_high"] = dg.MetadataValue.float(high)
    meta["decision_code"] = dg.MetadataValue.int(DECISION_CODES.index(state.look.decision))
    meta["decision"] = dg.MetadataValue.text(state.look.decision.value)
    meta["srm_p"] = dg.MetadataValue.float(float(state.look.srm_p))
    if state.winner:
        meta["winner"] = dg.MetadataValue.text(state.winner)
    return meta


def _enabled(store: Any, slug: str) -> bool:
    # Only the client's own switch ends a running experiment: with DEZNITY_EXPERIMENTS turned off later,
    # a site deployed with the split still splits (and counts) until it is processed again.
    row = store.get(slug)
    try:
        return row is None or row.brief().experiments is not False
    except BriefError:
        return True


@dg.asset(
    name="experiment",
    partitions_def=clients_partitions,
    group_name="site_api",
    description="The client's A/B experiment (the experiments and experiment_events tables, counted by the site API): "
    "each materialization looks at it with the anytime-valid test and records a decision once. Metadata: "
    f"visitors, conversions and rate per variant, interval_low/high of B - A, decision_code ({DECISION_LEGEND}).",
    check_specs=[
        dg.AssetCheckSpec(
            SRM_CHECK,
            asset=EXPERIMENT_ASSET,
            description="The split arrives as planned (chi-square p >= 0.001): a 55/45 split means it is broken, "
            "and no decision is recorded while it is.",
        ),
        dg.AssetCheckSpec(
            MIN_SAMPLE_CHECK,
            asset=EXPERIMENT_ASSET,
            description="Each variant has the minimum sample (200 visitors) before anything is decided.",
        ),
    ],
)
def experiment(
    context: dg.AssetExecutionContext, store: ClientStoreResource, output: OutputResource
) -> dg.MaterializeResult:
    """Evaluate the client's running experiment (or show its latest), recording an actionable decision once."""
    slug = context.partition_key
    clients = store.get_store()
    evaluation = evaluate_client(clients, slug, enabled=_enabled(clients, slug))
    if evaluation.experiment is None or evaluation.state is None:
        # Nothing running: show the latest experiment's final counts, if any.
        latest = clients.experiments_of(slug, limit=1)
        if latest:
            evaluation.experiment = latest[0]
            evaluation.state = evaluate(clients.experiment_counts([latest[0]["id"]])[latest[0]["id"]])
    for note in evaluation.notes:
        context.log.info(f"{slug}: {note}")
    if evaluation.recorded:
        context.log.info(f"{slug}: decided {evaluation.state.winner if evaluation.state else '?'}")
    # The dashboard's experiments section is drawn from the store: redrawn as the figures move.
    control_plane(store, output).refresh_portfolio([slug])
    state = evaluation.state
    if state is None:
        checks = [
            dg.AssetCheckResult(check_name=name, passed=True, description="no experiment has counted anything yet")
            for name in (SRM_CHECK, MIN_SAMPLE_CHECK)
        ]
    else:
        a, b = state.look.a.visitors, state.look.b.visitors
        checks = [
            dg.AssetCheckResult(
                check_name=SRM_CHECK,
                passed=not state.look.srm,
                metadata={"srm_p": float(state.look.srm_p), "a_visitors": a, "b_visitors": b},
            ),
            dg.AssetCheckResult(
                check_name=MIN_SAMPLE_CHECK,
                passed=state.enough,
                severity=dg.AssetCheckSeverity.WARN,
                metadata={"min_visitors": state.min_visitors, "a_visitors": a, "b_visitors": b},
            ),
        ]
    return dg.MaterializeResult(metadata=experiment_metadata(evaluation), check_results=checks)


experiment_job = dg.define_asset_job(
    EXPERIMENT_JOB,
    selection=dg.AssetSelection.assets(EXPERIMENT_ASSET),
    description="Looks at one client's A/B experiment: its figures, its checks, and a decision recorded once.",
)


def experiment_runs(instance: dg.DagsterInstance, store: Any, cursor: "str | None") -> tuple[list[str], str]:
    """The client partitions whose experiments counted events since `cursor`, and the new cursor."""
    after = int(cursor) if cursor and cursor.isdigit() else 0
    slugs, last = store.experiment_activity(after)
    return [s for s in slugs if instance.has_dynamic_partition(CLIENTS, s)], str(last)


@dg.sensor(
    name="experiment_sensor",
    job=experiment_job,
    minimum_interval_seconds=EXPERIMENT_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Requests a run of the experiment asset for each client whose experiment counted new exposures or "
    "conversions.",
)
def experiment_sensor(context: dg.SensorEvaluationContext, store: ClientStoreResource) -> dg.SensorResult:
    """One run per client partition with new experiment events since the cursor."""
    slugs, cursor = experiment_runs(context.instance, store.get_store(), context.cursor)
    if not slugs:
        return dg.SensorResult(skip_reason="no new experiment events", cursor=cursor)
    return dg.SensorResult(
        run_requests=[dg.RunRequest(partition_key=s, run_key=f"experiment-{s}-{cursor}") for s in slugs],
        cursor=cursor,
    )


@dg.sensor(
    name="experiment_actions_sensor",
    job=client_package_job,
    minimum_interval_seconds=EXPERIMENT_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Acts on each decided experiment once: B's copy becomes A when it won, B is retired otherwise, a new "
    "challenger becomes B (held for review for health, legal and finance clients), and the site is re-rendered and "
    "redeployed from the website step.",
)
def experiment_actions_sensor(
    context: dg.SensorEvaluationContext,
    store: ClientStoreResource,
    output: OutputResource,
    memory: MemoryResource,
    agents: AgentProviderResource,
) -> dg.SensorResult:
    """One re-render run per decided experiment not yet acted upon."""
    done = apply_pending_decisions(
        control_plane(store, output), context.instance, memory=memory.get_memory, provider=agents.get_provider
    )
    for note in done.notes:
        context.log.info(note)
    requests = [run_request(action.plan) for action in done.actions if action.plan is not None]
    return dg.SensorResult(run_requests=requests, skip_reason=None if requests else "no decided experiment to act on")


def evaluate_experiments(instance: dg.DagsterInstance, definitions: dg.Definitions, store: Any) -> list[str]:
    """What experiment_sensor does, for a CLI pass: materialize `experiment` in-process for clients with new events."""
    cursor = instance.run_storage.get_cursor_values({CLI_CURSOR_KEY}).get(CLI_CURSOR_KEY)
    slugs, new_cursor = experiment_runs(instance, store, cursor)
    # Running experiments without new events are looked at too: a switch turned off ends them.
    running = {e["slug"] for e in store.experiments_of(statuses=("running",))}
    slugs = sorted(set(slugs) | {s for s in running if instance.has_dynamic_partition(CLIENTS, s)})
    job = definitions.resolve_job_def(EXPERIMENT_JOB)
    done = []
    for slug in slugs:
        result = job.execute_in_process(
            partition_key=slug,
            instance=instance,
            raise_on_error=False,
            run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}},
        )
        if result.success:
            done.append(slug)
    if new_cursor != cursor:
        instance.run_storage.set_cursor_values({CLI_CURSOR_KEY: new_cursor})
    return done


__all__ = [
    "EXPERIMENT_ASSET",
    "evaluate_experiments",
    "experiment",
    "experiment_actions_sensor",
    "experiment_job",
    "experiment_sensor",
]

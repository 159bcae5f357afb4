"""Experiments in the control plane: a client's experiment looked at and its decision recorded; what the CLI lists.

`evaluate_client` reads a client's running experiment from the store, evaluates it
(experiments.decide) and, when the decision is actionable (decided, and the split sound), records
it once with its figures and an `experiment.decided` webhook event in the same transaction.
`pending_decisions` hands the decided experiments nobody has acted upon yet to whatever promotes or
retires the variant.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..experiments.decide import ExperimentState, evaluate
from ..experiments.stats import DecisionSettings
from ..store.base import ClientStore
from ..store.events import experiment_event
from ..store.rows import utcnow


@dataclass
class Evaluation:
    """What one evaluation of a client found: its experiment (None: none), the state, and what was recorded."""

    slug: str
    experiment: dict[str, Any] | None = None
    state: ExperimentState | None = None
    recorded: bool = False  # the decision was recorded by this evaluation
    switched_off: bool = False  # the running experiment was ended: the client's switch is off
    notes: list[str] = field(default_factory=list)


def evaluate_client(
    store: ClientStore, slug: str, *, enabled: bool, settings: DecisionSettings | None = None
) -> Evaluation:
    """Evaluate a client's running experiment and record an actionable decision once (with its webhook event).

    `enabled` is the client's switch (its brief field, else DEZNITY_EXPERIMENTS): off, a running
    experiment is ended (status off) rather than decided.
    """
    out = Evaluation(slug=slug)
    found = store.experiments_of(slug, statuses=("running",), limit=1)
    if not found:
        return out
    running = out.experiment = found[0]
    if not enabled:
        out.switched_off = store.end_experiment(running["id"])
        out.notes.append("experiments are off for this client: the running experiment was ended")
        return out
    counts = store.experiment_counts([running["id"]])[running["id"]]
    state = evaluate(counts, settings)
    out.state = state
    if state.look.srm:
        out.notes.append(f"sample ratio mismatch (p = {state.look.srm_p:.2g}): the split is broken, no decision")
    winner = state.winner
    if winner is not None:
        now = utcnow()
        figures = state.figures()
        event = experiment_event(running, decision=state.look.decision.value, winner=winner, figures=figures, at=now)
        out.recorded = store.record_experiment_decision(
            running["id"], decision=state.look.decision.value, winner=winner, figures=figures, event=event, at=now
        )
    return out


def pending_decisions(store: ClientStore, limit: int = 100) -> list[dict[str, Any]]:
    """Decided experiments not yet acted upon (oldest first): id, slug, page, decision, winner, figures, decided_at.

    The acting side promotes or retires the variant, then calls `store.mark_experiment_acted(id,
    outcome=...)` and `store.start_experiment(slug)` for the next challenger.
    """
    return store.pending_experiment_decisions(limit)


__all__ = ["Evaluation", "evaluate_client", "pending_decisions"]

"""Deciding an experiment from its counts: a pure function over stats.look, and its record in the store.

`evaluate` turns the visitors and conversions per variant into the experiment's state (rates, the
anytime-valid interval of B - A, the split's check, whether the minimum sample is reached, and the
decision). `evaluate_client` reads a client's running experiment from the store, evaluates it and,
when the decision is actionable (decided, and the split sound), records it once with its figures and
an `experiment.decided` webhook event in the same transaction. `pending_decisions` hands the decided
experiments nobody has acted upon yet to whatever promotes or retires the variant.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from ..store.base import ClientStore
from ..store.events import experiment_event
from ..store.rows import utcnow
from .stats import Decision, DecisionSettings, Look, look

# What each decision makes the winner: b, a, or none (no difference within the margin).
WINNER = {Decision.B_BETTER: "b", Decision.A_BETTER: "a", Decision.NO_DIFFERENCE: "none"}


@dataclass(frozen=True)
class ExperimentState:
    """An experiment's state at one look: the figures, the interval, the split's check and the decision."""

    look: Look
    min_visitors: int

    @property
    def enough(self) -> bool:
        """Whether each variant reached the minimum sample (no decision before)."""
        return min(self.look.a.visitors, self.look.b.visitors) >= self.min_visitors

    @property
    def winner(self) -> str | None:
        """b, a or none once decided and the split is sound; None while undecided (or the split is broken)."""
        return WINNER.get(self.look.decision) if self.look.actionable else None

    def figures(self) -> dict[str, Any]:
        """Plain numbers (JSON, asset metadata, the dashboard); an interval not yet finite is null."""
        data = self.look.as_dict()
        data["interval"] = [v if math.isfinite(v) else None for v in data["interval"]]
        data["min_visitors"] = self.min_visitors
        data["enough"] = self.enough
        data["winner"] = self.winner
        return data


def evaluate(counts: dict[str, dict[str, int]], settings: DecisionSettings | None = None) -> ExperimentState:
    """The state of an experiment from its counts ({"a": {"visitors", "conversions"}, "b": {...}})."""
    settings = settings or DecisionSettings()
    a, b = counts["a"], counts["b"]
    return ExperimentState(
        look=look(a["visitors"], a["conversions"], b["visitors"], b["conversions"], settings),
        min_visitors=settings.min_visitors,
    )


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


__all__ = ["Evaluation", "ExperimentState", "evaluate", "evaluate_client", "pending_decisions"]

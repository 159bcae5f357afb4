"""Deciding an experiment from its counts: a pure function over stats.look.

`evaluate` turns the visitors and conversions per variant into the experiment's state (rates, the
anytime-valid interval of B - A, the split's check, whether the minimum sample is reached, and the
decision with its winner). Recording it in the store is the control plane's (control/experiment_decisions.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

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


__all__ = ["WINNER", "ExperimentState", "evaluate"]

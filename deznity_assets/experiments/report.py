"""What the CLI and the dashboard show of one experiment: its row and counts, evaluated by `decide.evaluate`.

So what `deznity experiments` prints and the dashboard draws are the figures a decision rests on.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from .decide import evaluate


def _iso(value: Any) -> str | None:
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
    return None if value is None else str(value)


def experiment_record(experiment: dict[str, Any], counts: dict[str, dict[str, int]]) -> dict[str, Any]:
    """One experiment as `--json` gives it: id, status, page, times, per variant visitors/conversions/rate, decision."""
    state = evaluate(counts)
    figures = state.figures()
    decided = experiment.get("status") == "decided"
    return {
        "id": experiment["id"],
        "status": experiment["status"],
        "page": experiment.get("page"),
        "started_at": _iso(experiment.get("started_at")),
        "variants": {v: {**counts[v], "rate": figures[v]["rate"]} for v in ("a", "b")},
        "difference": figures["difference"],
        "interval": figures["interval"],
        "srm_p": figures["srm_p"],
        "minimum_sample_reached": figures["enough"],
        # The recorded decision (what was decided, when, on which figures) once there is one.
        "decision": (
            {
                "decision": experiment.get("decision"),
                "winner": experiment.get("winner"),
                "decided_at": _iso(experiment.get("decided_at")),
                "acted_at": _iso(experiment.get("acted_at")),
                "outcome": experiment.get("outcome"),
            }
            if decided
            else None
        ),
        # What a look at the counts says now (undecided, b_better...), recorded or not.
        "look": figures["decision"],
    }


__all__ = ["experiment_record"]

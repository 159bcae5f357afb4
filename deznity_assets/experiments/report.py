"""What the CLI and the dashboard show of experiments: a row and its counts, evaluated by `decide.evaluate`.

So what `deznity experiments` prints and the dashboard draws are the figures a decision rests on.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Protocol

from .decide import evaluate


class ExperimentRows(Protocol):
    """What `client_experiments` reads: the clients store's experiment rows and counts (store/base.py)."""

    def experiments_of(
        self, slug: str | None = None, *, statuses: tuple[str, ...] | None = None, limit: int | None = None
    ) -> list[dict[str, Any]]: ...

    def experiment_counts(self, experiment_ids: list[str]) -> dict[str, dict[str, dict[str, int]]]: ...


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


def client_experiments(
    store: ExperimentRows, slug: str, *, switch: bool | None, global_on: bool, history: bool = False
) -> dict[str, Any] | None:
    """A client's current experiment (the latest), its status, and with `history` the earlier ones.

    `switch` is the client's brief field (None: `global_on`, DEZNITY_EXPERIMENTS, decides). The status is
    the latest experiment's (running, decided, off), or `off` when the client's switch is off and nothing
    runs; None for a client with no experiment whose switch is on.
    """
    rows = store.experiments_of(slug, limit=None if history else 1)
    off_now = switch is False or (switch is None and not global_on)
    if not rows and not off_now:
        return None
    counts = store.experiment_counts([r["id"] for r in rows])
    records = [experiment_record(r, counts[r["id"]]) for r in rows]
    current = records[0] if records else None
    if current is None:
        status = "off"
    elif switch is False and current["status"] != "running":
        status = "off"  # the client's own switch: what ran before is history
    else:
        status = current["status"]
    out: dict[str, Any] = {
        "client": slug,
        "id": current["id"] if current else None,
        "status": status,
        "experiment": current,
    }
    if history:
        out["history"] = records[1:]
    return out


__all__ = ["ExperimentRows", "client_experiments", "experiment_record"]

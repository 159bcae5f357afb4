"""Every client's latest figures in one pass (the dashboard and `deznity status`), the same on every backend."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from typing import Any

from .rows import aware

# The word in the action of the agent_activities rows that record a correction (agents/work.py).
CORRECTED_WORD = " corrected"


def chunked(ids: list[str], size: int) -> list[list[str]]:
    """`ids` in lists of at most `size`: one IN (...) per list (SQLite's parameter limit, URL lengths)."""
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def usage_row(activity: Mapping[str, Any]) -> dict[str, Any]:
    """An agent_activities row as client_figures reads it: project_id, tokens, cost_usd, and as a correction's."""
    # As SQL's NULL arithmetic has it in usage_totals: a row missing either count adds no tokens.
    tokens_in, tokens_out = activity.get("tokens_in"), activity.get("tokens_out")
    tokens = None if tokens_in is None or tokens_out is None else int(tokens_in) + int(tokens_out)
    corrected = CORRECTED_WORD in str(activity.get("action") or "")
    return {
        "project_id": activity.get("project_id"),
        "tokens": tokens,
        "cost_usd": activity.get("cost_usd"),
        "corrections": 1 if corrected else 0,
        "correction_tokens": tokens if corrected else 0,
        "correction_cost_usd": activity.get("cost_usd") if corrected else 0.0,
    }


def latest_projects(projects: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """The most recent projects row of each client, by client id (as latest_project picks it)."""
    latest: dict[str, dict[str, Any]] = {}
    for project in projects:
        client = str(project["client_id"])
        if client not in latest or _started(project) > _started(latest[client]):
            latest[client] = dict(project)
    return latest


def attempt_project_ids(projects: Iterable[Mapping[str, Any]], latest: Mapping[str, Mapping[str, Any]]) -> set[str]:
    """Ids of every project of each client's latest attempt (a held run, its reworks and its approval)."""
    return {
        str(p["id"])
        for p in projects
        if str(p["client_id"]) in latest and p["attempt"] == latest[str(p["client_id"])]["attempt"]
    }


def client_figures(
    *,
    slugs: Mapping[str, str],
    projects: Iterable[Mapping[str, Any]],
    tasks: Iterable[Mapping[str, Any]],
    activities: Iterable[Mapping[str, Any]],
) -> dict[str, dict[str, Any]]:
    """Per client slug: its latest and its latest live project; tokens, cost, seconds per phase of its latest attempt.

    `slugs` maps client id to slug. `tasks`: project_id, phase, started_at, finished_at (one row
    per task, or per project and phase with the earliest start and the latest end), and
    `activities`: project_id, tokens, cost_usd, and optionally corrections, correction_tokens and
    correction_cost_usd (one row per activity, or summed per project), both
    of the latest attempts' projects (attempt_project_ids); rows of other projects are ignored.
    Tokens and cost add up every run of the attempt, as a client held for review runs more than
    once: the held run, its reworks, the approval. An activity missing either token count adds no
    tokens, as in usage_totals (see usage_row). A phase's seconds run from its first task's start
    to its last task's end, in the latest project of the attempt that worked on that phase: an
    approval run only does the deployment phase, the earlier phases come from the held run.
    """
    projects = list(projects)
    latest = latest_projects(projects)
    started = {str(p["id"]): _started(p) for p in projects}
    out: dict[str, dict[str, Any]] = {}
    # The site as now published: the latest project that deployed it (a later failed run leaves it live).
    live: dict[str, dict[str, Any]] = {}
    for project in projects:
        client = str(project["client_id"])
        if project.get("live_url") and (client not in live or _started(project) > _started(live[client])):
            live[client] = dict(project)
    for client_id, project in latest.items():
        slug = slugs.get(client_id)
        if slug:
            out[slug] = {
                "project": project,
                "live": live.get(client_id),
                "tokens": 0,
                "cost_usd": 0.0,
                "corrections": 0,
                "correction_tokens": 0,
                "correction_cost_usd": 0.0,
                "phases": {},
            }
    attempt = attempt_project_ids(projects, latest)
    owner = {str(p["id"]): slugs.get(str(p["client_id"])) for p in projects if str(p["id"]) in attempt}
    for row in activities:
        slug = owner.get(str(row.get("project_id")))
        if slug not in out:
            continue
        if row.get("tokens") is not None:
            out[slug]["tokens"] += int(row["tokens"])
        if row.get("cost_usd") is not None:
            out[slug]["cost_usd"] += float(row["cost_usd"])
        # What the agents' corrections of their own work cost (repairs, QA rounds), within the totals.
        out[slug]["corrections"] += int(row.get("corrections") or 0)
        out[slug]["correction_tokens"] += int(row.get("correction_tokens") or 0)
        out[slug]["correction_cost_usd"] += float(row.get("correction_cost_usd") or 0.0)
    # (slug, phase) -> (project started, first task start, last task end) of the newest project
    spans: dict[tuple[str, str], tuple[datetime, datetime, datetime]] = {}
    for task in tasks:
        project_id = str(task["project_id"])
        slug = owner.get(project_id)
        begin, end = aware(task.get("started_at")), aware(task.get("finished_at"))
        if slug not in out or begin is None or end is None:
            continue
        key, run = (slug, str(task["phase"])), started.get(project_id, _EPOCH)
        current = spans.get(key)
        if current is None or run > current[0]:
            spans[key] = (run, begin, end)
        elif run == current[0]:
            spans[key] = (run, min(begin, current[1]), max(end, current[2]))
    for (slug, phase), (_run, begin, end) in spans.items():
        out[slug]["phases"][phase] = {
            "started_at": begin,
            "finished_at": end,
            "seconds": round(max(0.0, (end - begin).total_seconds()), 3),
        }
    return out


_EPOCH = datetime.min.replace(tzinfo=timezone.utc)  # a project without a start sorts first


def _started(project: Mapping[str, Any]) -> datetime:
    return aware(project.get("started_at")) or _EPOCH

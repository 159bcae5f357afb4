"""The executive summary: figures read from the run's records (time per step, tokens, cost), as Markdown and HTML."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import dagster as dg

from .brief import ClientBrief
from .dashboard import render_page
from .deliverables import (
    DeployConfig,
    LiveDeployment,
    MarketAnalysis,
    ProjectPlan,
    QAReport,
    RenderedSite,
    ReviewApproval,
    SeoCopy,
)
from .facts import facts_to_get
from .flow import AGENT_ASSETS, FLOW
from .reports import render_markdown


def step_seconds(instance: dg.DagsterInstance, slug: str, step: str, asset: str) -> float | None:
    """Wall time of the step that last materialized `asset` for the client."""
    records = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=dg.AssetKey(asset), asset_partitions=[slug]),
        limit=1,
    ).records
    if not records:
        return None
    for stats in instance.get_run_step_stats(records[0].run_id, step_keys=[step]):
        if stats.start_time and stats.end_time:
            return round(stats.end_time - stats.start_time, 3)
    return None


def phase_rows(instance: dg.DagsterInstance, slug: str, *, until: str) -> list[dict[str, Any]]:
    """One row per step of the flow before `until`: name, agents and seconds (None when not run)."""
    rows = []
    for step in FLOW:
        if step.name == until:
            break
        seconds = step_seconds(instance, slug, step.name, step.assets[0])
        name = "intake" if step.name == "client_brief" else step.name
        rows.append({"name": name, "agents": step.agent_names, "seconds": seconds})
    return rows


def usage_totals(instance: dg.DagsterInstance, slug: str) -> dict[str, Any]:
    """Tokens, cost, cache hits and retries over the agent deliverables' latest materializations."""
    totals: dict[str, Any] = {
        "tokens": 0,
        "cost": 0.0,
        "calls": 0,
        "cached": 0,
        "retries": 0,
        "providers": set(),
        "knowledge": {},
        # Requests that corrected the agents' own work (repairs, QA correction rounds), within tokens and cost.
        "corrections": 0,
        "correction_tokens": 0,
        "correction_cost": 0.0,
        "qa_rounds": 0,
        # "deliverable: part" filled from the offline generator's copy.
        "filled": [],
    }
    for key in AGENT_ASSETS:
        records = instance.fetch_materializations(
            dg.AssetRecordsFilter(asset_key=dg.AssetKey(key), asset_partitions=[slug]), limit=1
        ).records
        if not records or records[0].asset_materialization is None:
            continue
        meta = records[0].asset_materialization.metadata

        def value(name: str, default: Any = 0, meta: Any = meta) -> Any:
            return meta[name].value if name in meta else default

        totals["tokens"] += int(value("tokens_in")) + int(value("tokens_out"))
        totals["cost"] += float(value("cost_usd", 0.0))
        totals["calls"] += 1
        totals["cached"] += 1 if value("cached", False) else 0
        totals["retries"] += int(value("retries"))
        if "provider" in meta:
            totals["providers"].add(f"{value('provider')} ({value('model', '?')})")
        if value("knowledge", "-") != "-":
            totals["knowledge"][key] = value("knowledge")
        totals["corrections"] += int(value("corrections"))
        totals["correction_tokens"] += int(value("correction_tokens"))
        totals["correction_cost"] += float(value("correction_cost_usd", 0.0))
        totals["qa_rounds"] = max(totals["qa_rounds"], int(value("qa_rounds")))
        if value("filled", "-") != "-":
            totals["filled"] += [f"{key}: {part}" for part in str(value("filled")).split("; ")]
    return totals


def provider_label(usage: dict[str, Any], provider_name: str) -> str:
    """Which provider and models wrote the deliverables, flagged when it was the offline generator."""
    label = ", ".join(sorted(usage["providers"])) or provider_name
    if provider_name == "offline":
        label = "offline generator (deterministic, no LLM): " + label
    return label


def summary_values(
    *,
    slug: str,
    brief: ClientBrief,
    run_id: str,
    website: RenderedSite,
    reports: list[QAReport],
    qa_score: float,
    market: MarketAnalysis,
    seo: SeoCopy,
    plan: ProjectPlan,
    deploy_config: DeployConfig,
    usage: dict[str, Any],
    provider: str,
    phases: list[dict[str, Any]],
    files: list[str],
    approval: ReviewApproval | None = None,
    live: LiveDeployment | None = None,
) -> dict[str, Any]:
    """What the summary says, once: the Markdown and the HTML summary are both rendered from it."""
    deployed = live if live is not None and live.url else None
    timed = [p["seconds"] for p in phases if p["seconds"] is not None]
    return {
        "brief": brief,
        "slug": slug,
        "pages": len(website.pages),
        "words": website.total_words,
        "qa_score": qa_score,
        "qa_checks": sum(len(r.checks) for r in reports),
        "qa_problems": [c for r in reports for c in r.checks if not c.passed],
        "status_label": "completed, approved by a reviewer" if approval and approval.required else "completed",
        "approval": approval,
        "live": deployed,
        "provider": provider,
        "tokens": usage["tokens"],
        "cost_usd": usage["cost"],
        "run_id": run_id,
        "usage": usage,
        # Text the package took from the offline generator's copy instead of the model's answers.
        "house_copy": [*usage.get("filled", []), *(f"website: {d}" for d in website.defaults)],
        "generated_at": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "phases": phases,
        # The HTML summary draws each step's seconds as a bar against the slowest step.
        "slowest": max(timed, default=0.0),
        "total_seconds": round(sum(timed), 3),
        "market": market,
        "seo": seo,
        "plan": plan,
        "files": files,
        "to_get": facts_to_get(brief),
        "domain": deploy_config.domain,
        "forms_connected": deploy_config.forms_connected,
        "next_actions": [
            f"Check the live site at {deployed.url}"
            if deployed
            else "Deploy site/ with deploy/vercel.json or deploy/netlify.toml",
            f"Point {deploy_config.domain} at the deployment",
            *(
                []
                if deploy_config.forms_connected
                else ["Connect the forms: set DEZNITY_API_PUBLIC_URL to where `deznity api` runs and process again"]
            ),
            "Schedule the launch email and social posts (marketing/KIT.md)",
        ],
    }


def summary_markdown(**values: Any) -> str:
    """BOOTSTRAP_SUMMARY.md: status, figures, time per phase, highlights, next actions and every file."""
    return render_markdown("BOOTSTRAP_SUMMARY.md.j2", **summary_values(**values))


def summary_html(**values: Any) -> str:
    """BOOTSTRAP_SUMMARY.html: the same summary as a page, time per phase drawn as bars (summary_values' arguments)."""
    return render_page("BOOTSTRAP_SUMMARY.html.j2", **summary_values(**values))

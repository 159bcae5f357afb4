"""What a client's package holds: every file of output/<slug>/, laid out from the deliverables."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel

from .agents.roster import AGENTS
from .brief import ClientBrief
from .deliverables import DeployConfig, MarketingContent, QAReport, RenderedSite, SeoCopy
from .deploy import manifest_json
from .facts import facts_to_get
from .flow import DELIVERABLES, REWORK_STEPS, result_files
from .herocopy import HISTORY_FILE, STATE_FILE, HeroState, history_markdown, state_json
from .reports import deliverable_markdown, md_text, render_markdown

SUMMARY_FILE = "BOOTSTRAP_SUMMARY.md"
SUMMARY_HTML_FILE = "BOOTSTRAP_SUMMARY.html"  # the same summary as a page, linked from the dashboard


def as_json(model: BaseModel | dict[str, Any]) -> str:
    """A deliverable (or a plain mapping) as indented JSON."""
    data = model.model_dump(mode="json") if isinstance(model, BaseModel) else model
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def qa_score(reports: list[QAReport]) -> float:
    """The package's QA score: the mean of the QA reports' scores."""
    return round(sum(r.score for r in reports) / len(reports), 1)


def qa_markdown(brief: ClientBrief, reports: list[QAReport]) -> str:
    """The QA report as Markdown: score and every check with its result."""
    lines = [f"# QA report: {md_text(brief.business_name)}", ""]
    for report in reports:
        lines += [
            f"## {report.scope.replace('_', ' ').capitalize()}: {report.score} / 100",
            "",
            report.summary,
            "",
            "| Check | Severity | Result | Message |",
            "|---|---|---|---|",
        ]
        for c in report.checks:
            lines.append(f"| `{c.id}` | {c.severity} | {'pass' if c.passed else '**FAIL**'} | {md_text(c.message)} |")
        lines.append("")
    return "\n".join(lines)


def package_files(
    slug: str,
    brief: ClientBrief,
    deliverables: Mapping[str, BaseModel],
    *,
    reviews: Sequence[Mapping[str, Any]] = (),
) -> dict[str, str]:
    """Every file of the package but the summary, path -> text (the draft for review has no deploy/)."""
    website: RenderedSite = deliverables["website"]  # type: ignore[assignment]
    reports: list[QAReport] = [deliverables["functional_qa"], deliverables["seo_performance_qa"]]  # type: ignore[list-item]
    files: dict[str, str] = {"brief.json": as_json(brief)}
    for phase, stem, key in result_files():
        if key not in deliverables:
            continue  # the draft a reviewer reads is made before the deployment phase
        agent = AGENTS[DELIVERABLES[key].agent_id or "pm"]
        title = f"{agent.role} ({agent.name}): {key.replace('_', ' ')}"
        files[f"results/{phase}/{stem}.md"] = deliverable_markdown(title, deliverables[key])
        files[f"results/{phase}/{stem}.json"] = as_json(deliverables[key])
    files.update({f"site/{path}": text for path, text in website.files.items()})
    if website.experiment is not None:
        # The hero experiments state travels with every package (the swap replaces the folder whole).
        state = HeroState.model_validate(website.experiment)
        files[STATE_FILE] = state_json(state)
        files[HISTORY_FILE] = history_markdown(state)
    files["qa/report.json"] = as_json(
        {"score": qa_score(reports), "reports": [r.model_dump(mode="json") for r in reports]}
    )
    files["qa/QA_REPORT.md"] = qa_markdown(brief, reports)
    deploy_config = deliverables.get("deploy_config")
    if isinstance(deploy_config, DeployConfig):
        files.update({f"deploy/{name}": content for name, content in deploy_config.files.items()})
        files["deploy/manifest.json"] = manifest_json({p: t.encode("utf-8") for p, t in website.files.items()})
        # Deploy steps are built by deploy.py from the slug and domain (safe characters), and carry
        # Markdown code spans of their own, so they are written as they are.
        steps = "\n".join(f"{i}. {step}" for i, step in enumerate(deploy_config.steps, 1))
        files["deploy/DEPLOY.md"] = f"# Deploy\n\n{steps}\n"
    content: MarketingContent = deliverables["marketing_content"]  # type: ignore[assignment]
    seo: SeoCopy = deliverables["seo_copy"]  # type: ignore[assignment]
    files["marketing/KIT.md"] = render_markdown("MARKETING_KIT.md.j2", brief=brief, content=content, seo=seo)
    if brief.needs_human_review:
        files["review/REVIEW_TICKET.md"] = render_markdown(
            "REVIEW_TICKET.md.j2",
            brief=brief,
            slug=slug,
            approval=deliverables.get("review_approval"),
            reviews=list(reviews),
            rework_steps=REWORK_STEPS,
            to_get=facts_to_get(brief),
        )
    return files

"""The shape of the client package graph, declared once: its steps, their deliverables and the agents doing them.

The phase assets, the job, the summary's phase rows and result files, the agents' phase in the
logs and the tests of the graph all derive from FLOW; adding a phase is one entry here plus
its asset.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from .agents.roster import AGENTS


@dataclass(frozen=True)
class Deliverable:
    """One asset of a step: who produces it and where the package keeps it."""

    asset: str
    what: str  # shown after the agent, e.g. "the project plan."
    agent_id: str | None = None
    task: str | None = None  # the agent task that writes it; None when the step computes it
    file_stem: str | None = None  # results/<phase>/<file_stem>.md and .json in the package

    @property
    def description(self) -> str:
        """The asset's description in the UI: agent, nickname and what it is."""
        if self.agent_id is None:
            return self.what
        agent = AGENTS[self.agent_id]
        return f"{agent.role} ({agent.name}): {self.what}"


@dataclass(frozen=True)
class Step:
    """One step of a client's run: an asset or a multi-asset, in its UI group."""

    name: str
    group: str
    description: str
    deliverables: tuple[Deliverable, ...]
    is_phase: bool = False  # one of the five phases of the post-bootstrap flow (domain.md)

    @property
    def assets(self) -> tuple[str, ...]:
        """The asset keys this step materializes."""
        return tuple(d.asset for d in self.deliverables)

    @property
    def agent_names(self) -> str:
        """The nicknames of the agents working in this step, in order, or '-'."""
        names = dict.fromkeys(AGENTS[d.agent_id].name for d in self.deliverables if d.agent_id)
        return ", ".join(names) or "-"


FLOW: tuple[Step, ...] = (
    Step(
        "client_brief",
        "intake",
        "The client's validated brief, read from the clients table.",
        (Deliverable("client_brief", "The client's validated brief, read from the clients table."),),
    ),
    Step(
        "client_analysis",
        "client_analysis",
        "Phase 1: the PM and Strategy agents analyse the client.",
        (
            Deliverable("project_plan", "the project plan.", "pm", "project_plan", "pm"),
            Deliverable("market_analysis", "market, audience and competitors.", "strat", "market_analysis", "strat"),
        ),
        is_phase=True,
    ),
    Step(
        "web_development",
        "web_development",
        "Phase 2: the Web agent plans the site, the UX agent sets the design direction and tokens.",
        (
            Deliverable("site_structure", "pages, sections and navigation.", "web", "site_structure", "web"),
            Deliverable(
                "design_system", "design tokens derived from the brand colour.", "ux", "design_direction", "ux"
            ),
        ),
        is_phase=True,
    ),
    Step(
        "content_creation",
        "content_creation",
        "Phase 3: the SEO and Marketing agents write every page.",
        (
            Deliverable("seo_copy", "landing copy, keywords, meta and schema.org.", "seo", "seo_copy", "seo"),
            Deliverable(
                "marketing_content", "page content, social posts, ads, launch email.", "mkt", "marketing_content", "mkt"
            ),
        ),
        is_phase=True,
    ),
    Step(
        "website",
        "web_development",
        "The static multi-page site rendered from the typed content.",
        (Deliverable("website", "the static multi-page site rendered through autoescaping templates.", "web"),),
    ),
    Step(
        "testing_validation",
        "testing_validation",
        "Phase 4: the QA agent runs every check on the rendered site; failing errors stop the client.",
        (
            Deliverable("functional_qa", "functional validation of the site.", "qa", None, "qa-functional"),
            Deliverable("seo_performance_qa", "SEO and performance validation.", "qa", None, "qa-seo-performance"),
        ),
        is_phase=True,
    ),
    Step(
        "review_approval",
        "review",
        "The review gate: a health, legal or finance client waits here until a reviewer approves its content.",
        (
            Deliverable(
                "review_approval",
                "The clearance to publish: no regulated sector, or a reviewer's approval of this content.",
            ),
        ),
    ),
    Step(
        "deployment",
        "deployment",
        "Phase 5: the deploy configuration, the support and analytics kit, and the site published live.",
        (
            Deliverable("deploy_config", "domain and production deploy configuration.", "web", None, "web"),
            Deliverable("support_kit", "analytics, tracking and the support FAQ.", "support", "support_kit", "support"),
            Deliverable(
                "live_site",
                "The site published on Vercel or Netlify (production, and hero B as a preview), "
                "or why it was not: no token configured.",
            ),
        ),
        is_phase=True,
    ),
    Step(
        "bootstrap_summary",
        "deployment",
        "The executive summary of the client's package.",
        (Deliverable("bootstrap_summary", "The executive summary: status, pages, QA, time per phase, cost."),),
    ),
    Step(
        "client_package",
        "deployment",
        "The whole package published to output/<slug>/ in one swap.",
        (Deliverable("client_package", "The client's package, published to output/<slug>/ in one swap."),),
    ),
)

STEPS: dict[str, Step] = {step.name: step for step in FLOW}
PHASES: tuple[Step, ...] = tuple(step for step in FLOW if step.is_phase)
PHASE_NAMES: list[str] = [step.name for step in PHASES]
DELIVERABLES: dict[str, Deliverable] = {d.asset: d for step in FLOW for d in step.deliverables}
# The step (and so the phase) of every agent task.
TASK_STEP: dict[str, str] = {d.task: step.name for step in FLOW for d in step.deliverables if d.task}
# The asset whose materialization marks the package published: its run finished the client.
PUBLISHED_ASSET = FLOW[-1].assets[0]
# The gate publishing waits at, and the steps a rejected review can send back to work (the
# agent phases before it); a rework re-runs that step and everything after it up to the gate.
REVIEW_ASSET = "review_approval"
REVIEW_STEP = "review_approval"
DEFAULT_REWORK = "content_creation"
# A ticket undecided for longer is overdue: flagged in status and the portfolio, and notified.
REVIEW_WINDOW = timedelta(hours=24)
REWORK_STEPS: tuple[str, ...] = tuple(
    step.name
    for step in PHASES
    if FLOW.index(step) < FLOW.index(STEPS[REVIEW_STEP]) and any(d.task for d in step.deliverables)
)
# What the gate holds for the reviewer: every deliverable made before it.
REVIEW_INPUTS: tuple[str, ...] = tuple(
    asset for step in FLOW[: [s.name for s in FLOW].index(REVIEW_STEP)] for asset in step.assets
)
# Everything the summary and the package are made of: every asset before the summary.
PACKAGE_INPUTS: tuple[str, ...] = tuple(
    asset for step in FLOW[: [s.name for s in FLOW].index("bootstrap_summary")] for asset in step.assets
)
# The steps a retry can resume from: run it and every later step, the earlier deliverables read from
# storage. Not the brief (a retry re-reads the row) and not QA: a blocking check that failed
# condemns the content, which re-checking the same pages cannot change.
RESUMABLE_STEPS: tuple[str, ...] = tuple(step.name for step in FLOW[1:] if step.name != "testing_validation")
# Agent deliverables, whose materializations carry token and cost metadata.
AGENT_ASSETS: tuple[str, ...] = tuple(d.asset for step in FLOW for d in step.deliverables if d.task)


def result_files() -> list[tuple[str, str, str]]:
    """(phase, file stem, asset) of every deliverable kept under results/<phase>/<stem>.md and .json."""
    return [(step.name, d.file_stem, d.asset) for step in PHASES for d in step.deliverables if d.file_stem]


def rework_assets(step_name: str) -> list[str]:
    """The assets a rejection re-materializes: `step_name`'s and every later one up to the review gate."""
    names = [step.name for step in FLOW]
    if step_name not in REWORK_STEPS:
        raise ValueError(f"rework: {step_name!r} is not a step to rework; use one of {', '.join(REWORK_STEPS)}")
    steps = FLOW[names.index(step_name) : names.index(REVIEW_STEP) + 1]
    return [asset for step in steps for asset in step.assets]


def resume_assets(step_name: str) -> list[str]:
    """The assets a resumed retry materializes: `step_name`'s and every later one's."""
    if step_name not in RESUMABLE_STEPS:
        raise ValueError(f"resume: {step_name!r} is not a step to resume from; use one of {', '.join(RESUMABLE_STEPS)}")
    names = [step.name for step in FLOW]
    return [asset for step in FLOW[names.index(step_name) :] for asset in step.assets]


def publish_assets() -> list[str]:
    """The assets an approval materializes: the review gate and every step after it."""
    names = [step.name for step in FLOW]
    return [asset for step in FLOW[names.index(REVIEW_STEP) :] for asset in step.assets]


def decision_assets(step_name: str) -> list[str]:
    """The assets a review decision's run materializes from `step_name`: the gate's, an approval's (the gate and
    every later step); a step before it, a rejection's rework (that step up to the gate)."""
    return publish_assets() if step_name == REVIEW_STEP else rework_assets(step_name)

"""The agent roster and the tasks of the five phases (domain.md)."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel

from ..deliverables import (
    DesignDirection,
    MarketAnalysis,
    MarketingContent,
    ProjectPlan,
    SeoCopy,
    SiteStructure,
    SupportKit,
)


@dataclass(frozen=True)
class Agent:
    """One member of the agent crew."""

    id: str
    name: str
    role: str
    model: str  # the roster's preferred model
    kpi: str


AGENTS: dict[str, Agent] = {
    a.id: a
    for a in [
        Agent("pm", "Gantt", "PM Agent", "openai/gpt-4.1", "schedule slip <= 5%"),
        Agent("strat", "Atlas", "Strategy Agent", "anthropic/claude-3.5-sonnet", "weekly update"),
        Agent("web", "Flow", "Web Agent", "openai/gpt-4o", "Lighthouse >= 95"),
        Agent("ux", "Lense", "UX Agent", "anthropic/claude-3.5-sonnet", "SUS >= 85"),
        Agent("seo", "Quill", "SEO Agent", "google/gemini-2.5-flash", "3+ keywords in top-10 results"),
        Agent("mkt", "Buzz", "Marketing Agent", "google/gemini-flash-1.5", "CTR >= 3%"),
        Agent("qa", "Bugz", "QA Agent", "openai/gpt-5-mini", "no bug above P3"),
        Agent("support", "Help", "Support Agent", "openai/gpt-4o", "CSAT >= 4.6"),
    ]
}


@dataclass(frozen=True)
class AgentTask:
    """A generative agent task: who does it, in which phase, and the typed deliverable it returns."""

    key: str
    agent_id: str
    description: str
    output_model: type[BaseModel]
    # Earlier deliverables the task reads (asset names).
    inputs: tuple[str, ...] = ()
    # The step of a task outside the client's graph (an experiment's challenger); graph tasks take flow.py's.
    step: str | None = None

    @property
    def agent(self) -> Agent:
        """The agent that does the task."""
        return AGENTS[self.agent_id]

    @property
    def phase(self) -> str:
        """The phase the task belongs to (declared in flow.py)."""
        from ..flow import TASK_STEP

        return self.step or TASK_STEP[self.key]


TASKS: dict[str, AgentTask] = {
    t.key: t
    for t in [
        AgentTask(
            "project_plan",
            "pm",
            "Plan the project from the brief and the house knowledge: objectives, milestones per phase, risks, KPIs.",
            ProjectPlan,
        ),
        AgentTask(
            "market_analysis",
            "strat",
            "Analyse the market, the audience segments and the competitors; state the positioning and keywords.",
            MarketAnalysis,
        ),
        AgentTask(
            "site_structure",
            "web",
            "Design the site structure: every requested page with its purpose and sections, and the navigation.",
            SiteStructure,
            ("project_plan", "market_analysis"),
        ),
        AgentTask(
            "design_direction",
            "ux",
            "Set the design direction from the brand colour and tone: mood, type style, corners, layout notes.",
            DesignDirection,
            ("market_analysis",),
        ),
        AgentTask(
            "seo_copy",
            "seo",
            "Write the landing-page copy, two hero variants, keywords, and a title, meta description and h1 per page.",
            SeoCopy,
            ("market_analysis", "site_structure"),
        ),
        AgentTask(
            "marketing_content",
            "mkt",
            "Write the content of every section of every page, social posts per network, ad variants and a launch "
            "email.",
            MarketingContent,
            ("market_analysis", "site_structure"),
        ),
        AgentTask(
            "support_kit",
            "support",
            "Set up analytics and tracking events for the site's goal, and write the support FAQ.",
            SupportKit,
            ("site_structure", "seo_copy"),
        ),
    ]
}

"""The agent provider interface: offline generator or LLM, same typed deliverables."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from ..brief import ClientBrief
from .roster import AGENTS, AgentTask


@dataclass
class KnowledgePassage:
    """A passage of house knowledge retrieved for a task."""

    title: str
    text: str
    source: str = ""
    score: float = 0.0


@dataclass
class AgentContext:
    """What an agent sees: the brief, earlier deliverables and retrieved knowledge."""

    brief: ClientBrief
    slug: str
    upstream: dict[str, BaseModel] = field(default_factory=dict)
    knowledge: list[KnowledgePassage] = field(default_factory=list)
    # A reviewer's reasons for rejecting the previous version (regulated clients): what to change.
    review_feedback: list[str] = field(default_factory=list)
    # What the QA checks found on the pages built from the previous version (a correction round).
    qa_findings: list[str] = field(default_factory=list)


@dataclass
class Usage:
    """What one agent call cost and how it went."""

    provider: str
    model: str
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float = 0.0
    cached: bool = False
    retries: int = 0
    repaired: bool = False
    duration_ms: int = 0
    # Requests that corrected the agent's own work (a repair, a QA correction round) and what they cost,
    # counted within the totals above.
    corrections: int = 0
    correction_tokens: int = 0
    correction_tokens_out: int = 0  # of correction_tokens, those the model wrote
    correction_cost_usd: float = 0.0

    def as_metadata(self) -> dict[str, Any]:
        """Flat values for asset metadata and agent_activities."""
        return {
            "provider": self.provider,
            "model": self.model,
            "tokens_in": self.tokens_in,
            "tokens_out": self.tokens_out,
            "cost_usd": round(self.cost_usd, 6),
            "cached": self.cached,
            "retries": self.retries,
            "repaired": self.repaired,
            "duration_ms": self.duration_ms,
            "corrections": self.corrections,
            "correction_tokens": self.correction_tokens,
            "correction_cost_usd": round(self.correction_cost_usd, 6),
        }


@dataclass
class AgentResult:
    """A typed deliverable and the usage that produced it."""

    output: BaseModel
    usage: Usage
    knowledge: list[str] = field(default_factory=list)  # titles of the house passages the agent was given
    # The brief's rules (agents/rules.py) the output still breaks, and the parts filled from the
    # offline generator's copy because of them.
    violations: list[Any] = field(default_factory=list)
    filled: list[str] = field(default_factory=list)


class AgentError(RuntimeError):
    """An agent could not produce its deliverable; the message is the client's failure reason.

    `transient` is True for a fault that outlived the provider's own retries but that a later try
    may cure (rate limits, server errors, timeouts, unusable or off-schema answers), and False for
    what needs a fix first (a refused key, an empty quota, a bad request, a refusal).
    """

    def __init__(self, message: str, *, transient: bool = False):
        super().__init__(message)
        self.transient = transient


class AgentProvider(ABC):
    """Produces agent deliverables; implementations must be thread-safe (phases run agents concurrently)."""

    name: str = "abstract"

    @abstractmethod
    def model_for(self, agent_id: str) -> str:
        """The model that serves `agent_id`."""

    @abstractmethod
    def run(self, task: AgentTask, ctx: AgentContext) -> AgentResult:
        """Produce `task.output_model` for the client in `ctx`, or raise AgentError."""

    def describe(self) -> dict[str, str]:
        """Provider and model per agent, for `deznity doctor` and the summary."""
        return {agent_id: self.model_for(agent_id) for agent_id in AGENTS}

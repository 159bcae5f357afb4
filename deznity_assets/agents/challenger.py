"""The content agent's next challenger: one hero copy, written by the LLM layer from the client's history.

The prompt (prompts/hero_challenger.md.j2) gets, inside its data fences, the client's brief, its
history of tried hero copy (as the `hero_history` upstream deliverable) and, as house knowledge,
the angles of hero copy with their *structure* (the house templates with brackets where a
business's words go) and which of them won for other clients of the industry: an angle id and a
score, never another client's words. The answer is held to the agents' rules (agents/rules.py,
the claims of claims.py) and to the experiment's own (untried headline, lengths); one that breaks
them is not used, and the offline generator writes the challenger instead.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

from pydantic import BaseModel, Field

from ..brief import ClientBrief
from ..deliverables import Deliverable, HeroCopy
from ..herocopy import MODEL, ChallengerWriter, HeroEntry, HeroState, angles, copy_problems, now
from .provider import AgentContext, AgentError, AgentProvider, KnowledgePassage
from .roster import AgentTask

log = logging.getLogger(__name__)

# Where a business's own words go in an angle's structure (the house templates' placeholders).
_SLOTS = {
    "name": "[business name]",
    "offer": "[what it offers]",
    "offer_cap": "[What it offers]",
    "in_geo": "[in its market]",
    "geo": "[its market]",
    "cta": "[the call to action]",
    "cta_lower": "[the call to action]",
    "industry": "[its industry]",
    "goal_short": "[what visitors come to do]",
}


class HeroChallenger(Deliverable):
    """SEO Agent (Quill): the next hero variant B of an A/B test, and the angle it follows."""

    angle: str = Field(description="The id of the house angle this hero follows, or 'new'.")
    headline: str = Field(description="At most 70 characters; differs from every headline tried.")
    subheadline: str = Field(description="One sentence, at most 160 characters.")
    cta_label: str = Field(description="Two to four words that drive the client's goal.")


class TriedHero(BaseModel):
    """One hero copy this client tried, and what became of it."""

    headline: str
    angle: str
    outcome: str
    note: str = ""  # a reviewer's reason for a rejected one: what the next must change


class HeroHistory(BaseModel):
    """This client's hero copy so far, given to the agent as an upstream deliverable (data)."""

    current_a: HeroCopy
    current_b: HeroCopy | None = None
    tried: list[TriedHero]


def history_for(state: HeroState) -> HeroHistory:
    """The client's history as the prompt shows it: its own copy only."""
    return HeroHistory(
        current_a=state.a.copy_,
        current_b=state.b.copy_ if state.b is not None else None,
        tried=[TriedHero(headline=t.headline, angle=t.angle, outcome=t.outcome, note=t.note) for t in state.history],
    )


CHALLENGER_TASK = AgentTask(
    "hero_challenger",
    "seo",
    "Write the next challenger (variant B) of the home page hero's A/B test: one new hero copy, from an angle.",
    HeroChallenger,
    step="content_creation",  # the SEO agent's copy, as the first hero pair
)


def angle_structure(template: str) -> str:
    """A house template with each slot for a business's words shown as a bracket, e.g. '[business name]: ...'."""
    return re.sub(r"\{(\w+)\}", lambda m: _SLOTS.get(m.group(1), "[...]"), template)


def angle_passages(lang: str, preferred: Sequence[str]) -> list[KnowledgePassage]:
    """The house angles as knowledge: each one's structure, the industry's winners first and marked."""
    rank = {angle: i for i, angle in enumerate(preferred)}
    passages = []
    for angle, template in sorted(angles(lang), key=lambda item: rank.get(item[0], len(rank))):
        won = angle in rank
        passages.append(
            KnowledgePassage(
                title=f"Hero angle {angle}" + (" (won for this industry)" if won else ""),
                text=f"Structure: {angle_structure(template)}"
                + (f". Won for other businesses of this industry (rank {rank[angle] + 1})." if won else "."),
                source="experiments/angles",
                score=1.0 if won else 0.5,
            )
        )
    return passages


def model_writer(provider: AgentProvider, slug: str) -> ChallengerWriter:
    """A challenger writer (herocopy.ChallengerWriter) asking `provider`'s SEO agent."""

    def write(brief: ClientBrief, state: HeroState, preferred: Sequence[str]) -> HeroEntry | None:
        ctx = AgentContext(
            brief=brief,
            slug=slug,
            upstream={"hero_history": history_for(state)},
            knowledge=angle_passages(brief.language or "en", preferred),
        )
        try:
            result = provider.run(CHALLENGER_TASK, ctx)
        except AgentError as exc:
            log.warning("%s: the content agent wrote no challenger (%s); the offline generator writes it", slug, exc)
            return None
        answer = result.output
        if not isinstance(answer, HeroChallenger):
            return None
        copy = HeroCopy(headline=answer.headline, subheadline=answer.subheadline, cta_label=answer.cta_label)
        problems = [str(v) for v in result.violations] + copy_problems(copy, brief)
        if problems:
            log.warning("%s: the agent's challenger breaks the rules (%s); the offline one is used", slug, problems)
            return None
        known = {angle for angle, _ in angles(brief.language or "en")}
        return HeroEntry(copy=copy, angle=answer.angle if answer.angle in known else MODEL, since=now())

    return write


def challenger_writer(provider: AgentProvider, slug: str) -> ChallengerWriter | None:
    """The content agent's challenger writer for an LLM provider; None for the offline generator (it writes its own)."""
    return None if provider.name == "offline" else model_writer(provider, slug)

"""The hero copy of a client's A/B experiments, as data: the current A, the current challenger B, and every copy tried.

A client's experiments state is one JSON file in its package, `experiments/hero.json`, carried
from package to package by the website deliverable (`RenderedSite.experiment`), so a re-render
(an experiment's, a retry's, a full re-run's) uses the copy decided on instead of the content
step's first hero pair. The state is made the first time a decision is applied, from the content
step's `hero_a` / `hero_b`.

A decision (`decide`) promotes B to A when B won, retires B when it lost or made no difference,
and records both in the history; the next challenger comes from `offline_challenger` (the
deterministic generator: house angles, never a headline this client already tried) or from the
content agent (agents/challenger.py). What crosses from one client to another is only the
*angle* that won (an id naming a house template, e.g. ``bold-0``), kept in the memory by
industry (`industry_namespace`), never a client's words.

Client text here is data: the renderer escapes it, prompts fence it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .agents.offline import Copy, _clamp
from .agents.offline_copy import REGISTERS
from .brief import ClientBrief
from .claims import brief_numbers, claims_in
from .deliverables import HeroCopy, SeoCopy
from .memory.base import check_namespace
from .package import client_dir, write_file_atomic

if TYPE_CHECKING:
    from .store.base import ClientStore

# Where the state lives in the client's package (output/<slug>/).
STATE_FILE = "experiments/hero.json"
HISTORY_FILE = "experiments/HISTORY.md"
WINNERS = ("b", "a", "none")
# What a decision says about B: B won, B lost, no difference within the decision's bound.
OUTCOMES = {"b": "won", "a": "lost", "none": "no_difference"}
# Lengths the hero holds (agents/rules.py MAX_LENGTH for headline and cta_label, the renderer's subheadline).
HEADLINE_MAX, SUBHEADLINE_MAX, CTA_MAX = 70, 160, 40
# The angle of copy the state did not make (the content step's first pair, a model's answer).
ORIGINAL = "original"
MODEL = "model"

ChallengerStatus = Literal["live", "pending_review"]


class ExperimentError(ValueError):
    """A decision that cannot be applied; the message names the field and the fix."""


class HeroEntry(BaseModel):
    """One hero copy in play (A or the challenger B), with the angle it was written from."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    copy_: HeroCopy = Field(alias="copy")
    angle: str = ORIGINAL
    since: datetime | None = None
    # B only: "pending_review" while a regulated client's challenger waits for a person; then no visitor sees it.
    status: ChallengerStatus = "live"


class TriedCopy(BaseModel):
    """A copy that was shown (or proposed) and what became of it."""

    model_config = ConfigDict(extra="forbid")

    experiment_id: str
    role: Literal["a", "b"]
    headline: str
    subheadline: str
    cta_label: str
    angle: str
    # won / lost / no_difference for an experiment's B; kept / replaced for its A; rejected: a reviewer refused it.
    outcome: Literal["won", "lost", "no_difference", "kept", "replaced", "rejected"]
    decided_at: datetime
    note: str = ""
    # The decision's figures as the decision path gave them (visitors, conversions, the interval...).
    figures: dict[str, float | int | str] = Field(default_factory=dict)


class HeroState(BaseModel):
    """A client's hero copy under test: A, the challenger B (or none), and the history of what was tried."""

    model_config = ConfigDict(extra="forbid")

    a: HeroEntry
    b: HeroEntry | None = None
    history: list[TriedCopy] = Field(default_factory=list)
    decisions: list[str] = Field(default_factory=list)  # experiment ids applied, oldest first

    @property
    def serves_b(self) -> bool:
        """True when visitors may be shown B: a challenger exists and no review holds it."""
        return self.b is not None and self.b.status == "live"

    def tried(self, headline: str) -> bool:
        """True when this client already showed or proposed `headline` (case and punctuation aside)."""
        return _norm(headline) in self.tried_headlines()

    def tried_headlines(self) -> set[str]:
        """Every headline this client showed or proposed (normalised), A and B included."""
        seen = {_norm(t.headline) for t in self.history}
        seen.add(_norm(self.a.copy_.headline))
        if self.b is not None:
            seen.add(_norm(self.b.copy_.headline))
        return seen


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def now() -> datetime:
    """The time decisions are stamped with (UTC)."""
    return datetime.now(UTC)


# ----- the file ----------------------------------------------------------------------------------


def state_path(output_dir: Path, slug: str) -> Path:
    """output/<slug>/experiments/hero.json (the slug checked as every client folder is)."""
    return client_dir(output_dir, slug) / STATE_FILE


def load_state(output_dir: Path, slug: str) -> HeroState | None:
    """The client's hero state, or None before its first decision; ExperimentError for a file that is not one."""
    path = state_path(output_dir, slug)
    if not path.is_file():
        return None
    try:
        return HeroState.model_validate_json(path.read_text("utf-8"))
    except ValueError as exc:
        raise ExperimentError(
            f"{STATE_FILE} of {slug}: not a hero state ({str(exc).splitlines()[0]}); "
            "restore it from the client's previous package or delete it to start again from the content step's copy"
        ) from None


def state_json(state: HeroState) -> str:
    """The state as its file holds it."""
    return state.model_dump_json(by_alias=True, indent=2) + "\n"


def save_state(output_dir: Path, slug: str, state: HeroState) -> Path:
    """Write the state into the live package (one atomic file); the next package carries it on."""
    path = state_path(output_dir, slug)
    write_file_atomic(path, state_json(state))
    return path


def initial_state(seo: SeoCopy, brief: ClientBrief) -> HeroState:
    """The state before any decision: the content step's hero A and its B, live, with the angle each came from."""
    return HeroState(
        a=HeroEntry(copy=seo.hero_a, angle=angle_of(seo.hero_a.headline, brief)),
        b=HeroEntry(copy=seo.hero_b, angle=angle_of(seo.hero_b.headline, brief)),
    )


def angle_of(headline: str, brief: ClientBrief) -> str:
    """The house angle a headline was filled from (the offline generator's), or `original` (a model's own)."""
    c = Copy(brief)
    for angle, template in angles(c.lang):
        if _norm(_clamp(c.fill(template), HEADLINE_MAX)) == _norm(headline):
            return angle
    return ORIGINAL


def apply_to_seo(seo: SeoCopy, state: HeroState | None) -> tuple[SeoCopy, bool]:
    """The SEO copy a render uses: the state's A and B in place of the content step's, and whether B is shown."""
    if state is None:
        return seo, True
    hero_b = state.b.copy_ if state.b is not None else state.a.copy_
    home = [p.model_copy(update={"h1": state.a.copy_.headline}) if p.page == "home" else p for p in seo.pages]
    return seo.model_copy(update={"hero_a": state.a.copy_, "hero_b": hero_b, "pages": home}), state.serves_b


def history_markdown(state: HeroState) -> str:
    """The history as a person reads it in the package (client text as data, in code spans)."""

    def span(text: str) -> str:
        return "`" + text.replace("`", "'") + "`"

    lines = ["# Hero experiments", "", f"**A (live)**: {span(state.a.copy_.headline)} (angle {state.a.angle})"]
    if state.b is None:
        lines.append("**B**: none (every visitor sees A)")
    else:
        held = " (waiting for review: not shown)" if state.b.status == "pending_review" else ""
        b = state.b.copy_
        lines.append(f"**B{held}**: {span(b.headline)} (angle {state.b.angle})")
        lines += [f"- subheadline: {span(b.subheadline)}", f"- call to action: {span(b.cta_label)}"]
    lines += ["", "| when | experiment | variant | headline | angle | outcome |", "|---|---|---|---|---|---|"]
    for t in state.history:
        lines.append(
            f"| {t.decided_at:%Y-%m-%d %H:%M} | {span(t.experiment_id)} | {t.role.upper()} | "
            f"{span(t.headline).replace('|', '/')} | {t.angle} | {t.outcome} |"
        )
    return "\n".join(lines) + "\n"


# ----- the decision ------------------------------------------------------------------------------


def check_winner(winner: str) -> str:
    """The winner itself when valid; else ExperimentError naming the field and the values."""
    if winner not in WINNERS:
        raise ExperimentError(
            f"winner: {winner!r} is not a decision; use b (B won), a (B lost) or none (no difference)"
        )
    return winner


def decide(
    state: HeroState,
    *,
    experiment_id: str,
    winner: str,
    at: datetime | None = None,
    figures: Mapping[str, float | int | str] | None = None,
) -> HeroState:
    """The state after a decision: B promoted (won) or retired (lost, no difference), recorded; no challenger yet."""
    check_winner(winner)
    if not experiment_id.strip():
        raise ExperimentError("experiment_id: give the id of the experiment decided")
    if experiment_id in state.decisions:
        raise ExperimentError(f"experiment_id: {experiment_id!r} was already applied to this client")
    if state.b is None or state.b.status != "live":
        raise ExperimentError(
            "b: this client has no challenger live, so no experiment of it can be decided "
            "(a regulated client's challenger must be approved first)"
        )
    at = at or now()
    a, b = state.a, state.b

    def tried(entry: HeroEntry, role: Literal["a", "b"], outcome: Any) -> TriedCopy:
        c = entry.copy_
        return TriedCopy(
            experiment_id=experiment_id,
            role=role,
            headline=c.headline,
            subheadline=c.subheadline,
            cta_label=c.cta_label,
            angle=entry.angle,
            outcome=outcome,
            decided_at=at,
            figures=dict(figures or {}),
        )

    history = [
        *state.history,
        tried(a, "a", "replaced" if winner == "b" else "kept"),
        tried(b, "b", OUTCOMES[winner]),
    ]
    new_a = HeroEntry(copy=b.copy_, angle=b.angle, since=at) if winner == "b" else a
    return HeroState(a=new_a, b=None, history=history, decisions=[*state.decisions, experiment_id])


def with_challenger(state: HeroState, challenger: HeroEntry | None) -> HeroState:
    """The state with its next challenger (None: no untried copy left, every visitor sees A)."""
    return state.model_copy(update={"b": challenger})


def reject_challenger(state: HeroState, *, reason: str, at: datetime | None = None) -> HeroState:
    """The state after a reviewer refused the waiting challenger: recorded as rejected, no challenger."""
    if state.b is None or state.b.status != "pending_review":
        raise ExperimentError("b: no challenger is waiting for review")
    c = state.b.copy_
    rejected = TriedCopy(
        experiment_id=state.decisions[-1] if state.decisions else "",
        role="b",
        headline=c.headline,
        subheadline=c.subheadline,
        cta_label=c.cta_label,
        angle=state.b.angle,
        outcome="rejected",
        decided_at=at or now(),
        note=reason,
    )
    return state.model_copy(update={"b": None, "history": [*state.history, rejected]})


# ----- the next challenger -----------------------------------------------------------------------

# Angles of the offline generator beyond the tone registers' own two heroes (agents/offline_copy.py
# REGISTERS): house templates, filled with this client's values only.
EXTRA_ANGLES: dict[str, dict[str, str]] = {
    "question": {"en": "Looking for {offer}? Meet {name}", "es": "¿Buscas {offer}? Conoce {name}"},
    "local": {"en": "{offer_cap} {in_geo}", "es": "{offer_cap} {in_geo}"},
    "action": {"en": "{cta}: {name}", "es": "{cta}: {name}"},
}


def angles(lang: str) -> list[tuple[str, str]]:
    """Every house angle (id, headline template) in `lang`, in the generator's fixed order."""
    found = [(f"{register}-{i}", spec["hero"][lang][i]) for register, spec in REGISTERS.items() for i in (0, 1)]
    return found + [(name, spec[lang]) for name, spec in EXTRA_ANGLES.items()]


def copy_problems(copy: HeroCopy, brief: ClientBrief) -> list[str]:
    """What keeps a hero copy off the site (the agents' rules for published text): lengths, claims, markup."""
    problems = []
    for field, limit in (("headline", HEADLINE_MAX), ("subheadline", SUBHEADLINE_MAX), ("cta_label", CTA_MAX)):
        text = getattr(copy, field)
        if not text.strip():
            problems.append(f"{field}: empty")
        elif len(text) > limit:
            problems.append(f"{field}: {len(text)} characters, at most {limit}")
        if re.search(r"<\s*/?\s*[a-zA-Z][^<>]*>|&(?:[a-zA-Z]+|#\d+);", text):
            problems.append(f"{field}: markup; write plain text")
    numbers = brief_numbers(brief)
    for field in ("headline", "subheadline", "cta_label"):
        for kind, claim in claims_in(getattr(copy, field), numbers):
            problems.append(f"{field}: {kind} {claim!r} is not among the brief's facts")
    return problems


def offline_challenger(brief: ClientBrief, state: HeroState, *, preferred: Sequence[str] = ()) -> HeroEntry | None:
    """The next challenger, deterministically: the first house angle (those that won for this industry first)
    whose headline this client never tried and which breaks none of the rules; None when none is left."""
    c = Copy(brief)
    tried = state.tried_headlines()
    ordered = angles(c.lang)
    rank = {angle: i for i, angle in enumerate(preferred)}
    ordered.sort(key=lambda item: rank.get(item[0], len(rank)))
    features = [f[1] for f in c.profile["features"]] or [""]
    tails = [c.words["hero_sub_a"], c.words["hero_sub_b"]]
    turn = len(state.history)
    for angle, template in ordered:
        headline = _clamp(c.fill(template), HEADLINE_MAX)
        if _norm(headline) in tried:
            continue
        # The subheadline turns with the history, so a new challenger does not repeat the last one's.
        feature = features[turn % len(features)]
        tail = tails[turn % len(tails)]
        sub = _clamp(c.fill(feature) + " " + c.fill(tail), SUBHEADLINE_MAX)
        candidate = HeroCopy(headline=headline, subheadline=sub, cta_label=_clamp(c.cta, CTA_MAX))
        if copy_problems(candidate, brief):
            continue
        return HeroEntry(copy=candidate, angle=angle, since=now())
    return None


# ----- what won across clients (memory by industry) ----------------------------------------------


def industry_key(brief: ClientBrief) -> str:
    """The industry a client's outcomes are pooled under: the offline generator's sector profile."""
    return str(Copy(brief).profile_key)


def industry_namespace(brief: ClientBrief) -> str:
    """The memory namespace of an industry's experiment outcomes: industry-<profile>."""
    return check_namespace(f"industry-{re.sub(r'[^a-z0-9-]+', '-', industry_key(brief).lower()).strip('-')}")


def outcome_record(slug: str, experiment_id: str, angle: str, outcome: str) -> tuple[str, str, dict[str, Any]]:
    """The memory record of one outcome: the angle and what became of it, no client text at all."""
    safe = re.sub(r"[^a-z0-9-]+", "-", experiment_id.lower())[:40]
    text = f"Hero angle {angle}: {outcome} in an experiment."
    return (
        f"angle:{angle}:{outcome}:{slug}:{safe}",
        text,
        {"kind": "experiment-outcome", "angle": angle, "outcome": outcome, "title": f"angle {angle}"},
    )


def angle_scores(ids: set[str], *, exclude_slug: str) -> dict[str, int]:
    """Per angle, wins minus losses over the other clients' outcome records (ids as `outcome_record` writes them)."""
    scores: dict[str, int] = {}
    for record_id in ids:
        parts = record_id.split(":")
        if len(parts) < 4 or parts[0] != "angle" or parts[3] == exclude_slug:
            continue
        angle, outcome = parts[1], parts[2]
        scores[angle] = scores.get(angle, 0) + (1 if outcome == "won" else -1 if outcome == "lost" else 0)
    return scores


def preferred_angles(scores: dict[str, int]) -> list[str]:
    """Angles that won more than they lost, best first (ties by name: deterministic)."""
    return [a for a, s in sorted(scores.items(), key=lambda item: (-item[1], item[0])) if s > 0 and a != ORIGINAL]


# Writes a challenger with a model: (brief, state, angles that won for the industry) -> entry, or None
# to leave it to the offline generator (agents/challenger.py model_writer).
ChallengerWriter = Callable[[ClientBrief, HeroState, Sequence[str]], HeroEntry | None]


def pending_challengers(store: ClientStore, output_dir: Path) -> list[tuple[str, HeroEntry]]:
    """Every published client whose challenger waits for review, with it."""
    waiting = []
    for row in store.list_clients(status="completed"):
        if not row.slug:
            continue
        try:
            state = load_state(output_dir, row.slug)
        except ExperimentError:
            continue
        if state is not None and state.b is not None and state.b.status == "pending_review":
            waiting.append((row.slug, state.b))
    return waiting

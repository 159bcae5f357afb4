"""Realistic answers for the OpenAI-compatible test server: the offline generator's deliverable for the request."""

from __future__ import annotations

import json
from typing import Any

from deznity_assets.agents.offline import OfflineGenerator
from deznity_assets.agents.provider import AgentContext
from deznity_assets.agents.roster import TASKS
from deznity_assets.brief import ClientBrief, validate_brief

_BY_SCHEMA = {task.output_model.__name__: task for task in TASKS.values()}


def request_brief(body: dict[str, Any]) -> tuple[ClientBrief, str]:
    """The brief fenced in the request's prompt, and the client's slug."""
    prompt = next(m["content"] for m in body["messages"] if m["role"] == "user" and "<client_brief>" in m["content"])
    data = json.loads(prompt.split("<client_brief>", 1)[1].split("</client_brief>", 1)[0])
    return validate_brief(data, columns=("slug",)), data.get("slug", "client")  # the prompt names the slug too


def offline_answer(body: dict[str, Any]) -> str:
    """What a good model would answer: the deliverable the request's schema names, for the fenced brief."""
    name = body["response_format"]["json_schema"]["name"]
    brief, slug = request_brief(body)
    result = OfflineGenerator().run(_BY_SCHEMA[name], AgentContext(brief=brief, slug=slug))
    return result.output.model_dump_json()


def _fenced(body: dict[str, Any], tag: str) -> Any:
    prompt = next(m["content"] for m in body["messages"] if m["role"] == "user" and f"<{tag}>" in m["content"])
    return json.loads(prompt.split(f"<{tag}>", 1)[1].split(f"</{tag}>", 1)[0])


def challenger_answer(body: dict[str, Any], *, mistake: str | None = None) -> str:
    """A hero challenger as a good model writes it (the winning angle first, an untried headline), or with `mistake`:
    'repeat' (the current A's headline again) or 'rating' (an invented rating in the subheadline)."""
    from deznity_assets.deliverables import HeroCopy
    from deznity_assets.herocopy import HeroEntry, HeroState, TriedCopy, now, offline_challenger

    brief, _slug = request_brief(body)
    history = _fenced(body, "upstream_deliverables")["hero_history"]
    winners = [
        p["title"].split()[2] for p in _fenced(body, "house_knowledge") if "(won for this industry)" in p["title"]
    ]
    tried = [
        TriedCopy(
            experiment_id="-",
            role="b",
            headline=t["headline"],
            subheadline="-",
            cta_label="-",
            angle=t["angle"],
            outcome="lost",
            decided_at=now(),
        )
        for t in history["tried"]
    ]
    state = HeroState(a=HeroEntry(copy=HeroCopy(**history["current_a"])), history=tried)
    entry = offline_challenger(brief, state, preferred=winners)
    if entry is None:
        return json.dumps({"angle": "new", "headline": "", "subheadline": "", "cta_label": ""})
    answer = {"angle": entry.angle, **entry.copy_.model_dump()}
    if mistake == "repeat":
        answer["headline"] = history["current_a"]["headline"]
    elif mistake == "rating":
        answer["subheadline"] = "Calificados con 4.9 de 5 estrellas por 2,000 clientes."
    return json.dumps(answer, ensure_ascii=False)

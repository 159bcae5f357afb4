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

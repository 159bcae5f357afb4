"""Chat messages for an agent task, rendered from the Jinja2 templates in deznity_assets/prompts/."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from pydantic import ValidationError

from ..agents.provider import AgentContext
from ..agents.roster import AgentTask
from ..brief import PRIVATE_BRIEF_FIELDS
from ..templating import environment

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"
LANGUAGE_NAMES = {"en": "English", "es": "Spanish"}
# Tags that fence data in the user message; the system prompt names them as data, not instructions.
DATA_TAGS = (
    "client_brief",
    "house_knowledge",
    "upstream_deliverables",
    "reviewer_feedback",
    "qa_findings",
    "validation_errors",
)


@lru_cache(maxsize=1)
def prompt_environment() -> Environment:
    """The Jinja2 environment of the prompt templates (plain text: no autoescape, strict variables)."""
    return environment(
        "prompts",
        loader=FileSystemLoader(PROMPTS_DIR),
        autoescape=False,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=False,
    )


def fenced_json(value: Any) -> str:
    """JSON for a data fence: '<', '>' and '&' escaped so data can never close or open a tag."""
    text = json.dumps(value, ensure_ascii=False, indent=2)
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def build_messages(task: AgentTask, ctx: AgentContext, *, schema: dict[str, Any], mode: str) -> list[dict[str, str]]:
    """System and user messages for `task`; the brief, knowledge and upstream data only inside fences."""
    env = prompt_environment()
    language_name = LANGUAGE_NAMES.get(ctx.brief.language or "en", "English")
    system = env.get_template("system.md.j2").render(
        agent=task.agent,
        task=task,
        language_name=language_name,
        mode=mode,
        schema_json=json.dumps(schema, ensure_ascii=False) if mode == "json_object" else "",
    )
    # The client's contact address is where leads are e-mailed, not material for copy: it stays out of
    # prompts (and so out of pages, and of the response cache's keys of briefs made before it existed).
    brief = {"slug": ctx.slug, **ctx.brief.model_dump(mode="json", exclude=PRIVATE_BRIEF_FIELDS)}
    knowledge = [{"title": p.title, "source": p.source, "text": p.text} for p in ctx.knowledge]
    upstream = {name: model.model_dump(mode="json") for name, model in ctx.upstream.items()}
    user = env.get_template(f"{task.key}.md.j2").render(
        task=task,
        language_name=language_name,
        brief_json=fenced_json(brief),
        knowledge_json=fenced_json(knowledge) if knowledge else "",
        upstream_json=fenced_json(upstream) if upstream else "",
        feedback_json=fenced_json(ctx.review_feedback) if ctx.review_feedback else "",
        findings_json=fenced_json(ctx.qa_findings) if ctx.qa_findings else "",
        field_guide=field_guide(schema),
    )
    return [{"role": "system", "content": system.strip()}, {"role": "user", "content": user.strip()}]


def repair_messages(
    messages: list[dict[str, str]], answer: str, error: ValidationError | list[str]
) -> list[dict[str, str]]:
    """The conversation plus the faulty answer and a request to correct the listed errors.

    `error`: the schema's validation errors, or lines naming what breaks the schema or the brief's rules.
    """
    errors_text = fenced_json(validation_summary(error) if isinstance(error, ValidationError) else list(error))
    repair = prompt_environment().get_template("repair.md.j2").render(errors_json=errors_text)
    return [*messages, {"role": "assistant", "content": answer}, {"role": "user", "content": repair.strip()}]


def validation_summary(error: ValidationError, limit: int = 20) -> list[str]:
    """Each validation error as 'location: message' (no input values), at most `limit` of them."""
    lines = []
    for item in error.errors(include_url=False, include_input=False)[:limit]:
        where = ".".join(str(part) for part in item["loc"]) or "(root)"
        lines.append(f"{where}: {item['msg']}")
    if error.error_count() > limit:
        lines.append(f"... and {error.error_count() - limit} more")
    return lines


def field_guide(schema: dict[str, Any]) -> list[str]:
    """'path: description' for every described property of the schema, from its pydantic Field descriptions."""
    lines: list[str] = []
    defs = schema.get("$defs", {})

    def walk(node: dict[str, Any], path: str, seen: tuple[str, ...]) -> None:
        ref = node.get("$ref")
        if ref:
            name = ref.rsplit("/", 1)[-1]
            if name in seen:
                return
            node, seen = {**defs.get(name, {}), **{k: v for k, v in node.items() if k != "$ref"}}, (*seen, name)
        if path and node.get("description"):
            lines.append(f"{path}: {node['description']}")
        for key, child in (node.get("properties") or {}).items():
            walk(child, f"{path}.{key}" if path else key, seen)
        if isinstance(node.get("items"), dict):
            walk(node["items"], f"{path}[]", seen)
        for variant in node.get("anyOf") or []:
            walk(variant, path, seen)

    walk(schema, "", ())
    return list(dict.fromkeys(lines))

"""Readable Markdown for deliverables and the executive summary."""

from __future__ import annotations

import re
from typing import Any

from jinja2 import PackageLoader, StrictUndefined
from pydantic import BaseModel

from .templating import environment

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")


def md_text(value: Any) -> str:
    """Text from a client or a model as Markdown data: specials (`|` too, for table cells) escaped, newlines folded."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(value).split()))


def deliverable_markdown(title: str, model: BaseModel) -> str:
    """A deliverable as a Markdown document, walking its fields in order."""
    lines = [f"# {md_text(title)}", ""]
    _walk(model.model_dump(mode="json"), lines, level=2)
    return "\n".join(lines).rstrip() + "\n"


def _label(key: str) -> str:
    return key.replace("_", " ").capitalize()


def _walk(value: Any, lines: list[str], level: int) -> None:
    if isinstance(value, dict):
        scalars = {k: v for k, v in value.items() if not isinstance(v, (dict, list))}
        for key, item in scalars.items():
            if item not in (None, ""):
                lines.append(f"- **{_label(key)}:** {md_text(item)}")
        if scalars:
            lines.append("")
        for key, item in value.items():
            if isinstance(item, (dict, list)) and item:
                lines.append(f"{'#' * min(level, 6)} {_label(key)}")
                lines.append("")
                _walk(item, lines, level + 1)
    elif isinstance(value, list):
        if all(not isinstance(v, (dict, list)) for v in value):
            lines.extend(f"- {md_text(v)}" for v in value)
            lines.append("")
        else:
            for i, item in enumerate(value, 1):
                name = None
                if isinstance(item, dict):
                    name = item.get("name") or item.get("title") or item.get("page") or item.get("id")
                lines.append(f"{'#' * min(level, 6)} {md_text(name) if name else i}")
                lines.append("")
                _walk(item, lines, level + 1)


_env = environment(
    "reports",
    loader=PackageLoader("deznity_assets", "templates"),
    autoescape=False,  # Markdown, not HTML: client text goes through the md filter instead
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)
_env.filters["md"] = md_text
_env.filters["prepend_hash"] = lambda tag: tag if tag.startswith("#") else f"#{tag}"


def render_markdown(template: str, **values: Any) -> str:
    """Render a Markdown template from deznity_assets/templates."""
    return _env.get_template(template).render(**values)

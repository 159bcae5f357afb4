"""QA findings back to the agents that can fix them: content creation corrects its own work before the QA gate.

The content step renders the site from its agents' answers and runs the QA checks that content
decides (language, invented claims, titles, descriptions, the h1). Each failing finding goes to
the agent whose text it names (SEO or Marketing; both when the text is in neither alone), which
writes its deliverable again with the findings fenced in its prompt, up to
DEZNITY_QA_CORRECTION_ROUNDS rounds. What still fails after the rounds is replaced, page by page,
by the offline generator's copy for that page (recorded, and said in the summary); the
testing_validation step then checks the site as the gate, and fails the client only for what
is left, naming the findings and the rounds tried.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from .agents.provider import AgentContext, AgentResult, Usage
from .agents.roster import TASKS
from .agents.rules import Violation, fill_from_offline, page_names
from .brief import ClientBrief
from .deliverables import CheckResult, DesignSystem, MarketingContent, SeoCopy, SiteStructure
from .qa.checks import run_checks
from .site.render import page_file, render_site

log = logging.getLogger(__name__)

# The QA checks whose findings content can fix, and the agent task that writes what they judge
# (None: whichever deliverable holds the text the finding quotes).
CONTENT_CHECKS: dict[str, str | None] = {
    "page_language": None,
    "no_invented_claims": None,
    # A page's title and description are the SEO agent's; a blog post's come from its item's text.
    "title_length": None,
    "description_length": None,
    "single_h1": "seo_copy",
}
CONTENT_TASKS = ("seo_copy", "marketing_content")
_QUOTED = re.compile(r"'((?:[^'\\]|\\.){3,}?)'|\"((?:[^\"\\]|\\.){3,}?)\"")


@dataclass
class Correction:
    """What the correction of one client's content did: rounds run, parts filled, findings left."""

    rounds: int = 0
    filled: list[str] = field(default_factory=list)
    remaining: list[str] = field(default_factory=list)


def escaped_values(brief: ClientBrief) -> list[str]:
    """The brief's values a page must show escaped (the no_unescaped_client_text check's input)."""
    return [brief.business_name, brief.goal, brief.target_geo, *brief.copy_tone]


def content_findings(
    brief: ClientBrief,
    *,
    slug: str,
    structure: SiteStructure,
    design: DesignSystem,
    seo: SeoCopy,
    content: MarketingContent,
    base_url: str,
    form_action: str,
) -> list[CheckResult]:
    """The failing QA checks that content can fix, on the site these deliverables render to."""
    site = render_site(
        brief,
        slug=slug,
        structure=structure,
        design=design,
        seo=seo,
        content=content,
        base_url=base_url,
        form_action=form_action,
    )
    results = run_checks(site, design, escaped_values=escaped_values(brief), brief=brief)
    return [r for r in results if not r.passed and r.id in CONTENT_CHECKS]


def findings_by_task(failing: list[CheckResult], outputs: dict[str, BaseModel]) -> dict[str, list[str]]:
    """Each finding as 'check: location', given to the task whose deliverable holds the text it names."""
    texts = {key: outputs[key].model_dump_json().lower() for key in CONTENT_TASKS if key in outputs}
    found: dict[str, list[str]] = {}
    for check in failing:
        for location in check.locations or [check.message]:
            owner = CONTENT_CHECKS.get(check.id)
            owners = [owner] if owner else _holders(location, texts)
            for key in owners:
                found.setdefault(key, []).append(f"{check.id}: {location}")
    return found


def _holders(location: str, texts: dict[str, str]) -> list[str]:
    for match in _QUOTED.finditer(location.split(":", 1)[-1]):
        snippet = (match.group(1) or match.group(2) or "").rstrip("…").strip().lower()
        holders = [key for key, text in texts.items() if snippet and snippet[:40] in text]
        if len(holders) == 1:
            return holders
    return list(texts)


def merge_round(before: AgentResult, after: AgentResult) -> AgentResult:
    """The corrected result, its usage the sum of both and the whole round counted as a correction."""
    old, new = before.usage, after.usage
    spent = new.tokens_in + new.tokens_out
    after.usage = Usage(
        provider=new.provider,
        model=new.model,
        tokens_in=old.tokens_in + new.tokens_in,
        tokens_out=old.tokens_out + new.tokens_out,
        cost_usd=old.cost_usd + new.cost_usd,
        cached=old.cached and new.cached,
        retries=old.retries + new.retries,
        repaired=old.repaired or new.repaired,
        duration_ms=old.duration_ms + new.duration_ms,
        corrections=old.corrections + 1 + new.corrections,
        correction_tokens=old.correction_tokens + spent,
        correction_tokens_out=old.correction_tokens_out + new.tokens_out,
        correction_cost_usd=old.correction_cost_usd + new.cost_usd,
    )
    after.filled = list(dict.fromkeys([*before.filled, *after.filled]))
    after.knowledge = after.knowledge or before.knowledge
    return after


def pages_named(failing: list[CheckResult], brief: ClientBrief, content: MarketingContent) -> dict[str, set[str]]:
    """The parts of each content task that the findings' files come from: pages[<name>], hero_a, hero_b."""
    files = {"index.html": "home", **{page_file(p): p for p in page_names(brief) if p != "home"}}
    blog_pages = [p.page for p in content.pages if any(s.kind == "blog_index" for s in p.sections)]
    parts: dict[str, set[str]] = {key: set() for key in CONTENT_TASKS}
    for check in failing:
        for location in check.locations:
            path = location.split(":", 1)[0].strip()
            names: list[str] = []
            if path in files:
                names = [files[path]]
            elif path == "index-b.html":
                names = ["home"]
                parts["seo_copy"].add("hero_b")
            elif path.startswith("blog/"):
                names = blog_pages
            for name in names:
                for key in CONTENT_TASKS:
                    parts[key].add(f"pages[{name}]")
                if name == "home":
                    parts["seo_copy"].add("hero_a")
    return parts


def fill_pages(
    results: dict[str, AgentResult], parts: dict[str, set[str]], ctx_for: Any, findings: list[CheckResult]
) -> list[str]:
    """Replace the named parts with the offline generator's copy; the parts filled, as 'task: part'."""
    done: list[str] = []
    reason = "; ".join(c.id for c in findings)
    for key, wanted in parts.items():
        if not wanted or key not in results:
            continue
        violations = [Violation(part, f"still failing QA ({reason})", part) for part in sorted(wanted)]
        output, filled = fill_from_offline(TASKS[key], results[key].output, ctx_for(key), violations)
        results[key].output = output
        results[key].filled = list(dict.fromkeys([*results[key].filled, *filled]))
        done += [f"{key}: {part}" for part in filled]
    return done


def context_for(brief: ClientBrief, slug: str, upstream: dict[str, BaseModel]) -> Any:
    """A function giving the AgentContext a content task's offline copy is made with."""

    def make(key: str) -> AgentContext:
        task = TASKS[key]
        return AgentContext(brief=brief, slug=slug, upstream={k: upstream[k] for k in task.inputs if k in upstream})

    return make


def correct_content(
    results: dict[str, AgentResult],
    *,
    brief: ClientBrief,
    slug: str,
    upstream: dict[str, BaseModel],
    rounds: int,
    rerun: Any,
    base_url: str,
    form_action: str,
) -> Correction:
    """QA the site the content renders to, give each finding to its agent, at most `rounds` times; then fill.

    `results` (seo_copy and marketing_content) is corrected in place. `rerun(findings_by_task,
    round_no)` runs the named tasks again with their findings and returns their results.
    """
    structure, design = upstream["site_structure"], upstream["design_system"]
    assert isinstance(structure, SiteStructure) and isinstance(design, DesignSystem)

    def failing() -> list[CheckResult]:
        seo, content = results["seo_copy"].output, results["marketing_content"].output
        assert isinstance(seo, SeoCopy) and isinstance(content, MarketingContent)
        return content_findings(
            brief,
            slug=slug,
            structure=structure,
            design=design,
            seo=seo,
            content=content,
            base_url=base_url,
            form_action=form_action,
        )

    outcome = Correction()
    found = failing()
    while found and outcome.rounds < rounds:
        outcome.rounds += 1
        feedback = findings_by_task(found, {k: r.output for k, r in results.items()})
        log.warning(
            "%s: QA found %s on the content; correction round %d of %d for %s",
            slug,
            ", ".join(c.id for c in found),
            outcome.rounds,
            rounds,
            ", ".join(feedback),
        )
        for key, result in rerun(feedback, outcome.rounds).items():
            results[key] = merge_round(results[key], result)
        found = failing()
    if found:
        content = results["marketing_content"].output
        assert isinstance(content, MarketingContent)
        parts = pages_named(found, brief, content)
        outcome.filled = fill_pages(results, parts, context_for(brief, slug, upstream), found)
        if outcome.filled:
            log.warning("%s: still failing QA after %d rounds; filled %s", slug, outcome.rounds, outcome.filled)
            found = failing()
    outcome.remaining = [f"{c.id}: {c.message}" for c in found]
    return outcome

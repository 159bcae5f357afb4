"""The house knowledge base: Markdown under deznity_assets/knowledge, seeded into the 'deznity-core' namespace."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from ..agents.provider import KnowledgePassage
from ..brief import ClientBrief
from .base import HOUSE_NAMESPACE, MemoryRecord, VectorMemory, client_namespace

KNOWLEDGE_DIR = Path(__file__).resolve().parent.parent / "knowledge"
REGULATED_INDUSTRIES = frozenset({"health", "legal", "finance"})
DECISION_CHUNK_CHARS = 4000
_HEADING = re.compile(r"^(#{1,2})\s+(.+?)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class Passage:
    """One section of a knowledge document, with its content-hash id."""

    id: str
    title: str
    text: str
    source: str

    def record(self) -> MemoryRecord:
        """The passage as a memory record."""
        return (
            self.id,
            f"{self.title}\n\n{self.text}",
            {"title": self.title, "source": self.source, "kind": "house-knowledge"},
        )


def split_passages(path: Path) -> list[Passage]:
    """A document split at its '## ' headings; each passage titled 'Document — Section'."""
    content = path.read_text(encoding="utf-8")
    doc_title = path.stem.replace("_", " ")
    passages: list[Passage] = []
    matches = list(_HEADING.finditer(content))
    for i, match in enumerate(matches):
        level, heading = len(match.group(1)), match.group(2)
        if level == 1:
            doc_title = heading
            continue
        end = matches[i + 1].start() if i + 1 < len(matches) else len(content)
        body = content[match.end() : end].strip()
        if not body:
            continue
        title = f"{doc_title} — {heading}"
        digest = hashlib.sha256(f"{title}\n{body}".encode()).hexdigest()[:16]
        passages.append(Passage(id=f"{path.stem}:{digest}", title=title, text=body, source=path.name))
    return passages


def load_passages(folder: Path = KNOWLEDGE_DIR) -> list[Passage]:
    """Every passage of every Markdown file in `folder`, in file order."""
    files = sorted(folder.glob("*.md"))
    if not files:
        raise FileNotFoundError(f"no knowledge documents in {folder}; the package data is missing — reinstall Deznity")
    return [p for f in files for p in split_passages(f)]


def seed_knowledge(memory: VectorMemory, folder: Path = KNOWLEDGE_DIR) -> dict[str, int]:
    """Upsert the house knowledge idempotently: new or changed passages only, stale ones removed."""
    passages = load_passages(folder)
    wanted = {p.id for p in passages}
    existing = memory.list_ids(HOUSE_NAMESPACE)
    fresh = [p.record() for p in passages if p.id not in existing]
    stale = sorted(existing - wanted)
    upserted = memory.upsert(HOUSE_NAMESPACE, fresh) if fresh else 0
    if stale:
        memory.delete(HOUSE_NAMESPACE, stale)
    return {
        "passages": len(passages),
        "upserted": upserted,
        "deleted": len(stale),
        "unchanged": len(passages) - len(fresh),
    }


def retrieve_for_task(
    memory: VectorMemory, task_description: str, brief: ClientBrief, k: int = 4
) -> list[KnowledgePassage]:
    """The `k` house passages most relevant to a task for this client (human review rule first when regulated)."""
    query = (
        f"{task_description}\nindustry: {brief.industry}\ngoal: {brief.goal}\nplan: {brief.budget}\n"
        f"pages: {', '.join(brief.pages)}\nmarket: {brief.target_geo}"
    )
    passages = memory.query(HOUSE_NAMESPACE, query, top_k=k)
    if brief.industry.strip().lower() in REGULATED_INDUSTRIES:
        review = memory.query(
            HOUSE_NAMESPACE, "human review rule regulated sectors health legal finance review ticket approval", top_k=1
        )
        if review and all(p.title != review[0].title for p in passages):
            passages = [review[0], *passages][:k]
    return passages


def remember_decision(memory: VectorMemory, slug: str, agent_id: str, task_key: str, text: str) -> int:
    """Store an agent's decision in 'client-<slug>' (replacing that task's earlier decision); returns chunks written."""
    namespace = client_namespace(slug)
    prefix = f"{agent_id}:{task_key}:"
    old = memory.list_ids(namespace, prefix=prefix)
    chunks = [text[i : i + DECISION_CHUNK_CHARS] for i in range(0, len(text), DECISION_CHUNK_CHARS)] or [""]
    recorded = datetime.now(timezone.utc).isoformat()
    records: list[MemoryRecord] = [
        (
            f"{prefix}{n}",
            chunk,
            {
                "title": f"{agent_id} {task_key}",
                "source": namespace,
                "agent": agent_id,
                "task": task_key,
                "slug": slug,
                "chunk": n,
                "recorded_at": recorded,
            },
        )
        for n, chunk in enumerate(chunks)
    ]
    written = memory.upsert(namespace, records)
    leftover = sorted(old - {r[0] for r in records})
    if leftover:
        memory.delete(namespace, leftover)
    return written

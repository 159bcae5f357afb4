"""The vector memory interface: namespaces of embedded text passages, searched by meaning."""

from __future__ import annotations

import json
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any

from ..agents.provider import KnowledgePassage

HOUSE_NAMESPACE = "deznity-core"
NAMESPACE_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")

# (id, text, metadata): the unit every backend stores.
MemoryRecord = tuple[str, str, dict[str, Any]]


@dataclass(frozen=True)
class NamespaceStats:
    """How much one namespace holds: vectors and bytes (on disk, or estimated where the service hides it)."""

    count: int
    bytes: int
    estimated: bool = False


def client_namespace(slug: str) -> str:
    """The namespace of one client's memory: client-<slug>."""
    return check_namespace(f"client-{slug}")


def check_namespace(namespace: str) -> str:
    """The namespace itself when valid; else ValueError naming the fix."""
    if not NAMESPACE_RE.match(namespace or ""):
        raise ValueError(
            f"namespace={namespace!r} is invalid: use 1-63 lowercase letters, digits and '-', "
            f"e.g. {HOUSE_NAMESPACE!r} or 'client-<slug>'"
        )
    return namespace


def flat_metadata(metadata: dict[str, Any]) -> dict[str, Any]:
    """Metadata as a vector store accepts it: strings, numbers, booleans, lists of strings."""
    out: dict[str, Any] = {}
    for key, value in metadata.items():
        if value is None:
            continue
        if isinstance(value, (str, int, float, bool)) or (
            isinstance(value, list) and all(isinstance(v, str) for v in value)
        ):
            out[key] = value
        else:
            out[key] = json.dumps(value, ensure_ascii=False, default=str)
    return out


def passage_from(text: str, metadata: dict[str, Any], score: float) -> KnowledgePassage:
    """A KnowledgePassage from a stored record."""
    return KnowledgePassage(
        title=str(metadata.get("title") or ""), text=text, source=str(metadata.get("source") or ""), score=float(score)
    )


class VectorMemory(ABC):
    """Namespaced vector memory: upsert passages, query by meaning, delete, measure."""

    name: str = "abstract"

    @abstractmethod
    def upsert(self, namespace: str, records: list[MemoryRecord]) -> int:
        """Insert or replace records by id; returns how many were written."""

    @abstractmethod
    def query(self, namespace: str, text: str, top_k: int = 4) -> list[KnowledgePassage]:
        """The `top_k` passages closest in meaning to `text`, best first (score = cosine similarity)."""

    @abstractmethod
    def list_ids(self, namespace: str, prefix: str = "") -> set[str]:
        """The ids stored in a namespace, optionally only those starting with `prefix`."""

    @abstractmethod
    def delete(self, namespace: str, ids: list[str]) -> None:
        """Remove records by id."""

    @abstractmethod
    def delete_namespace(self, namespace: str) -> None:
        """Remove every record of a namespace."""

    @abstractmethod
    def stats(self, namespace: str) -> NamespaceStats:
        """How many records a namespace holds and how many bytes they take."""

    def describe(self) -> dict[str, str]:
        """Backend and embedder, for doctor output and docs."""
        return {"backend": self.name}

"""Vector memory in a Pinecone serverless index through the `pinecone` SDK (HTTP data plane)."""

from __future__ import annotations

import json
import logging

from pinecone import Pinecone, ServerlessSpec

from ..agents.provider import KnowledgePassage
from .base import MemoryRecord, NamespaceStats, VectorMemory, check_namespace, flat_metadata, passage_from
from .embeddings import Embedder

log = logging.getLogger(__name__)

DEFAULT_INDEX = "deznity-core"
UPSERT_BATCH = 100
DELETE_BATCH = 1000


class PineconeMemory(VectorMemory):
    """Namespaces of one Pinecone index; each record's text travels in its metadata."""

    name = "pinecone"

    def __init__(
        self,
        api_key: str,
        embedder: Embedder,
        *,
        index_name: str = DEFAULT_INDEX,
        host: str | None = None,
        create: bool = False,
        cloud: str = "aws",
        region: str = "us-east-1",
    ):
        if not api_key:
            raise ValueError("PINECONE_API_KEY is empty; set it from the Pinecone console (API Keys)")
        self.embedder = embedder
        self.index_name = index_name
        self._pc = Pinecone(api_key=api_key)
        if not host:
            if create and not self._pc.indexes.exists(index_name):
                log.info("creating Pinecone index %s (%d dims, cosine)", index_name, embedder.dimensions)
                self._pc.indexes.create(
                    name=index_name,
                    dimension=embedder.dimensions,
                    metric="cosine",
                    spec=ServerlessSpec(cloud=cloud, region=region),
                )
            self.index = self._pc.index(name=index_name)
        else:
            self.index = self._pc.index(host=host)

    def describe(self) -> dict[str, str]:
        """Backend, index and embedder (never the key)."""
        return {"backend": self.name, "index": self.index_name, "embedder": self.embedder.name}

    def upsert(self, namespace: str, records: list[MemoryRecord]) -> int:
        """Insert or replace records by id; returns how many were written."""
        check_namespace(namespace)
        written = 0
        for start in range(0, len(records), UPSERT_BATCH):
            batch = records[start : start + UPSERT_BATCH]
            vectors = self.embedder.embed([text for _, text, _ in batch])
            payload = [
                {"id": rid, "values": vector, "metadata": flat_metadata({**meta, "text": text})}
                for (rid, text, meta), vector in zip(batch, vectors)
            ]
            written += self.index.upsert(vectors=payload, namespace=namespace).upserted_count
        return written

    def query(self, namespace: str, text: str, top_k: int = 4) -> list[KnowledgePassage]:
        """The `top_k` passages closest to `text`, best first (Pinecone's cosine score)."""
        check_namespace(namespace)
        if top_k < 1:
            return []
        vector = self.embedder.embed([text])[0]
        if not any(vector):
            return []  # Pinecone refuses an all-zero query vector under cosine
        response = self.index.query(vector=vector, top_k=top_k, namespace=namespace, include_metadata=True)
        passages = []
        for match in response.matches:
            metadata = dict(match.metadata or {})
            passages.append(passage_from(str(metadata.pop("text", "")), metadata, match.score or 0.0))
        return passages

    def list_ids(self, namespace: str, prefix: str = "") -> set[str]:
        """The ids stored in a namespace (Pinecone's paginated list), optionally by prefix."""
        check_namespace(namespace)
        ids: set[str] = set()
        for page in self.index.list(prefix=prefix or None, namespace=namespace):
            ids.update(str(item.id) if hasattr(item, "id") else str(item) for item in page.vectors)
        return ids

    def delete(self, namespace: str, ids: list[str]) -> None:
        """Remove records by id."""
        check_namespace(namespace)
        for start in range(0, len(ids), DELETE_BATCH):
            self.index.delete(ids=ids[start : start + DELETE_BATCH], namespace=namespace)

    def delete_namespace(self, namespace: str) -> None:
        """Remove every record of a namespace (deleteAll)."""
        check_namespace(namespace)
        if self.stats(namespace).count:
            self.index.delete(delete_all=True, namespace=namespace)

    def stats(self, namespace: str) -> NamespaceStats:
        """Vector count from describe_index_stats; bytes estimated as float32 values plus stored text."""
        check_namespace(namespace)
        summary = self.index.describe_index_stats().namespaces.get(namespace)
        count = summary.vector_count if summary else 0
        # Pinecone does not report bytes per namespace here: float32 values are exact, and
        # metadata is estimated from the serialized JSON of a sample of records.
        per_vector = self.embedder.dimensions * 4
        if count:
            sample = list(self.list_ids(namespace))[:20]
            fetched = self.index.fetch(ids=sample, namespace=namespace).vectors if sample else {}
            sizes = [len(json.dumps(dict(v.metadata or {}), ensure_ascii=False).encode()) for v in fetched.values()]
            per_vector += int(sum(sizes) / len(sizes)) if sizes else 0
        return NamespaceStats(count, count * per_vector, estimated=True)

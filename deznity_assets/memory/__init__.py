"""Vector memory: house knowledge and per-client decisions, in Pinecone or an embedded SQLite file."""

from .base import HOUSE_NAMESPACE, MemoryRecord, NamespaceStats, VectorMemory, client_namespace

__all__ = ["HOUSE_NAMESPACE", "MemoryRecord", "NamespaceStats", "VectorMemory", "client_namespace"]

"""The vector memory resource: Pinecone when PINECONE_API_KEY is set, else an embedded SQLite file."""

from __future__ import annotations

import threading
from pathlib import Path

import dagster as dg

from ..config import secret_value, setting
from ..memory.base import VectorMemory
from ..memory.embeddings import Embedder
from .openai_account import OpenAIResource
from .storage import is_remote

_lock = threading.Lock()
_memories: dict[tuple[object, ...], VectorMemory] = {}


class MemoryResource(dg.ConfigurableResource):
    """Vector memory: house knowledge to retrieve, and each client's agent decisions."""

    pinecone_api_key: str | None = setting(
        "PINECONE_API_KEY",
        None,
        "vector memory in Pinecone (else an embedded SQLite file under the state folder)",
        secret="always",
    )
    pinecone_index_name: str = setting(
        "PINECONE_INDEX_NAME", "deznity-core", "the Pinecone index (1536 dimensions, cosine)"
    )
    pinecone_host: str | None = setting(
        "PINECONE_HOST", None, "the index's host (skips a describe call)", secret="credentials"
    )
    pinecone_create: bool = setting("DEZNITY_PINECONE_CREATE", False, "1: create the index when it is missing")
    pinecone_cloud: str = setting("PINECONE_CLOUD", "aws", "cloud of a created index")
    pinecone_region: str = setting("PINECONE_REGION", "us-east-1", "region of a created index")
    memory_dir: str = setting(
        "DEZNITY_MEMORY_DIR",
        "",
        "embedded vector memory folder (a local disk; memory shared by several machines is Pinecone)",
        shown_default="<state>/memory",
    )
    embeddings: str = setting(
        "DEZNITY_EMBEDDINGS",
        "auto",
        "auto (OpenAI when OPENAI_API_KEY is set), openai or hashing (offline, deterministic)",
        choices=("auto", "openai", "hashing"),
    )
    openai: OpenAIResource

    def embedder(self) -> Embedder:
        """OpenAI text-embedding-3-small when chosen (or auto with a key), else the local hasher."""
        from ..memory.embeddings import HashingEmbedder, OpenAIEmbedder

        choice = (self.embeddings or "auto").strip().lower()
        if choice not in {"auto", "openai", "hashing"}:
            raise ValueError(f"DEZNITY_EMBEDDINGS={choice!r} is not known; use 'auto', 'openai' or 'hashing'")
        key = self.openai.key()
        if choice == "openai" and not key:
            raise ValueError("DEZNITY_EMBEDDINGS=openai needs OPENAI_API_KEY; set it or use DEZNITY_EMBEDDINGS=hashing")
        if key and choice != "hashing":
            return OpenAIEmbedder(key, base_url=self.openai.url())
        return HashingEmbedder()

    def open_memory(self) -> VectorMemory:
        """A new memory client for this configuration (not seeded)."""
        api_key = secret_value(self.pinecone_api_key)
        if api_key:
            from ..memory.pinecone_store import PineconeMemory

            return PineconeMemory(
                api_key,
                self.embedder(),
                index_name=self.pinecone_index_name,
                host=secret_value(self.pinecone_host) or None,
                create=self.pinecone_create,
                cloud=self.pinecone_cloud,
                region=self.pinecone_region,
            )
        from ..memory.sqlite import SqliteMemory

        if not self.memory_dir:
            raise ValueError("no memory folder: set DEZNITY_MEMORY_DIR (or DEZNITY_STATE_DIR)")
        if is_remote(self.memory_dir):
            # SQLite's locks do not hold on object or network storage: runs on several machines
            # share their memory through Pinecone instead.
            raise ValueError(
                f"DEZNITY_MEMORY_DIR: {self.memory_dir.split('://')[0]}:// is not supported; the embedded memory "
                "needs a local disk. For memory shared by every run set PINECONE_API_KEY and PINECONE_HOST"
            )
        return SqliteMemory(Path(self.memory_dir), self.embedder())

    def get_memory(self) -> VectorMemory:
        """The memory, shared within the process and seeded with the house knowledge once."""
        key = (
            secret_value(self.pinecone_api_key),
            self.pinecone_index_name,
            secret_value(self.pinecone_host),
            self.memory_dir,
            self.embeddings,
            self.openai.key(),
            self.openai.url(),
        )
        with _lock:
            if key not in _memories:
                from ..memory.knowledge import seed_knowledge

                memory = self.open_memory()
                # Idempotent (content-hash ids): a no-op when the knowledge is already there.
                seed_knowledge(memory)
                _memories[key] = memory
            return _memories[key]

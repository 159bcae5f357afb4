"""Pick the vector memory from the environment: Pinecone when PINECONE_API_KEY is set, else LanceDB on disk."""

from __future__ import annotations

import os
from pathlib import Path

from .base import VectorMemory
from .embeddings import embedder_from_env


def memory_from_env(env: dict[str, str] | None = None) -> VectorMemory:
    """Pinecone (PINECONE_API_KEY, PINECONE_INDEX_NAME, PINECONE_HOST) or LanceDB under <state>/memory."""
    if env is None:
        from ..settings import Settings

        settings = Settings.from_env()
        env = dict(os.environ)
    else:
        from ..settings import Settings

        settings = Settings.from_env(env)
    embedder = embedder_from_env(env)
    if env.get("PINECONE_API_KEY"):
        from .pinecone_store import DEFAULT_INDEX, PineconeMemory

        return PineconeMemory(
            env["PINECONE_API_KEY"], embedder, index_name=env.get("PINECONE_INDEX_NAME") or DEFAULT_INDEX,
            host=env.get("PINECONE_HOST") or None, create=env.get("DEZNITY_PINECONE_CREATE") == "1",
            cloud=env.get("PINECONE_CLOUD") or "aws", region=env.get("PINECONE_REGION") or "us-east-1",
        )
    from .lance import LanceMemory

    return LanceMemory(Path(env.get("DEZNITY_MEMORY_DIR") or settings.state_dir / "memory"), embedder)

"""Health checks for vector memory: Pinecone index shape, or the embedded SQLite file."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .embeddings import DIMENSIONS

if TYPE_CHECKING:
    from ..resources.memory import MemoryResource

Check = tuple[str, bool, str]


def check_memory(resource: MemoryResource) -> list[Check]:
    """(name, ok, message with the fix) for the configured vector memory."""
    try:
        embedder = resource.embedder()
        memory = resource.open_memory()
    except Exception as exc:  # noqa: BLE001 - report, do not crash the doctor
        return [("memory", False, f"{type(exc).__name__}: {exc}")]
    results: list[Check] = [
        (
            "embeddings",
            True,
            "OpenAI text-embedding-3-small"
            if embedder.name.startswith("openai")
            else "offline hashing embedder (set OPENAI_API_KEY for text-embedding-3-small)",
        )
    ]
    if memory.name != "pinecone":
        try:
            memory.stats("deznity-core")
            return results + [("memory", True, f"SQLite memory at {memory.describe()['path']} is usable")]
        except Exception as exc:  # noqa: BLE001
            return results + [("memory", False, f"SQLite memory unusable ({exc}); check DEZNITY_STATE_DIR is writable")]
    index_name = resource.pinecone_index_name
    try:
        stats = memory.index.describe_index_stats()  # type: ignore[attr-defined]
    except Exception as exc:  # noqa: BLE001
        return results + [
            (
                "pinecone index",
                False,
                f"index {index_name!r} unreachable ({type(exc).__name__}: "
                f"{str(exc).splitlines()[0] if str(exc) else ''}); check PINECONE_API_KEY and "
                "PINECONE_HOST, or set DEZNITY_PINECONE_CREATE=1 to create it",
            )
        ]
    ok_dim = stats.dimension == DIMENSIONS
    results.append(
        (
            "pinecone dimension",
            ok_dim,
            f"{index_name}: {stats.dimension} dimensions"
            if ok_dim
            else f"{index_name} has {stats.dimension} dimensions, embeddings have {DIMENSIONS}: recreate the "
            f"index with dimension {DIMENSIONS}, metric cosine",
        )
    )
    metric = stats.metric
    ok_metric = metric in (None, "cosine")
    results.append(
        (
            "pinecone metric",
            ok_metric,
            f"metric {metric or 'not reported (assumed cosine)'}"
            if ok_metric
            else f"{index_name} uses {metric}; recreate it with metric cosine",
        )
    )
    return results

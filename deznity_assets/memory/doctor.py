"""Health checks for vector memory: Pinecone index shape, or the embedded LanceDB folder."""

from __future__ import annotations

import os

from .embeddings import DIMENSIONS

Check = tuple[str, bool, str]


def check_memory(env: dict[str, str] | None = None) -> list[Check]:
    """(name, ok, message with the fix) for the configured vector memory."""
    env = dict(os.environ) if env is None else env
    results: list[Check] = [(
        "embeddings", True,
        "OpenAI text-embedding-3-small" if env.get("OPENAI_API_KEY") and env.get("DEZNITY_EMBEDDINGS") != "hashing"
        else "offline hashing embedder (set OPENAI_API_KEY for text-embedding-3-small)")]
    try:
        from .select import memory_from_env

        memory = memory_from_env(env)
    except Exception as exc:  # noqa: BLE001 - report, do not crash the doctor
        return results + [("memory", False, f"{type(exc).__name__}: {exc}")]
    if memory.name != "pinecone":
        try:
            memory.stats("deznity-core")
            return results + [("memory", True, f"LanceDB at {memory.describe()['path']} is usable")]
        except Exception as exc:  # noqa: BLE001
            return results + [("memory", False, f"LanceDB unusable ({exc}); check DEZNITY_STATE_DIR is writable")]
    index_name = env.get("PINECONE_INDEX_NAME") or "deznity-core"
    try:
        stats = memory.index.describe_index_stats()  # type: ignore[attr-defined]
    except Exception as exc:  # noqa: BLE001
        return results + [("pinecone index", False, f"index {index_name!r} unreachable ({type(exc).__name__}: "
                            f"{str(exc).splitlines()[0] if str(exc) else ''}); check PINECONE_API_KEY and "
                            "PINECONE_HOST, or set DEZNITY_PINECONE_CREATE=1 to create it")]
    ok_dim = stats.dimension == DIMENSIONS
    results.append(("pinecone dimension", ok_dim, f"{index_name}: {stats.dimension} dimensions" if ok_dim else
                    f"{index_name} has {stats.dimension} dimensions, embeddings have {DIMENSIONS}: recreate the "
                    f"index with dimension {DIMENSIONS}, metric cosine"))
    metric = stats.metric
    ok_metric = metric in (None, "cosine")
    results.append(("pinecone metric", ok_metric, f"metric {metric or 'not reported (assumed cosine)'}" if ok_metric
                    else f"{index_name} uses {metric}; recreate it with metric cosine"))
    return results

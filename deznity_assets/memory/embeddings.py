"""Text embeddings: OpenAI text-embedding-3-small, or a deterministic local hasher (chosen by MemoryResource)."""

from __future__ import annotations

import itertools
import math
import re
import struct
import unicodedata
from abc import ABC, abstractmethod

DIMENSIONS = 1536
OPENAI_MODEL = "text-embedding-3-small"
OPENAI_MAX_CHARS = 24_000  # well under the model's 8191-token input limit


class Embedder(ABC):
    """Turns texts into fixed-length vectors."""

    name: str
    dimensions: int = DIMENSIONS

    @abstractmethod
    def embed(self, texts: list[str]) -> list[list[float]]:
        """One vector per text, in order."""


class HashingEmbedder(Embedder):
    """Offline, deterministic embeddings: hashed counts of words and word pairs, L2-normalised.

    The same vectors as scikit-learn's HashingVectorizer(alternate_sign=False, norm="l2",
    ngram_range=(1, 2), strip_accents="unicode") that this replaced, so stored memories still match:
    scikit-learn and SciPy cost a run process about 80 MB for this one function.
    """

    def __init__(self, dimensions: int = DIMENSIONS):
        self.dimensions = dimensions
        self.name = f"hashing-{dimensions}"

    def embed(self, texts: list[str]) -> list[list[float]]:
        """One vector per text; an empty text gives the zero vector."""
        return [self._one(text) for text in texts]

    def _one(self, text: str) -> list[float]:
        vector = [0.0] * self.dimensions
        words = TOKEN_RE.findall(_strip_accents(text.lower()))
        for feature in [*words, *(f"{a} {b}" for a, b in itertools.pairwise(words))]:
            vector[_feature_index(feature, self.dimensions)] += 1.0
        norm = math.sqrt(sum(v * v for v in vector))
        return [v / norm for v in vector] if norm else vector


# scikit-learn's default token pattern: runs of two or more word characters.
TOKEN_RE = re.compile(r"(?u)\b\w\w+\b")


def _strip_accents(text: str) -> str:
    if text.isascii():
        return text
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _feature_index(feature: str, dimensions: int) -> int:
    h = murmurhash3_32(feature.encode("utf-8"))
    # As scikit-learn's FeatureHasher: abs() of the signed hash, with INT_MIN mapped as it maps it.
    return (2**31 - 1 - (dimensions - 1)) % dimensions if h == -(2**31) else abs(h) % dimensions


def murmurhash3_32(data: bytes, seed: int = 0) -> int:
    """MurmurHash3 (x86, 32-bit) of `data` as a signed integer, as scikit-learn's murmurhash3_32."""
    c1, c2, mask = 0xCC9E2D51, 0x1B873593, 0xFFFFFFFF
    h = seed & mask
    end = len(data) & ~3
    for (k,) in struct.iter_unpack("<I", data[:end]):
        k = (k * c1) & mask
        k = ((k << 15) | (k >> 17)) & mask
        h ^= (k * c2) & mask
        h = ((h << 13) | (h >> 19)) & mask
        h = (h * 5 + 0xE6546B64) & mask
    tail = data[end:]
    k = 0
    for i, byte in enumerate(tail):
        k |= byte << (8 * i)
    if tail:
        k = (k * c1) & mask
        k = ((k << 15) | (k >> 17)) & mask
        h ^= (k * c2) & mask
    h ^= len(data)
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & mask
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & mask
    h ^= h >> 16
    return h - 2**32 if h & 0x80000000 else h


class OpenAIEmbedder(Embedder):
    """OpenAI text-embedding-3-small (1536 dimensions) through the openai SDK."""

    def __init__(self, api_key: str, *, model: str = OPENAI_MODEL, base_url: str | None = None, batch: int = 96):
        from openai import OpenAI

        self.model = model
        self.name = f"openai-{model}"
        self.batch = batch
        self._client = OpenAI(api_key=api_key, base_url=base_url or None)

    def embed(self, texts: list[str]) -> list[list[float]]:
        """One vector per text, sent in batches."""
        vectors: list[list[float]] = []
        for start in range(0, len(texts), self.batch):
            chunk = [t[:OPENAI_MAX_CHARS] or " " for t in texts[start : start + self.batch]]
            response = self._client.embeddings.create(model=self.model, input=chunk, dimensions=self.dimensions)
            vectors.extend(item.embedding for item in sorted(response.data, key=lambda d: d.index))
        return vectors

"""Text embeddings: OpenAI text-embedding-3-small, or a deterministic local hasher (chosen by MemoryResource)."""

from __future__ import annotations

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
    """Offline, deterministic embeddings: scikit-learn's HashingVectorizer over words and word pairs, L2-normalised."""

    def __init__(self, dimensions: int = DIMENSIONS):
        from sklearn.feature_extraction.text import HashingVectorizer

        self.dimensions = dimensions
        self.name = f"hashing-{dimensions}"
        self._vectorizer = HashingVectorizer(
            n_features=dimensions,
            alternate_sign=False,
            norm="l2",
            ngram_range=(1, 2),
            strip_accents="unicode",
            lowercase=True,
        )

    def embed(self, texts: list[str]) -> list[list[float]]:
        """One vector per text; an empty text gives the zero vector."""
        matrix = self._vectorizer.transform(texts)
        return [row.toarray().ravel().astype(float).tolist() for row in matrix]


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

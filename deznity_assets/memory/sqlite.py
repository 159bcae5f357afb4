"""The embedded default memory: one SQLite file per embedder, searched by brute-force cosine similarity."""

from __future__ import annotations

import json
import math
import sqlite3
import struct
import zlib
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from ..agents.provider import KnowledgePassage
from .base import MemoryRecord, NamespaceStats, VectorMemory, check_namespace, passage_from
from .embeddings import Embedder

SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    namespace TEXT NOT NULL,
    id TEXT NOT NULL,
    text TEXT NOT NULL,
    metadata TEXT NOT NULL,
    vector BLOB NOT NULL,
    PRIMARY KEY (namespace, id)
)
"""


def pack_vector(vector: list[float]) -> bytes:
    """A vector as zlib-compressed half floats: ranking needs no more precision, and hashed vectors are mostly zeros."""
    return zlib.compress(struct.pack(f"<{len(vector)}e", *vector))


def unpack_vector(blob: bytes) -> tuple[float, ...]:
    """The vector `pack_vector` stored."""
    raw = zlib.decompress(blob)
    return struct.unpack(f"<{len(raw) // 2}e", raw)


def cosine(a: tuple[float, ...] | list[float], b: tuple[float, ...] | list[float]) -> float:
    """Cosine similarity of two vectors (0 when either is zero)."""
    dot = math.fsum(x * y for x, y in zip(a, b))
    norm = math.sqrt(math.fsum(x * x for x in a)) * math.sqrt(math.fsum(y * y for y in b))
    return dot / norm if norm else 0.0


class SqliteMemory(VectorMemory):
    """Vector memory in `<root>/<embedder name>/memory.sqlite` (vectors of different embedders never mix).

    A namespace holds a client's few decisions or the house knowledge (tens of passages), so a scan
    of the namespace finds the nearest passages in milliseconds; SQLite (in the standard library)
    keeps a run process free of a vector database's 100 MB of imports, and WAL with a busy timeout
    lets every run process of the machine write to the one file.
    """

    name = "sqlite"

    def __init__(self, root: Path, embedder: Embedder):
        self.embedder = embedder
        self.path = Path(root) / embedder.name
        self.path.mkdir(parents=True, exist_ok=True)
        self.file = self.path / "memory.sqlite"
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        # A connection per call: threads and processes never share one, and the busy timeout
        # queues concurrent writers instead of failing them.
        with closing(sqlite3.connect(self.file, timeout=60)) as db, db:
            yield db

    def describe(self) -> dict[str, str]:
        """Backend, embedder and file."""
        return {"backend": self.name, "embedder": self.embedder.name, "path": str(self.file)}

    def upsert(self, namespace: str, records: list[MemoryRecord]) -> int:
        """Insert or replace records by id; returns how many were written."""
        check_namespace(namespace)
        if not records:
            return 0
        vectors = self.embedder.embed([text for _, text, _ in records])
        rows = [
            (namespace, rid, text, json.dumps(meta, ensure_ascii=False, default=str), pack_vector(vector))
            for (rid, text, meta), vector in zip(records, vectors)
        ]
        with self._connect() as db:
            db.executemany("INSERT OR REPLACE INTO records VALUES (?, ?, ?, ?, ?)", rows)
        return len(rows)

    def query(self, namespace: str, text: str, top_k: int = 4) -> list[KnowledgePassage]:
        """The `top_k` passages closest to `text`, best first (score = cosine similarity)."""
        check_namespace(namespace)
        if top_k < 1:
            return []
        with self._connect() as db:
            rows = db.execute("SELECT text, metadata, vector FROM records WHERE namespace = ?", (namespace,)).fetchall()
        if not rows:
            return []
        vector = self.embedder.embed([text])[0]
        scored = sorted(((cosine(vector, unpack_vector(blob)), t, m) for t, m, blob in rows), key=lambda r: -r[0])
        # Half-float rounding may push an identical vector's similarity a hair over 1.
        return [passage_from(t, json.loads(m), min(1.0, score)) for score, t, m in scored[:top_k]]

    def list_ids(self, namespace: str, prefix: str = "") -> set[str]:
        """The ids stored in a namespace, optionally only those starting with `prefix`."""
        check_namespace(namespace)
        with self._connect() as db:
            ids = [r[0] for r in db.execute("SELECT id FROM records WHERE namespace = ?", (namespace,))]
        return {i for i in ids if i.startswith(prefix)}

    def delete(self, namespace: str, ids: list[str]) -> None:
        """Remove records by id."""
        check_namespace(namespace)
        with self._connect() as db:
            db.executemany("DELETE FROM records WHERE namespace = ? AND id = ?", [(namespace, i) for i in ids])

    def delete_namespace(self, namespace: str) -> None:
        """Remove every record of the namespace."""
        check_namespace(namespace)
        with self._connect() as db:
            db.execute("DELETE FROM records WHERE namespace = ?", (namespace,))

    def stats(self, namespace: str) -> NamespaceStats:
        """Rows in the namespace and the bytes they hold (id, text, metadata and compressed vector)."""
        check_namespace(namespace)
        with self._connect() as db:
            count, size = db.execute(
                "SELECT count(*), coalesce(sum(length(CAST(id AS BLOB)) + length(CAST(text AS BLOB))"
                " + length(CAST(metadata AS BLOB)) + length(vector)), 0) FROM records WHERE namespace = ?",
                (namespace,),
            ).fetchone()
        return NamespaceStats(int(count), int(size))

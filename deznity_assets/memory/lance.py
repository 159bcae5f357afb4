"""The embedded default memory: LanceDB tables on local disk, one table per namespace."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import lancedb
import pyarrow as pa

from ..agents.provider import KnowledgePassage
from .base import MemoryRecord, NamespaceStats, VectorMemory, check_namespace, passage_from
from .embeddings import Embedder


class LanceMemory(VectorMemory):
    """Vector memory in LanceDB under `<root>/<embedder name>/` (vectors of different embedders never mix)."""

    name = "lancedb"

    def __init__(self, root: Path | str, embedder: Embedder, *, storage_options: dict[str, str] | None = None):
        self.embedder = embedder
        # An s3:// root keeps the tables in object storage, shared by every run (Kubernetes pods).
        self.remote = str(root).startswith(("s3://", "s3a://"))
        self.path: Path | str
        if self.remote:
            self.path = f"{str(root).rstrip('/')}/{embedder.name}"
        else:
            self.path = Path(root) / embedder.name
            self.path.mkdir(parents=True, exist_ok=True)
        self._db = lancedb.connect(str(self.path), storage_options=storage_options)
        # A phase's agents write to the same client table from two threads; LanceDB's table
        # creation and commits are not safe to race within one process.
        self._lock = threading.RLock()
        self._schema = pa.schema(
            [
                pa.field("id", pa.string()),
                pa.field("text", pa.string()),
                pa.field("metadata", pa.string()),
                pa.field("vector", pa.list_(pa.float32(), embedder.dimensions)),
            ]
        )

    def describe(self) -> dict[str, str]:
        """Backend, embedder and folder."""
        return {"backend": self.name, "embedder": self.embedder.name, "path": str(self.path)}

    def _tables(self) -> set[str]:
        return set(self._db.list_tables().tables)

    def _table(self, namespace: str, *, create: bool):
        check_namespace(namespace)
        with self._lock:
            if namespace in self._tables():
                return self._db.open_table(namespace)
            if not create:
                return None
            return self._db.create_table(namespace, schema=self._schema, exist_ok=True)

    def upsert(self, namespace: str, records: list[MemoryRecord]) -> int:
        """Insert or replace records by id; returns how many were written."""
        if not records:
            return 0
        vectors = self.embedder.embed([text for _, text, _ in records])
        rows = [
            {"id": rid, "text": text, "metadata": json.dumps(meta, ensure_ascii=False, default=str), "vector": vector}
            for (rid, text, meta), vector in zip(records, vectors)
        ]
        with self._lock:
            table = self._table(namespace, create=True)
            (
                table.merge_insert("id")
                .when_matched_update_all()
                .when_not_matched_insert_all()
                .execute(pa.Table.from_pylist(rows, schema=self._schema))
            )
        return len(rows)

    def query(self, namespace: str, text: str, top_k: int = 4) -> list[KnowledgePassage]:
        """The `top_k` passages closest to `text`, best first."""
        table = self._table(namespace, create=False)
        if table is None or top_k < 1:
            return []
        vector = self.embedder.embed([text])[0]
        hits = table.search(vector).distance_type("cosine").limit(top_k).to_list()
        # LanceDB reports cosine distance; callers get similarity like Pinecone's score.
        return [passage_from(h["text"], json.loads(h["metadata"]), 1.0 - float(h["_distance"])) for h in hits]

    def list_ids(self, namespace: str, prefix: str = "") -> set[str]:
        """The ids stored in a namespace, optionally only those starting with `prefix`."""
        table = self._table(namespace, create=False)
        if table is None:
            return set()
        ids = table.to_arrow().column("id").to_pylist()
        return {i for i in ids if i.startswith(prefix)}

    def delete(self, namespace: str, ids: list[str]) -> None:
        """Remove records by id."""
        table = self._table(namespace, create=False)
        if table is None or not ids:
            return
        quoted = ", ".join("'" + i.replace("'", "''") + "'" for i in ids)
        with self._lock:
            table.delete(f"id IN ({quoted})")

    def delete_namespace(self, namespace: str) -> None:
        """Drop the namespace's table."""
        if self._table(namespace, create=False) is not None:
            self._db.drop_table(namespace)

    def stats(self, namespace: str) -> NamespaceStats:
        """Rows in the namespace and bytes its table takes on disk (data, index and version files)."""
        table = self._table(namespace, create=False)
        if table is None:
            return NamespaceStats(0, 0)
        table.optimize()  # fold away superseded versions so the bytes reflect what is kept
        if isinstance(self.path, str):
            return NamespaceStats(table.count_rows(), 0)  # object storage: sizes are the bucket's to tell
        folder = self.path / f"{namespace}.lance"
        size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) if folder.exists() else 0
        return NamespaceStats(table.count_rows(), size)

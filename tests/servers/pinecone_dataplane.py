"""A local HTTP server on 127.0.0.1 speaking Pinecone's data-plane REST API, with real cosine similarity.

Serves what PineconeMemory sends through the `pinecone` SDK: POST /vectors/upsert,
POST /query, POST /vectors/delete (ids or deleteAll per namespace), POST
/describe_index_stats, GET /vectors/list (prefix, pagination) and GET /vectors/fetch.
Requests must carry the Api-Key header it was started with.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

import numpy as np

from tests.servers.loopback import LoopbackServer

PAGE = 100


class PineconeDataPlane(LoopbackServer):
    """One serverless index's data plane held in memory: namespace -> id -> (values, metadata)."""

    thread_name = "pinecone"

    def __init__(self, api_key: str = "pc-local-test-key", *, dimension: int = 1536, metric: str = "cosine"):
        super().__init__()
        self.api_key = api_key
        self.dimension = dimension
        self.metric = metric
        self.namespaces: dict[str, dict[str, tuple[np.ndarray, dict[str, Any]]]] = {}
        self.requests: list[tuple[str, str]] = []
        self._lock = threading.Lock()

    @property
    def host(self) -> str:
        """The index host to pass to Pinecone.index(host=...)."""
        return self.base_url

    # ----- protocol ----------------------------------------------------------------------

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = json.loads(handler.rfile.read(length) or b"{}") if length else {}
        parts = urlsplit(handler.path)
        query = parse_qs(parts.query)
        with self._lock:
            self.requests.append((handler.command, parts.path))
            if handler.headers.get("Api-Key") != self.api_key:
                status, answer = 401, {"code": 16, "message": "Invalid API Key", "details": []}
            else:
                status, answer = self._route(handler.command, parts.path, body, query)
        payload = json.dumps(answer).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(payload)))
        handler.end_headers()
        handler.wfile.write(payload)

    def _route(self, method: str, path: str, body: dict[str, Any], query: dict[str, list[str]]) -> tuple[int, Any]:
        routes = {
            ("POST", "/vectors/upsert"): self._upsert,
            ("POST", "/query"): self._query,
            ("POST", "/vectors/delete"): self._delete,
            ("POST", "/describe_index_stats"): self._stats,
            ("GET", "/vectors/list"): self._list,
            ("GET", "/vectors/fetch"): self._fetch,
        }
        route = routes.get((method, path))
        if route is None:
            return 404, {"code": 5, "message": f"Not Found: {method} {path}", "details": []}
        try:
            return 200, route(body, query)
        except ValueError as exc:
            return 400, {"code": 3, "message": str(exc), "details": []}

    def _upsert(self, body: dict[str, Any], _q: Any) -> dict[str, Any]:
        space = self.namespaces.setdefault(body.get("namespace", ""), {})
        for vector in body["vectors"]:
            values = np.asarray(vector["values"], dtype=np.float32)
            if values.shape != (self.dimension,):
                raise ValueError(
                    f"Vector dimension {values.shape[0]} does not match the dimension of the index {self.dimension}"
                )
            space[vector["id"]] = (values, vector.get("metadata") or {})
        return {"upsertedCount": len(body["vectors"])}

    def _query(self, body: dict[str, Any], _q: Any) -> dict[str, Any]:
        space = self.namespaces.get(body.get("namespace", ""), {})
        vector = np.asarray(body["vector"], dtype=np.float32)
        if vector.shape != (self.dimension,):
            raise ValueError(
                f"Vector dimension {vector.shape[0]} does not match the dimension of the index {self.dimension}"
            )
        norm = float(np.linalg.norm(vector))
        if norm == 0:
            raise ValueError("Query vector must contain at least one non-zero value for cosine metric")
        scored = []
        for vid, (values, metadata) in space.items():
            denom = norm * float(np.linalg.norm(values))
            scored.append((float(values @ vector) / denom if denom else 0.0, vid, metadata, values))
        scored.sort(key=lambda s: (-s[0], s[1]))
        matches = []
        for score, vid, metadata, values in scored[: int(body.get("topK", 10))]:
            match: dict[str, Any] = {"id": vid, "score": score, "values": []}
            if body.get("includeMetadata"):
                match["metadata"] = metadata
            if body.get("includeValues"):
                match["values"] = values.tolist()
            matches.append(match)
        return {"matches": matches, "namespace": body.get("namespace", ""), "usage": {"readUnits": 1}}

    def _delete(self, body: dict[str, Any], _q: Any) -> dict[str, Any]:
        namespace = body.get("namespace", "")
        if body.get("deleteAll"):
            self.namespaces.pop(namespace, None)
        else:
            space = self.namespaces.get(namespace, {})
            for vid in body.get("ids", []):
                space.pop(vid, None)
        return {}

    def _stats(self, _body: dict[str, Any], _q: Any) -> dict[str, Any]:
        counts = {ns: {"vectorCount": len(space)} for ns, space in self.namespaces.items() if space}
        return {
            "namespaces": counts,
            "dimension": self.dimension,
            "indexFullness": 0.0,
            "totalVectorCount": sum(c["vectorCount"] for c in counts.values()),
            "metric": self.metric,
            "vectorType": "dense",
        }

    def _list(self, _body: dict[str, Any], query: dict[str, list[str]]) -> dict[str, Any]:
        namespace = query.get("namespace", [""])[0]
        prefix = query.get("prefix", [""])[0]
        limit = int(query.get("limit", [PAGE])[0])
        start = int(query.get("paginationToken", ["0"])[0])
        ids = sorted(i for i in self.namespaces.get(namespace, {}) if i.startswith(prefix))
        page = ids[start : start + limit]
        answer: dict[str, Any] = {
            "vectors": [{"id": i} for i in page],
            "namespace": namespace,
            "usage": {"readUnits": 1},
        }
        if start + limit < len(ids):
            answer["pagination"] = {"next": str(start + limit)}
        return answer

    def _fetch(self, _body: dict[str, Any], query: dict[str, list[str]]) -> dict[str, Any]:
        namespace = query.get("namespace", [""])[0]
        space = self.namespaces.get(namespace, {})
        found = {
            i: {"id": i, "values": space[i][0].tolist(), "metadata": space[i][1]}
            for i in query.get("ids", [])
            if i in space
        }
        return {"vectors": found, "namespace": namespace, "usage": {"readUnits": 1}}


__all__ = ["PineconeDataPlane"]

"""The frame the hosting API servers share: bearer-token auth, a request log, faults on schedule, JSON answers."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.servers.loopback import LoopbackServer


@dataclass
class Fault:
    """An answer given instead of the real one, to the next `times` requests matching method and path prefix."""

    status: int
    body: dict[str, Any]
    method: str | None = None
    path: str = ""
    retry_after: str | None = None
    times: int = 1

    def matches(self, method: str, path: str) -> bool:
        return (self.method is None or self.method == method) and path.startswith(self.path)


@dataclass
class Request:
    """One request as the server saw it, and what it answered."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    status: int = 0
    at: float = 0.0


class RestApiServer(LoopbackServer):
    """Answers `route(request)`; checks the bearer token first; logs every request with its answer."""

    methods = ("GET", "POST", "PUT")
    unauthorized: tuple[int, dict[str, Any]] = (401, {"message": "unauthorized"})

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token
        self.requests: list[Request] = []
        self.faults: list[Fault] = []
        self.lock = threading.RLock()

    def fail(
        self,
        status: int,
        body: dict[str, Any],
        *,
        method: str | None = None,
        path: str = "",
        retry_after: str | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next `times` matching requests with `status` and `body` ("{auth}" in it: the header sent)."""
        with self.lock:
            self.faults.append(Fault(status, body, method, path, retry_after, times))

    def seen(self, method: str, path: str = "") -> list[Request]:
        """The requests with this method whose path starts with `path`, in order."""
        with self.lock:
            return [r for r in self.requests if r.method == method and r.path.startswith(path)]

    def route(self, request: Request) -> tuple[int, Any]:
        """The real answer: (status, JSON body or None for an empty body)."""
        raise NotImplementedError

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        body = handler.rfile.read(int(handler.headers.get("Content-Length") or 0))
        request = Request(
            method=handler.command,
            path=parts.path,
            query={k: v[-1] for k, v in parse_qs(parts.query).items()},
            headers={k.lower(): v for k, v in handler.headers.items()},
            body=body,
            at=time.monotonic(),
        )
        extra: dict[str, str] = {}
        with self.lock:
            self.requests.append(request)
            fault = next((f for f in self.faults if f.matches(request.method, request.path)), None)
            if fault is not None:
                fault.times -= 1
                if fault.times <= 0:
                    self.faults.remove(fault)
        if fault is not None:
            auth = request.headers.get("authorization", "")
            status, answer = fault.status, json.loads(json.dumps(fault.body).replace("{auth}", auth))
            if fault.retry_after is not None:
                extra["Retry-After"] = fault.retry_after
        elif request.headers.get("authorization") != f"Bearer {self.token}":
            status, answer = self.unauthorized
        else:
            status, answer = self.route(request)
        request.status = status
        data = b"" if answer is None else json.dumps(answer).encode("utf-8")
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json; charset=utf-8")
        handler.send_header("Content-Length", str(len(data)))
        for key, value in extra.items():
            handler.send_header(key, value)
        handler.end_headers()
        handler.wfile.write(data)

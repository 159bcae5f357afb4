"""A real HTTP server on 127.0.0.1 speaking the OpenAI Chat Completions wire protocol, scripted per test."""

from __future__ import annotations

import json
import socket
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ContentFn = Callable[[dict[str, Any]], str]


@dataclass
class Behaviour:
    """How the server answers one POST /v1/chat/completions."""

    kind: str  # answer | error | drop | slow
    content: str | ContentFn | None = None  # None: a valid instance of the requested JSON schema
    refusal: str | None = None
    status: int = 200
    error: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    finish_reason: str = "stop"
    cut_at: float | None = None  # answer only this fraction of the content (a truncated answer)


# ----- behaviours a test queues -------------------------------------------------------------


def valid() -> Behaviour:
    """A valid instance of the schema in the request's response_format (or of `default_schema` in JSON mode)."""
    return Behaviour("answer")


def content(value: str | ContentFn) -> Behaviour:
    """The given assistant content, or a callable(request body) -> content."""
    return Behaviour("answer", content=value)


def schema_violation() -> Behaviour:
    """Well-formed JSON that matches no deliverable schema."""
    return Behaviour("answer", content=json.dumps({"unexpected_field": True}))


def invalid_json() -> Behaviour:
    """Text that is not JSON at all."""
    return Behaviour("answer", content='{"summary": "cut off')


def truncated(fraction: float = 0.5, value: str | ContentFn | None = None) -> Behaviour:
    """An answer (`value`, default valid()) cut off part-way, finish_reason "length": max_tokens ran out."""
    return Behaviour("answer", content=value, finish_reason="length", cut_at=fraction)


def refusal(text: str = "I'm sorry, I can't help with that.") -> Behaviour:
    """A refusal: message.refusal set, content null."""
    return Behaviour("answer", refusal=text)


def empty_answer() -> Behaviour:
    """A 200 with empty content."""
    return Behaviour("answer", content="", finish_reason="length")


def rate_limited(retry_after: str | None = "0.01", retry_after_ms: str | None = None) -> Behaviour:
    """429 Too Many Requests with Retry-After (seconds) and/or retry-after-ms headers."""
    headers = {}
    if retry_after is not None:
        headers["Retry-After"] = retry_after
    if retry_after_ms is not None:
        headers["retry-after-ms"] = retry_after_ms
    return error(429, "Rate limit reached for requests", code="rate_limit_exceeded", headers=headers)


def server_error(status: int = 500) -> Behaviour:
    """A 5xx with an OpenAI-style error body."""
    return error(status, "The server had an error while processing your request.", code="server_error")


def error(
    status: int,
    message: str,
    *,
    code: str | None = None,
    type_: str = "invalid_request_error",
    param: str | None = None,
    headers: dict[str, str] | None = None,
) -> Behaviour:
    """Any error status with OpenAI's error body shape."""
    body = {"message": message, "type": type_, "param": param, "code": code}
    return Behaviour("error", status=status, error=body, headers=headers or {})


def slow(seconds: float) -> Behaviour:
    """A valid answer that only starts after `seconds` (longer than the client's timeout in tests)."""
    return Behaviour("slow", delay=seconds)


def dropped_connection() -> Behaviour:
    """Close the connection without sending any response."""
    return Behaviour("drop")


# ----- a valid instance of a JSON schema ------------------------------------------------------


def instance_of(schema: dict[str, Any], root: dict[str, Any] | None = None, path: str = "value") -> Any:
    """A deterministic value that satisfies `schema` (objects, arrays, enums, $ref, anyOf, bounds)."""
    root = root or schema
    if "$ref" in schema:
        target: Any = root
        for part in schema["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        return instance_of({**target, **{k: v for k, v in schema.items() if k != "$ref"}}, root, path)
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    if "anyOf" in schema:
        options = [s for s in schema["anyOf"] if s.get("type") != "null"] or schema["anyOf"]
        return instance_of(options[0], root, path)
    kind = schema.get("type", "object")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object":
        props = schema.get("properties", {})
        return {name: instance_of(sub, root, name) for name, sub in props.items()}
    if kind == "array":
        count = max(1, schema.get("minItems", 1))
        return [instance_of(schema.get("items", {}), root, f"{path} {i + 1}") for i in range(count)]
    if kind == "integer":
        return int(max(schema.get("minimum", 1), min(schema.get("maximum", 7), 7)))
    if kind == "number":
        return float(max(schema.get("minimum", 1), min(schema.get("maximum", 7.5), 7.5)))
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    text = f"Sample {path.replace('_', ' ')}"
    return text.ljust(schema.get("minLength", 0), ".")


# ----- the server ---------------------------------------------------------------------------


class OpenAICompatibleServer:
    """POST /v1/chat/completions and GET /v1/models on 127.0.0.1:<free port>; records every request."""

    def __init__(self, models: tuple[str, ...] = ("test-model",), api_key: str | None = None):
        self.models = models
        self.api_key = api_key  # when set, other keys get OpenAI's 401 (which quotes the key it got)
        self.requests: list[dict[str, Any]] = []
        self.default_schema: dict[str, Any] | None = None  # for JSON mode, where the request has no schema
        self.otherwise: Behaviour | None = None  # the answer once the script is used up (default: valid())
        # Chooses the behaviour from the request body (before the script) when set: faults per task.
        self.route: Callable[[dict[str, Any]], Behaviour | None] | None = None
        self._queue: deque[Behaviour] = deque()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, args=(0.02,), name="openai-compatible-server", daemon=True
        )

    @property
    def base_url(self) -> str:
        """The base URL the OpenAI SDK takes, ending in /v1."""
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    @property
    def completions(self) -> list[dict[str, Any]]:
        """Recorded chat-completion request bodies, in arrival order."""
        with self._lock:
            return [r["body"] for r in self.requests if r["path"].endswith("/chat/completions")]

    def script(self, *behaviours: Behaviour) -> None:
        """Queue behaviours for the next requests; once the queue is empty, answers are `otherwise` or valid()."""
        with self._lock:
            self._queue.extend(behaviours)

    def start(self) -> OpenAICompatibleServer:
        """Serve in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port (slow answers are cut short)."""
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> OpenAICompatibleServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _next(self, body: dict[str, Any]) -> Behaviour:
        routed = self.route(body) if self.route is not None else None
        if routed is not None:
            return routed
        with self._lock:
            return self._queue.popleft() if self._queue else self.otherwise or valid()

    def _record(self, handler: BaseHTTPRequestHandler, body: Any) -> None:
        with self._lock:
            self.requests.append(
                {
                    "method": handler.command,
                    "path": handler.path,
                    "headers": {k.lower(): v for k, v in handler.headers.items()},
                    "body": body,
                }
            )

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
                pass

            def do_GET(self) -> None:
                server._record(self, None)
                if self.path.rstrip("/") != "/v1/models":
                    return self._json(404, {"error": {"message": f"Unknown path {self.path}", "type": "not_found"}})
                data = [{"id": m, "object": "model", "created": 0, "owned_by": "deznity-tests"} for m in server.models]
                self._json(200, {"object": "list", "data": data})

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw)
                except json.JSONDecodeError:
                    body = {"_raw": raw.decode("utf-8", "replace")}
                server._record(self, body)
                if self.path.rstrip("/") != "/v1/chat/completions":
                    return self._json(404, {"error": {"message": f"Unknown path {self.path}", "type": "not_found"}})
                got_key = (self.headers.get("authorization") or "").removeprefix("Bearer ")
                if server.api_key is not None and got_key != server.api_key:
                    return self._json(
                        401,
                        {
                            "error": {
                                "message": f"Incorrect API key provided: {got_key}. "
                                "Find your API key on the dashboard.",
                                "type": "invalid_request_error",
                                "param": None,
                                "code": "invalid_api_key",
                            }
                        },
                    )
                behaviour = server._next(body)
                if behaviour.kind == "drop":
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if behaviour.kind == "error":
                    return self._json(behaviour.status, {"error": behaviour.error}, behaviour.headers)
                if behaviour.kind == "slow" and server._stopping.wait(behaviour.delay):
                    return
                try:
                    self._json(200, server._completion(body, behaviour))
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout) before the answer came

            def _json(self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> None:
                data = json.dumps(payload).encode("utf-8")
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

        return Handler

    def _completion(self, body: dict[str, Any], behaviour: Behaviour) -> dict[str, Any]:
        text: str | None
        if behaviour.refusal is not None:
            text = None
        elif callable(behaviour.content):
            text = behaviour.content(body)
        elif behaviour.content is not None:
            text = behaviour.content
        else:
            text = json.dumps(instance_of(self._requested_schema(body)))
        if behaviour.cut_at is not None and text:
            text = text[: int(len(text) * behaviour.cut_at)]
        prompt_tokens = max(1, len(json.dumps(body.get("messages", []))) // 4)
        completion_tokens = len(text or behaviour.refusal or "") // 4
        return {
            "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", self.models[0]),
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text, "refusal": behaviour.refusal},
                    "logprobs": None,
                    "finish_reason": behaviour.finish_reason,
                }
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
            "system_fingerprint": "fp_deznity_tests",
        }

    def _requested_schema(self, body: dict[str, Any]) -> dict[str, Any]:
        fmt = body.get("response_format") or {}
        if fmt.get("type") == "json_schema":
            return fmt["json_schema"]["schema"]
        if self.default_schema is not None:
            return self.default_schema
        return {"type": "object", "properties": {"answer": {"type": "string"}}}

"""A webhook receiver on 127.0.0.1 that verifies Deznity signatures as docs/WEBHOOKS.md tells receivers to.

It checks the HMAC with its own secret (stdlib only, not the platform's code), refuses signatures
older than five minutes, remembers the event ids it acknowledged, and follows a script: answer
500, or sleep past the sender's timeout, on chosen requests. In Slack mode it takes `{"text": ...}`
as Slack does, answering 400 `no_text` to a message without text.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.servers.loopback import LoopbackServer

TOLERANCE_SECONDS = 300


class WebhookReceiver(LoopbackServer):
    """Receives webhooks; `plan` says what to do on the next requests (ok, 500, sleep, 429), then `otherwise`."""

    methods = ("POST",)
    thread_name = "webhook-receiver"

    def __init__(self, secret: str = "", *, slack: bool = False, sleep_seconds: float = 1.0) -> None:
        super().__init__()
        self.secret, self.slack, self.sleep_seconds = secret, slack, sleep_seconds
        self.plan: list[str] = []
        self.otherwise = "ok"  # what to do once the plan is used up ("500": an endpoint that is down)
        self.requests: list[dict[str, Any]] = []  # every request: headers, body, what was answered
        self.accepted: list[dict[str, Any]] = []  # acknowledged events (2xx in time), in arrival order
        self.rejected: list[str] = []  # why each refused signature was refused
        self._lock = threading.Lock()
        self.url = ""  # where to post (Slack mode: a path shaped like a Slack hook's token)

    def start(self) -> WebhookReceiver:
        """Listen; `url` stays known after `stop` (to test an endpoint nobody answers)."""
        super().start()
        self.url = f"{self.base_url}/services/T000/B000/{'slacktoken' if self.slack else 'hooks'}"
        return self

    def _verify(self, body: bytes, header: str) -> str | None:
        fields = dict(item.split("=", 1) for item in header.split(",") if "=" in item)
        try:
            timestamp = int(fields["t"])
        except (KeyError, ValueError):
            return "no timestamp"
        if abs(time.time() - timestamp) > TOLERANCE_SECONDS:
            return "stale timestamp"
        expected = hmac.new(self.secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
        return None if hmac.compare_digest(expected, fields.get("v1", "")) else "signature mismatch"

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        body = handler.rfile.read(int(handler.headers.get("Content-Length") or 0))
        with self._lock:
            step = self.plan.pop(0) if self.plan else self.otherwise
            record = {"headers": dict(handler.headers.items()), "body": body.decode("utf-8"), "step": step}
            self.requests.append(record)
        if step == "sleep":
            time.sleep(self.sleep_seconds)  # the sender gives up first; this answer is lost
            return self._answer(handler, 200, "too late")
        if step in {"500", "429"}:
            return self._answer(handler, int(step), "try again later")
        if self.slack:
            text = json.loads(body or b"{}").get("text")
            if not text:
                return self._answer(handler, 400, "no_text")
            with self._lock:
                self.accepted.append({"text": text})
            return self._answer(handler, 200, "ok")
        problem = self._verify(body, handler.headers.get("Deznity-Signature") or "")
        if problem:
            with self._lock:
                self.rejected.append(problem)
            return self._answer(handler, 401, problem)
        event = json.loads(body)
        assert event["id"] == handler.headers["Deznity-Event-Id"]
        with self._lock:
            self.accepted.append(event)
        self._answer(handler, 200, json.dumps({"received": event["id"]}))

    @staticmethod
    def _answer(handler: BaseHTTPRequestHandler, status: int, text: str) -> None:
        data = text.encode("utf-8")
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", "text/plain")
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the sender stopped waiting

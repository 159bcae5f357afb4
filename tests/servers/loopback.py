"""The shared frame of the local test servers: HTTP on a free port of 127.0.0.1, in a background thread."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class LoopbackServer:
    """Serves `methods` by calling `_handle(handler)`; subclasses speak the protocol."""

    methods: tuple[str, ...] = ("GET", "POST")
    thread_name = "loopback"

    def __init__(self) -> None:
        self._httpd: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        """http://127.0.0.1:<port> of the running server."""
        assert self._httpd is not None, "server not started"
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def start(self) -> Any:
        """Listen on a free port of 127.0.0.1 in a background thread."""
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # keep test output quiet
                pass

            def _serve(self) -> None:
                server._handle(self)

        for method in self.methods:
            setattr(Handler, f"do_{method}", Handler._serve)
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        threading.Thread(target=self._httpd.serve_forever, name=self.thread_name, daemon=True).start()
        return self

    def stop(self) -> None:
        """Stop listening."""
        if self._httpd:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> Any:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        raise NotImplementedError

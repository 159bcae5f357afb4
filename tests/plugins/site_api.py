"""The site API for the tests: the real app served by uvicorn on a free port, and a Redis server."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from deznity_assets.site_api.app import SERVER_OPTIONS, create_app
from deznity_assets.site_api.settings import SiteApiSettings, site_api_settings
from deznity_assets.store.base import ClientStore

SITE_BASE = "https://{slug}.sites.example"
TACO = {
    "business_name": "TacoLoco",
    "industry": "restaurant",
    "goal": "increase reservations",
    "color": "#FF6A00",
    "copy_tone": ["fun", "young"],
    "target_geo": "CDMX",
    "pages": ["home", "menu", "book"],
    "budget": "starter",
}


def free_port() -> int:
    """A port nobody listens on right now, on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class RunningApi:
    """A site API listening on 127.0.0.1: its URL and the store under it."""

    url: str
    store: ClientStore
    settings: SiteApiSettings

    def form_url(self, slug: str, form: str) -> str:
        """Where the host proxies a site's /api/forms/<form>."""
        return f"{self.url}/sites/{slug}/api/forms/{form}"


class ApiServer:
    """The real app under uvicorn in a background thread (started and stopped as a context manager)."""

    def __init__(self, store: ClientStore, **settings: str) -> None:
        env = {"DEZNITY_API_MIN_FILL_SECONDS": "0.5", **settings}
        self.settings = site_api_settings(env)
        app = create_app(store=store, settings=self.settings, site_base_url=SITE_BASE)
        self.port = free_port()
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, **SERVER_OPTIONS)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.store = store

    def __enter__(self) -> RunningApi:
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the site API did not start")
            time.sleep(0.02)
        return RunningApi(url=f"http://127.0.0.1:{self.port}", store=self.store, settings=self.settings)

    def __exit__(self, *exc: Any) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def published_client(store: ClientStore, brief: dict[str, Any] | None = None) -> str:
    """A client whose site is published (status completed); its slug."""
    row = store.add_client(dict(brief or TACO), status="completed")
    assert row.slug
    return row.slug


def site_origin(slug: str) -> str:
    """The origin the site is served from (DEZNITY_SITE_BASE_URL of the tests)."""
    return SITE_BASE.format(slug=slug)


def utc_today() -> str:
    """Today's date in UTC as a date input sends it."""
    return datetime.now(timezone.utc).date().isoformat()


@dataclass
class RedisServer:
    """A redis-server on a free port of 127.0.0.1."""

    url: str


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """Debian's redis-server on a free port, no persistence; the suite starts it as it starts PostgreSQL."""
    binary = shutil.which("redis-server") or (
        "/usr/bin/redis-server" if Path("/usr/bin/redis-server").exists() else None
    )
    if binary is None:
        message = "redis-server is not installed (apt-get install redis-server)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    port = free_port()
    folder = tmp_path_factory.mktemp("redis")
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 15
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                raise RuntimeError("redis-server did not start") from None
            time.sleep(0.05)
    try:
        yield RedisServer(url=f"redis://127.0.0.1:{port}/0")
    finally:
        proc.terminate()
        proc.wait(timeout=10)

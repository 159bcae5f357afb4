"""Commands that serve: the Dagster UI with the daemon, and a client's site for preview."""

from __future__ import annotations

import functools
import http.server
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..config import PROJECT_ROOT
from .common import load_platform

if TYPE_CHECKING:
    from ..platform import Platform


@click.command()
def ui() -> None:
    """The Dagster UI and daemon (`dagster dev`) on this workspace, sensors running."""
    serve(load_platform(), production=False)


def serve(platform: Platform, *, production: bool) -> None:
    """Run the webserver and daemon (two processes) or `dagster dev`, until Ctrl-C or one of them exits."""
    home = platform.settings.ensure_dagster_home()
    workspace = str(PROJECT_ROOT / "workspace.yaml")
    bindir = Path(sys.executable).parent
    host, port = platform.settings.ui_host, str(platform.settings.ui_port)
    if production:
        commands = [
            [str(bindir / "dagster-daemon"), "run", "-w", workspace],
            [str(bindir / "dagster-webserver"), "-w", workspace, "-h", host, "-p", port],
        ]
    else:
        commands = [[str(bindir / "dagster"), "dev", "-w", workspace, "-h", host, "-p", port]]
    poll = platform.resources["lifecycle"].poll_seconds
    click.echo(
        f"Dagster UI on http://{host}:{port} (DAGSTER_HOME={home}); "
        f"polling for pending clients every {poll}s. Ctrl-C stops.",
        err=True,
    )
    procs = [subprocess.Popen(cmd, cwd=PROJECT_ROOT) for cmd in commands]
    try:
        while all(p.poll() is None for p in procs):
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGINT)
        for p in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
    sys.exit(max((p.returncode or 0) for p in procs) if any(p.returncode for p in procs) else 0)


@click.command()
@click.argument("slug")
@click.option("--port", type=click.IntRange(0, 65535), default=0, help="Port to listen on (0: a free one).")
def preview(slug: str, port: int) -> None:
    """Serve a client's generated site on 127.0.0.1 and print its URL (Ctrl-C stops)."""
    from ..package import UnsafePathError, client_dir

    platform = load_platform()
    try:
        site = client_dir(platform.output_dir, slug) / "site"
    except UnsafePathError as exc:
        raise click.ClickException(str(exc)) from None
    if not (site / "index.html").exists():
        raise click.ClickException(f"no site for {slug} in {site}; process it first (`deznity simulate-client {slug}`)")
    handler = functools.partial(_QuietHandler, directory=str(site))
    with http.server.ThreadingHTTPServer(("127.0.0.1", port), handler) as server:
        click.echo(f"http://127.0.0.1:{server.server_address[1]}/", err=False)
        sys.stdout.flush()
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # one line per request is noise here
        pass


COMMANDS = [ui, preview]

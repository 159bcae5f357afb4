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
from ..topology import SPLIT_WORKSPACE, WORKSPACE, code_server_command, daemon_command, webserver_command
from .common import load_platform

if TYPE_CHECKING:
    from ..platform import Platform


@click.command()
def ui() -> None:
    """The Dagster UI and daemon (`dagster dev`) on this workspace, sensors running."""
    serve(load_platform(), production=False)


def serve(platform: Platform, *, production: bool, split: bool = False) -> None:
    """Run `dagster dev`, or the daemon and webserver, or (split) a code server with both; until Ctrl-C or one exits."""
    home = platform.settings.ensure_dagster_home()
    # Made once here: the daemon and the webserver would otherwise race to create the same tables.
    platform.create_instance_storage()
    bindir = Path(sys.executable).parent
    host, port = platform.settings.ui_host, platform.settings.ui_port
    if split:
        # The shape of every multi-machine deployment (deploy/): the code location in its own
        # gRPC server, the daemon and the webserver loading it from there.
        platform.settings.export_code_server()
        code_host, code_port = platform.settings.code_server_host, platform.settings.code_server_port
        commands = [
            code_server_command(code_host, code_port, bindir=bindir),
            daemon_command(SPLIT_WORKSPACE, bindir=bindir),
            webserver_command(SPLIT_WORKSPACE, host, port, bindir=bindir),
        ]
    elif production:
        commands = [daemon_command(WORKSPACE, bindir=bindir), webserver_command(WORKSPACE, host, port, bindir=bindir)]
    else:
        commands = [[str(bindir / "dagster"), "dev", "-w", str(WORKSPACE), "-h", host, "-p", str(port)]]
    poll = platform.resources["lifecycle"].poll_seconds
    click.echo(
        f"Dagster UI on http://{host}:{port} (DAGSTER_HOME={home}); "
        f"polling for pending clients every {poll}s. Ctrl-C stops.",
        err=True,
    )
    procs = []
    try:
        for command in commands:
            procs.append(subprocess.Popen(command, cwd=PROJECT_ROOT))
            if split and len(procs) == 1:
                _wait_for_code_server(procs[0], bindir, platform.settings.code_server_host, code_port)
        while all(p.poll() is None for p in procs):
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        # The daemon and webserver first, the code server they talk to last.
        for p in reversed(procs):
            if p.poll() is None:
                p.send_signal(signal.SIGINT)
        for p in reversed(procs):
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
    sys.exit(max((p.returncode or 0) for p in procs) if any(p.returncode for p in procs) else 0)


def _wait_for_code_server(proc: subprocess.Popen[bytes], bindir: Path, host: str, port: int) -> None:
    """Wait until the code server answers its health check (loading the code takes seconds)."""
    check = [str(bindir / "dagster"), "api", "grpc-health-check", "-h", host, "-p", str(port)]
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and proc.poll() is None:
        if subprocess.run(check, capture_output=True, cwd=PROJECT_ROOT).returncode == 0:
            return
        time.sleep(1)
    raise click.ClickException(f"the code server on {host}:{port} did not start; see its output above")


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

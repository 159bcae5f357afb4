"""Commands that serve: the Dagster UI with the daemon, and a client's site for preview."""

from __future__ import annotations

import gc
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..config import PROJECT_ROOT
from ..topology import (
    SPLIT_WORKSPACE,
    WORKSPACE,
    code_server_command,
    daemon_command,
    site_api_command,
    webserver_command,
)
from .common import load_platform

if TYPE_CHECKING:
    from ..platform import Platform

# How often the interpreter lets another thread run in `deznity api` (Python's default: 5 ms); see api.
API_SWITCH_INTERVAL = 0.0005


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
    if production:
        # Beside the webserver and the daemon: the site API the published sites' forms reach.
        from ..site_api.settings import site_api_settings

        api = site_api_settings()
        commands.append(site_api_command(api.host, api.port, bindir=bindir))
        click.echo(f"Site API on http://{api.host}:{api.port} (`deznity api`).", err=True)
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
    """Serve a client's site on 127.0.0.1 as its host would (/api/ routed, A/B split as at the edge); print its URL."""
    import uvicorn

    from ..package import UnsafePathError, client_dir
    from ..site_api.preview import HostConfig, preview_app
    from ..site_api.settings import site_api_settings

    platform = load_platform()
    try:
        folder = client_dir(platform.output_dir, slug)
    except UnsafePathError as exc:
        raise click.ClickException(str(exc)) from None
    site = folder / "site"
    if not (site / "index.html").exists():
        raise click.ClickException(f"no site for {slug} in {site}; process it first (`deznity simulate-client {slug}`)")
    host = HostConfig.read(folder / "deploy" / "vercel.json", site=site)
    destination = host.api_destination
    if destination is None:
        api = site_api_settings()
        api_host = "127.0.0.1" if api.host in ("0.0.0.0", "::", "") else api.host
        destination = f"http://{api_host}:{api.port}/sites/{slug}/api/"
        click.echo(
            f"{slug}'s deploy bundle routes no /api/ (no DEZNITY_API_PUBLIC_URL when it was made): on a host its forms "
            f"go nowhere. Here /api/ goes to the local site API at {destination} (start it with `deznity api`).",
            err=True,
        )
    app = preview_app(site, host, api_destination=destination)
    # The socket is bound here so that the URL (with the port a 0 picked) is printed before serving.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(("127.0.0.1", port))
        # Listening already: a request made as soon as the URL is printed waits in the backlog.
        sock.listen(2048)
    except OSError as exc:
        raise click.ClickException(f"could not listen on 127.0.0.1:{port}: {exc.strerror}") from None
    click.echo(f"http://127.0.0.1:{sock.getsockname()[1]}/")
    sys.stdout.flush()
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass


@click.command("api")
@click.option("--host", default=None, help="Interface to listen on (default: DEZNITY_API_HOST).")
@click.option("--port", type=click.IntRange(0, 65535), default=None, help="Port (default: DEZNITY_API_PORT).")
def api(host: str | None, port: int | None) -> None:
    """The site API: what visitors send through every published site's forms, stored as leads."""

    import uvicorn

    from ..site_api.app import SERVER_OPTIONS, create_app
    from ..site_api.settings import site_api_settings

    platform = load_platform()
    settings = site_api_settings()
    if host is not None:
        settings = settings.model_copy(update={"host": host})
    if port is not None:
        settings = settings.model_copy(update={"port": port})
    output = platform.resources["output"]
    app = create_app(store=platform.store, settings=settings, site_base_url=output.site_base_url)
    limiter = "Redis" if settings.redis_url else "this process"
    click.echo(
        f"Site API on http://{settings.host}:{settings.port} ({platform.store.backend} store; rate limits counted in "
        f"{limiter}). Ctrl-C stops.",
        err=True,
    )
    # Everything loaded so far lives as long as the process: out of the collector's reach, a full
    # collection walks only what requests made (120-155 ms pauses of every answer before, 10-25 ms after).
    gc.freeze()
    # The event loop shares the interpreter with the store threads: by default a thread waiting for it
    # waits up to 5 ms, so every answer queued behind a store thread's Python work. At 0.5 ms the others'
    # p99 during a flood fell from 150-180 ms to 16-50 ms in three SQLite runs of five (benchmarks/site_api.py).
    sys.setswitchinterval(API_SWITCH_INTERVAL)
    uvicorn.run(app, host=settings.host, port=settings.port, **SERVER_OPTIONS)


COMMANDS = [ui, preview, api]

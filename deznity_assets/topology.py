"""The processes of a deployment, named once: the command line, deploy/ and the tests start the same commands."""

from __future__ import annotations

from pathlib import Path

from . import __version__
from .config import PROJECT_ROOT

# deploy/Dockerfile builds it; docker-compose.yaml and the Helm values run it.
IMAGE = f"deznity:{__version__}"
CODE_LOCATION = "deznity"
MODULE = "deznity_assets.definitions"
# `dagster dev`, `deznity ui` and the one-machine services load the code in each process.
WORKSPACE = PROJECT_ROOT / "workspace.yaml"
# The split topology: the daemon and the webserver load the code location from the code server.
SPLIT_WORKSPACE = PROJECT_ROOT / "deploy" / "workspace.yaml"
CODE_SERVER_PORT = 4000
UI_PORT = 3000
# The site API (`deznity api`): stateless, any number of replicas behind the proxy on one store.
SITE_API_PORT = 8000
SITE_API_REPLICAS = 2


def code_server_command(host: str, port: int, *, bindir: Path | None = None) -> list[str]:
    """`dagster code-server start` serving the code location over gRPC on host:port."""
    return [
        _exe("dagster", bindir),
        "code-server",
        "start",
        "-m",
        MODULE,
        "--location-name",
        CODE_LOCATION,
        "-h",
        host,
        "-p",
        str(port),
    ]


def daemon_command(workspace: Path | str, *, bindir: Path | None = None) -> list[str]:
    """`dagster-daemon run`: sensors, the run queue, run monitoring."""
    return [_exe("dagster-daemon", bindir), "run", "-w", str(workspace)]


def webserver_command(
    workspace: Path | str, host: str, port: int, *, read_only: bool = False, bindir: Path | None = None
) -> list[str]:
    """`dagster-webserver` on host:port; `read_only` serves people who only watch (no launching or cancelling)."""
    command = [_exe("dagster-webserver", bindir), "-w", str(workspace), "-h", host, "-p", str(port)]
    return [*command, "--read-only"] if read_only else command


def site_api_command(host: str, port: int, *, bindir: Path | None = None) -> list[str]:
    """`deznity api`: the site API every published site's forms reach through their host."""
    return [_exe("deznity", bindir), "api", "--host", host, "--port", str(port)]


def _exe(name: str, bindir: Path | None) -> str:
    # A container runs the entry points from PATH; the command line runs those beside its own Python.
    return str(bindir / name) if bindir is not None else name


__all__ = [
    "CODE_LOCATION",
    "CODE_SERVER_PORT",
    "IMAGE",
    "MODULE",
    "SITE_API_PORT",
    "SITE_API_REPLICAS",
    "SPLIT_WORKSPACE",
    "UI_PORT",
    "WORKSPACE",
    "code_server_command",
    "daemon_command",
    "site_api_command",
    "webserver_command",
]

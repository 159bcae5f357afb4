"""What every command shares: the platform from the environment, progress lines and tables."""

from __future__ import annotations

import os
import shutil
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..config import ConfigError

if TYPE_CHECKING:
    from ..platform import Platform


def load_platform() -> Platform:
    """The platform from the environment and `.env`; a bad setting exits with the variable and the fix."""
    # Imported here: Dagster takes seconds to import, and `--help` needs none of it.
    import dagster as dg

    from ..platform import Platform

    # Dagster marks `pool=` on assets and the defs-folder loader as preview/beta features; the
    # command line uses both on purpose, and the warnings would bury its own output.
    warnings.filterwarnings("ignore", category=dg.BetaWarning)
    warnings.filterwarnings("ignore", category=dg.PreviewWarning)
    try:
        return Platform.from_env()
    except (ConfigError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None


def open_store(platform: Platform) -> Any:
    """The clients store, or a ClickException naming the setting to fix."""
    try:
        return platform.store
    except Exception as exc:  # noqa: BLE001 - any driver's error: say which setting to fix
        from ..store.doctor import redact

        conn = platform.resources["store"].connection()
        # A URL that did not parse may be quoted whole in the driver's message: its password too.
        first = redact(
            str(exc).splitlines()[0] if str(exc) else "",
            conn["database_url"],
            conn["supabase_url"],
            secrets=(conn["service_role_key"], conn["anon_key"]),
        )
        raise click.ClickException(
            f"cannot open the clients store (DEZNITY_DATABASE_URL or SUPABASE_URL): {type(exc).__name__}: {first}"
        ) from None


def live_terminal() -> bool:
    """True when both stdout and stderr are terminals (not piped, not captured, not TERM=dumb)."""
    from rich.console import Console

    # rich reads TERM itself: a dumb terminal gets plain lines.
    return sys.stdout.isatty() and sys.stderr.isatty() and not Console().is_dumb_terminal


@contextmanager
def show_progress() -> Iterator[None]:
    """Progress per client and phase on stderr while the block runs: live bars on a terminal, else plain lines."""
    from .. import progress

    if not live_terminal():
        # Tests, CI and logs read these lines; they stay as they were.
        progress.subscribe(progress.print_progress)
        try:
            yield
        finally:
            progress.unsubscribe(progress.print_progress)
        return
    from rich.console import Console

    # Dagster points fds 1 and 2 at its compute-log capture while a run executes in this
    # process: the bars write to a copy of the terminal taken now, sized now.
    terminal = os.fdopen(os.dup(sys.stderr.fileno()), "w", encoding="utf-8", errors="replace")
    console = Console(file=terminal, force_terminal=True, width=shutil.get_terminal_size().columns)
    bars = progress.ProgressBars(console)
    progress.subscribe(bars)
    try:
        with bars:
            yield
    finally:
        progress.unsubscribe(bars)
        terminal.close()


def overview(platform: Platform) -> list[dict[str, Any]]:
    """Every client as the dashboard shows it, with tokens and cost."""
    from ..portfolio import client_overview

    # The dashboard's own figures, read in a few queries rather than three per client.
    return client_overview(platform.output_dir, open_store(platform))


def print_outcomes(outcomes: list[Any], platform: Platform, rejected: list[Any] | None = None) -> None:
    """A table of processed clients: status, QA score, time, package folder, and errors."""
    by_slug = {e["slug"]: e for e in overview(platform)}
    rows = []
    for o in outcomes:
        e = by_slug.get(o.slug, {})
        rows.append(
            (
                o.slug,
                o.status,
                e.get("qa_score"),
                f"{o.seconds:.1f}s",
                shown(e["output_dir"]) if e.get("output_dir") else "-",
                o.error,
            )
        )
    for r in rejected or []:
        rows.append((r.slug, r.status, None, "-", "-", r.last_error))
    table(["client", "status", "qa", "time", "package"], rows)


def shown(path: str | Path) -> str:
    """A path relative to the working directory when it lies below it, else absolute."""
    path = Path(path).resolve()
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def table(headers: list[str], rows: list[tuple[Any, ...]]) -> None:
    """Print rows under headers; a value past the headers is printed as an error line below its row."""
    cells = [[("-" if v is None else str(v)) for v in row[: len(headers)]] for row in rows]
    widths = [max(len(h), *(len(c[i]) for c in cells)) if cells else len(h) for i, h in enumerate(headers)]
    click.echo("  ".join(h.ljust(w) for h, w in zip(headers, widths)))
    for row, cell in zip(rows, cells):
        click.echo("  ".join(c.ljust(w) for c, w in zip(cell, widths)))
        if len(row) > len(headers) and row[len(headers)]:
            click.echo(f"    error: {row[len(headers)]}")

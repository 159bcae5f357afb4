"""Commands that add, list and retry clients."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ..brief import REFERENCE_CLIENTS, BriefError, slugify
from .common import load_platform, open_store, overview, shown, table


@click.command("create-test-clients")
def create_test_clients() -> None:
    """Add the five reference clients as pending (skips those that exist)."""
    platform = load_platform()
    store = open_store(platform)
    for brief in REFERENCE_CLIENTS:
        slug = slugify(brief["business_name"])
        if store.get(slug):
            click.echo(f"exists   {slug}")
            continue
        row = platform.control.add_client(brief)
        click.echo(f"created  {row.slug}")


@click.command("add-client")
@click.option(
    "--file",
    "path",
    required=True,
    type=click.Path(dir_okay=False, allow_dash=True),
    help="A JSON brief ('-' reads standard input).",
)
def add_client(path: str) -> None:
    """Validate a brief and add it as a pending client; prints the slug."""
    raw = sys.stdin.read() if path == "-" else _read_text(path)
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise click.ClickException(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno}); fix the file") from None
    if not isinstance(data, dict):
        raise click.ClickException(f'{path}: the brief must be a JSON object of fields, e.g. {{"business_name": ...}}')
    platform = load_platform()
    open_store(platform)
    try:
        row = platform.control.add_client(data)
    except BriefError as exc:
        raise click.ClickException("invalid brief: " + "; ".join(exc.problems)) from None
    click.echo(row.slug)


def _read_text(path: str) -> str:
    try:
        return Path(path).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise click.ClickException(f"cannot read {path}: {exc}") from None


@click.command()
@click.option("--json", "as_json", is_flag=True, help="A JSON list, one object per client, live_url too.")
def status(as_json: bool) -> None:
    """Every client with its status, error, QA score, tokens, cost, live URL and package folder."""
    entries = overview(load_platform())
    if as_json:
        click.echo(json.dumps(entries, indent=2, ensure_ascii=False))
        return
    if not entries:
        click.echo("no clients yet: `deznity create-test-clients` or `deznity add-client --file brief.json`")
        return
    table(
        ["client", "status", "attempt", "qa", "tokens", "cost", "live", "package"],
        [
            (
                e["slug"],
                e["status"] + (" (review overdue)" if (e.get("review") or {}).get("overdue") else ""),
                e["attempt"],
                e["qa_score"],
                e["tokens"],
                f"${e['cost_usd']:.4f}",
                e.get("live_url"),
                shown(e["output_dir"]) if e["output_dir"] else "-",
                e["error"],
            )
            for e in entries
        ],
    )


@click.command()
@click.option("--failed", is_flag=True, help="Retry every failed client.")
@click.argument("slugs", nargs=-1)
def retry(failed: bool, slugs: tuple[str, ...]) -> None:
    """Send clients back to pending with attempt + 1 (the sensor or `autonomous --once` picks them up).

    A client whose last run failed after its brief (an agent phase, the deployment) resumes from
    the failed step: earlier deliverables are kept, unless the brief changed since.
    """
    from ..control import RetryError

    if not failed and not slugs:
        raise click.UsageError("name clients to retry, or pass --failed")
    platform = load_platform()
    open_store(platform)
    try:
        rows = platform.control.retry(slugs=list(slugs), failed=failed, instance=platform.instance())
    except RetryError as exc:
        raise click.ClickException(str(exc)) from None
    for row in rows:
        plan = f"resumes from {row.resume_from}" if row.resume_from else "runs every step"
        click.echo(f"pending  {row.slug} (attempt {row.attempt}, {plan})")
    if not rows:
        click.echo("nothing to retry")


COMMANDS = [create_test_clients, add_client, status, retry]

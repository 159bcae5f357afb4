"""The webhooks commands: send a signed test event to a URL, and show recent deliveries."""

from __future__ import annotations

import sys

import click

from .common import load_platform


@click.group()
def webhooks() -> None:
    """Webhooks: client status changes posted, signed, to DEZNITY_WEBHOOK_URLS (docs/WEBHOOKS.md)."""


@webhooks.command("test")
@click.argument("url")
def test_command(url: str) -> None:
    """Send one signed `webhook.test` event to URL (slack+https://... for the Slack format) and print the answer."""
    from ..webhooks import send_test

    settings = load_platform().resources["webhooks"]
    try:
        endpoint, answer = send_test(url, settings.signing_secret(), timeout=settings.timeout_seconds)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    if answer.status_code is None:
        click.echo(f"BAD  {endpoint.label}: {answer.error}")
        sys.exit(1)
    click.echo(
        f"{'ok ' if answer.ok else 'BAD'}  {endpoint.label}: HTTP {answer.status_code} in {answer.duration_ms} ms"
    )
    if answer.body:
        click.echo(answer.body)
    sys.exit(0 if answer.ok else 1)


@webhooks.command("deliveries")
@click.option("--limit", default=20, show_default=True, help="How many of the latest attempts.")
def deliveries_command(limit: int) -> None:
    """The latest delivery attempts: event, endpoint (without secrets), attempt, outcome, status code, error."""
    from .common import open_store

    store = open_store(load_platform())
    rows = store.deliveries()[-limit:]
    if not rows:
        click.echo("no webhook deliveries yet")
    for r in rows:
        code = r["status_code"] if r["status_code"] is not None else "-"
        click.echo(
            f"{r['attempted_at']:%Y-%m-%d %H:%M:%S}  {str(r['event_id'])[:8]}  {r['endpoint']}  "
            f"#{r['attempt']} {r['outcome']} {code} {r['error'] or ''}".rstrip()
        )


COMMANDS = [webhooks]

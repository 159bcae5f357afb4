"""The webhooks commands: send a test event, show each endpoint's state and recent deliveries, redeliver."""

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
    """Each endpoint's state (failing since …, N waiting), then the latest attempts: event, endpoint, outcome, error."""
    from ..webhooks.backlog import endpoint_states
    from .common import open_store

    platform = load_platform()
    store = open_store(platform)
    for state in endpoint_states(store, platform.resources["webhooks"], count=True):
        click.echo(f"{'ok     ' if state['ok'] else 'FAILING'}  {state['text']}")
    rows = store.deliveries(latest=limit)
    if not rows:
        click.echo("no webhook deliveries yet")
    for r in rows:
        code = r["status_code"] if r["status_code"] is not None else "-"
        click.echo(
            f"{r['attempted_at']:%Y-%m-%d %H:%M:%S}  {str(r['event_id'])[:8]}  {r['endpoint']}  "
            f"#{r['attempt']} {r['outcome']} {code} {r['error'] or ''}".rstrip()
        )


@webhooks.command("redeliver")
@click.option(
    "--endpoint",
    "name",
    required=True,
    help="The endpoint as `deznity webhooks deliveries` names it (or its URL).",
)
@click.option(
    "--since",
    help="Only events given up at or after this time: ISO 8601, UTC unless it says (e.g. 2026-12-06T14:00).",
)
def redeliver_command(name: str, since: str | None) -> None:
    """Send an endpoint again the events it gave up after its attempts (each gets a new round of attempts)."""
    from datetime import datetime, timezone

    from ..webhooks.backlog import find_endpoint
    from .common import open_store

    platform = load_platform()
    try:
        endpoint = find_endpoint(platform.resources["webhooks"], name)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    after = None
    if since is not None:
        try:
            after = datetime.fromisoformat(since.strip())
        except ValueError:
            raise click.ClickException(
                f"--since: {since!r} is not a time; use ISO 8601, e.g. 2026-12-06T14:00 (UTC) or 2026-12-06T14:00+01:00"
            ) from None
        after = (after if after.tzinfo else after.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)
    count = open_store(platform).redeliver_webhook_events(endpoint.label, since=after)
    scope = f" since {after:%Y-%m-%d %H:%M} UTC" if after else ""
    if not count:
        click.echo(f"{endpoint.label}: no events given up{scope}")
        return
    click.echo(
        f"{endpoint.label}: {count} event{'s' if count != 1 else ''} given up{scope} will be sent again by the next "
        "delivery pass (webhook_delivery_sensor, every 15 s; or `deznity autonomous --once`)"
    )


COMMANDS = [webhooks]

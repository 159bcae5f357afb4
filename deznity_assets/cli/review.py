"""The human review command: open tickets of health, legal and finance packages, and decisions on them."""

from __future__ import annotations

import getpass
from typing import Literal, cast

import click

from .common import load_platform, open_store


@click.command()
@click.argument("slug", required=False)
@click.option("--approve", "decision", flag_value="approved", help="Approve the package for publication.")
@click.option("--reject", "decision", flag_value="rejected", help="Send the content back to the agents.")
@click.option("--reason", default="", help="Why (required with --reject).")
@click.option(
    "--reviewer", default=getpass.getuser, show_default="your login name", help="Who decides; logged with the decision."
)
def review(slug: str | None, decision: str | None, reason: str, reviewer: str) -> None:
    """Human review of health, legal and finance packages: list open tickets, or approve / reject one."""
    from ..control.review import ReviewError, decide, open_tickets

    platform = load_platform()
    open_store(platform)
    if slug is None:
        tickets = open_tickets(platform.control)
        if not tickets:
            click.echo("no packages waiting for review")
        for t in tickets:
            click.echo(
                f"{t.slug:<20} {t.business_name:<30} raised {t.raised_at:%Y-%m-%d %H:%M} UTC"
                + ("  OVERDUE (over 24 h)" if t.overdue else "")
            )
        return
    if decision is None:
        raise click.UsageError("say --approve or --reject (with --reason)")
    try:
        record = decide(
            platform.control,
            slug,
            decision=cast(Literal["approved", "rejected"], decision),
            reviewer=reviewer,
            reason=reason,
        )
    except ReviewError as exc:
        raise click.ClickException(str(exc)) from None
    follow = (
        "publish site/ with deploy/" if decision == "approved" else "back to pending; the next run rewrites the content"
    )
    click.echo(f"{slug}: {record['decision']} by {record['reviewer']}; {follow}")


COMMANDS = [review]

"""The human review command: open tickets of health, legal and finance clients, and decisions on them."""

from __future__ import annotations

import getpass
from typing import TYPE_CHECKING

import click

from ..flow import DEFAULT_REWORK, REWORK_STEPS
from ..herocopy import ExperimentError, pending_challengers
from .common import load_platform, open_store, print_outcomes, show_progress, shown, table

if TYPE_CHECKING:
    from ..platform import Platform


@click.command()
@click.argument("slug", required=False)
@click.option("--approve", "decision", flag_value="approved", help="Approve the content: the client is published.")
@click.option("--reject", "decision", flag_value="rejected", help="Send the content back to the agents.")
@click.option("--reason", default="", help="Why (required with --reject); given to the agents, fenced as data.")
@click.option(
    "--rework",
    type=click.Choice(REWORK_STEPS),
    default=None,
    help=f"With --reject: the step re-run, with every later one up to the review [default: {DEFAULT_REWORK}].",
)
@click.option(
    "--reviewer", default=getpass.getuser, show_default="your login name", help="Who decides; kept with the decision."
)
@click.option("--now", "apply_now", is_flag=True, help="Carry the decision out in this process instead of the sensor.")
def review(
    slug: str | None, decision: str | None, reason: str, rework: str | None, reviewer: str, apply_now: bool
) -> None:
    """Human review of health, legal and finance clients: list open tickets, or approve / reject one.

    A decision is a row of the `reviews` table; the review sensor of `deznity autonomous` (or
    `deznity autonomous --once`, or --now here) publishes an approved client, or re-runs a
    rejected one from the step named by --rework, and brings it back for review.

    A published client whose next hero challenger (an A/B experiment's B) waits for review is
    decided the same way, in this process: approved, its site is re-rendered with the B page;
    rejected, another challenger is written and waits in turn.
    """
    # The control plane and the runner import Dagster: loaded by the commands that use them, so that
    # `deznity --help` does not.
    from ..control.review import ReviewError, decide, open_tickets

    platform = load_platform()
    open_store(platform)
    if slug is None:
        tickets = open_tickets(platform.control)
        challengers = pending_challengers(platform.store, platform.output_dir)
        if challengers:
            table(
                ["client", "hero challenger waiting (B)", "angle"],
                [(s, entry.copy_.headline, entry.angle) for s, entry in challengers],
            )
        if not tickets:
            click.echo("no clients waiting for review")
            return
        table(
            ["client", "name", "waiting since", "why"],
            [
                (
                    t.slug,
                    t.business_name,
                    f"{t.raised_at:%Y-%m-%d %H:%M} UTC" + ("  OVERDUE (over 24 h)" if t.overdue else ""),
                    "; ".join(t.reasons),
                )
                for t in tickets
            ],
        )
        return
    if decision is None:
        raise click.UsageError("say --approve or --reject (with --reason)")
    if rework and decision != "rejected":
        raise click.UsageError("--rework goes with --reject")
    if any(s == slug for s, _ in pending_challengers(platform.store, platform.output_dir)):
        if rework:
            raise click.UsageError("--rework is for a client's content; a hero challenger is approved or rejected")
        _decide_challenger(platform, slug, decision=decision, reviewer=reviewer, reason=reason)
        return
    try:
        record = decide(platform.control, slug, decision=decision, reviewer=reviewer, reason=reason, rework=rework)
    except ReviewError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{slug}: {record['decision']} by {record['reviewer']} recorded (review {record['id']})")
    if not apply_now:
        click.echo("the review sensor carries it out within a minute (or run `deznity autonomous --once`)")
        return
    from ..runner import process_reviews

    with show_progress():
        outcomes = process_reviews(platform)
    print_outcomes(outcomes, platform)
    final = platform.store.get(slug)
    if final is not None and final.slug:
        click.echo(f"{slug}: now {final.status}; package in {shown(platform.output_dir / final.slug)}")


def _decide_challenger(platform: Platform, slug: str, *, decision: str, reviewer: str, reason: str) -> None:
    """Approve or reject a published client's waiting hero challenger, and carry it out now."""
    from ..runner import process_challenger_decision

    try:
        with show_progress():
            action, outcome = process_challenger_decision(
                platform, slug, decision=decision, reviewer=reviewer, reason=reason
            )
    except ExperimentError as exc:
        raise click.ClickException(str(exc)) from None
    if outcome is None:
        waiting = action.challenger
        click.echo(f"{slug}: hero challenger rejected by {reviewer}")
        click.echo(
            f"{slug}: next challenger waiting for review: {waiting.copy_.headline!r}"
            if waiting
            else f"{slug}: no untried copy left; the site serves A only"
        )
        return
    click.echo(f"{slug}: hero challenger approved by {reviewer}; the site re-rendered with its B page")
    print_outcomes([outcome], platform)


COMMANDS = [review]

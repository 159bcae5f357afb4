"""Commands that process clients now: one (simulate-client), every pending one (autonomous --once, demo), a test."""

from __future__ import annotations

import shutil
import sys
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..brief import REFERENCE_CLIENTS, BriefError, generic_client, reference_client, slugify
from .common import load_platform, open_store, overview, print_outcomes, show_progress, shown, table
from .serve import serve

if TYPE_CHECKING:
    from ..platform import Platform

# Outcomes that are no failure: a finished package, or a regulated one waiting for its reviewer.
FINISHED_WELL = ("completed", "needs_review")


@click.command("simulate-client")
@click.argument("slug")
def simulate_client(slug: str) -> None:
    """Process one client now. A reference slug or an unknown one is created first (generic brief)."""
    from ..control import ClaimError, claim_plan
    from ..runner import run_planned

    platform = load_platform()
    store = open_store(platform)
    if store.get(slug) is None:
        brief = reference_client(slug) or generic_client(slug)
        try:
            row = platform.control.add_client(brief)
        except BriefError as exc:
            raise click.ClickException(f"cannot build a brief for {slug!r}: {exc}") from None
        click.echo(f"created {row.slug} ({'reference' if reference_client(slug) else 'generic'} brief)", err=True)
        slug = str(row.slug)
    try:
        row = platform.control.claim_client(slug)
    except ClaimError as exc:
        raise click.ClickException(str(exc)) from None
    instance = platform.instance()
    # A retried client resumes from its failed step here too, as the sensor would run it.
    with show_progress():
        outcome = run_planned(claim_plan(instance, row), platform, instance)
    print_outcomes([outcome], platform)
    if outcome.status not in FINISHED_WELL:
        sys.exit(1)


@click.command()
@click.option("--once", is_flag=True, help="Claim every pending client now, process them, write back, exit.")
@click.option(
    "--workers",
    type=click.IntRange(1, 16),
    default=1,
    show_default=True,
    help="With --once: clients processed at the same time (separate processes).",
)
@click.option("--test", "selftest", is_flag=True, help="One throwaway client end to end, cleaned up after.")
@click.option(
    "--split",
    is_flag=True,
    help="Continuous, as deployed (deploy/): a gRPC code server on DEZNITY_CODE_SERVER_HOST:PORT, and the daemon "
    "and webserver loading the code from it (deploy/workspace.yaml).",
)
def autonomous(once: bool, workers: int, selftest: bool, split: bool) -> None:
    """Process pending clients: continuously (webserver + daemon + sensor; --split: and a code server), --once,
    or --test."""
    platform = load_platform()
    if selftest:
        sys.exit(_selftest(platform))
    if once:
        from ..runner import process_pending

        pending = len(open_store(platform).list_clients(status="pending"))
        click.echo(f"{pending} pending clients; processing with {workers} worker(s)", err=True)
        with show_progress():
            outcomes, rejected = process_pending(platform, workers=workers)
        print_outcomes(outcomes, platform, rejected=[platform.store.get(r.id) for r in rejected])
        if any(o.status not in FINISHED_WELL for o in outcomes) or rejected:
            sys.exit(1)
        return
    serve(platform, production=True, split=split)


def _selftest(platform: Platform) -> int:
    from ..defs.partitions import CLIENTS
    from ..package import client_dir
    from ..runner import run_client

    open_store(platform)
    name = f"Selftest {uuid.uuid4().hex[:6]}"
    row = platform.control.add_client(dict(REFERENCE_CLIENTS[0], business_name=name))
    slug = str(row.slug)
    click.echo(f"self-test client {slug}", err=True)
    try:
        with show_progress():
            outcome = run_client(platform.control.claim_client(slug), platform)
        folder = client_dir(platform.output_dir, slug)
        missing = [
            p
            for p in ("BOOTSTRAP_SUMMARY.md", "site/index.html", "qa/report.json", "deploy/vercel.json")
            if not (folder / p).exists()
        ]
        ok = outcome.status == "completed" and not missing
        click.echo(
            f"self-test {'passed' if ok else 'FAILED'}: status {outcome.status} in {outcome.seconds}s"
            + (f", missing {missing}" if missing else "")
            + (f", error: {outcome.error}" if outcome.error else "")
        )
        return 0 if ok else 1
    finally:
        shutil.rmtree(client_dir(platform.output_dir, slug), ignore_errors=True)
        platform.control.delete_client(slug)
        instance = platform.instance()
        if instance.has_dynamic_partition(CLIENTS, slug):
            instance.delete_dynamic_partition(CLIENTS, slug)


@click.command()
@click.option("--workers", type=click.IntRange(1, 16), default=1, show_default=True)
def demo(workers: int) -> None:
    """Create the reference clients, process every pending client, print the table (what `make demo` runs)."""
    from ..runner import process_pending

    platform = load_platform()
    started = time.perf_counter()
    store = open_store(platform)
    created = 0
    for brief in REFERENCE_CLIENTS:
        if store.get(slugify(brief["business_name"])) is None:
            platform.control.add_client(brief)
            created += 1
    click.echo(f"{created} reference clients created; processing pending clients", err=True)
    with show_progress():
        outcomes, rejected = process_pending(platform, workers=workers)
    click.echo("")
    entries = overview(platform)
    table(
        ["client", "status", "qa", "site", "summary"],
        [
            (
                e["slug"],
                e["status"],
                e["qa_score"],
                shown(Path(e["output_dir"]) / "site" / "index.html") if e["output_dir"] else "-",
                shown(Path(e["output_dir"]) / "BOOTSTRAP_SUMMARY.md")
                if e["summary"]
                else shown(Path(e["output_dir"]) / "review" / "REVIEW_TICKET.md")
                if e["output_dir"]
                else "-",
                e["error"],
            )
            for e in entries
        ],
    )
    total = time.perf_counter() - started
    per = [o.seconds for o in outcomes]
    click.echo(
        f"\n{len(outcomes)} clients processed in {total:.1f}s"
        + (f" ({sum(per) / len(per):.1f}s per client)" if per else "")
        + f"; dashboard: {shown(platform.output_dir / 'index.html')}"
    )
    if any(e["status"] not in FINISHED_WELL for e in entries if e["slug"] in {o.slug for o in outcomes}) or rejected:
        sys.exit(1)


COMMANDS = [simulate_client, autonomous, demo]

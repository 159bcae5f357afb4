"""Commands that look after the installation: doctor, env (every setting) and seed-knowledge."""

from __future__ import annotations

import sys
import uuid

import click

from ..config import PROJECT_ROOT, all_variables
from ..hosting.doctor import check_hosting
from ..webhooks.doctor import check_webhooks
from .common import load_platform, open_store


@click.command()
@click.option("--live", is_flag=True, help="Also make one cheap call to the configured LLM provider.")
def doctor(live: bool) -> None:
    """Check configuration, store, output, Dagster instance, provider, webhooks, hosting; exit 1 on a problem."""
    problems = 0

    def line(ok: bool, what: str, detail: str) -> None:
        nonlocal problems
        problems += 0 if ok else 1
        click.echo(f"{'ok ' if ok else 'BAD'}  {what:<16} {detail}")

    try:
        platform = load_platform()
    except click.ClickException as exc:
        line(False, "settings", exc.message)
        sys.exit(1)
    line(True, "settings", f"project {PROJECT_ROOT}; `deznity env` lists every variable")
    from ..memory.doctor import check_memory
    from ..store.doctor import check_store, redact

    connection = platform.resources["store"].connection()
    try:
        # Opening the store creates a fresh install's tables (SQL backends), as every command does.
        open_store(platform)
        unopened = ""
    except click.ClickException as exc:
        unopened = exc.message
    checks = check_store(**connection)
    # When the store checks find the problem they say it with the fix and no secret; a driver's
    # own words about a URL that does not parse may quote pieces of its password.
    if unopened and all(ok for _, ok, _ in checks):
        line(
            False,
            "clients store",
            redact(
                unopened,
                connection["database_url"],
                connection["supabase_url"],
                secrets=(connection["service_role_key"], connection["anon_key"]),
            ),
        )
    for name, ok, message in [*checks, *check_memory(platform.resources["memory"])]:
        line(ok, name, message)
    try:
        platform.output_dir.mkdir(parents=True, exist_ok=True)
        probe = platform.output_dir / f".doctor-{uuid.uuid4().hex[:6]}"
        probe.write_text("ok")
        probe.unlink()
        line(True, "output folder", str(platform.output_dir))
    except OSError as exc:
        line(False, "output folder", f"{exc}. Fix DEZNITY_OUTPUT_DIR or the folder's permissions")
    try:
        home = platform.settings.ensure_dagster_home()
        line((home / "dagster.yaml").exists(), "dagster home", f"{home}")
    except OSError as exc:
        line(False, "dagster home", f"{exc}. Fix DAGSTER_HOME")
    pg_url = platform.settings.dagster_pg_url
    try:
        # Opening the instance reaches its run storage (and creates a fresh database's tables).
        platform.instance().get_runs_count()
        line(True, "dagster storage", "PostgreSQL (DEZNITY_DAGSTER_PG_URL)" if pg_url else "SQLite under DAGSTER_HOME")
    except Exception as exc:  # noqa: BLE001 - any driver's error: say which setting to fix
        first = str(exc).splitlines()[0] if str(exc) else ""
        fix = "DEZNITY_DAGSTER_PG_URL" if pg_url else "DAGSTER_HOME"
        line(False, "dagster storage", f"{type(exc).__name__}: {redact(first, pg_url)}. Fix {fix}")
    try:
        provider = platform.resources["agents"].get_provider()
        by_model: dict[str, list[str]] = {}
        for agent, model in provider.describe().items():
            by_model.setdefault(model, []).append(agent)
        models = "; ".join(f"{model} ({', '.join(agents)})" for model, agents in by_model.items())
        line(True, "agent provider", f"{provider.name}: {models}")
        if live and provider.name != "offline":
            answer = provider.ping()
            line(True, "live call", f"{provider.name} answered: {answer[:60]!r}")
        elif live:
            line(True, "live call", "the offline generator makes no calls")
    except Exception as exc:  # noqa: BLE001 - report, do not crash the doctor
        line(False, "agent provider", f"{exc}")
    # The endpoints' backlogs are read from the store when it opened (a broken store is reported above).
    for ok, what, detail in check_webhooks(platform.resources["webhooks"], None if unopened else platform.store):
        line(ok, what, detail)
    for ok, what, detail in check_hosting(platform.resources["hosting"].settings()):
        line(ok, what, detail)
    lifecycle = platform.resources["lifecycle"]
    click.echo(
        f"poll every {lifecycle.poll_seconds}s; each tick fills the run queue up to "
        f"{lifecycle.max_runs_per_tick} waiting runs"
    )
    sys.exit(1 if problems else 0)


@click.command("seed-knowledge")
def seed_knowledge_command() -> None:
    """Upsert the house knowledge base into the vector memory (idempotent)."""
    from ..memory.knowledge import seed_knowledge

    memory = load_platform().resources["memory"].open_memory()
    counts = seed_knowledge(memory)
    click.echo(
        f"{counts['passages']} passages: {counts['upserted']} upserted, {counts['unchanged']} unchanged, "
        f"{counts['deleted']} removed ({', '.join(f'{k}={v}' for k, v in memory.describe().items())})"
    )


@click.command("env")
@click.option("--markdown", is_flag=True, help="As the Markdown table the README shows.")
def env_help(markdown: bool) -> None:
    """List every environment variable the platform reads, with its default and meaning."""
    variables = all_variables()
    secrecy = {"always": "yes", "credentials": "if it carries credentials", "no": ""}
    if markdown:
        click.echo("| variable | default | secret | configures | meaning |")
        click.echo("|---|---|---|---|---|")
        for var in variables:
            default = "-" if var.default == "-" else f"`{var.default}`"
            cells = [f"`{var.name}`", default, secrecy[var.secret], f"`{var.owner}`", var.meaning]
            click.echo("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
        return
    for var in variables:
        tag = f" [secret{'' if var.secret == 'always' else ' ' + secrecy[var.secret]}]" if var.secret != "no" else ""
        click.echo(f"{var.name:<32} {var.meaning}; default {var.default}{tag}")


COMMANDS = [doctor, seed_knowledge_command, env_help]

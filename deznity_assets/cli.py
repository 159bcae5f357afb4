"""The `deznity` command line: each command stands for one of the original npm scripts."""

from __future__ import annotations

import http.server
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
import warnings
from pathlib import Path
from typing import Any

import click

from .brief import REFERENCE_CLIENTS, BriefError, generic_client, reference_client, slugify
from .settings import ENV_DOCS, PROJECT_ROOT, Settings

def _settings() -> Settings:
    try:
        return Settings.from_env()
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None


def _store(settings: Settings):
    from .store.select import store_from_settings

    try:
        return store_from_settings(settings)
    except Exception as exc:  # any driver error: say which setting to fix
        raise click.ClickException(
            f"cannot open the clients store at DEZNITY_DATABASE_URL: {type(exc).__name__}: {exc}"
        ) from None


def _quiet() -> None:
    warnings.filterwarnings("ignore")
    os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="deznity")
def main() -> None:
    """Deznity: an AI digital agency that runs itself on Dagster.

    Client rows with status `pending` become finished packages in output/<slug>/.
    Settings come from the environment or a .env file (see `deznity doctor`).
    """
    _quiet()


@main.command("create-test-clients")
def create_test_clients() -> None:
    """Add the five reference clients as pending (skips those that exist)."""
    settings = _settings()
    store = _store(settings)
    for brief in REFERENCE_CLIENTS:
        slug = slugify(brief["business_name"])
        if store.get(slug):
            click.echo(f"exists   {slug}")
            continue
        row = store.add_client(brief)
        click.echo(f"created  {row.slug}")


@main.command("add-client")
@click.option("--file", "path", required=True, type=click.Path(dir_okay=False, allow_dash=True),
              help="A JSON brief ('-' reads standard input).")
def add_client(path: str) -> None:
    """Validate a brief and add it as a pending client; prints the slug."""
    raw = sys.stdin.read() if path == "-" else _read_text(path)
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise click.ClickException(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno}); fix the file") from None
    if not isinstance(data, dict):
        raise click.ClickException(f"{path}: the brief must be a JSON object of fields, e.g. {{\"business_name\": ...}}")
    store = _store(_settings())
    try:
        row = store.add_client(data)
    except BriefError as exc:
        raise click.ClickException("invalid brief: " + "; ".join(exc.problems)) from None
    click.echo(row.slug)


def _read_text(path: str) -> str:
    try:
        return Path(path).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise click.ClickException(f"cannot read {path}: {exc}") from None


@main.command("simulate-client")
@click.argument("slug")
def simulate_client(slug: str) -> None:
    """Process one client now. A reference slug or an unknown one is created first (generic brief)."""
    from .runner import run_client

    settings = _settings()
    store = _store(settings)
    if store.get(slug) is None:
        brief = reference_client(slug) or generic_client(slug)
        try:
            row = store.add_client(brief)
        except BriefError as exc:
            raise click.ClickException(f"cannot build a brief for {slug!r}: {exc}") from None
        click.echo(f"created {row.slug} ({'reference' if reference_client(slug) else 'generic'} brief)", err=True)
        slug = str(row.slug)
    row = store.claim_client(slug)
    if row is None:
        raise click.ClickException(f"client {slug} is already being processed; see `deznity status`")
    try:
        row.brief()
    except BriefError as exc:
        store.mark_failed(row.id, f"invalid brief: {exc}")
        raise click.ClickException(f"{slug}: invalid brief: {exc}") from None
    _subscribe_progress()
    outcome = run_client(row, settings)
    _print_outcomes([outcome], settings)
    if outcome.status != "completed":
        sys.exit(1)


def _subscribe_progress() -> None:
    from . import progress

    progress.subscribe(progress.print_progress)


@main.command()
@click.option("--once", is_flag=True, help="Claim every pending client now, process them, write back, exit.")
@click.option("--workers", type=click.IntRange(1, 16), default=1, show_default=True,
              help="With --once: clients processed at the same time (separate processes).")
@click.option("--test", "selftest", is_flag=True, help="One throwaway client end to end, cleaned up after.")
def autonomous(once: bool, workers: int, selftest: bool) -> None:
    """Process pending clients: continuously (webserver + daemon + sensor), --once, or --test."""
    settings = _settings()
    if selftest:
        sys.exit(_selftest(settings))
    if once:
        from .runner import process_pending

        store = _store(settings)
        pending = len(store.list_clients(status="pending"))
        click.echo(f"{pending} pending clients; processing with {workers} worker(s)", err=True)
        _subscribe_progress()
        outcomes, rejected = process_pending(settings, store, workers=workers)
        _print_outcomes(outcomes, settings, rejected=[store.get(r.id) for r in rejected])
        if any(o.status != "completed" for o in outcomes) or rejected:
            sys.exit(1)
        return
    _serve(settings, production=True)


def _selftest(settings: Settings) -> int:
    from .package import client_dir
    from .runner import instance_for, run_client

    store = _store(settings)
    name = f"Selftest {uuid.uuid4().hex[:6]}"
    row = store.add_client(dict(REFERENCE_CLIENTS[0], business_name=name))
    slug = str(row.slug)
    click.echo(f"self-test client {slug}", err=True)
    _subscribe_progress()
    try:
        row = store.claim_client(slug)
        assert row is not None
        outcome = run_client(row, settings)
        folder = client_dir(settings.output_dir, slug)
        missing = [p for p in ("BOOTSTRAP_SUMMARY.md", "site/index.html", "qa/report.json", "deploy/vercel.json")
                   if not (folder / p).exists()]
        ok = outcome.status == "completed" and not missing
        click.echo(f"self-test {'passed' if ok else 'FAILED'}: status {outcome.status} in {outcome.seconds}s"
                   + (f", missing {missing}" if missing else "") + (f", error: {outcome.error}" if outcome.error else ""))
        return 0 if ok else 1
    finally:
        store.delete_client(slug)
        shutil.rmtree(client_dir(settings.output_dir, slug), ignore_errors=True)
        instance = instance_for(settings)
        if instance.has_dynamic_partition("clients", slug):
            instance.delete_dynamic_partition("clients", slug)
        from .portfolio import rebuild_portfolio

        if settings.output_dir.exists():
            rebuild_portfolio(settings.output_dir, store)


def _overview(settings: Settings) -> list[dict[str, Any]]:
    from .portfolio import client_overview

    store = _store(settings)
    entries = client_overview(settings.output_dir, store)
    for entry in entries:
        row = store.get(entry["slug"]) if entry["slug"] else None
        tokens, cost = store.usage_totals(row.id) if row else (0, 0.0)
        entry.update(tokens=tokens, cost_usd=round(cost, 6))
    return entries


def _print_outcomes(outcomes: list[Any], settings: Settings, rejected: list[Any] | None = None) -> None:
    overview = {e["slug"]: e for e in _overview(settings)}
    rows = []
    for o in outcomes:
        e = overview.get(o.slug, {})
        rows.append((o.slug, o.status, e.get("qa_score"), f"{o.seconds:.1f}s",
                     _shown(e["output_dir"]) if e.get("output_dir") else "-", o.error))
    for r in rejected or []:
        rows.append((r.slug, r.status, None, "-", "-", r.last_error))
    _table(["client", "status", "qa", "time", "package"], rows)


def _shown(path: str | Path) -> str:
    """A path relative to the working directory when it lies below it, else absolute."""
    path = Path(path).resolve()
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _table(headers: list[str], rows: list[tuple[Any, ...]]) -> None:
    cells = [[("-" if v is None else str(v)) for v in row[: len(headers)]] for row in rows]
    widths = [max(len(h), *(len(c[i]) for c in cells)) if cells else len(h) for i, h in enumerate(headers)]
    click.echo("  ".join(h.ljust(w) for h, w in zip(headers, widths)))
    for row, cell in zip(rows, cells):
        click.echo("  ".join(c.ljust(w) for c, w in zip(cell, widths)))
        if len(row) > len(headers) and row[len(headers)]:
            click.echo(f"    error: {row[len(headers)]}")


@main.command()
@click.option("--json", "as_json", is_flag=True, help="A JSON list, one object per client.")
def status(as_json: bool) -> None:
    """Every client with its status, error, QA score and package folder."""
    settings = _settings()
    entries = _overview(settings)
    if as_json:
        click.echo(json.dumps(entries, indent=2, ensure_ascii=False))
        return
    if not entries:
        click.echo("no clients yet: `deznity create-test-clients` or `deznity add-client --file brief.json`")
        return
    _table(["client", "status", "attempt", "qa", "package"],
           [(e["slug"], e["status"], e["attempt"], e["qa_score"],
             _shown(e["output_dir"]) if e["output_dir"] else "-", e["error"]) for e in entries])


@main.command()
@click.option("--failed", is_flag=True, help="Retry every failed client.")
@click.argument("slugs", nargs=-1)
def retry(failed: bool, slugs: tuple[str, ...]) -> None:
    """Send clients back to pending with attempt + 1 (the sensor or `autonomous --once` picks them up)."""
    from .lifecycle import RetryError, retry as retry_clients

    if not failed and not slugs:
        raise click.UsageError("name clients to retry, or pass --failed")
    store = _store(_settings())
    try:
        rows = retry_clients(store, slugs=list(slugs), failed=failed)
    except RetryError as exc:
        raise click.ClickException(str(exc)) from None
    for row in rows:
        click.echo(f"pending  {row.slug} (attempt {row.attempt})")
    if not rows:
        click.echo("nothing to retry")


@main.command()
@click.option("--live", is_flag=True, help="Also make one cheap call to the configured LLM provider.")
def doctor(live: bool) -> None:
    """Check configuration, store, output folder, Dagster instance and provider; exit 1 on a problem."""
    problems = 0

    def line(ok: bool, what: str, detail: str) -> None:
        nonlocal problems
        problems += 0 if ok else 1
        click.echo(f"{'ok ' if ok else 'BAD'}  {what:<16} {detail}")

    try:
        settings = Settings.from_env()
    except ValueError as exc:
        line(False, "settings", f"{exc}")
        sys.exit(1)
    line(True, "settings", f"project {PROJECT_ROOT}; `deznity env` lists every variable")
    from .memory.doctor import check_memory
    from .store.doctor import check_backends

    try:
        # Opening the store creates a fresh install's tables (SQL backends), as every command does.
        _store(settings)
    except click.ClickException as exc:
        line(False, "clients store", exc.message)
    for name, ok, message in [*check_backends(settings), *check_memory()]:
        line(ok, name, message)
    try:
        settings.output_dir.mkdir(parents=True, exist_ok=True)
        probe = settings.output_dir / f".doctor-{uuid.uuid4().hex[:6]}"
        probe.write_text("ok")
        probe.unlink()
        line(True, "output folder", str(settings.output_dir))
    except OSError as exc:
        line(False, "output folder", f"{exc}. Fix DEZNITY_OUTPUT_DIR or the folder's permissions")
    try:
        home = settings.ensure_dagster_home()
        line((home / "dagster.yaml").exists(), "dagster home", f"{home}")
    except OSError as exc:
        line(False, "dagster home", f"{exc}. Fix DAGSTER_HOME")
    try:
        from .resources import AgentProviderResource

        provider = AgentProviderResource().get_provider()
        by_model: dict[str, list[str]] = {}
        for agent, model in provider.describe().items():
            by_model.setdefault(model, []).append(agent)
        models = "; ".join(f"{model} ({', '.join(agents)})" for model, agents in by_model.items())
        line(True, "agent provider", f"{provider.name}: {models}")
        if live and provider.name != "offline":
            answer = provider.ping()  # type: ignore[attr-defined]
            line(True, "live call", f"{provider.name} answered: {answer[:60]!r}")
        elif live:
            line(True, "live call", "the offline generator makes no calls")
    except Exception as exc:
        line(False, "agent provider", f"{exc}")
    click.echo(f"poll every {settings.poll_seconds}s, at most {settings.max_runs_per_tick} clients per tick")
    sys.exit(1 if problems else 0)


@main.command()
@click.option("--workers", type=click.IntRange(1, 16), default=1, show_default=True)
def demo(workers: int) -> None:
    """Create the reference clients and process them through the pipeline (what `make demo` runs)."""
    from .runner import process_pending

    settings = _settings()
    started = time.perf_counter()
    store = _store(settings)
    created = 0
    for brief in REFERENCE_CLIENTS:
        if store.get(slugify(brief["business_name"])) is None:
            store.add_client(brief)
            created += 1
    click.echo(f"{created} reference clients created; processing pending clients", err=True)
    _subscribe_progress()
    outcomes, rejected = process_pending(settings, store, workers=workers)
    click.echo("")
    entries = _overview(settings)
    _table(["client", "status", "qa", "site", "summary"],
           [(e["slug"], e["status"], e["qa_score"],
             _shown(Path(e["output_dir"]) / "site" / "index.html") if e["output_dir"] else "-",
             _shown(Path(e["output_dir"]) / "BOOTSTRAP_SUMMARY.md") if e["output_dir"] else "-",
             e["error"]) for e in entries])
    total = time.perf_counter() - started
    per = [o.seconds for o in outcomes]
    click.echo(f"\n{len(outcomes)} clients processed in {total:.1f}s"
               + (f" ({sum(per) / len(per):.1f}s per client)" if per else "")
               + f"; portfolio: {_shown(settings.output_dir / 'index.html')}")
    if any(e["status"] != "completed" for e in entries if e["slug"] in {o.slug for o in outcomes}) or rejected:
        sys.exit(1)


@main.command()
def ui() -> None:
    """The Dagster UI and daemon (`dagster dev`) on this workspace, sensors running."""
    _serve(_settings(), production=False)


def _serve(settings: Settings, *, production: bool) -> None:
    settings.ensure_dagster_home()
    workspace = str(PROJECT_ROOT / "workspace.yaml")
    bindir = Path(sys.executable).parent
    host = os.environ.get("DEZNITY_UI_HOST", "127.0.0.1")
    port = os.environ.get("DEZNITY_UI_PORT", "3000")
    if production:
        commands = [
            [str(bindir / "dagster-daemon"), "run", "-w", workspace],
            [str(bindir / "dagster-webserver"), "-w", workspace, "-h", host, "-p", port],
        ]
    else:
        commands = [[str(bindir / "dagster"), "dev", "-w", workspace, "-h", host, "-p", port]]
    click.echo(f"Dagster UI on http://{host}:{port} (DAGSTER_HOME={settings.dagster_home}); "
               f"polling for pending clients every {settings.poll_seconds}s. Ctrl-C stops.", err=True)
    procs = [subprocess.Popen(cmd, cwd=PROJECT_ROOT) for cmd in commands]
    try:
        while all(p.poll() is None for p in procs):
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGINT)
        for p in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
    sys.exit(max((p.returncode or 0) for p in procs) if any(p.returncode for p in procs) else 0)


@main.command()
@click.argument("slug")
@click.option("--port", type=click.IntRange(0, 65535), default=0, help="Port to listen on (0: a free one).")
def preview(slug: str, port: int) -> None:
    """Serve a client's generated site on 127.0.0.1 and print its URL (Ctrl-C stops)."""
    import functools

    from .package import UnsafePathError, client_dir

    settings = _settings()
    try:
        site = client_dir(settings.output_dir, slug) / "site"
    except UnsafePathError as exc:
        raise click.ClickException(str(exc)) from None
    if not (site / "index.html").exists():
        raise click.ClickException(f"no site for {slug} in {site}; process it first (`deznity simulate-client {slug}`)")
    handler = functools.partial(_QuietHandler, directory=str(site))
    with http.server.ThreadingHTTPServer(("127.0.0.1", port), handler) as server:
        click.echo(f"http://127.0.0.1:{server.server_address[1]}/", err=False)
        sys.stdout.flush()
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # one line per request is noise here
        pass


@main.command()
@click.argument("slug", required=False)
@click.option("--approve", "decision", flag_value="approved", help="Approve the package for publication.")
@click.option("--reject", "decision", flag_value="rejected", help="Send the content back to the agents.")
@click.option("--reason", default="", help="Why (required with --reject).")
@click.option("--reviewer", default=lambda: os.environ.get("USER", "reviewer"), show_default="$USER",
              help="Who decides; logged with the decision.")
def review(slug: str | None, decision: str | None, reason: str, reviewer: str) -> None:
    """Human review of health, legal and finance packages: list open tickets, or approve / reject one."""
    from .review import ReviewError, decide, open_tickets

    settings = _settings()
    store = _store(settings)
    if slug is None:
        tickets = open_tickets(store, settings.output_dir)
        if not tickets:
            click.echo("no packages waiting for review")
        for t in tickets:
            click.echo(f"{t.slug:<20} {t.business_name:<30} raised {t.raised_at:%Y-%m-%d %H:%M} UTC"
                       + ("  OVERDUE (over 24 h)" if t.overdue else ""))
        return
    if decision is None:
        raise click.UsageError("say --approve or --reject (with --reason)")
    try:
        record = decide(store, settings.output_dir, slug, decision=decision, reviewer=reviewer,  # type: ignore[arg-type]
                        reason=reason)
    except ReviewError as exc:
        raise click.ClickException(str(exc)) from None
    follow = ("publish site/ with deploy/" if decision == "approved"
              else "back to pending; the next run rewrites the content")
    click.echo(f"{slug}: {record['decision']} by {record['reviewer']}; {follow}")


@main.command("seed-knowledge")
def seed_knowledge_command() -> None:
    """Upsert the house knowledge base into the vector memory (idempotent)."""
    from .memory import memory_from_env
    from .memory.knowledge import seed_knowledge

    _settings()
    memory = memory_from_env()
    counts = seed_knowledge(memory)
    click.echo(f"{counts['passages']} passages: {counts['upserted']} upserted, {counts['unchanged']} unchanged, "
               f"{counts['deleted']} removed ({', '.join(f'{k}={v}' for k, v in memory.describe().items())})")


@main.command("env")
def env_help() -> None:
    """List every environment variable the platform reads, with its default."""
    from .llm.config import ENV_DOCS as LLM_ENV_DOCS

    for name, doc in {**ENV_DOCS, **LLM_ENV_DOCS}.items():
        click.echo(f"{name:<32} {doc}")


if __name__ == "__main__":
    main()

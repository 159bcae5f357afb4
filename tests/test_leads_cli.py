"""`deznity leads`: the table, --json, --csv (formula cells defused), --since and --spam, on every store."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from deznity_assets.brief import REFERENCE_CLIENTS
from deznity_assets.cli.leads import parse_since, safe_cell
from deznity_assets.store.rows import utcnow
from tests.plugins.lead_rows import add_lead, published_client
from tests.plugins.platform import cli_on_store, env_for

DEZNITY = str(Path(sys.executable).parent / "deznity")


@pytest.fixture
def leads_cli(client_store, request, tmp_path, monkeypatch):
    """Runs `deznity leads ...` in process with the environment pointing at `client_store`."""
    return cli_on_store("leads", client_store, request, tmp_path, monkeypatch)


def test_table_json_csv_since_and_spam(client_store, leads_cli):
    taco = published_client(client_store)
    tech = published_client(client_store, REFERENCE_CLIENTS[2])
    old = utcnow() - timedelta(days=10)
    add_lead(client_store, taco, "reservation", {"name": "Old", "email": "old@example.com"}, created_at=old)
    booking = add_lead(
        client_store,
        taco,
        "reservation",
        {"name": "Ana\nRuiz \x1b[31mred", "email": "ana@example.com", "party_size": 4},
        variant="b",
    )
    message = add_lead(
        client_store,
        tech,
        "contact",
        {"name": '=HYPERLINK("http://evil.example","x")', "email": "bob@example.com", "message": "-2+3"},
    )
    add_lead(client_store, taco, "contact", {"name": "bot", "message": "buy"}, spam=True)

    table = leads_cli().output
    lines = table.splitlines()
    assert lines[0].split() == ["received", "(UTC)", "client", "form", "e-mail", "fields"]
    assert len(lines) == 1 + 3 + 1 and lines[-1] == "3 leads"
    assert "\x1b" not in table and "name: Ana Ruiz [31mred" in table  # flattened, the escape removed

    records = json.loads(leads_cli("--json").output)
    assert [r["client"] for r in records] == ["techstart", "tacoloco", "tacoloco"]  # newest first
    assert records[1] == {
        "id": booking["id"],
        "client": "tacoloco",
        "form": "reservation",
        "fields": {"name": "Ana\nRuiz \x1b[31mred", "email": "ana@example.com", "party_size": 4},
        "variant": "b",
        "created_at": records[1]["created_at"],
        "mail_state": None,
        "mail_error": None,
    }
    assert records[1]["created_at"].endswith("Z")
    assert datetime.fromisoformat(records[1]["created_at"].replace("Z", "+00:00")) - booking["created_at"] < timedelta(
        seconds=1
    )

    since = (utcnow() - timedelta(days=1)).strftime("%Y-%m-%d")
    assert [r["id"] for r in json.loads(leads_cli("tacoloco", "--since", since, "--json").output)] == [booking["id"]]
    iso = (utcnow() - timedelta(days=11)).isoformat()
    assert len(json.loads(leads_cli("tacoloco", "--since", iso, "--json").output)) == 2

    rows = list(csv.reader(io.StringIO(leads_cli("techstart", "--csv").output)))
    assert rows[0] == ["created_at", "client", "form", "variant", "id", "name", "email", "message"]
    assert rows[1][1:5] == ["techstart", "contact", "", message["id"]]
    assert rows[1][5:] == ['\'=HYPERLINK("http://evil.example","x")', "bob@example.com", "'-2+3"]

    spam = json.loads(leads_cli("--spam", "--json").output)
    assert [(r["client"], r["spam_reason"], r["fields"]["name"]) for r in spam] == [("tacoloco", "honeypot", "bot")]
    assert "1 spam submissions" in leads_cli("--spam").output


def test_bad_input_names_the_option_and_the_fix(client_store, leads_cli):
    published_client(client_store)
    bad = leads_cli("--since", "last week", ok=False)
    assert bad.exit_code == 2
    assert "--since" in bad.output and "'last week' is not a date; use YYYY-MM-DD" in bad.output
    both = leads_cli("--json", "--csv", ok=False)
    assert both.exit_code == 2 and "choose one of --json and --csv" in both.output
    unknown = leads_cli("tacoloc", ok=False)
    assert unknown.exit_code == 1 and "no client 'tacoloc'" in unknown.output
    assert leads_cli("tacoloco").output.strip() == "no leads yet for tacoloco"
    assert leads_cli("--json").output.strip() == "[]"
    assert leads_cli("--csv").output.strip() == "created_at,client,form,variant,id"


def test_since_and_csv_cells():
    assert parse_since("2025-06-01") == datetime(2025, 6, 1, tzinfo=timezone.utc)
    assert parse_since("2025-06-01T09:30:00+02:00") == datetime(2025, 6, 1, 7, 30, tzinfo=timezone.utc)
    assert parse_since("2025-06-01T09:30:00Z") == datetime(2025, 6, 1, 9, 30, tzinfo=timezone.utc)
    assert parse_since("2025-06-01 09:30") == datetime(2025, 6, 1, 9, 30, tzinfo=timezone.utc)
    for text in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert safe_cell(text) == "'" + text
    assert safe_cell("Ana") == "Ana" and safe_cell(None) == "" and safe_cell(4) == "4"
    assert safe_cell(["=a"]) == '["=a"]'


def test_the_installed_command_lists_leads(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DEZNITY_", "SUPABASE", "DAGSTER_HOME"))}
    env.update(env_for(tmp_path))
    assert "leads" in subprocess.run([DEZNITY, "--help"], env=env, capture_output=True, text=True, check=True).stdout
    proc = subprocess.run([DEZNITY, "leads", "--json"], env=env, cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 0 and json.loads(proc.stdout) == [], proc.stderr

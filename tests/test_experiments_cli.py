"""`deznity experiments`: per client the experiment's id, status, counts per variant and decision, on every store."""

from __future__ import annotations

import json

import pytest

from deznity_assets.brief import REFERENCE_CLIENTS
from tests.plugins.lead_rows import published_client
from tests.plugins.platform import cli_on_store
from tests.test_experiments_asset import traffic


@pytest.fixture
def cli(client_store, request, tmp_path, monkeypatch):
    """Runs `deznity experiments ...` in process with the environment pointing at `client_store`."""
    return cli_on_store("experiments", client_store, request, tmp_path, monkeypatch, unset=("DEZNITY_EXPERIMENTS",))


def test_json_table_and_history(cli, client_store) -> None:
    assert cli("--json").output.strip() == "[]"
    assert "no experiments yet" in cli().output
    taco = published_client(client_store)
    tech = published_client(client_store, REFERENCE_CLIENTS[2])
    off = published_client(client_store, REFERENCE_CLIENTS[0], experiments=False)
    # Few visitors keep the test quick on every backend; the decision is recorded as evaluate_client records one.
    traffic(client_store, taco, a=(20, 1), b=(20, 4))
    traffic(client_store, tech, a=(10, 1), b=(12, 2))
    [running] = client_store.experiments_of(taco.slug)
    assert client_store.record_experiment_decision(
        running["id"], decision="b_better", winner="b", figures={"note": "recorded by the test"}, event=None
    )
    records = {r["client"]: r for r in json.loads(cli("--json").output)}
    assert set(records) == {taco.slug, tech.slug, off.slug}
    decided = records[taco.slug]
    assert decided["status"] == "decided" and decided["id"] == decided["experiment"]["id"]
    assert decided["experiment"]["variants"]["a"] == {"visitors": 20, "conversions": 1, "rate": 0.05}
    assert decided["experiment"]["variants"]["b"] == {"visitors": 20, "conversions": 4, "rate": 0.2}
    assert decided["experiment"]["decision"]["winner"] == "b"
    assert decided["experiment"]["decision"]["decision"] == "b_better"
    running = records[tech.slug]
    assert running["status"] == "running" and running["experiment"]["decision"] is None
    assert running["experiment"]["interval"] == [None, None] and running["experiment"]["look"] == "undecided"
    assert records[off.slug] == {"client": off.slug, "id": None, "status": "off", "experiment": None}

    # The next experiment: the decided one moves to the history.
    client_store.mark_experiment_acted(decided["id"], outcome="promoted b")
    nxt = client_store.start_experiment(taco.slug)
    [again] = json.loads(cli(taco.slug, "--json", "--history").output)
    assert again["id"] == nxt["id"] and again["status"] == "running"
    assert [h["id"] for h in again["history"]] == [decided["id"]]
    assert again["history"][0]["decision"]["outcome"] == "promoted b"
    table = cli("--history").output
    assert taco.slug in table and "b (b_better)" in table and "4/20 (20.00%)" in table
    missing = cli("nobody-here", ok=False)
    assert missing.exit_code == 1 and "no client 'nobody-here'" in missing.output

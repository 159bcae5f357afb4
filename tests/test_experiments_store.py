"""The experiments tables on every backend: events counted once per visitor, decisions recorded and acted on once."""

from __future__ import annotations

import threading
import uuid

import pytest

from deznity_assets.store.events import EXPERIMENT_DECIDED, experiment_event
from deznity_assets.store.rows import utcnow
from tests.plugins.lead_rows import published_client


def _event(store, client, kind: str, visitor: str, variant: str = "a") -> dict | None:
    return store.record_experiment_event(
        client_id=client.id, slug=client.slug, page="index", variant=variant, kind=kind, visitor=visitor
    )


def test_the_first_exposure_starts_an_experiment_and_each_visitor_counts_once(client_store) -> None:
    client = published_client(client_store)
    assert client_store.experiments_of(client.slug) == []
    # A conversion before any experiment runs counts nowhere.
    assert _event(client_store, client, "conversion", "h1") is None
    first = _event(client_store, client, "exposure", "h1", "b")
    assert first is not None and first["counted"] is True and first["variant"] == "b"
    again = _event(client_store, client, "exposure", "h1", "b")
    assert again == {**first, "counted": False}  # a retry or a second view: not counted twice
    for n in range(5):
        assert _event(client_store, client, "exposure", f"a{n}", "a")["counted"]
    [experiment] = client_store.experiments_of(client.slug)
    assert experiment["id"] == first["experiment_id"] and experiment["status"] == "running"
    assert experiment["page"] == "index" and experiment["started_at"].tzinfo is not None
    # A conversion counts only for a visitor who was shown a variant, in that variant, once.
    assert _event(client_store, client, "conversion", "never-shown")["counted"] is False
    conv = _event(client_store, client, "conversion", "h1", "a")
    assert conv["counted"] is True and conv["variant"] == "b"
    assert _event(client_store, client, "conversion", "h1")["counted"] is False
    assert _event(client_store, client, "conversion", "a0")["counted"] is True
    counts = client_store.experiment_counts([experiment["id"], str(uuid.uuid4())])
    assert counts[experiment["id"]] == {"a": {"visitors": 5, "conversions": 1}, "b": {"visitors": 1, "conversions": 1}}
    assert list(counts.values())[1] == {"a": {"visitors": 0, "conversions": 0}, "b": {"visitors": 0, "conversions": 0}}


def test_exposures_arriving_at_once_start_one_experiment(client_store) -> None:
    client = published_client(client_store)
    results: list[dict | None] = []

    def expose(n: int) -> None:
        results.append(_event(client_store, client, "exposure", f"v{n}", "ab"[n % 2]))

    threads = [threading.Thread(target=expose, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({r["experiment_id"] for r in results if r}) == 1 and all(r and r["counted"] for r in results)
    assert len(client_store.experiments_of(client.slug)) == 1


def test_a_decision_is_recorded_once_with_its_event_then_acted_upon_once(client_store) -> None:
    client = published_client(client_store)
    experiment = _event(client_store, client, "exposure", "v1")["experiment_id"]
    assert client_store.pending_experiment_decisions() == []
    figures = {"a": {"visitors": 1}, "interval": [0.01, 0.02]}
    [row] = client_store.experiments_of(client.slug)
    event = experiment_event(row, decision="b_better", winner="b", figures=figures, at=utcnow())
    assert event["type"] == EXPERIMENT_DECIDED
    assert client_store.record_experiment_decision(
        experiment, decision="b_better", winner="b", figures=figures, event=event
    )
    assert not client_store.record_experiment_decision(
        experiment, decision="a_better", winner="a", figures={}, event={**event, "id": str(uuid.uuid4())}
    )
    assert [e["type"] for e in client_store.events()].count("experiment.decided") == 1
    [pending] = client_store.pending_experiment_decisions()
    assert pending["id"] == experiment and pending["winner"] == "b" and pending["decision"] == "b_better"
    assert pending["figures"] == figures and pending["decided_at"] is not None and pending["acted_at"] is None
    # A decided experiment counts nothing more; the next exposure starts no new one until it is acted upon.
    assert _event(client_store, client, "conversion", "v1") is None
    assert client_store.mark_experiment_acted(experiment, outcome="promoted b")
    assert not client_store.mark_experiment_acted(experiment, outcome="again")
    assert client_store.pending_experiment_decisions() == []
    [row] = client_store.experiments_of(client.slug)
    assert row["outcome"] == "promoted b" and row["acted_at"] is not None


def test_start_the_next_experiment_and_switch_one_off(client_store) -> None:
    client = published_client(client_store)
    first = client_store.start_experiment(client.slug)
    assert first is not None and first["status"] == "running"
    assert client_store.start_experiment(client.slug) is None  # one runs already
    assert client_store.end_experiment(first["id"]) and not client_store.end_experiment(first["id"])
    second = client_store.start_experiment(client.id, page="index")
    assert second is not None and second["id"] != first["id"]
    assert [e["id"] for e in client_store.experiments_of(client.slug, statuses=("running",))] == [second["id"]]
    assert {e["status"] for e in client_store.experiments_of()} == {"running", "off"}
    with pytest.raises(KeyError):
        client_store.start_experiment("nobody-here")


def test_activity_names_the_clients_with_new_events(client_store) -> None:
    taco = published_client(client_store)
    other = published_client(client_store, business_name="Blue Fern Dental")
    assert client_store.experiment_activity(0) == ([], 0)
    _event(client_store, taco, "exposure", "t1")
    slugs, seq = client_store.experiment_activity(0)
    assert slugs == [taco.slug] and seq > 0
    assert client_store.experiment_activity(seq) == ([], seq)
    _event(client_store, other, "exposure", "o1")
    _event(client_store, taco, "exposure", "t1")  # already counted: no new event
    slugs, later = client_store.experiment_activity(seq)
    assert slugs == [other.slug] and later > seq


def test_the_client_switch_is_a_brief_field_stored_with_the_client(client_store) -> None:
    on = published_client(client_store, experiments=True)
    off = published_client(client_store, business_name="Quiet Cafe", experiments=False)
    unset = published_client(client_store, business_name="Plain Cafe")
    assert client_store.get(on.slug).brief().experiments is True
    assert client_store.get(off.slug).brief().experiments is False
    assert client_store.get(unset.slug).brief().experiments is None

"""Experiments in Dagster: the `experiment` asset per client partition, its checks, its sensor and the CLI pass."""

from __future__ import annotations

import json

import dagster as dg
import pytest

from deznity_assets.brief import REFERENCE_CLIENTS
from deznity_assets.control.experiment_decisions import pending_decisions
from deznity_assets.defs.experiments import EXPERIMENT_ASSET, EXPERIMENT_JOB, MIN_SAMPLE_CHECK, SRM_CHECK
from deznity_assets.defs.partitions import CLIENTS
from deznity_assets.experiments.decide import evaluate
from deznity_assets.runner import evaluate_experiments_now
from tests.plugins.lead_rows import published_client


def traffic(store, client, *, a: tuple[int, int], b: tuple[int, int], prefix: str = "") -> None:
    """Exposures and conversions as the site API records them: (visitors, conversions) per variant."""
    for variant, (visitors, conversions) in (("a", a), ("b", b)):
        for n in range(visitors):
            visitor = f"{prefix}{variant}{n}"
            kw = {"client_id": client.id, "slug": client.slug, "page": "index", "variant": variant}
            store.record_experiment_event(**kw, kind="exposure", visitor=visitor)
            if n < conversions:
                store.record_experiment_event(**kw, kind="conversion", visitor=visitor)


def _tick(platform, instance, cursor=None):
    sensor = platform.definitions.resolve_sensor_def("experiment_sensor")
    with dg.build_sensor_context(
        instance_ref=instance.get_ref(), definitions=platform.definitions, resources=platform.resources, cursor=cursor
    ) as context:
        return sensor.evaluate_tick(context)


def _latest(instance, slug):
    records = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=EXPERIMENT_ASSET, asset_partitions=[slug]), limit=1
    ).records
    return records[0].asset_materialization if records else None


def _run(platform, instance, slug):
    job = platform.definitions.resolve_job_def(EXPERIMENT_JOB)
    result = job.execute_in_process(partition_key=slug, instance=instance, raise_on_error=False)
    assert result.success
    return {e.check_name: e for e in result.get_asset_check_evaluations()}


def test_the_pure_evaluation() -> None:
    undecided = evaluate({"a": {"visitors": 100, "conversions": 5}, "b": {"visitors": 100, "conversions": 10}})
    assert not undecided.enough and undecided.winner is None and undecided.figures()["interval"] == [None, None]
    decided = evaluate({"a": {"visitors": 500, "conversions": 25}, "b": {"visitors": 500, "conversions": 100}})
    figures = decided.figures()
    assert decided.enough and decided.winner == "b" and figures["decision"] == "b_better"
    assert 0 < figures["interval"][0] < 0.15 < figures["interval"][1] and figures["b"]["rate"] == 0.2
    broken = evaluate({"a": {"visitors": 900, "conversions": 45}, "b": {"visitors": 500, "conversions": 100}})
    assert broken.look.srm and broken.winner is None  # decided, but the split is broken: nothing to act on
    with pytest.raises(ValueError, match="cannot exceed"):
        evaluate({"a": {"visitors": 1, "conversions": 2}, "b": {"visitors": 1, "conversions": 0}})


def test_the_sensor_runs_the_asset_whose_checks_and_metadata_record_a_decision(platform, store, instance) -> None:
    graph = platform.definitions.resolve_asset_graph()
    node = graph.get(EXPERIMENT_ASSET)
    assert node.partitions_def.name == CLIENTS and node.is_executable and node.group_name == "site_api"
    assert {k.name for k in node.check_keys} == {SRM_CHECK, MIN_SAMPLE_CHECK}

    quiet = _tick(platform, instance)
    assert quiet.skip_message == "no new experiment events" and not quiet.run_requests

    taco = published_client(store)
    tech = published_client(store, REFERENCE_CLIENTS[2])
    instance.add_dynamic_partitions(CLIENTS, ["tacoloco", "techstart"])
    traffic(store, taco, a=(500, 25), b=(500, 100))
    traffic(store, tech, a=(300, 15), b=(300, 15))
    tick = _tick(platform, instance)
    assert sorted(r.partition_key for r in tick.run_requests) == ["tacoloco", "techstart"]
    assert _tick(platform, instance, tick.cursor).run_requests in ([], None)  # nothing new since

    checks = _run(platform, instance, "tacoloco")
    assert checks[SRM_CHECK].passed and checks[MIN_SAMPLE_CHECK].passed
    meta = {k: v.value for k, v in _latest(instance, "tacoloco").metadata.items()}
    assert meta["a_visitors"] == 500 and meta["b_conversions"] == 100 and meta["b_rate"] == pytest.approx(0.2)
    assert meta["decision"] == "b_better" and meta["winner"] == "b" and meta["decision_code"] == 1
    assert 0 < meta["interval_low"] < meta["interval_high"] and meta["status"] == "running"  # as it was looked at
    [decided] = pending_decisions(store)
    assert decided["slug"] == "tacoloco" and decided["winner"] == "b" and decided["figures"]["b"]["conversions"] == 100
    [event] = [e for e in store.events() if e["type"] == "experiment.decided"]
    payload = json.loads(event["payload"])
    assert payload["winner"] == "b" and payload["experiment_id"] == decided["id"] and payload["figures"]["enough"]

    # Alike variants: undecided, still running, no event; the minimum sample is reached.
    checks = _run(platform, instance, "techstart")
    assert checks[SRM_CHECK].passed and checks[MIN_SAMPLE_CHECK].passed
    assert _latest(instance, "techstart").metadata["decision"].value == "undecided"
    assert [e["status"] for e in store.experiments_of("techstart")] == ["running"]
    # Looking again records nothing twice.
    _run(platform, instance, "tacoloco")
    assert [e["type"] for e in store.events()].count("experiment.decided") == 1

    # The dashboard's first page draws both: rates as bars, the interval of B - A, the decision; no script.
    page = (platform.output_dir / "index.html").read_text("utf-8")
    section = page[page.index('<section aria-labelledby="experiments"') :]
    section = section[: section.index("</section>")]
    assert "<script" not in page
    assert 'data-slug="tacoloco" data-status="decided"' in section and "<strong>b</strong> (b_better)" in section
    assert 'data-slug="techstart" data-status="running"' in section and "undecided" in section
    assert section.count('class="ab"') == 2 and section.count('class="interval"') == 2
    assert "20.0% (100/500)" in section and "5.0% (25/500)" in section


def test_a_broken_split_fails_its_check_and_decides_nothing(platform, store, instance) -> None:
    taco = published_client(store)
    instance.add_dynamic_partitions(CLIENTS, ["tacoloco"])
    traffic(store, taco, a=(150, 5), b=(60, 20))
    checks = _run(platform, instance, "tacoloco")
    assert not checks[SRM_CHECK].passed and not checks[MIN_SAMPLE_CHECK].passed
    assert checks[MIN_SAMPLE_CHECK].severity == dg.AssetCheckSeverity.WARN
    assert pending_decisions(store) == [] and store.experiments_of("tacoloco")[0]["status"] == "running"


def test_a_cli_pass_evaluates_experiments_and_ends_those_switched_off(platform, store, instance) -> None:
    taco = published_client(store)
    off = published_client(store, REFERENCE_CLIENTS[2], experiments=False)
    instance.add_dynamic_partitions(CLIENTS, [taco.slug, off.slug])
    traffic(store, taco, a=(500, 25), b=(500, 100))
    traffic(store, off, a=(10, 1), b=(10, 1))
    assert evaluate_experiments_now(platform, instance) == sorted([taco.slug, off.slug])
    assert [e["status"] for e in store.experiments_of(taco.slug)] == ["decided"]
    assert [e["status"] for e in store.experiments_of(off.slug)] == ["off"]
    assert _latest(instance, taco.slug).metadata["winner"].value == "b"
    assert evaluate_experiments_now(platform, instance) == []  # nothing new, nothing running

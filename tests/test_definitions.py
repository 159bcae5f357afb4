"""The code location loads, validates with the dagster CLI, and has the shape flow.py declares."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import dagster as dg

from deznity_assets.definitions import JOB_NAME
from deznity_assets.flow import FLOW, PHASE_NAMES
from tests.plugins.platform import PROJECT_ROOT, env_for


def test_dagster_definitions_validate(tmp_path):
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("DEZNITY_")}, **env_for(tmp_path)}
    os.makedirs(env["DAGSTER_HOME"], exist_ok=True)
    proc = subprocess.run(
        [
            str(Path(sys.executable).parent / "dagster"),
            "definitions",
            "validate",
            "-w",
            str(PROJECT_ROOT / "workspace.yaml"),
        ],
        env=env,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_graph_is_the_declared_flow(platform):
    defs = platform.definitions
    graph = defs.resolve_asset_graph()
    declared = {d.asset: step for step in FLOW for d in step.deliverables}
    # Besides the flow: `leads`, an external asset the site API's rows report (tests/test_leads_asset.py), and
    # `experiment`, a client's A/B experiment looked at by its own job (tests/test_experiments_asset.py).
    assert {k.to_user_string() for k in graph.get_all_asset_keys()} == set(declared) | {"leads", "experiment"}
    for asset, step in declared.items():
        node = graph.get(dg.AssetKey(asset))
        assert node.group_name == step.group, asset
        assert node.partitions_def is not None and node.partitions_def.name == "clients"
        assert node.description, f"{asset} has no description"
    # Each step is one op: the assets of a phase are materialized together, by its agents.
    job = defs.resolve_job_def(JOB_NAME)
    assert sorted(node.name for node in job.graph.nodes) == sorted(step.name for step in FLOW)
    assert job.executor_def.name == "in_process"
    assert PHASE_NAMES == [
        "client_analysis",
        "web_development",
        "content_creation",
        "testing_validation",
        "deployment",
    ]  # the five phases of domain.md, in order
    for step in FLOW:
        upstream = {dep for asset in step.assets for dep in graph.get(dg.AssetKey(asset)).parent_keys}
        earlier = {a for s in FLOW[: FLOW.index(step)] for a in s.assets}
        assert {k.to_user_string() for k in upstream} <= earlier, f"{step.name} reads a later step"


def test_sensors_checks_and_resources(platform):
    defs = platform.definitions
    sensors = {s.name: s for s in defs.get_repository_def().sensor_defs}
    assert set(sensors) == {
        "pending_clients_sensor",
        "client_completed_sensor",
        "client_failed_sensor",
        "client_reconciliation_sensor",
        "review_decisions_sensor",
        "webhook_delivery_sensor",
        "lead_mail_sensor",
        "leads_sensor",
        "experiment_sensor",
        "experiment_actions_sensor",
    }
    assert all(s.default_status == dg.DefaultSensorStatus.RUNNING for s in sensors.values())
    assert sensors["pending_clients_sensor"].minimum_interval_seconds == 300  # DEZNITY_POLL_SECONDS' default
    assert {"store", "output", "lifecycle"} <= set(sensors["pending_clients_sensor"].required_resource_keys)
    assert set(defs.resources) == {
        "lifecycle",
        "output",
        "store",
        "openai",
        "agents",
        "memory",
        "webhooks",
        "storage",
        "hosting",
        "io_manager",
    }
    graph = defs.resolve_asset_graph()
    from deznity_assets.qa.checks import CHECKS

    checks = {c.name: c for c in graph.asset_check_keys}
    assert set(checks) == set(CHECKS) | {"sample_ratio", "minimum_sample"}  # the latter two: the experiment's
    assert checks["links_resolve"].asset_key == dg.AssetKey("functional_qa")
    assert graph.get_check_spec(checks["links_resolve"]).blocking
    assert not graph.get_check_spec(checks["title_length"]).blocking  # a warning

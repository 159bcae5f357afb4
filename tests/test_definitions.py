"""The code location loads, validates with the dagster CLI, and wires what the platform needs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import dagster as dg

from deznity_assets.definitions import JOB_NAME, build_definitions
from tests.plugins.platform import PROJECT_ROOT, env_for


def test_dagster_definitions_validate(tmp_path):
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("DEZNITY_")}, **env_for(tmp_path)}
    os.makedirs(env["DAGSTER_HOME"], exist_ok=True)
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "dagster"), "definitions", "validate", "-w",
         str(PROJECT_ROOT / "workspace.yaml")],
        env=env, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=180,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_definitions_wiring(settings):
    defs = build_definitions(settings)
    repo = defs.get_repository_def()
    sensors = {s.name: s for s in repo.sensor_defs}
    assert set(sensors) == {"pending_clients_sensor", "client_completed_sensor", "client_failed_sensor",
                            "client_reconciliation_sensor"}
    assert all(s.default_status == dg.DefaultSensorStatus.RUNNING for s in sensors.values())
    assert sensors["pending_clients_sensor"].minimum_interval_seconds == settings.poll_seconds
    job = defs.resolve_job_def(JOB_NAME)
    assert job.executor_def.name == "in_process"
    graph = defs.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    assert keys == {"client_brief", "project_plan", "market_analysis", "site_structure", "design_system",
                    "seo_copy", "marketing_content", "website", "functional_qa", "seo_performance_qa",
                    "deploy_config", "support_kit", "bootstrap_summary"}
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        assert node.partitions_def is not None and node.partitions_def.name == "clients"
        assert node.description, f"{key} has no description"
    groups = {graph.get(dg.AssetKey(k)).group_name for k in ("project_plan", "site_structure", "seo_copy",
                                                            "functional_qa", "deploy_config")}
    assert groups == {"client_analysis", "web_development", "content_creation", "testing_validation", "deployment"}
    from deznity_assets.qa.checks import CHECKS

    checks = {c.name: c for c in graph.asset_check_keys}
    assert set(checks) == set(CHECKS)
    assert checks["links_resolve"].asset_key == dg.AssetKey("functional_qa")
    assert graph.get_check_spec(checks["links_resolve"]).blocking
    assert not graph.get_check_spec(checks["title_length"]).blocking  # a warning

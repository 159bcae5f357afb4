"""The real thing: `dagster dev` (webserver + daemon) picks up a pending row with nobody touching it."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from deznity_assets.brief import REFERENCE_CLIENTS
from deznity_assets.platform import Platform
from tests.plugins.platform import CREATE_INSTANCE_STORAGE, PROJECT_ROOT, env_for

BIN = Path(sys.executable).parent
UI_CANARY = "uicnry5Kp"
UI_SECRETS = ("OPENAI_API_KEY", "OPENROUTER_API_KEY", "DEZNITY_LLM_API_KEY", "SUPABASE_SERVICE_ROLE_KEY")
RESOURCES_QUERY = """{ allTopLevelResourceDetailsOrError(repositorySelector:
  {repositoryLocationName: "deznity", repositoryName: "__repository__"}) {
  ... on ResourceDetailsList { results { name configuredValues { key value type } } } } }"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _graphql(url: str, query: str) -> dict:
    req = urllib.request.Request(
        f"{url}/graphql", data=json.dumps({"query": query}).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.load(resp)["data"]


@pytest.fixture
def dagster_dev(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DEZNITY_", "OPENAI", "OPENROUTER", "SUPABASE"))}
    env.update(env_for(tmp_path, DEZNITY_POLL_SECONDS="3", DEZNITY_EMBEDDINGS="hashing"))
    # Keys of services this run does not call: the UI must show their names and never their values.
    env.update({name: f"{UI_CANARY}-{name.lower()}" for name in UI_SECRETS})
    platform = Platform.from_env(env)
    home = os.environ.get("DAGSTER_HOME")
    platform.settings.ensure_dagster_home()
    # The tables first, as `deznity ui` does: dagster dev's daemon and webserver would race to make them.
    subprocess.run([sys.executable, "-c", CREATE_INSTANCE_STORAGE], env=env, cwd=PROJECT_ROOT, check=True)
    if home is None:
        os.environ.pop("DAGSTER_HOME", None)
    else:
        os.environ["DAGSTER_HOME"] = home
    port = _free_port()
    log = open(tmp_path / "dagster-dev.log", "w")  # noqa: SIM115 - open while the server runs, closed below
    proc = subprocess.Popen(
        [str(BIN / "dagster"), "dev", "-w", str(PROJECT_ROOT / "workspace.yaml"), "-h", "127.0.0.1", "-p", str(port)],
        env=env,
        cwd=PROJECT_ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 120
        while True:
            try:
                urllib.request.urlopen(f"{url}/server_info", timeout=5)
                break
            except OSError:
                if proc.poll() is not None or time.time() > deadline:
                    raise AssertionError(
                        "dagster dev did not start:\n" + (tmp_path / "dagster-dev.log").read_text()[-4000:]
                    ) from None
                time.sleep(1)
        yield url, platform, tmp_path / "dagster-dev.log"
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


def test_pending_row_is_processed_by_the_running_daemon(dagster_dev):
    url, platform, log = dagster_dev
    store = platform.store
    store.add_client(REFERENCE_CLIENTS[4])
    store.insert_raw(
        {
            "business_name": "Broken Row",
            "slug": "broken-row",
            "industry": "saas",
            "goal": "g",
            "color": "#12",
            "copy_tone": "fun",
            "target_geo": "Global",
            "pages": "home",
            "budget": "starter",
        }
    )
    deadline = time.time() + 240
    while time.time() < deadline:
        if store.get("tacoloco").status in ("completed", "failed"):
            break
        time.sleep(2)
    row = store.get("tacoloco")
    assert row.status == "completed", f"{row.status}: {row.last_error}\n{log.read_text()[-3000:]}"
    assert row.run_id
    assert (platform.output_dir / "tacoloco" / "site" / "index.html").exists()
    broken = store.get("broken-row")
    assert broken.status == "failed" and broken.last_error.startswith("invalid brief: color:")

    data = _graphql(url, "{ assetNodes { assetKey { path } } }")
    keys = {"/".join(n["assetKey"]["path"]) for n in data["assetNodes"]}
    assert {"client_brief", "project_plan", "website", "functional_qa", "bootstrap_summary"} <= keys
    partitions = _graphql(
        url, '{ assetNodeOrError(assetKey: {path: ["bootstrap_summary"]}) { ... on AssetNode { partitionKeys } } }'
    )
    assert "tacoloco" in partitions["assetNodeOrError"]["partitionKeys"]
    run = _graphql(url, f'{{ runOrError(runId: "{row.run_id}") {{ ... on Run {{ status tags {{ key value }} }} }} }}')
    tags = {t["key"]: t["value"] for t in run["runOrError"]["tags"]}
    assert run["runOrError"]["status"] == "SUCCESS" and tags["deznity/attempt"] == "1"

    # A manual backfill of the partition runs the same graph and is written back the same way.
    env = {**os.environ, **env_for(platform.settings.state_path.parent, DEZNITY_POLL_SECONDS="3")}
    backfill = subprocess.run(
        [
            str(BIN / "dagster"),
            "job",
            "backfill",
            "-w",
            str(PROJECT_ROOT / "workspace.yaml"),
            "-j",
            "client_package_job",
            "--partitions",
            "tacoloco",
            "--noprompt",
        ],
        env=env,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert backfill.returncode == 0, backfill.stdout + backfill.stderr
    deadline = time.time() + 240
    while time.time() < deadline:
        again = store.get("tacoloco")
        if again.run_id != row.run_id and again.status == "completed":
            break
        time.sleep(2)
    again = store.get("tacoloco")
    assert again.run_id != row.run_id and again.status == "completed", f"{again}\n{log.read_text()[-3000:]}"
    assert again.run_id in (platform.output_dir / "tacoloco" / "BOOTSTRAP_SUMMARY.md").read_text()


def test_the_ui_shows_the_asset_graph_in_a_browser(dagster_dev, chromium_browser, tmp_path):
    url, _platform, _log = dagster_dev
    page = chromium_browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(f"{url}/asset-groups", wait_until="networkidle", timeout=60_000)
        for group in (
            "intake",
            "client_analysis",
            "web_development",
            "content_creation",
            "testing_validation",
            "deployment",
        ):
            page.get_by_text(group).first.wait_for(timeout=60_000)
        page.goto(f"{url}/assets/project_plan", wait_until="networkidle", timeout=60_000)
        page.get_by_text("PM Agent (Gantt): the project plan.").first.wait_for(timeout=60_000)
        page.screenshot(path=str(tmp_path / "ui-asset.png"))
        page.goto(f"{url}/overview/automation", wait_until="networkidle", timeout=60_000)
        page.get_by_text("pending_clients_sensor").first.wait_for(timeout=60_000)
        page.goto(f"{url}/locations/deznity/resources/agents", wait_until="networkidle", timeout=60_000)
        page.get_by_text("OPENROUTER_API_KEY").first.wait_for(timeout=60_000)
        page.get_by_text("DEZNITY_LLM_PROVIDER").first.wait_for(timeout=60_000)  # the field's description
        page.screenshot(path=str(tmp_path / "ui-resource.png"))
        assert UI_CANARY not in page.content()
    finally:
        page.close()


def test_the_resource_page_shows_every_setting_and_only_names_of_secrets(dagster_dev):
    url, _platform, _log = dagster_dev
    raw = json.dumps(_graphql(url, RESOURCES_QUERY))
    assert UI_CANARY not in raw
    results = json.loads(raw)["allTopLevelResourceDetailsOrError"]["results"]
    shown = {r["name"]: {v["key"]: (v["type"], v["value"]) for v in r["configuredValues"]} for r in results}
    assert {"store", "agents", "openai", "memory", "output", "lifecycle"} <= set(shown)
    assert shown["agents"]["openrouter_api_key"] == ("ENV_VAR", "OPENROUTER_API_KEY")
    assert shown["agents"]["api_key"] == ("ENV_VAR", "DEZNITY_LLM_API_KEY")
    assert shown["openai"]["api_key"] == ("ENV_VAR", "OPENAI_API_KEY")
    assert shown["store"]["supabase_service_role_key"] == ("ENV_VAR", "SUPABASE_SERVICE_ROLE_KEY")
    assert shown["agents"]["provider"] == ("VALUE", '"offline"')
    assert shown["lifecycle"]["poll_seconds"] == ("VALUE", "3")
    assert shown["store"]["database_url"][0] == "VALUE"  # a SQLite URL carries no credentials


def _wait_for(store, slug: str, statuses: tuple[str, ...], log: Path, seconds: int = 240):
    deadline = time.time() + seconds
    while time.time() < deadline:
        row = store.get(slug)
        if row is not None and row.status in statuses:
            return row
        time.sleep(2)
    row = store.get(slug)
    raise AssertionError(f"{slug} is {row.status if row else None}, not {statuses}\n{log.read_text()[-3000:]}")


def test_a_regulated_client_waits_for_a_decision_typed_into_the_reviews_table(dagster_dev):
    url, platform, log = dagster_dev
    store = platform.store
    store.add_client(dict(REFERENCE_CLIENTS[4], business_name="Bufete Ruiz", industry="law firm"))
    held = _wait_for(store, "bufete-ruiz", ("needs_review", "completed", "failed"), log)
    assert held.status == "needs_review", held.last_error
    query = f'{{ runOrError(runId: "{held.run_id}") {{ ... on Run {{ status tags {{ key value }} }} }} }}'
    run = _graphql(url, query)["runOrError"]
    tags = {t["key"]: t["value"] for t in run["tags"]}
    assert run["status"] == "SUCCESS" and "law firm" in tags["deznity/held-for-review"]
    assert not (platform.output_dir / "bufete-ruiz" / "deploy").exists()
    # A reviewer's row, as typed in the table editor; the review sensor acts on it within a minute.
    store.add_review("bufete-ruiz", attempt=held.attempt, decision="approved", reviewer="socia")
    done = _wait_for(store, "bufete-ruiz", ("completed", "failed"), log)
    assert done.status == "completed", done.last_error
    assert done.run_id != held.run_id
    assert (platform.output_dir / "bufete-ruiz" / "deploy" / "vercel.json").exists()
    assert "Approved by socia" in (platform.output_dir / "bufete-ruiz" / "BOOTSTRAP_SUMMARY.md").read_text()

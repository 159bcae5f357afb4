"""deploy/: the Dockerfile, compose file and Helm values name the image, module, variables and ports the code does."""

from __future__ import annotations

import re
import shlex

import pytest
import yaml

from deznity_assets.config import DAGSTER_PG_SCHEME, FAMILY_MARK, all_variables
from deznity_assets.topology import (
    CODE_LOCATION,
    CODE_SERVER_PORT,
    IMAGE,
    MODULE,
    SITE_API_PORT,
    SITE_API_REPLICAS,
    UI_PORT,
    code_server_command,
    daemon_command,
    site_api_command,
    webserver_command,
)
from tests.plugins.platform import PROJECT_ROOT

DEPLOY = PROJECT_ROOT / "deploy"
VARIABLES = {v.name for v in all_variables() if not v.name.endswith(FAMILY_MARK)}
SECRETS = {v.name for v in all_variables() if v.secret != "no"}
SPLIT = "deploy/workspace.yaml"  # relative to the image's working directory, the project root
DAGSTER_SERVICES = ("code-server", "daemon", "webserver", "webserver-read-only")


def _yaml(name: str) -> dict:
    return yaml.safe_load((DEPLOY / name).read_text())


@pytest.fixture(scope="module")
def compose() -> dict:
    return _yaml("docker-compose.yaml")


@pytest.fixture(scope="module")
def helm() -> dict:
    return _yaml("helm/values.yaml")


def _env_file(name: str) -> set[str]:
    lines = (DEPLOY / "helm" / name).read_text().splitlines()
    return {line.split("=", 1)[0] for line in lines if line and not line.startswith("#")}


def test_the_postgres_instance_has_the_embedded_instances_settings_and_only_adds_storage():
    embedded, production = yaml.safe_load((PROJECT_ROOT / "dagster.yaml").read_text()), _yaml("dagster.yaml")
    assert production.pop("storage") == {
        "custom": {
            "module": "deznity_assets.instance_storage_postgres",
            "class": "DeznityPostgresStorage",
            "config": {"postgres_url": {"env": "DEZNITY_DAGSTER_PG_URL"}},
        }
    }
    assert production == embedded


def test_the_split_workspace_reads_the_code_servers_address_from_the_settings():
    [entry] = _yaml("workspace.yaml")["load_from"]
    server = entry["grpc_server"]
    assert server == {
        "host": {"env": "DEZNITY_CODE_SERVER_HOST"},
        "port": {"env": "DEZNITY_CODE_SERVER_PORT"},
        "location_name": CODE_LOCATION,
    }
    assert {"DEZNITY_CODE_SERVER_HOST", "DEZNITY_CODE_SERVER_PORT"} <= VARIABLES


def test_the_dockerfile_serves_the_code_location_and_holds_the_postgres_instance():
    text = (DEPLOY / "Dockerfile").read_text()
    cmd = re.search(r"^CMD (\[.*\])$", text, re.M)
    assert cmd and yaml.safe_load(cmd.group(1)) == code_server_command("0.0.0.0", CODE_SERVER_PORT)
    assert f"EXPOSE {UI_PORT} {CODE_SERVER_PORT}" in text
    assert 'cp deploy/dagster.yaml "$DAGSTER_HOME/dagster.yaml"' in text
    assert "DAGSTER_HOME=/opt/dagster/dagster_home" in text
    assert f"-t {IMAGE} ." in text  # the build command the comment gives tags the image the others run


def test_compose_runs_the_same_commands_image_and_variables_as_the_code(compose):
    services = compose["services"]
    commands = {
        "code-server": code_server_command("0.0.0.0", CODE_SERVER_PORT),
        "daemon": daemon_command(SPLIT),
        "webserver": webserver_command(SPLIT, "0.0.0.0", UI_PORT),
        "webserver-read-only": webserver_command(SPLIT, "0.0.0.0", UI_PORT, read_only=True),
        "site-api": site_api_command("0.0.0.0", SITE_API_PORT),
    }
    for name, command in commands.items():
        service = services[name]
        assert service["command"] == command, name
        assert service["image"] == IMAGE and service["build"]["dockerfile"] == "deploy/Dockerfile", name
        env = service["environment"]
        # Every variable the code reads, and nothing it does not.
        assert set(env) == VARIABLES, (name, set(env) ^ VARIABLES)
        assert env["DAGSTER_HOME"] == "/opt/dagster/dagster_home"
        assert env["DEZNITY_CODE_SERVER_HOST"] == "code-server" and env["DEZNITY_CODE_SERVER_PORT"] == str(
            CODE_SERVER_PORT
        )
        assert env["DEZNITY_DAGSTER_PG_URL"].startswith(DAGSTER_PG_SCHEME)
        assert (
            env["DEZNITY_DATABASE_URL"].startswith("postgresql://") and "@postgres:5432/" in env["DEZNITY_DATABASE_URL"]
        )
        # Secrets come from the environment, never written here.
        fixed = {"DEZNITY_DATABASE_URL", "DEZNITY_DAGSTER_PG_URL", "DEZNITY_REDIS_URL", "DEZNITY_API_VISITOR_KEY"}
        for secret in SECRETS - fixed:
            assert env[secret] == f"${{{secret}:-}}", secret
        # Redis on the internal network (no password to hide); the visitor key must be given.
        assert env["DEZNITY_REDIS_URL"] == "redis://redis:6379/0"
        assert env["DEZNITY_API_VISITOR_KEY"].startswith("${DEZNITY_API_VISITOR_KEY:?")
        assert any(v.endswith(":/data") for v in service["volumes"]), name  # packages on a volume
        assert env["DEZNITY_OUTPUT_DIR"].startswith("/data/")
    health = services["code-server"]["healthcheck"]["test"]
    assert health[-2:] == ["-p", str(CODE_SERVER_PORT)]


def test_compose_keeps_the_webservers_behind_the_authenticating_proxy(compose):
    services, networks = compose["services"], compose["networks"]
    for name in DAGSTER_SERVICES + ("postgres",):
        assert "ports" not in services[name], f"{name} must not publish a port"
    for name in ("webserver", "webserver-read-only", "postgres"):
        assert all(networks[n].get("internal") for n in services[name]["networks"]), name
    proxy = services["proxy"]
    assert proxy["image"].startswith("caddy:") and proxy["ports"]
    caddy = (DEPLOY / "Caddyfile").read_text()
    assert caddy.count("basic_auth") == 2
    assert f"reverse_proxy webserver:{UI_PORT}" in caddy and f"reverse_proxy webserver-read-only:{UI_PORT}" in caddy
    assert "--read-only" in services["webserver-read-only"]["command"]
    assert "CREATE DATABASE dagster" in (DEPLOY / "postgres-init.sql").read_text()
    assert services["daemon"]["environment"]["DEZNITY_DAGSTER_PG_URL"].endswith("@postgres:5432/dagster")


def test_compose_runs_the_site_api_in_replicas_behind_the_proxy(compose):
    services, networks = compose["services"], compose["networks"]
    api = services["site-api"]
    assert api["deploy"]["replicas"] == SITE_API_REPLICAS >= 2 and "ports" not in api
    assert all(networks[n].get("internal") for n in api["networks"])
    assert api["environment"]["DEZNITY_API_PORT"] == str(SITE_API_PORT)
    assert api["environment"]["DEZNITY_API_FORWARDED_HOPS"] == "2"  # the site's host, then Caddy
    assert "redis" in services and set(services["redis"]["networks"]) <= set(api["networks"])
    caddy = (DEPLOY / "Caddyfile").read_text()
    assert f"dynamic a site-api {SITE_API_PORT}" in caddy and "trusted_proxies" in caddy
    assert "api" in services["proxy"]["networks"]


def test_helm_values_run_the_image_module_and_port_of_the_code(helm):
    repository, tag = IMAGE.split(":")
    [deployment] = helm["dagster-user-deployments"]["deployments"]
    for image in (helm["dagsterWebserver"]["image"], helm["dagsterDaemon"]["image"], deployment["image"]):
        assert (image["repository"], image["tag"]) == (repository, tag)
    args = deployment["dagsterApiGrpcArgs"]
    assert args[args.index("-m") + 1] == MODULE and args[args.index("--location-name") + 1] == CODE_LOCATION
    assert deployment["port"] == CODE_SERVER_PORT
    assert deployment["includeConfigInLaunchedRuns"]["enabled"] is True
    assert helm["runLauncher"]["type"] == "K8sRunLauncher"
    # Not exposed publicly; a read-only webserver beside it.
    assert helm["dagsterWebserver"]["service"]["type"] == "ClusterIP" and helm["ingress"]["enabled"] is False
    assert helm["dagsterWebserver"]["enableReadOnly"] is True
    assert helm["postgresql"]["postgresqlScheme"] + "://" == DAGSTER_PG_SCHEME


def test_helm_values_keep_the_instance_settings_of_dagster_yaml(helm):
    embedded = yaml.safe_load((PROJECT_ROOT / "dagster.yaml").read_text())
    daemon = helm["dagsterDaemon"]
    runs = daemon["runCoordinator"]["config"]["queuedRunCoordinator"]["maxConcurrentRuns"]
    assert runs == embedded["concurrency"]["runs"]["max_concurrent_runs"]
    pools = helm.get("additionalInstanceConfig", {}).get("concurrency", {}).get("pools")
    assert pools == embedded["concurrency"].get("pools")  # no fixed limit on the `llm` pool in either
    monitoring = embedded["run_monitoring"]
    assert daemon["runMonitoring"]["freeSlotsAfterRunEndSeconds"] == monitoring["free_slots_after_run_end_seconds"]
    assert daemon["runMonitoring"]["pollIntervalSeconds"] == monitoring["poll_interval_seconds"]
    assert daemon["runRetries"]["enabled"] is embedded["run_retries"]["enabled"] is False
    assert helm["additionalInstanceConfig"]["instance_class"] == embedded["instance_class"]
    assert helm["pythonLogs"]["pythonLogLevel"] == embedded["python_logs"]["python_log_level"] == "INFO"


def test_helm_names_every_variable_the_code_reads(helm):
    # The chart sets DAGSTER_HOME and the instance's storage itself; the webserver's address and the
    # code server's host are its Services.
    by_chart = {
        "DAGSTER_HOME",
        "DEZNITY_DAGSTER_PG_URL",
        "DEZNITY_UI_HOST",
        "DEZNITY_UI_PORT",
        "DEZNITY_CODE_SERVER_HOST",
    }
    [deployment] = helm["dagster-user-deployments"]["deployments"]
    in_values = {e["name"] for e in deployment["env"]}
    for component in (helm["dagsterWebserver"], helm["dagsterDaemon"]):
        assert {e["name"] for e in component["env"]} == in_values
        assert component["envSecrets"] == deployment["envSecrets"] == [{"name": "deznity-secrets"}]
    secrets, settings = _env_file("secret.example.env"), _env_file("settings.example.env")
    assert secrets == SECRETS - by_chart - in_values, "secret.example.env: every secret setting"
    assert not (settings & SECRETS) and not (in_values & SECRETS), "no secret as a plain value"
    named = in_values | secrets | settings | by_chart
    assert named == VARIABLES, named ^ VARIABLES
    launcher = helm["runLauncher"]["config"]["k8sRunLauncher"]
    assert launcher["envSecrets"] == [{"name": "deznity-secrets"}]
    assert launcher["envConfigMaps"] == [{"name": "deznity-settings"}]
    # The cache holds what the image was built with (the decompressed language model): it may stay on a pod.
    assert {e["name"]: e["value"] for e in deployment["env"]}["DEZNITY_CACHE_DIR"] == "/opt/deznity/cache"
    paths = [e for e in deployment["env"] if e["name"].endswith(("_URL", "_DIR")) and e["name"] != "DEZNITY_CACHE_DIR"]
    for value in (e["value"] for e in paths):
        # Nothing a run writes may stay on its pod's disk: shared storage, or the state folder only.
        assert value.startswith("s3://") or value.startswith("/data/"), value


def test_every_command_in_docs_deploy_names_a_file_that_exists():
    text = (PROJECT_ROOT / "docs" / "DEPLOY.md").read_text()
    for path in re.findall(r"deploy/[\w./-]+", text):
        assert (PROJECT_ROOT / path.rstrip(".")).exists(), path
    assert "no login" in text
    assert shlex.join(code_server_command("0.0.0.0", CODE_SERVER_PORT)) in text


def test_the_kubernetes_site_api_runs_replicas_of_the_same_command():
    documents = list(yaml.safe_load_all((DEPLOY / "helm" / "site-api.yaml").read_text()))
    [api] = [d for d in documents if d["kind"] == "Deployment" and d["metadata"]["name"] == "deznity-site-api"]
    assert api["spec"]["replicas"] == SITE_API_REPLICAS
    [container] = api["spec"]["template"]["spec"]["containers"]
    assert container["command"] == site_api_command("0.0.0.0", SITE_API_PORT) and container["image"] == IMAGE
    assert {e["secretRef"]["name"] for e in container["envFrom"] if "secretRef" in e} == {"deznity-secrets"}
    secrets = (DEPLOY / "helm" / "secret.example.env").read_text()
    assert "DEZNITY_REDIS_URL=redis://deznity-redis:6379/0" in secrets
    assert {d["metadata"]["name"] for d in documents if d["kind"] == "Service"} == {"deznity-site-api", "deznity-redis"}

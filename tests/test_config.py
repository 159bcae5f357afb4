"""The configuration model: every variable declared once, read only through it, secrets kept as names."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from deznity_assets.config import FAMILY_MARK, ConfigError, all_variables, declared, has_credentials
from deznity_assets.resources import RESOURCE_CLASSES, resources_from_env
from deznity_assets.site_api.settings import SiteApiSettings, site_api_settings
from tests.plugins.platform import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "deznity_assets"
DECLARED = {v.name for v in all_variables()}


def _variables_read(tree: ast.AST) -> set[str]:
    """String constants read as environment variables: os.environ[...], os.environ.get(...), os.getenv(...),
    env.get(...)/env[...] on a mapping named env or environ, and dg.EnvVar(...)."""
    found = set()
    for node in ast.walk(tree):
        target = None
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            owner = func.value if isinstance(func, ast.Attribute) else None
            owner_name = getattr(owner, "attr", None) or getattr(owner, "id", None)
            if (
                name == "getenv"
                or name == "EnvVar"
                or (name in ("get", "pop", "setdefault") and owner_name in ("environ", "env"))
            ):
                target = node.args[0].value
        elif isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
            owner_name = getattr(node.value, "attr", None) or getattr(node.value, "id", None)
            if owner_name in ("environ", "env"):
                target = node.slice.value
        if isinstance(target, str):
            found.add(target)
    return found


def test_no_module_reads_a_variable_that_is_not_declared():
    read: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        names = _variables_read(ast.parse(path.read_text()))
        if names:
            read[str(path.relative_to(PROJECT_ROOT))] = names
    undeclared = {path: names - DECLARED - {"DAGSTER_HOME"} for path, names in read.items()}
    assert not any(undeclared.values()), f"read but not declared in the configuration model: {undeclared}"


def test_only_the_configuration_model_touches_the_environment():
    touching = sorted(
        str(p.relative_to(PROJECT_ROOT))
        for p in PACKAGE.rglob("*.py")
        if "os.environ" in p.read_text() or "os.getenv" in p.read_text()
    )
    assert touching == ["deznity_assets/config.py"]


def test_the_scanner_finds_what_it_looks_for():
    tree = ast.parse('import os\nos.environ["A_B"]\nos.getenv("C_D")\nenv.get("E_F")\ndg.EnvVar("G_H")')
    assert _variables_read(tree) == {"A_B", "C_D", "E_F", "G_H"}


# Settings models that are not Dagster resources: they hold values, read once per process.
PROCESS_SETTINGS = ("PlatformSettings", "SiteApiSettings")


def test_every_site_api_variable_fills_its_field():
    for var in declared(SiteApiSettings):
        annotation = SiteApiSettings.model_fields[var.field].annotation
        sample = {int: "70", float: "70.5"}.get(annotation, "9/second" if "RATE" in var.name else "x1")
        settings = site_api_settings({var.name: sample})
        assert getattr(settings, var.field) == {int: 70, float: 70.5}.get(annotation, sample), var.name


def test_a_bad_rate_limit_names_the_variable_and_the_fix():
    with pytest.raises(
        ConfigError, match="DEZNITY_API_RATE_LIMIT_IP='lots' is not a rate limit; set it to e.g. 20/minute"
    ):
        site_api_settings({"DEZNITY_API_RATE_LIMIT_IP": "lots"})
    with pytest.raises(ConfigError, match="DEZNITY_API_MIN_FILL_SECONDS='-1' must be at least 0"):
        site_api_settings({"DEZNITY_API_MIN_FILL_SECONDS": "-1"})


def test_every_variable_fills_its_field():
    for var in all_variables():
        if var.owner in PROCESS_SETTINGS:
            continue
        annotation = next(m for m in RESOURCE_CLASSES if m.__name__ == var.owner).model_fields[var.field].annotation
        sample = {int: "70", float: "70.5", bool: "1"}.get(annotation, var.choices[-1] if var.choices else "x1")
        name = var.name.replace(FAMILY_MARK, "SEO")
        resources = resources_from_env({name: sample})  # an explicit mapping: values as they are
        owner = next(r for r in resources.values() if type(r).__name__ == var.owner)
        expected = (
            {"seo": sample}
            if var.name.endswith(FAMILY_MARK)
            else ({int: 70, float: 70.5, bool: True}.get(annotation, sample))
        )
        assert getattr(owner, var.field) == expected, var.name


def test_secrets_from_the_process_environment_are_kept_as_names(monkeypatch):
    canary = "canary-secret-value-4711"
    for var in all_variables():
        if var.secret == "always":
            monkeypatch.setenv(var.name, canary)
        elif var.secret == "credentials":
            # The scheme dagster-postgres needs (DEZNITY_DAGSTER_PG_URL); the clients store reads it as well.
            monkeypatch.setenv(var.name, f"postgresql+psycopg2://user:{canary}@127.0.0.1:5432/db")
    resources = resources_from_env()
    for var in all_variables():
        if var.secret == "no" or var.owner in PROCESS_SETTINGS:
            continue
        owner = next(r for r in resources.values() if type(r).__name__ == var.owner)
        value = getattr(owner, var.field)
        assert isinstance(value, dg.EnvVar) and value.env_var_name == var.name, var.name
    assert canary not in repr(resources)


def test_a_url_without_credentials_is_shown_as_it_is(monkeypatch):
    monkeypatch.setenv("DEZNITY_DATABASE_URL", "postgresql://db.internal:5432/deznity")
    assert resources_from_env()["store"].database_url == "postgresql://db.internal:5432/deznity"
    assert has_credentials("postgresql://u:p@h/db") and has_credentials("https://h/x?password=p")
    assert not has_credentials("sqlite:////tmp/x.db")


@pytest.mark.parametrize(
    "variable, value, message",
    [
        ("DEZNITY_POLL_SECONDS", "often", "DEZNITY_POLL_SECONDS='often' is not a whole number; set it to e.g. 300"),
        ("DEZNITY_MAX_RUNS_PER_TICK", "0", "DEZNITY_MAX_RUNS_PER_TICK='0' must be at least 1"),
        (
            "DEZNITY_EMBEDDINGS",
            "word2vec",
            "DEZNITY_EMBEDDINGS='word2vec' is not allowed; use one of auto, openai, hashing",
        ),
        ("DEZNITY_UI_PORT", "http", "DEZNITY_UI_PORT='http' is not a whole number"),
    ],
)
def test_bad_values_name_the_variable_and_the_fix(variable, value, message):
    from deznity_assets.platform import Platform

    with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
        Platform.from_env({variable: value})


def test_env_command_lists_every_variable_and_the_readme_shows_the_same_table():
    deznity = str(Path(sys.executable).parent / "deznity")
    listed = subprocess.run([deznity, "env"], capture_output=True, text=True, check=True).stdout
    assert [line.split()[0] for line in listed.splitlines()] == [v.name for v in all_variables()]
    table = subprocess.run([deznity, "env", "--markdown"], capture_output=True, text=True, check=True).stdout
    readme = (PROJECT_ROOT / "README.md").read_text()
    assert table.strip() in readme, "README's configuration table is stale: paste `deznity env --markdown`"


def test_a_dagster_postgres_url_without_psycopg2_is_refused_without_quoting_it():
    from deznity_assets.platform import Platform

    with pytest.raises(ConfigError, match=r"must start with postgresql\+psycopg2://") as caught:
        Platform.from_env({"DEZNITY_DAGSTER_PG_URL": "postgresql://u:hunter2@db:5432/dagster"})
    assert "hunter2" not in str(caught.value)
    settings = Platform.from_env({"DEZNITY_DAGSTER_PG_URL": "postgresql+psycopg2://u:p@db/dagster"}).settings
    assert settings.instance_yaml.name == "dagster.yaml" and settings.instance_yaml.parent.name == "deploy"
    assert Platform.from_env({}).settings.instance_yaml.parent == PROJECT_ROOT

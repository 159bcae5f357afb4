"""The configuration model: every environment variable the platform reads, declared once as a field.

Each setting is a pydantic field (of `PlatformSettings` or of a Dagster resource in
`deznity_assets/resources/`) declared with `setting(...)`: its variable, default, meaning and
whether it is a secret. `from_env` fills a model from the environment; secrets become
`dg.EnvVar`s, so Dagster stores and shows the variable's name, never its value. `deznity env`,
the README's tables and the test that no undeclared variable is read all come from here.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar
from urllib.parse import urlsplit

from dotenv import load_dotenv
from pydantic import BaseModel, Field, TypeAdapter, ValidationError

Secrecy = Literal["no", "always", "credentials"]
M = TypeVar("M", bound=BaseModel)
# A variable family: `DEZNITY_MODEL_<AGENT>` fills a dict keyed by the lower-cased suffix.
FAMILY_MARK = "<AGENT>"


def _find_project_root() -> Path:
    """The repository root when installed from a checkout, else the working directory."""
    here = Path(__file__).resolve().parent.parent
    return here if (here / "workspace.yaml").exists() else Path.cwd()


PROJECT_ROOT = _find_project_root()
# The embedded instance (SQLite under DAGSTER_HOME) and the production one: the same settings
# with run, event-log and schedule storage in PostgreSQL (DEZNITY_DAGSTER_PG_URL).
DAGSTER_YAML = PROJECT_ROOT / "dagster.yaml"
DAGSTER_POSTGRES_YAML = PROJECT_ROOT / "deploy" / "dagster.yaml"
# dagster-postgres speaks psycopg2; SQLAlchemy 2.1 maps a bare postgresql:// URL to psycopg 3, on
# which its `NOTIFY run_events, %s` fails and every run is "created but failed to launch".
DAGSTER_PG_SCHEME = "postgresql+psycopg2://"


class ConfigError(ValueError):
    """A setting with a value the platform cannot use; the message names the variable and the fix."""


def setting(
    env: str,
    default: Any,
    meaning: str,
    *,
    secret: Secrecy = "no",
    minimum: float | None = None,
    choices: tuple[str, ...] = (),
    shown_default: str | None = None,
) -> Any:
    """A field read from the environment variable `env` (secret: never stored or shown, only named)."""
    # The description names the variable, so the UI's resource page says how to change each setting.
    return Field(
        default=default,
        description=f"{meaning} (set by {env})",
        json_schema_extra={
            "env": env,
            "meaning": meaning,
            "secret": secret,
            "minimum": minimum,
            "choices": list(choices),
            "shown_default": shown_default if shown_default is not None else _default_text(default),
        },
    )


def _default_text(default: Any) -> str:
    if default is None or default == "" or default == {}:
        return "-"
    return str(default)


@dataclass(frozen=True)
class Variable:
    """One declared environment variable."""

    name: str
    meaning: str
    default: str
    secret: Secrecy
    owner: str  # the model (settings or resource class) whose field it fills
    field: str
    minimum: float | None = None
    choices: tuple[str, ...] = ()


def declared(model: type[BaseModel]) -> list[Variable]:
    """The variables that fill `model`'s fields, in field order."""
    out = []
    for name, info in model.model_fields.items():
        extra = info.json_schema_extra
        if not isinstance(extra, dict) or "env" not in extra:
            continue
        meta: dict[str, Any] = dict(extra)
        out.append(
            Variable(
                name=str(meta["env"]),
                meaning=str(meta["meaning"]),
                default=str(meta["shown_default"]),
                secret=meta["secret"],
                owner=model.__name__,
                field=name,
                minimum=meta.get("minimum"),
                choices=tuple(meta.get("choices") or ()),
            )
        )
    return out


def has_credentials(url: str) -> bool:
    """True when a URL carries a user name, password or token (userinfo or a password query)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return True  # unparsable: treat as secret rather than show it
    return bool(
        parts.username
        or parts.password
        or "@" in url  # userinfo with an unencoded / ? or #: urlsplit ends the authority before its @
        or "password=" in parts.query.lower()
        or "token=" in parts.query.lower()
    )


def from_env(model: type[M], env: Mapping[str, str] | None = None, **fallbacks: Any) -> M:
    """`model` filled from the environment; `fallbacks` fill fields whose variable is unset.

    From the process environment (`env` None) a secret of a Dagster resource becomes a `dg.EnvVar`:
    Dagster keeps its name and reads the value only where the resource is used. From an explicit mapping
    (tests, tools) every value is taken as it is.
    """
    import dagster as dg  # here, not at the top: `deznity --help` and `.env` loading stay light

    # Only a Dagster resource keeps a secret as a name (it is stored in run snapshots and shown in
    # the UI); other models, such as the platform settings, hold the value itself.
    as_env_vars = env is None and issubclass(model, dg.ConfigurableResource)
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    for var in declared(model):
        if var.name.endswith(FAMILY_MARK):
            prefix = var.name[: -len(FAMILY_MARK)]
            family = {k[len(prefix) :].lower(): v.strip() for k, v in env.items() if k.startswith(prefix) and v.strip()}
            if family:
                values[var.field] = family
            continue
        raw = (env.get(var.name) or "").strip()
        if not raw:
            continue
        if as_env_vars and (var.secret == "always" or (var.secret == "credentials" and has_credentials(raw))):
            # The variable's name travels; Dagster resolves it when the resource is used.
            values[var.field] = dg.EnvVar(var.name)
            continue
        values[var.field] = _typed(model, var, raw)
    return model(**{**fallbacks, **values})


def _typed(model: type[BaseModel], var: Variable, raw: str) -> Any:
    annotation: Any = model.model_fields[var.field].annotation
    try:
        value = TypeAdapter(annotation).validate_python(raw, strict=False)
    except ValidationError:
        kind = {int: "a whole number", float: "a number", bool: "1 or 0 (true or false)"}.get(annotation, "usable")
        raise ConfigError(f"{var.name}={raw!r} is not {kind}; set it to e.g. {var.default}") from None
    if var.choices and str(value).lower() not in var.choices:
        raise ConfigError(f"{var.name}={raw!r} is not allowed; use one of {', '.join(var.choices)}")
    if isinstance(value, str) and var.choices:
        value = value.lower()
    if var.minimum is not None and isinstance(value, (int, float)) and value < var.minimum:
        raise ConfigError(f"{var.name}={raw!r} must be at least {var.minimum:g}; set it to e.g. {var.default}")
    return value


def secret_value(value: str | None) -> str | None:
    """A field's value as the code needs it: an unresolved `dg.EnvVar` is read from the environment."""
    import dagster as dg

    if isinstance(value, dg.EnvVar):
        return value.get_value()
    return value


def load_dotenv_file() -> None:
    """Load the project's `.env` into the process environment (never overriding what is set)."""
    load_dotenv(PROJECT_ROOT / ".env", override=False)


class PlatformSettings(BaseModel):
    """Process-wide settings: where local state lives and where the UI listens."""

    state_dir: str = setting(
        "DEZNITY_STATE_DIR",
        str(PROJECT_ROOT / ".deznity"),
        "local state: SQLite store, Dagster instance, memory, LLM cache",
        shown_default="./.deznity",
    )
    dagster_home: str = setting(
        "DAGSTER_HOME",
        "",
        "the Dagster instance; `deznity` copies dagster.yaml into the default one",
        shown_default="<state>/dagster_home",
    )
    ui_host: str = setting("DEZNITY_UI_HOST", "127.0.0.1", "where `deznity ui` / `deznity autonomous` serve the UI")
    ui_port: int = setting("DEZNITY_UI_PORT", 3000, "the UI's port", minimum=1)
    dagster_pg_url: str = setting(
        "DEZNITY_DAGSTER_PG_URL",
        "",
        "the Dagster instance's run, event-log and schedule storage in PostgreSQL "
        f"({DAGSTER_PG_SCHEME}user:password@host:5432/dagster; deploy/dagster.yaml); unset: SQLite under "
        "DAGSTER_HOME",
        secret="credentials",
    )
    code_server_host: str = setting(
        "DEZNITY_CODE_SERVER_HOST",
        "127.0.0.1",
        "where the daemon and webserver of the split topology reach the code server (deploy/workspace.yaml)",
    )
    code_server_port: int = setting("DEZNITY_CODE_SERVER_PORT", 4000, "the code server's gRPC port", minimum=1)
    cache_dir: str = setting(
        "DEZNITY_CACHE_DIR",
        "~/.cache/deznity",
        "files derived from installed packages, shared by every project of the user: the language model "
        "decompressed once, the templates compiled once",
    )

    @property
    def state_path(self) -> Path:
        """The state folder, absolute."""
        return Path(self.state_dir).expanduser().resolve()

    @property
    def cache_path(self) -> Path:
        """The cache folder, with `~` expanded."""
        return Path(self.cache_dir).expanduser()

    @property
    def dagster_home_path(self) -> Path:
        """DAGSTER_HOME, absolute (default: <state>/dagster_home)."""
        return Path(self.dagster_home).expanduser().resolve() if self.dagster_home else self.state_path / "dagster_home"

    @property
    def instance_yaml(self) -> Path:
        """The dagster.yaml this configuration uses: Postgres storage when DEZNITY_DAGSTER_PG_URL is set."""
        return DAGSTER_POSTGRES_YAML if self.dagster_pg_url else DAGSTER_YAML

    def ensure_dagster_home(self) -> Path:
        """Create DAGSTER_HOME with the project's dagster.yaml and export it for Dagster."""
        home = self.dagster_home_path
        home.mkdir(parents=True, exist_ok=True)
        target = home / "dagster.yaml"
        source = self.instance_yaml
        # The project-local home always follows the project's dagster.yaml; a user's own
        # DAGSTER_HOME only gets it when it has none of its own.
        ours = home == self.state_path / "dagster_home"
        if source.exists() and (not target.exists() or (ours and target.read_bytes() != source.read_bytes())):
            shutil.copyfile(source, target)
        os.environ["DAGSTER_HOME"] = str(home)
        return home

    def export_code_server(self) -> None:
        """Export where the code server listens, for deploy/workspace.yaml (it reads both from the environment)."""
        os.environ["DEZNITY_CODE_SERVER_HOST"] = self.code_server_host
        os.environ["DEZNITY_CODE_SERVER_PORT"] = str(self.code_server_port)


def platform_settings(env: Mapping[str, str] | None = None) -> PlatformSettings:
    """Platform settings from the environment (and `.env` when reading the process environment)."""
    if env is None:
        load_dotenv_file()
    settings = from_env(PlatformSettings, env)
    pg_url = secret_value(settings.dagster_pg_url) or ""
    if pg_url and not pg_url.startswith(DAGSTER_PG_SCHEME):
        # The value is never quoted: it carries the database password.
        raise ConfigError(
            f"DEZNITY_DAGSTER_PG_URL must start with {DAGSTER_PG_SCHEME} (dagster-postgres speaks psycopg2; "
            "with another scheme every run fails to launch); set it to "
            f"{DAGSTER_PG_SCHEME}user:password@host:5432/dagster"
        )
    return settings


def cache_folder() -> Path | None:
    """The cache folder (DEZNITY_CACHE_DIR); None when the settings cannot be read (work goes on without it)."""
    try:
        return platform_settings().cache_path
    except ConfigError:
        return None


def all_variables() -> list[Variable]:
    """Every declared variable of the platform, settings first, then each resource's."""
    from .resources import RESOURCE_CLASSES
    from .site_api.settings import SiteApiSettings

    seen: dict[str, Variable] = {}
    for model in (PlatformSettings, SiteApiSettings, *RESOURCE_CLASSES):
        for var in declared(model):
            seen.setdefault(var.name, var)
    return list(seen.values())

"""Configuration read from the environment (and a `.env` file), shared by every entry point."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from dotenv import load_dotenv


def _find_project_root() -> Path:
    """The repository root when installed from a checkout, else the working directory."""
    here = Path(__file__).resolve().parent.parent
    if (here / "workspace.yaml").exists():
        return here
    return Path.cwd()


PROJECT_ROOT = _find_project_root()

# Environment variables a user may set; `deznity doctor` and the README list them.
ENV_DOCS: dict[str, str] = {
    "DEZNITY_DATABASE_URL": "clients store (SQLAlchemy URL); default sqlite:///<state>/deznity.db",
    "DEZNITY_OUTPUT_DIR": "where client packages are written; default ./output",
    "DEZNITY_STATE_DIR": "local state (SQLite store, Dagster instance); default ./.deznity",
    "DEZNITY_POLL_SECONDS": "how often the sensor looks for pending clients; default 300",
    "DEZNITY_MAX_RUNS_PER_TICK": "most clients one sensor tick claims; default 10",
    "DEZNITY_CLAIM_TIMEOUT_SECONDS": "a claim with no run after this long is returned to pending; default 600",
    "DEZNITY_MAX_RUN_SECONDS": "a run still unfinished after this long is failed by reconciliation; default 3600",
    "DEZNITY_SITE_BASE_URL": "public URL pattern of generated sites; default https://{slug}.deznity.com",
    "DEZNITY_FORM_ACTION": "where generated forms post; default /api/forms/{form}",
    "DAGSTER_HOME": "Dagster instance folder; default <state>/dagster_home",
}


@dataclass(frozen=True)
class Settings:
    """Every setting the platform reads, resolved once from the environment."""

    database_url: str
    output_dir: Path
    state_dir: Path
    dagster_home: Path
    poll_seconds: int
    max_runs_per_tick: int
    claim_timeout_seconds: int
    max_run_seconds: int
    site_base_url: str
    form_action: str

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> "Settings":
        """Build settings from `env` (default: the process environment plus `.env`)."""
        if env is None:
            load_dotenv(PROJECT_ROOT / ".env", override=False)
            env = dict(os.environ)
        state_dir = _path(env.get("DEZNITY_STATE_DIR"), PROJECT_ROOT / ".deznity")
        return cls(
            database_url=env.get("DEZNITY_DATABASE_URL") or f"sqlite:///{state_dir / 'deznity.db'}",
            output_dir=_path(env.get("DEZNITY_OUTPUT_DIR"), PROJECT_ROOT / "output"),
            state_dir=state_dir,
            dagster_home=_path(env.get("DAGSTER_HOME"), state_dir / "dagster_home"),
            poll_seconds=_positive_int(env, "DEZNITY_POLL_SECONDS", 300),
            max_runs_per_tick=_positive_int(env, "DEZNITY_MAX_RUNS_PER_TICK", 10),
            claim_timeout_seconds=_positive_int(env, "DEZNITY_CLAIM_TIMEOUT_SECONDS", 600),
            max_run_seconds=_positive_int(env, "DEZNITY_MAX_RUN_SECONDS", 3600),
            site_base_url=env.get("DEZNITY_SITE_BASE_URL") or "https://{slug}.deznity.com",
            form_action=env.get("DEZNITY_FORM_ACTION") or "/api/forms/{form}",
        )

    @cached_property
    def dagster_yaml_template(self) -> Path:
        """The project's instance settings file copied into DAGSTER_HOME."""
        return PROJECT_ROOT / "dagster.yaml"

    def ensure_dagster_home(self) -> Path:
        """Create DAGSTER_HOME with the project's dagster.yaml and export it for Dagster."""
        self.dagster_home.mkdir(parents=True, exist_ok=True)
        target = self.dagster_home / "dagster.yaml"
        template = self.dagster_yaml_template
        if template.exists() and (not target.exists() or target.read_bytes() != template.read_bytes()):
            # Only the project-local home is ours to refresh; a user's own DAGSTER_HOME
            # with its own dagster.yaml is left alone.
            if not target.exists() or self.dagster_home == self.state_dir / "dagster_home":
                shutil.copyfile(template, target)
        os.environ["DAGSTER_HOME"] = str(self.dagster_home)
        return self.dagster_home

    def site_url(self, slug: str) -> str:
        """Public base URL of a client's site, without a trailing slash."""
        return self.site_base_url.format(slug=slug).rstrip("/")


def _path(value: str | None, default: Path) -> Path:
    return Path(value).expanduser().resolve() if value else default


def _positive_int(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not a whole number; set it to e.g. {default}") from None
    if value < 1:
        raise ValueError(f"{name}={raw!r} must be at least 1; set it to e.g. {default}")
    return value

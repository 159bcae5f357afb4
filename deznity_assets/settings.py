"""Configuration read from the environment (and a `.env` file), shared by every entry point."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from dotenv import load_dotenv


def _find_project_root() -> Path:
    """The repository root when installed from a checkout, else the working directory."""
    here = Path(__file__).resolve().parent.parent
    if (here / "workspace.yaml").exists():
        return here
    return Path.cwd()


PROJECT_ROOT = _find_project_root()
DAGSTER_YAML = PROJECT_ROOT / "dagster.yaml"

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

    def ensure_dagster_home(self) -> Path:
        """Create DAGSTER_HOME with the project's dagster.yaml and export it for Dagster."""
        self.dagster_home.mkdir(parents=True, exist_ok=True)
        target = self.dagster_home / "dagster.yaml"
        # The project-local home always follows the project's dagster.yaml; a user's own
        # DAGSTER_HOME only gets it when it has none of its own.
        ours = self.dagster_home == self.state_dir / "dagster_home"
        if DAGSTER_YAML.exists() and (
            not target.exists() or (ours and target.read_bytes() != DAGSTER_YAML.read_bytes())
        ):
            shutil.copyfile(DAGSTER_YAML, target)
        os.environ["DAGSTER_HOME"] = str(self.dagster_home)
        return self.dagster_home


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

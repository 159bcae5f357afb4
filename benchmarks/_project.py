"""What the benchmarks share: a throwaway project's environment, the machine they ran on, the record they append."""

from __future__ import annotations

import os
import platform
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PERFORMANCE = ROOT / "docs" / "PERFORMANCE.md"
# No key or setting of a real service may leak in from the shell: benchmarks run on the embedded
# defaults, or on the local servers they start themselves.
SERVICE_PREFIXES = ("DEZNITY_", "OPENAI", "OPENROUTER", "SUPABASE", "PINECONE", "DAGSTER_", "PYTHONPATH")


def throwaway_env(folder: Path, code: Path = ROOT, settings: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of a project in `folder` running the code in `code`: SQLite, offline agents, hashing embeddings.

    `settings` adds or overrides variables (another provider, a poll interval...).
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(SERVICE_PREFIXES)}
    env.update(
        {
            "PYTHONPATH": str(code),
            "DEZNITY_STATE_DIR": str(folder / "state"),
            "DEZNITY_OUTPUT_DIR": str(folder / "output"),
            "DEZNITY_DATABASE_URL": f"sqlite:///{folder / 'state' / 'deznity.db'}",
            "DAGSTER_HOME": str(folder / "state" / "dagster_home"),
            "DEZNITY_LLM_PROVIDER": "offline",
            "DEZNITY_EMBEDDINGS": "hashing",
            **(settings or {}),
        }
    )
    return env


def machine(load: float | None = None) -> str:
    """The machine line of a record: architecture, cores, Python, and the load average when measuring began."""
    line = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    # Other work on the machine slows every wall-clock figure: the load is recorded with them.
    return line if load is None else f"{line}, load average {load:.1f} when it started"


def record(text: str) -> None:
    """Append `text` (a Markdown section starting with its heading) to docs/PERFORMANCE.md."""
    with PERFORMANCE.open("a") as doc:
        doc.write(text if text.startswith("\n") else "\n" + text)

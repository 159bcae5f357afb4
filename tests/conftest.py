"""Shared test set-up: every module in tests/plugins/ is loaded as a pytest plugin."""

from pathlib import Path

pytest_plugins = sorted(
    f"tests.plugins.{p.stem}" for p in (Path(__file__).parent / "plugins").glob("*.py") if p.stem != "__init__"
)

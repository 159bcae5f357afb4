"""Deliverables stored between steps as typed JSON, not pickles: readable, and safe across upgrades."""

from __future__ import annotations

import json
from typing import Any

import dagster as dg
from pydantic import BaseModel
from upath import UPath

from . import brief as brief_module
from . import deliverables as deliverables_module
from .resources.storage import StorageResource
from .store.transitions import slug_problem

# Only these modules' models are ever rebuilt from storage: a stored type name cannot make
# the loader import or construct anything else.
_MODELS: dict[str, type[BaseModel]] = {
    name: obj
    for module in (deliverables_module, brief_module)
    for name, obj in vars(module).items()
    if isinstance(obj, type) and issubclass(obj, BaseModel) and obj.__module__ == module.__name__
}


class UnsafePartitionKeyError(ValueError):
    """A partition key that cannot name a file under the deliverables folder."""


class _JsonDeliverables(dg.UPathIOManager):
    extension = ".json"

    def make_safe_partition_path(self, base_path: UPath, partition: str) -> UPath:
        """`base_path`/`partition`, refused unless the key is a client slug (every partition path is built here)."""
        # Partition keys are client slugs from a table people type into, and Dagster's default only
        # escapes a leading '/': '../../x' would write beside (or over) another client's files.
        # A slug holds no '/', '.' or '\\', so the joined path cannot leave the base.
        problem = slug_problem(partition)
        if problem:
            raise UnsafePartitionKeyError(
                f"partition key {str(partition)[:40]!r} is not a client slug, refusing to build a path from it "
                f"({problem}); fix the client's slug and delete this partition"
            )
        return base_path / partition

    def dump_to_path(self, context: dg.OutputContext, obj: Any, path: UPath) -> None:
        if not isinstance(obj, BaseModel) or type(obj).__name__ not in _MODELS:
            raise TypeError(
                f"{context.asset_key.to_user_string()}: expected a deliverable model, got {type(obj).__name__}"
            )
        payload = json.dumps({"model": type(obj).__name__, "data": obj.model_dump(mode="json")}, ensure_ascii=False)
        if path.protocol not in ("", "file", "local"):
            # An object is written whole or not at all: no temporary name (and no rename, which
            # object stores do as a copy).
            path.write_text(payload)
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(payload)
        tmp.rename(path)

    def load_from_path(self, context: dg.InputContext, path: UPath) -> BaseModel:
        payload = json.loads(path.read_text())
        model = _MODELS.get(payload.get("model", ""))
        if model is None:
            raise TypeError(f"{path}: unknown deliverable type {payload.get('model')!r}; re-materialize it")
        return model.model_validate(payload["data"])


class DeliverableIOManager(dg.ConfigurableIOManagerFactory):
    """Keeps each asset's deliverable as JSON under DEZNITY_STORAGE_URL (a folder or s3://), default the instance's."""

    base_dir: str | None = None
    storage: StorageResource

    def create_io_manager(self, context: dg.InitResourceContext) -> _JsonDeliverables:
        """The IO manager rooted at `base_dir`, DEZNITY_STORAGE_URL or the Dagster instance's storage directory."""
        base = self.base_dir or self.storage.url or context.instance.storage_directory()  # type: ignore[union-attr]
        return _JsonDeliverables(base_path=self.storage.path(base) / "deliverables")

"""The layout the project keeps: Dagster objects under defs/, one writer of client and project rows."""

from __future__ import annotations

import ast

from tests.plugins.platform import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "deznity_assets"
# The clients store's methods that write client or project rows.
WRITES = {
    "add_client",
    "insert_raw",
    "delete_client",
    "claim_pending",
    "claim_client",
    "mark_in_progress",
    "mark_completed",
    "mark_failed",
    "requeue",
    "start_project",
    "update_project",
    "finish_project",
    "log_task",
    "log_activity",
}
# The memory measurement writes one client into a throwaway SQLite file of its own to count its bytes.
MEASUREMENT = PACKAGE / "memory" / "measure.py"


def _store_writes(path):
    tree = ast.parse(path.read_text())
    return sorted(
        {
            node.func.attr
            for node in ast.walk(tree)
            if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in WRITES
            # the control plane's methods of the same names are calls *to* the control plane
            and _receiver(node.func.value) not in ("control", "plane")
        }
    )


def _receiver(node: ast.expr) -> str:
    return node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else ""


def test_only_the_control_plane_writes_client_and_project_rows():
    writers = {}
    for path in PACKAGE.rglob("*.py"):
        if path.is_relative_to(PACKAGE / "control") or path.is_relative_to(PACKAGE / "store") or path == MEASUREMENT:
            continue
        if writes := _store_writes(path):
            writers[str(path.relative_to(PROJECT_ROOT))] = writes
    assert writers == {}, f"write client/project rows through deznity_assets.control instead: {writers}"


def test_the_scan_sees_a_direct_write(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "store.mark_failed('x', 'y')\nplatform.control.requeue('x', reason='r')\nplane.claim_pending(3)\n"
    )
    assert _store_writes(sample) == ["mark_failed"]


def test_defs_holds_the_dagster_objects_and_libraries_do_not_import_it():
    defs = PACKAGE / "defs"
    for path in PACKAGE.rglob("*.py"):
        if path.is_relative_to(defs) or (path.parent == PACKAGE and path.name in ("definitions.py", "runner.py")):
            continue
        source = path.read_text()
        assert "@dg.asset" not in source and "@dg.sensor" not in source and "define_asset_job" not in source, path
        if not path.is_relative_to(PACKAGE / "cli"):
            assert ".defs" not in source, f"{path} imports defs/: shared code must not depend on Dagster objects"

"""Measure bytes per client: vector memory after one client's decisions, and its database rows.

Run: python -m deznity_assets.memory.measure [--slug tacoloco]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

from ..brief import REFERENCE_CLIENTS, validate_brief
from .embeddings import HashingEmbedder
from .knowledge import remember_decision, seed_knowledge
from .sqlite import SqliteMemory


def agent_decisions(brief_data: dict[str, Any], slug: str) -> list[tuple[str, str, str]]:
    """(agent_id, task_key, deliverable JSON) for every agent task, from the offline generator."""
    from ..agents.offline import OfflineGenerator
    from ..agents.provider import AgentContext
    from ..agents.roster import TASKS

    provider = OfflineGenerator()
    brief = validate_brief(brief_data)
    ctx = AgentContext(brief=brief, slug=slug)
    decisions = []
    for task in TASKS.values():
        result = provider.run(task, ctx)
        ctx.upstream[task.key] = result.output
        decisions.append((task.agent_id, task.key, result.output.model_dump_json()))
    return decisions


def _file_bytes(memory: SqliteMemory) -> int:
    """The memory file's size with its write-ahead log folded in."""
    import sqlite3

    with sqlite3.connect(memory.file) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return memory.file.stat().st_size


def measure(slug: str, workdir: Path) -> dict[str, Any]:
    """Store one client's brief, decisions and activity rows; return bytes per client in each store."""
    import sqlalchemy as sa

    from ..store import SqlClientStore, utcnow

    brief = next(b for b in REFERENCE_CLIENTS if b["business_name"].lower() == slug)
    decisions = agent_decisions(brief, slug)
    memory = SqliteMemory(workdir / "memory", HashingEmbedder())
    seed_knowledge(memory)
    before = _file_bytes(memory)
    remember_decision(memory, slug, "intake", "brief", json.dumps(brief, ensure_ascii=False))
    for agent_id, task_key, text in decisions:
        remember_decision(memory, slug, agent_id, task_key, text)
    vector = memory.stats(f"client-{slug}")
    growth = _file_bytes(memory) - before

    store = SqlClientStore(f"sqlite:///{workdir / 'deznity.db'}")
    row = store.add_client(brief)
    project_id = store.start_project(row.id, run_id="measure", attempt=1)
    for agent_id, task_key, text in decisions:
        store.log_task(
            project_id=project_id,
            phase="measure",
            agent=agent_id,
            task=task_key,
            status="completed",
            started_at=utcnow() - timedelta(seconds=1),
            output_path=f"output/{slug}/{task_key}.json",
        )
        store.log_activity(
            client_id=row.id,
            project_id=project_id,
            agent=agent_id,
            action=task_key,
            tokens_in=1000,
            tokens_out=800,
            cost_usd=0.001,
            details={"bytes": len(text)},
        )
    store.finish_project("measure", status="completed")
    with store.engine.connect() as conn:
        db_bytes = sum(
            conn.execute(sa.text("SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name = :t"), {"t": t}).scalar() or 0
            for t in ("clients", "projects", "project_tasks", "agent_activities")
        )
        payload = 0
        for table in ("clients", "projects", "project_tasks", "agent_activities"):
            for r in conn.execute(sa.text(f"SELECT * FROM {table}")):
                payload += sum(len(str(v).encode()) for v in r if v is not None)
    store.dispose()
    return {
        "slug": slug,
        "decisions": len(decisions) + 1,
        "vector_records": vector.count,
        "vector_row_bytes": vector.bytes,
        "vector_file_growth_bytes": growth,
        "vector_float32_bytes": vector.count * 1536 * 4,
        "db_payload_bytes": payload,
        "db_pages_bytes": db_bytes,
    }


def main() -> None:
    """Print the measurement as JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--slug", default="tacoloco")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        print(json.dumps(measure(args.slug, Path(tmp)), indent=2))


if __name__ == "__main__":
    main()

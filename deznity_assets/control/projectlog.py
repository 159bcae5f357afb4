"""The project log of one run: its projects row, project_tasks and agent_activities, written for the assets."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..agents.provider import Usage
from ..deliverables import LiveDeployment
from ..store import ClientRow
from ..store.base import ClientStore
from ..store.events import DEPLOYED, client_event


class ProjectLog:
    """What a run's steps record about their work; the assets' only way to write project rows."""

    def __init__(self, store: ClientStore, *, run_id: str, slug: str):
        self.store = store
        self.run_id = run_id
        self.slug = slug
        self._row: ClientRow | None = None
        self._project_id: str | None = None

    @property
    def row(self) -> ClientRow | None:
        """The client's row (read once)."""
        if self._row is None:
            self._row = self.store.get(self.slug)
        return self._row

    @property
    def project_id(self) -> str | None:
        """The projects row of this run (created when the run claimed its client), if any."""
        if self._project_id is None:
            project = self.store.project_for_run(self.run_id)
            self._project_id = str(project["id"]) if project else None
        return self._project_id

    def update(self, **values: Any) -> None:
        """Update the run's projects row (phase, qa_score, tokens, cost_usd)."""
        self.store.update_project(self.run_id, **values)

    def task(
        self, *, phase: str, agent: str, task: str, status: str, started_at: datetime, output_path: str | None = None
    ) -> None:
        """One project_tasks row, when the run has a project."""
        if self.project_id:
            self.store.log_task(
                project_id=self.project_id,
                phase=phase,
                agent=agent,
                task=task,
                status=status,
                started_at=started_at,
                output_path=output_path,
            )

    def activity(
        self, *, agent: str, action: str, phase: str, usage: Usage | None = None, details: dict[str, Any] | None = None
    ) -> None:
        """One agent_activities row for the client, with the call's usage when there was one."""
        if self.row is None:
            return
        self.store.log_activity(
            client_id=self.row.id,
            project_id=self.project_id,
            agent=agent,
            action=action,
            phase=phase,
            duration_ms=usage.duration_ms if usage else None,
            provider=usage.provider if usage else None,
            model=usage.model if usage else None,
            tokens_in=usage.tokens_in if usage else None,
            tokens_out=usage.tokens_out if usage else None,
            cost_usd=usage.cost_usd if usage else None,
            details=details or (usage.as_metadata() if usage else None),
        )

    def deployed(self, live: LiveDeployment) -> None:
        """Record a live deployment: the URLs on the run's projects row, and a client.deployed event."""
        self.store.update_project(self.run_id, live_url=live.url, preview_url=live.preview_url)
        row = self.store.get(self.slug)
        if row is None:
            return
        self.store.record_event(
            client_event(
                row,
                status=row.status,
                event_type=DEPLOYED,
                run_id=self.run_id,
                extra={"provider": live.provider, "live_url": live.url, "preview_url": live.preview_url},
            )
        )

"""A clients row as the platform sees it, and the small helpers every store backend shares."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from ..brief import BRIEF_FIELDS, ClientBrief, validate_brief
from ..facts import ClientFacts, facts_column

ERROR_MAX = 2000


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(timezone.utc)


def aware(value: datetime | None) -> datetime | None:
    """`value` with its time zone: SQLite hands back naive datetimes, and everything stored is UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value


@dataclass
class ClientRow:
    """One row of the clients table as the platform sees it."""

    id: str
    slug: str | None
    status: str
    attempt: int
    last_error: str | None
    run_id: str | None
    claimed_at: datetime | None
    created_at: datetime | None
    updated_at: datetime | None
    fields: dict[str, Any] = field(default_factory=dict)
    resume_from: str | None = None  # the step a retry resumes from (clients.resume_from)
    resume_review: str | None = None  # the review decision that retry carries out (clients.resume_review)

    @classmethod
    def from_mapping(cls, row: Any) -> ClientRow:
        m = dict(row._mapping) if hasattr(row, "_mapping") else dict(row)
        return cls(
            id=str(m["id"]),
            slug=m.get("slug"),
            status=m["status"],
            attempt=_attempt(m.get("attempt")),
            last_error=m.get("last_error"),
            run_id=m.get("run_id"),
            claimed_at=aware(m.get("claimed_at")),
            created_at=aware(m.get("created_at")),
            updated_at=aware(m.get("updated_at")),
            fields={k: m.get(k) for k in BRIEF_FIELDS},
            resume_from=m.get("resume_from"),
            resume_review=m.get("resume_review"),
        )

    @property
    def business_name(self) -> str:
        return str(self.fields.get("business_name") or "")

    def brief(self) -> ClientBrief:
        """The validated brief; raises BriefError naming each bad field."""
        return validate_brief(self.fields)


def _attempt(value: Any) -> int:
    # A number typed by hand as text ("2", "two") must not make every read of the table fail;
    # what cannot be read counts as the first attempt.
    try:
        return max(1, int(str(value).strip())) if value not in (None, "") else 1
    except ValueError:
        return 1


def brief_to_columns(data: dict[str, Any]) -> dict[str, Any]:
    """Brief fields as stored: lists joined with commas, the facts as JSON text, everything else as text."""
    out: dict[str, Any] = {}
    for key in BRIEF_FIELDS:
        value = data.get(key)
        if key == "facts" and isinstance(value, (dict, ClientFacts)):
            value = facts_column(ClientFacts.model_validate(value))
        elif isinstance(value, (list, tuple)):
            value = ", ".join(str(v) for v in value)
        elif isinstance(value, bool):
            value = "true" if value else "false"
        out[key] = value
    return out


def short_error(error: str) -> str:
    """An error message folded to one line and capped at ERROR_MAX characters."""
    error = " ".join(str(error).split())
    return error if len(error) <= ERROR_MAX else error[: ERROR_MAX - 1] + "…"


def is_uuid(value: str) -> bool:
    """True when `value` is a UUID (a client id rather than a slug)."""
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True

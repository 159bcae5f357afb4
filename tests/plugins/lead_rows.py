"""Leads written as the site API writes them: a leads row and its lead.received event, for a published client."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from deznity_assets.brief import REFERENCE_CLIENTS, slugify
from deznity_assets.store.events import lead_event
from deznity_assets.store.rows import ClientRow, utcnow


def published_client(store: Any, brief: dict[str, Any] | None = None, **fields: Any) -> ClientRow:
    """A completed client (its site published) from `brief` (TacoLoco by default) with `fields` changed."""
    data = {**(brief or REFERENCE_CLIENTS[4]), **fields}
    existing = store.get(slugify(data["business_name"]))
    if existing is not None:
        return existing
    return store.add_client(data, status="completed")


def add_lead(
    store: Any,
    client: ClientRow,
    form: str = "reservation",
    fields: dict[str, Any] | None = None,
    *,
    created_at: datetime | None = None,
    spam: bool = False,
    variant: str | None = None,
) -> dict[str, Any]:
    """Store one lead of `client` and its webhook event in one transaction; return the lead row."""
    lead = {
        "id": str(uuid.uuid4()),
        "client_id": client.id,
        "slug": client.slug,
        "form": form,
        "fields": json.dumps(
            fields if fields is not None else {"name": "Ana Ruiz", "email": "ana@example.com", "party_size": 4},
            ensure_ascii=False,
        ),
        "variant": variant,
        "spam": spam,
        "spam_reason": "honeypot" if spam else None,
        "visitor": "v" * 16,
        "created_at": created_at or utcnow(),
    }
    store.add_lead(lead, None if spam else lead_event(lead, business_name=client.business_name))
    return lead

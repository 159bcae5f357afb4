"""The clients store: one interface, chosen by DEZNITY_DATABASE_URL."""

from .rows import ClientRow, brief_to_columns, utcnow
from .sql import SqlClientStore

__all__ = ["ClientRow", "SqlClientStore", "brief_to_columns", "utcnow"]

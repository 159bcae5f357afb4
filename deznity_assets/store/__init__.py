"""The clients store: one interface, chosen by DEZNITY_DATABASE_URL."""

from .sql import ClientRow, SqlClientStore, brief_to_columns, utcnow

__all__ = ["ClientRow", "SqlClientStore", "brief_to_columns", "utcnow"]

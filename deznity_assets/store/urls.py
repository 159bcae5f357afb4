"""Database URLs as the SQL store takes them."""

from __future__ import annotations


def normalize_database_url(url: str) -> str:
    """SQLAlchemy URL for `url`: plain postgres:// and postgresql:// URLs use psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    if url.startswith("postgresql+psycopg2://"):
        # psycopg2 is not a dependency; psycopg 3 reads the same URLs.
        return "postgresql+psycopg://" + url[len("postgresql+psycopg2://") :]
    return url


__all__ = ["normalize_database_url"]

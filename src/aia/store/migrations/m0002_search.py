"""Migration 2: the full-text search index over segments (backend-specific; SQLite FTS5)."""

from __future__ import annotations

import sqlalchemy as sa

from aia.store import fts5


def upgrade(conn: sa.Connection) -> None:
    if conn.dialect.name != "sqlite":
        raise RuntimeError(f"no search backend for {conn.dialect.name} yet")
    fts5.create_index(conn)

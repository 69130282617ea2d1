"""Migration 6: netnography corpora (saved queries over online-community dumps, with provenance)."""

from __future__ import annotations

import sqlalchemy as sa

from aia.store import schema


def upgrade(conn: sa.Connection) -> None:
    schema.corpora.create(conn, checkfirst=True)

"""Migration 8: links from a memo to any number of objects (sources, places, codings, codes, people, memos)."""

from __future__ import annotations

import sqlalchemy as sa

from aia.store import schema


def upgrade(conn: sa.Connection) -> None:
    schema.memo_links.create(conn, checkfirst=True)

"""Migration 5: web workbench accounts (username, argon2 password hash, role)."""

from __future__ import annotations

import sqlalchemy as sa

from aia.store import schema


def upgrade(conn: sa.Connection) -> None:
    schema.accounts.create(conn, checkfirst=True)

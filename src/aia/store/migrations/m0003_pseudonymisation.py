"""Migration 3: the review list of pseudonymisation at import."""

from __future__ import annotations

import sqlalchemy as sa

from aia.store import schema


def upgrade(conn: sa.Connection) -> None:
    schema.pseudonymisation_findings.create(conn, checkfirst=True)

"""Migration 1: the core tables (baseline).

This baseline creates the tables as :mod:`aia.store.schema` describes them. When a later migration changes a
table, freeze this file first (copy the table definitions here) so that old projects upgrade step by step.
"""

from __future__ import annotations

import sqlalchemy as sa

from aia.store import schema


def upgrade(conn: sa.Connection) -> None:
    schema.metadata.create_all(conn)

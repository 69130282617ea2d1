"""SQLite FTS5 index over segments: the one backend-specific part of the store.

The index holds two columns, ``stem`` (Snowball Danish stems) and ``plain`` (lower-cased words), copied from the
``segments`` table, which is the external content. Triggers keep it in sync on insert, update and delete.
Tokeniser ``unicode61 remove_diacritics 0``: other settings fold å into a and merge år with ar.
"""

from __future__ import annotations

import sqlalchemy as sa

INDEX_TABLE = "segments_fts"

_DDL = (
    f"""CREATE VIRTUAL TABLE {INDEX_TABLE} USING fts5(
        stem, plain, content='segments', content_rowid='id',
        tokenize='unicode61 remove_diacritics 0')""",
    f"""CREATE TRIGGER segments_fts_ai AFTER INSERT ON segments BEGIN
        INSERT INTO {INDEX_TABLE}(rowid, stem, plain) VALUES (new.id, new.stem, new.plain);
    END""",
    f"""CREATE TRIGGER segments_fts_ad AFTER DELETE ON segments BEGIN
        INSERT INTO {INDEX_TABLE}({INDEX_TABLE}, rowid, stem, plain) VALUES ('delete', old.id, old.stem, old.plain);
    END""",
    f"""CREATE TRIGGER segments_fts_au AFTER UPDATE OF stem, plain ON segments BEGIN
        INSERT INTO {INDEX_TABLE}({INDEX_TABLE}, rowid, stem, plain) VALUES ('delete', old.id, old.stem, old.plain);
        INSERT INTO {INDEX_TABLE}(rowid, stem, plain) VALUES (new.id, new.stem, new.plain);
    END""",
)


def create_index(conn: sa.Connection) -> None:
    """Create the index and its triggers, and index every existing segment."""
    for statement in _DDL:
        conn.exec_driver_sql(statement)
    conn.exec_driver_sql(f"INSERT INTO {INDEX_TABLE}({INDEX_TABLE}) VALUES ('rebuild')")


def rebuild(conn: sa.Connection) -> None:
    conn.exec_driver_sql(f"INSERT INTO {INDEX_TABLE}({INDEX_TABLE}) VALUES ('rebuild')")

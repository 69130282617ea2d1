"""SQLite FTS5 index over segments: the one backend-specific part of the store.

The index holds two columns copied from the ``segments`` table, which is its external content: ``stem``
(Snowball Danish stems of every word) and ``plain`` (the words that differ from their stem, as written); see
:func:`aia.text.stemming.index_columns`. Tokeniser ``unicode61 remove_diacritics 0``: other settings fold å into a
and merge år with ar.

New segments are indexed by :func:`index_segments_after` in one pass, called by the one function that inserts
segments (:func:`aia.store.sources.insert_sources`). Not by a trigger: FTS5 flushes its pending terms at every
statement savepoint, which a trigger opens for each row, so a trigger made imports about four times slower. Deletes and
updates (rare) are kept in sync by triggers, so that no path that removes or changes a segment can forget it.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

INDEX_TABLE = "segments_fts"

_DDL = (
    f"""CREATE VIRTUAL TABLE {INDEX_TABLE} USING fts5(
        stem, plain, content='segments', content_rowid='id',
        tokenize='unicode61 remove_diacritics 0')""",
    f"""CREATE TRIGGER segments_fts_ad AFTER DELETE ON segments BEGIN
        INSERT INTO {INDEX_TABLE}({INDEX_TABLE}, rowid, stem, plain) VALUES ('delete', old.id, old.stem, old.plain);
    END""",
    f"""CREATE TRIGGER segments_fts_au AFTER UPDATE OF stem, plain ON segments BEGIN
        INSERT INTO {INDEX_TABLE}({INDEX_TABLE}, rowid, stem, plain) VALUES ('delete', old.id, old.stem, old.plain);
        INSERT INTO {INDEX_TABLE}(rowid, stem, plain) VALUES (new.id, new.stem, new.plain);
    END""",
)


_INSERT = f"INSERT INTO {INDEX_TABLE}(rowid, stem, plain) VALUES (?, ?, ?)"


def index_segments(conn: sa.Connection, rows: Sequence[tuple[int, str, str]]) -> None:
    """Add ``(segment id, stem, plain)`` rows to the index (one single-row statement each: the fast path)."""
    if rows:
        conn.exec_driver_sql(_INSERT, list(rows))


def index_segments_after(conn: sa.Connection, last_id: int) -> None:
    """Index every segment whose id is above ``last_id`` (one statement: one flush)."""
    conn.exec_driver_sql(
        f"INSERT INTO {INDEX_TABLE}(rowid, stem, plain) SELECT id, stem, plain FROM segments WHERE id > ?",
        (last_id,),
    )


def create_index(conn: sa.Connection) -> None:
    """Create the index and its triggers, and index every existing segment."""
    for statement in _DDL:
        conn.exec_driver_sql(statement)
    conn.exec_driver_sql(f"INSERT INTO {INDEX_TABLE}({INDEX_TABLE}) VALUES ('rebuild')")


def rebuild(conn: sa.Connection) -> None:
    conn.exec_driver_sql(f"INSERT INTO {INDEX_TABLE}({INDEX_TABLE}) VALUES ('rebuild')")


def check(conn: sa.Connection) -> None:
    """Raise if the index disagrees with the segments (FTS5 ``integrity-check`` against the content table)."""
    conn.exec_driver_sql(f"INSERT INTO {INDEX_TABLE}({INDEX_TABLE}, rank) VALUES ('integrity-check', 1)")

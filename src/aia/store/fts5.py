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

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

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


#: FTS5 settings while a large import indexes its segments, and FTS5's defaults (restored after): pending terms are
#: flushed to a new index segment every 8 MiB instead of every 1 MiB, and segments of one level are merged sixteen
#: at a time instead of four, so each term is rewritten fewer times (a 1M-post import indexed in half the time, with
#: the same query speed in a test of five queries over the result)
BULK_SETTINGS = {"hashsize": 8 << 20, "automerge": 16}
DEFAULT_SETTINGS = {"hashsize": 1 << 20, "automerge": 4}


@contextmanager
def bulk_indexing(conn: sa.Connection) -> Iterator[None]:
    """Index many segments in the current transaction with :data:`BULK_SETTINGS`; the settings the index had are
    put back afterwards (in the same transaction, so a rollback undoes both)."""
    config = f"{INDEX_TABLE}_config"
    saved = {key: conn.exec_driver_sql(f"SELECT v FROM {config} WHERE k = ?", (key,)).scalar() for key in BULK_SETTINGS}
    _configure(conn, BULK_SETTINGS)
    yield
    _configure(conn, {key: DEFAULT_SETTINGS[key] if value is None else value for key, value in saved.items()})


def _configure(conn: sa.Connection, settings: dict[str, int]) -> None:
    for key, value in settings.items():
        conn.exec_driver_sql(f"INSERT INTO {INDEX_TABLE}({INDEX_TABLE}, rank) VALUES (?, ?)", (key, int(value)))


def rebuild(conn: sa.Connection) -> None:
    conn.exec_driver_sql(f"INSERT INTO {INDEX_TABLE}({INDEX_TABLE}) VALUES ('rebuild')")


def check(conn: sa.Connection) -> None:
    """Raise if the index disagrees with the segments (FTS5 ``integrity-check`` against the content table)."""
    conn.exec_driver_sql(f"INSERT INTO {INDEX_TABLE}({INDEX_TABLE}, rank) VALUES ('integrity-check', 1)")

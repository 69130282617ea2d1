"""SQL for imported material: stored files, sources and their segments."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa

from aia.clock import now
from aia.model import Segment, Source
from aia.store import fts5
from aia.store.rows import new_id, to
from aia.store.schema import files, segments, source_participants, sources, work_packages

_SOURCE_META_COLS = [c for c in sources.c if c.name != "text"]


# Statements on the import path are built once: constructing a statement costs more than running it here.
_FILE_EXISTS = sa.select(files.c.sha256).where(files.c.sha256 == sa.bindparam("sha256"))
_INSERT_FILE = files.insert()
_REFERENCED = sa.select(sources.c.id).where(sources.c.sha256 == sa.bindparam("sha256")).limit(1)
_SAME_FILE = sa.select(sources.c.id, sources.c.original_filename, sources.c.activity_id, sources.c.wp_id).where(
    sources.c.sha256 == sa.bindparam("sha256")
)
_INSERT_SOURCE = sources.insert()
_DEFERRED = "aia.defer_indexing"
_INSERT_SEGMENTS = segments.insert()
_MAX_SEGMENT_ID = sa.select(sa.func.coalesce(sa.func.max(segments.c.id), 0))
_INSERT_SOURCE_PARTICIPANTS = source_participants.insert()


def ensure_file_row(conn: sa.Connection, sha256: str, size: int) -> None:
    if conn.execute(_FILE_EXISTS, {"sha256": sha256}).first() is None:
        conn.execute(_INSERT_FILE, {"sha256": sha256, "size": size, "created_at": now()})


def file_is_referenced(conn: sa.Connection, sha256: str) -> bool:
    return conn.execute(_REFERENCED, {"sha256": sha256}).first() is not None


def find_duplicate(conn: sa.Connection, sha256: str, wp_id: int, activity_id: int | None) -> tuple[int, str] | None:
    """(id, original filename) of a source with the same file in the same activity (or, without an activity,
    directly in the same WP). Looked up by hash alone, which the planner always takes from the index."""
    for source_id, filename, row_activity, row_wp in conn.execute(_SAME_FILE, {"sha256": sha256}):
        if row_activity == activity_id and (activity_id is not None or row_wp == wp_id):
            return int(source_id), str(filename)
    return None


def insert_source(
    conn: sa.Connection,
    values: dict[str, Any],
    segment_rows: Sequence[dict[str, Any]],
    participant_ids: Sequence[int],
) -> int:
    source_id = new_id(conn.execute(_INSERT_SOURCE, {**values, "guid": str(uuid.uuid4()), "created_at": now()}))
    if segment_rows:
        # Ids are given here (we hold the write lock), so that the index rows can be written without reading
        # them back: SQLAlchemy's RETURNING for many rows runs one statement per row on SQLite.
        first = int(conn.execute(_MAX_SEGMENT_ID).scalar_one()) + 1
        for offset, row in enumerate(segment_rows):
            row["source_id"] = source_id
            row["id"] = first + offset
        conn.execute(_INSERT_SEGMENTS, segment_rows)
        if not conn.info.get(_DEFERRED):
            fts5.index_segments(conn, [(r["id"], r["stem"], r["plain"]) for r in segment_rows])
    if participant_ids:
        conn.execute(
            _INSERT_SOURCE_PARTICIPANTS,
            [{"source_id": source_id, "participant_id": pid} for pid in sorted(set(participant_ids))],
        )
    return source_id


@contextmanager
def deferred_indexing(conn: sa.Connection) -> Iterator[None]:
    """Segments inserted inside the block are added to the search index in one pass when it ends.

    For batch imports: FTS5 flushes its pending terms at every savepoint release, so indexing each source in its
    own savepoint costs a flush per source. What is indexed at the end is read back from ``segments``, so a
    source rolled back to its savepoint is never indexed. On an error nothing is indexed (and the transaction
    around the block is expected to roll back).
    """
    before = int(conn.execute(_MAX_SEGMENT_ID).scalar_one())
    conn.info[_DEFERRED] = True
    try:
        yield
    finally:
        del conn.info[_DEFERRED]
    fts5.index_segments_after(conn, before)


def get_source(conn: sa.Connection, source_id: int, with_text: bool = True) -> Source | None:
    cols = list(sources.c) if with_text else _SOURCE_META_COLS
    row = conn.execute(sa.select(*cols).where(sources.c.id == source_id)).first()
    return to(Source, row) if row else None


def source_text_length(conn: sa.Connection, source_id: int) -> int | None:
    value = conn.execute(sa.select(sa.func.length(sources.c.text)).where(sources.c.id == source_id)).scalar()
    return None if value is None else int(value)


def list_sources(
    conn: sa.Connection,
    track_id: int | None = None,
    wp_number: int | None = None,
    activity_id: int | None = None,
) -> list[tuple[Source, int, int]]:
    """Sources (without text) with their track id and WP number, newest last."""
    q = sa.select(*_SOURCE_META_COLS, work_packages.c.track_id, work_packages.c.number).join(
        work_packages, work_packages.c.id == sources.c.wp_id
    )
    if track_id is not None:
        q = q.where(work_packages.c.track_id == track_id)
    if wp_number is not None:
        q = q.where(work_packages.c.number == wp_number)
    if activity_id is not None:
        q = q.where(sources.c.activity_id == activity_id)
    return [(to(Source, r), int(r.track_id), int(r.number)) for r in conn.execute(q.order_by(sources.c.id))]


def list_segments(conn: sa.Connection, source_id: int) -> list[Segment]:
    q = sa.select(segments).where(segments.c.source_id == source_id).order_by(segments.c.ordinal)
    return [to(Segment, r) for r in conn.execute(q)]


def get_segment(conn: sa.Connection, source_id: int, ordinal: int) -> Segment | None:
    row = conn.execute(
        sa.select(segments).where(segments.c.source_id == source_id, segments.c.ordinal == ordinal)
    ).first()
    return to(Segment, row) if row else None


def source_participant_ids(conn: sa.Connection, source_id: int) -> list[int]:
    q = sa.select(source_participants.c.participant_id).where(source_participants.c.source_id == source_id)
    return [int(r[0]) for r in conn.execute(q)]

"""SQL for imported material: stored files, sources and their segments."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from aia.clock import now
from aia.model import Segment, Source
from aia.store.rows import new_id, to
from aia.store.schema import files, segments, source_participants, sources, work_packages

_SOURCE_META_COLS = [c for c in sources.c if c.name != "text"]


def ensure_file_row(conn: sa.Connection, sha256: str, size: int) -> None:
    if conn.execute(sa.select(files.c.sha256).where(files.c.sha256 == sha256)).first() is None:
        conn.execute(files.insert().values(sha256=sha256, size=size, created_at=now()))


def file_is_referenced(conn: sa.Connection, sha256: str) -> bool:
    return conn.execute(sa.select(sources.c.id).where(sources.c.sha256 == sha256).limit(1)).first() is not None


def find_duplicate(conn: sa.Connection, sha256: str, wp_id: int, activity_id: int | None) -> Source | None:
    """A source with the same file in the same activity (or, without an activity, directly in the same WP)."""
    q = sa.select(*_SOURCE_META_COLS).where(sources.c.sha256 == sha256)
    if activity_id is None:
        q = q.where(sources.c.activity_id.is_(None), sources.c.wp_id == wp_id)
    else:
        q = q.where(sources.c.activity_id == activity_id)
    row = conn.execute(q.limit(1)).first()
    return to(Source, row) if row else None


def insert_source(
    conn: sa.Connection,
    values: dict[str, Any],
    segment_rows: Sequence[dict[str, Any]],
    participant_ids: Sequence[int],
) -> int:
    source_id = int(new_id(conn.execute(sources.insert().values(**values, guid=str(uuid.uuid4()), created_at=now()))))
    if segment_rows:
        conn.execute(segments.insert(), [{**row, "source_id": source_id} for row in segment_rows])
    if participant_ids:
        conn.execute(
            source_participants.insert(),
            [{"source_id": source_id, "participant_id": pid} for pid in sorted(set(participant_ids))],
        )
    return source_id


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

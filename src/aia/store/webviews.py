"""Lean reads for the web source viewer: only the columns it shows, as plain tuples. A segment's meta comes as its
raw JSON text; the viewer decodes it only for the kinds that show it (posts, AI-log turns)."""

from __future__ import annotations

from typing import Any, NamedTuple

import sqlalchemy as sa

from aia.store.schema import codes, codings, segments, sources


class SegmentBounds(NamedTuple):
    ordinal: int
    kind: str
    start: int
    end: int
    speaker: str | None
    start_ms: int | None
    meta: str  # raw JSON text


class CodingSpan(NamedTuple):
    id: int
    code_id: int
    start: int
    end: int
    coder: str


class CodingDetail(NamedTuple):
    id: int
    source_id: int
    code_id: int
    start: int
    end: int
    coder: str
    created_at: str
    comment: str | None
    code_name: str
    code_color: str
    text: str


def _bounds_query(source_id: int) -> sa.Select[Any]:
    s = segments.c
    return (
        sa.select(s.ordinal, s.kind, s.start, s.end, s.speaker, s.start_ms, sa.cast(s.meta, sa.Text))
        .where(s.source_id == source_id)
        .order_by(s.ordinal)
    )


def segment_bounds(conn: sa.Connection, source_id: int) -> list[SegmentBounds]:
    return [SegmentBounds(*r) for r in conn.execute(_bounds_query(source_id))]


def segment_chunk(conn: sa.Connection, source_id: int, first: int, budget: int) -> tuple[list[SegmentBounds], bool]:
    """Segments from ordinal ``first`` on, until their text reaches ``budget`` code points (at least one segment);
    and whether more follow."""
    rows: list[SegmentBounds] = []
    size = 0
    result = conn.execute(_bounds_query(source_id).where(segments.c.ordinal >= first))
    try:
        for r in result:
            seg = SegmentBounds(*r)
            if rows and size + (seg.end - seg.start) > budget:
                return rows, True
            rows.append(seg)
            size += seg.end - seg.start
        return rows, False
    finally:
        result.close()


def text_slice(conn: sa.Connection, source_id: int, start: int, end: int) -> str | None:
    """``sources.text[start:end]`` (code points), sliced in SQL; None if there is no such source."""
    t = sources.c.text
    q = sa.select(sa.func.substr(t, start + 1, end - start)).where(sources.c.id == source_id)
    row = conn.execute(q).first()
    return None if row is None else str(row[0] or "")


def coding_spans(conn: sa.Connection, source_id: int, start: int = 0, end: int | None = None) -> list[CodingSpan]:
    """The codings of a source that overlap ``[start, end)`` (all of them by default), by start."""
    c = codings.c
    q = sa.select(c.id, c.code_id, c.start, c.end, c.coder).where(c.source_id == source_id)
    if end is not None:
        q = q.where(c.start < end, c.end > start)
    return [CodingSpan(*r) for r in conn.execute(q.order_by(c.start, c.id))]


def coding_detail(conn: sa.Connection, coding_id: int) -> CodingDetail | None:
    """One coding with its code's name and colour and the coded text."""
    c = codings.c
    q = (
        sa.select(
            c.id,
            c.source_id,
            c.code_id,
            c.start,
            c.end,
            c.coder,
            c.created_at,
            c.comment,
            codes.c.name,
            codes.c.color,
            sa.func.substr(sources.c.text, c.start + 1, c.end - c.start),
        )
        .join(codes, codes.c.id == c.code_id)
        .join(sources, sources.c.id == c.source_id)
        .where(c.id == coding_id)
    )
    row = conn.execute(q).first()
    return None if row is None else CodingDetail(*row)

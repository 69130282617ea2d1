"""Lean reads for the web source viewer: only the columns it shows, as plain tuples (no JSON decoding)."""

from __future__ import annotations

from typing import NamedTuple

import sqlalchemy as sa

from aia.store.schema import codings, segments


class SegmentBounds(NamedTuple):
    ordinal: int
    kind: str
    start: int
    end: int
    speaker: str | None
    start_ms: int | None


class CodingSpan(NamedTuple):
    id: int
    code_id: int
    start: int
    end: int
    coder: str
    created_at: str
    comment: str | None


def segment_bounds(conn: sa.Connection, source_id: int) -> list[SegmentBounds]:
    s = segments.c
    q = sa.select(s.ordinal, s.kind, s.start, s.end, s.speaker, s.start_ms).where(s.source_id == source_id)
    return [SegmentBounds(*r) for r in conn.execute(q.order_by(s.ordinal))]


def coding_spans(conn: sa.Connection, source_id: int) -> list[CodingSpan]:
    c = codings.c
    q = sa.select(c.id, c.code_id, c.start, c.end, c.coder, c.created_at, c.comment).where(c.source_id == source_id)
    return [CodingSpan(*r) for r in conn.execute(q.order_by(c.start, c.id))]
